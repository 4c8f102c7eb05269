//! A node's snapshots (`evm_snapshot`, `evm_revert`) under keys that stay
//! valid after a restore, shared by [`RpcChain`](super::RpcChain) and the
//! mirror.
//!
//! # State
//! The node forgets a snapshot once it is restored, and every snapshot
//! taken after it. [`NodeSnapshots`] follows that rule (a key whose
//! snapshot the node dropped is gone here too) and takes a restored
//! snapshot again at once, so the same key can be restored again.
//!
//! # Errors
//! Restoring a key that is gone, or that the node no longer has, is
//! [`ChainError::Backend`] naming `evm_revert`.

use super::super::Result;
use super::client::{backend, Rpc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A node snapshot: its id and when it was taken (the order the node drops them in).
#[derive(Debug)]
struct Saved {
    id: Value,
    taken: u64,
}

/// The node snapshots a chain took, by key.
#[derive(Debug, Default)]
pub(super) struct NodeSnapshots {
    saved: BTreeMap<u64, Saved>,
    next_key: u64,
    next_taken: u64,
}

impl NodeSnapshots {
    /// Take a snapshot of the node's state now; returns its key.
    pub(super) fn take(&mut self, rpc: &Rpc) -> Result<u64> {
        let key = self.next_key;
        self.next_key += 1;
        self.take_as(rpc, key)?;
        Ok(key)
    }

    fn take_as(&mut self, rpc: &Rpc, key: u64) -> Result<()> {
        let id = rpc.call("evm_snapshot", json!([]))?;
        self.saved.insert(key, Saved { id, taken: self.next_taken });
        self.next_taken += 1;
        Ok(())
    }

    /// Put the node back to the snapshot `key`, then take it again under the same key.
    pub(super) fn restore(&mut self, rpc: &Rpc, key: u64) -> Result<()> {
        let method = "evm_revert";
        let Some(saved) = self.saved.get(&key) else {
            return Err(backend(
                method,
                "the snapshot is gone: restoring an earlier snapshot drops the ones taken after it",
            ));
        };
        let taken = saved.taken;
        let reverted = rpc.call(method, json!([saved.id]))?;
        // The node dropped this snapshot and every later one.
        self.saved.retain(|_, saved| saved.taken < taken);
        if reverted != Value::Bool(true) {
            return Err(backend(
                method,
                format!("the node no longer has this snapshot (answered {reverted})"),
            ));
        }
        self.take_as(rpc, key)
    }
}
