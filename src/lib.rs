//! tokenspice: an EVM-in-the-loop, agent-based simulator of token ecosystems.
//!
//! Layers, each knowing only the ones listed before it: [`chain`] (the
//! embedded EVM), [`artifacts`] (compiled contracts and `tsp build`),
//! [`contracts`] (typed bindings), [`wallet`] (agents' accounts).

pub mod agents;
pub mod artifacts;
pub mod bench;
pub mod chain;
pub mod cli;
pub mod contracts;
pub mod engine;
pub mod kpis;
pub mod netlist;
pub mod plot;
pub mod report;
pub mod script;
pub mod wallet;
