//! Decoding anything by ABI: calls, events and revert data of every
//! contract a run may meet, as exact text for traces, logs and reports.
//!
//! An [`AbiRegistry`] is built once from the ABIs of every contract a run
//! may meet ([`AbiRegistry::add`]) and indexed by 4-byte function selector,
//! event topic0 and error selector. When two contracts share a selector with
//! different parameter names (or, for events, different `indexed` flags), all
//! candidates are kept: the caller names the contract it is talking to and
//! that contract's ABI is tried first, then the others in the order they were
//! added. Identical items from several contracts (every ERC20's `Transfer`)
//! are stored once.
//!
//! Values are written by [`format_value`] so that nothing is rounded:
//! integers in full decimal (never through `f64`), checksummed addresses,
//! `0x` hex bytes, JSON-escaped strings, `[a, b]` for arrays and tuples.
//!
//! # Errors
//! Nothing here fails. Data that no registered ABI decodes is still
//! described: an unknown or undecodable call gives its selector and raw hex
//! ([`AbiRegistry::describe_call`]), an unknown or anonymous event gives
//! `None` ([`AbiRegistry::decode_log`]), unknown revert data gives
//! [`RevertReason::label`](crate::chain::RevertReason::label)
//! ([`AbiRegistry::describe_revert`]).

mod format;
mod registry;

pub use format::{format_fields, format_value};
pub use registry::{AbiRegistry, Call, DecodedEvent};

#[cfg(test)]
mod tests;
