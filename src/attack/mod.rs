//! Attackers: a bounded search for the sequence of ordinary operations that
//! earns an attacker the most, against any netlist.
//!
//! The core knows no protocol. An [`AttackSpec`] names what the attacker
//! may do (generic-agent steps: contract calls with argument ranges, or a
//! model's operations), its capital, and how its net worth is valued (an
//! expression in a numeraire); a model can offer a default spec
//! ([`crate::models::Model::attack_spec`]). [`attack`] runs the netlist up to
//! the moment of the attack, then searches sequences of up to `horizon`
//! actions with the cross-entropy method ([`search`]), each candidate a
//! what-if on the world at that moment ([`WorldTarget`]), shrinks the best
//! ([`shrink`]) and returns it with its trace, the victims' losses and a
//! runnable replay netlist (the attacker as a `scripted` agent).
//!
//! A search that finds nothing proves nothing: the report states the budget.
//!
//! # Errors
//! A spec or netlist that cannot be read, an action whose expression fails
//! (not a revert: reverted actions are outcomes and the candidate goes on),
//! or a chain that is not embedded: errors naming the file or action.

mod agent;
mod netlist;
mod run;
mod search;
mod shrink;
mod spec;
mod target;

pub use agent::parse_attacker;
pub use netlist::{attacker_netlist, format_x, ATTACKER};
pub use run::{attack, check, moment, AttackReport, AttackSettings, TraceRow};
pub use search::{search, Candidate, Move, SearchResult, SearchSettings};
pub use shrink::shrink;
pub use spec::AttackSpec;
pub use target::{Replay, StepOutcome, Target, WorldTarget};
