//! The embedded EVM: an in-process revm with in-memory state.
//!
//! Only this module imports revm; everything above sees [`Chain`], [`Receipt`]
//! and `alloy-primitives` types.
//!
//! # State
//! A [`Chain`] owns the whole world state (accounts, code, storage) and the
//! current block (number, timestamp). [`Chain::transact`] and
//! [`Chain::deploy`] commit their changes at once when the transaction
//! succeeds; [`Chain::call`] never commits, and outside what-ifs its
//! result is remembered until a committed transaction changes something it
//! read (`view_cache`). [`Chain::snapshot`] clones the
//! state and block, [`Chain::restore`] puts such a copy back. A forked chain
//! ([`Chain::forked`], `tsp run --fork`) starts from a node's state at a
//! block: what is not yet in memory is read from the node at that block by a
//! [`ForkDb`] and cached on disk; writes stay in memory.
//!
//! # Errors
//! A transaction that runs and reverts (or halts) is *not* an error: it is a
//! [`Receipt`] whose [`Outcome`] says so, with the decoded [`RevertReason`],
//! and it leaves the state as it was before the transaction (gas is free:
//! the simulation charges no ETH for gas). [`ChainError`] is returned only
//! when a transaction cannot run at all (invalid transaction, database
//! failure, a fork that cannot read the node) or when a caller asks for a successful result and the receipt
//! holds a revert ([`Receipt::into_output`]).

mod backend;
mod embedded;
mod error;
mod fork;
mod journal;
mod keccak_memo;
mod kept;
mod mirrored;
mod raw;
mod receipt;
mod recording;
mod revert;
mod rpc;
mod sim_chain;
#[cfg(test)]
mod test_code;
mod view_cache;

pub use backend::Backend;
pub use embedded::{Chain, Snapshot, BLOCK_GAS_LIMIT, GENESIS_TIMESTAMP, GOD, GOD_ETH, TX_GAS_LIMIT};
pub use error::{ChainError, Result};
pub use fork::{ForkCalls, ForkDb, ForkError, ForkSpec, DEFAULT_FORK_CACHE};
pub use journal::{CommittedTx, Journal, LastTx};
pub use kept::KeptWhatIf;
pub use raw::RawEvm;
pub use receipt::{Outcome, Receipt};
pub use recording::{Execution, RecordedTx};
pub use revert::RevertReason;
pub use rpc::{AnvilProcess, Mining, RequestLog, RpcChain, RpcSnapshot};
pub use sim_chain::{RpcSide, SimChain, SimSnapshot};
pub use view_cache::ViewStamp;

use alloy_primitives::{keccak256, Address};

/// A deterministic externally-owned account address derived from a name.
///
/// Agents get their EOAs this way, so the same netlist yields the same
/// addresses on every run.
pub fn address_for(name: &str) -> Address {
    Address::from_word(keccak256(format!("tokenspice:eoa:{name}")))
}
