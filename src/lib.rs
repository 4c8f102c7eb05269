//! tokenspice: an EVM-in-the-loop, agent-based simulator of token ecosystems.
//!
//! Layers, each knowing only the ones listed before it: [`chain`] (the
//! embedded EVM and a node backend), [`artifacts`] (compiled contracts and
//! `tsp build`), [`wallet`] (agents' accounts), [`world`] (what agents see:
//! chain, address book, events, counters), [`agents`] (the agent trait),
//! [`models`] (protocol packs), [`engine`] (ticks), [`kpis`],
//! [`netlist`], then [`report`], [`plot`], [`bench`] and [`cli`].

pub mod abi;
pub mod agents;
pub mod artifacts;
pub mod attack;
pub mod bench;
pub mod chain;
pub mod cli;
pub mod engine;
pub mod kpis;
pub mod models;
pub mod netlist;
pub mod plot;
pub mod report;
pub mod script;
pub mod study;
pub mod wallet;
pub mod world;
