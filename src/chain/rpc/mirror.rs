//! The mirrored node mode ([`Mining::Mirrored`](super::Mining)): the
//! embedded EVM runs every transaction, call and what-if over the node's
//! state, and the node mines what it committed, checked transaction by
//! transaction.
//!
//! [`NodeState`] is what the embedded chain's cache falls back to: the
//! node's latest state, read lazily (`eth_getBalance`,
//! `eth_getTransactionCount`, `eth_getCode`, `eth_getStorageAt` at
//! "latest"). [`NodeMirror`] holds the committed transactions not yet mined
//! and mines them: one `eth_sendTransaction` per transaction, in order, and
//! one `evm_mine_detailed` per block, when the simulation's clock moves, when
//! the block is full, before a faucet or a snapshot, and when the run ends
//! ([`NodeMirror::flush`]).
//!
//! # State
//! Only the simulation writes to the node, and the mirror's EVM ran each
//! transaction the node will run, in the same order and block (number and
//! timestamp): anything it has not read is as the node's latest state says
//! (a transaction that changed it also loaded it into the cache above).
//! The embedded chain runs the transactions in block `node block + 1`,
//! the block the node mines them in, as the simulated mode does. What-ifs
//! and calls never reach the node.
//!
//! # Errors
//! A mined block whose transactions do not return what the mirror's EVM
//! returned (output, runtime code or revert data) or use other gas is
//! [`ChainError::Backend`] naming the transaction; a node that cannot be
//! reached, or answers what does not parse, is [`ChainError::Backend`]
//! naming the method (inside a transaction, a database error: see
//! [`NodeState`]). [`NodeMirror::advance`] cannot fail: its error is
//! returned by the chain's next fallible call.

use super::super::fork::{read_account, ForkError};
use super::super::{ChainError, Result, TX_GAS_LIMIT};
use super::client::{hex_u256, hex_u64, parsed, quantity_u256, RequestLog, Rpc};
use super::pending::PendingBlock;
use super::snapshots::NodeSnapshots;
use super::{prepare_node, tx_json, NodeHead, REQUEST_TIMEOUT};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use revm::bytecode::Bytecode;
use revm::state::AccountInfo;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// The node's latest state, as the embedded chain's cache falls back to it.
#[derive(Clone)]
pub(in crate::chain) struct NodeState(Arc<StateReader>);

struct StateReader {
    rpc: Rpc,
    /// Runtime code of the accounts read, by hash.
    codes: Mutex<HashMap<B256, Bytes>>,
}

impl fmt::Debug for NodeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeState").field("url", &self.0.rpc.url).finish_non_exhaustive()
    }
}

impl NodeState {
    fn fetch(&self, method: &str, params: Value, what: &str) -> std::result::Result<Value, ForkError> {
        self.0
            .rpc
            .request(method, params)
            .map_err(|e| ForkError::new(format!("node: {method} on {}: {what}: {e}", self.0.rpc.url)))
    }

    /// Balance, nonce and code of an account in the node's latest state.
    pub(in crate::chain) fn basic(
        &self,
        address: Address,
    ) -> std::result::Result<Option<AccountInfo>, ForkError> {
        let what = format!("account {address}");
        let read = read_account(&what, |method| self.fetch(method, json!([address, "latest"]), &what))?;
        let Some((balance, nonce, code)) = read else { return Ok(None) };
        let code_hash = keccak256(&code);
        let bytecode = Bytecode::new_raw(code.clone());
        if !code.is_empty() {
            self.codes().insert(code_hash, code);
        }
        Ok(Some(AccountInfo::new(balance, nonce, code_hash, bytecode)))
    }

    fn codes(&self) -> std::sync::MutexGuard<'_, HashMap<B256, Bytes>> {
        // One insert per update: a poisoned map is still whole.
        self.0.codes.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Code of an account read before.
    pub(in crate::chain) fn code_by_hash(&self, code_hash: B256) -> std::result::Result<Bytecode, ForkError> {
        match self.codes().get(&code_hash) {
            Some(code) => Ok(Bytecode::new_raw(code.clone())),
            None if code_hash == revm::primitives::KECCAK_EMPTY => Ok(Bytecode::default()),
            None => Err(ForkError::new(format!(
                "node: no code with hash {code_hash} was read from {}",
                self.0.rpc.url
            ))),
        }
    }

    /// A storage slot in the node's latest state.
    pub(in crate::chain) fn storage(
        &self,
        address: Address,
        index: U256,
    ) -> std::result::Result<U256, ForkError> {
        let what = format!("account {address} slot {index:#x}");
        let method = "eth_getStorageAt";
        let answer = self.fetch(method, json!([address, format!("{index:#x}"), "latest"]), &what)?;
        quantity_u256(&answer, method, "value").map_err(|e| ForkError::new(format!("node: {what}: {e}")))
    }

    /// The hash of a mined block (a block not mined yet hashes as on a fresh chain).
    pub(in crate::chain) fn block_hash(&self, number: u64) -> std::result::Result<B256, ForkError> {
        let method = "eth_getBlockByNumber";
        let header =
            self.fetch(method, json!([format!("{number:#x}"), false]), &format!("block {number}"))?;
        if header.is_null() {
            return Ok(keccak256(number.to_string().as_bytes()));
        }
        parsed(&header["hash"], method, "hash")
            .map_err(|e| ForkError::new(format!("node: block {number}: {e}")))
    }
}

/// A node's snapshot as a mirrored chain keeps it: the key and the node's block then.
#[derive(Debug, Clone, Copy)]
pub(in crate::chain) struct MirrorSnapshot {
    key: u64,
    node_block: u64,
}

/// The committed transactions a mirrored chain has not had mined yet, and
/// the node they go to (see the module docs).
pub(in crate::chain) struct NodeMirror {
    rpc: Rpc,
    pending: PendingBlock,
    /// The node's latest block number.
    node_block: u64,
    block_gas_limit: u64,
    snapshots: NodeSnapshots,
    /// A failure of [`NodeMirror::advance`], returned by the next fallible call.
    deferred: Option<ChainError>,
    /// Why the node stopped following the chain: once a block failed, the
    /// node and the chain differ for good and every later call fails.
    failed: Option<String>,
}

impl fmt::Debug for NodeMirror {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeMirror")
            .field("url", &self.rpc.url)
            .field("node_block", &self.node_block)
            .finish_non_exhaustive()
    }
}

impl NodeMirror {
    /// Connect to the node at `url`, set it up as the other node modes do,
    /// and return the mirror, the state to read from and the node's chain
    /// id and latest block (where the chain starts, and its EVM's block
    /// environment).
    pub(in crate::chain) fn connect(url: &str, log: RequestLog) -> Result<(Self, NodeState, NodeHead)> {
        let rpc = Rpc::new(url, REQUEST_TIMEOUT, log.clone());
        let head = prepare_node(&rpc)?;
        let block_gas_limit = head.gas_limit;
        if block_gas_limit < TX_GAS_LIMIT {
            return Err(ChainError::Backend(format!(
                "{url}: its block gas limit {block_gas_limit} is below a transaction's ({TX_GAS_LIMIT})"
            )));
        }
        let state = NodeState(Arc::new(StateReader {
            rpc: Rpc::new(url, REQUEST_TIMEOUT, log),
            codes: Mutex::new(HashMap::new()),
        }));
        let mirror = Self {
            rpc,
            pending: PendingBlock::default(),
            node_block: head.number,
            block_gas_limit,
            snapshots: NodeSnapshots::default(),
            deferred: None,
            failed: None,
        };
        Ok((mirror, state, head))
    }

    /// The node's URL.
    pub(in crate::chain) fn url(&self) -> &str {
        &self.rpc.url
    }

    /// The number of the block the pending transactions will be mined in.
    pub(in crate::chain) fn next_block(&self) -> u64 {
        self.node_block + 1
    }

    /// Return the failure of an earlier [`NodeMirror::advance`] if it was
    /// not returned yet, else fail if the node stopped following the chain.
    pub(in crate::chain) fn check_deferred(&mut self) -> Result<()> {
        if let Some(error) = self.deferred.take() {
            return Err(error);
        }
        match &self.failed {
            Some(why) => Err(ChainError::Backend(format!("the node no longer mirrors this chain: {why}"))),
            None => Ok(()),
        }
    }

    /// Before the chain runs a transaction to commit: mine the pending
    /// block at `timestamp` when another transaction would not fit it.
    /// Returns whether a block was mined (the next block number changed).
    pub(in crate::chain) fn make_room(&mut self, timestamp: u64) -> Result<bool> {
        if self.pending.lacks_room(self.block_gas_limit) {
            self.flush(timestamp)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A transaction the chain committed: it returned `output` (return
    /// data, runtime code or revert data, empty for a halt) and used `gas_used`.
    /// `nonce` is the sender's before it: the node is told, so that a
    /// transaction out of step with the node is refused, not renumbered.
    pub(in crate::chain) fn push(
        &mut self,
        (from, to, input, value): (Address, Option<Address>, &Bytes, U256),
        nonce: u64,
        output: Bytes,
        gas_used: u64,
    ) {
        let mut tx = tx_json(from, to, input, value);
        tx["nonce"] = json!(hex_u64(nonce));
        self.pending.push_ran(tx, input.len(), output, gas_used);
    }

    /// Mine the pending transactions, if any, into one block at `timestamp`
    /// and check it; returns whether a block was mined.
    pub(in crate::chain) fn flush(&mut self, timestamp: u64) -> Result<bool> {
        self.check_deferred()?;
        if self.pending.is_empty() {
            return Ok(false);
        }
        match self.pending.mine(&self.rpc, timestamp) {
            Ok(block) => {
                self.node_block = block;
                Ok(true)
            }
            Err(error) => {
                self.failed = Some(error.to_string());
                Err(error)
            }
        }
    }

    /// The simulation's clock moves on from `timestamp`: mine the pending
    /// block at it. Returns false, and keeps the failure for the next
    /// fallible call, when mining fails or an earlier failure waits: the
    /// clock must not move then.
    pub(in crate::chain) fn advance(&mut self, timestamp: u64) -> bool {
        if self.deferred.is_some() {
            return false;
        }
        match self.flush(timestamp) {
            Ok(_) => true,
            Err(error) => {
                self.deferred = Some(error);
                false
            }
        }
    }

    /// Mine the pending block, then set `who`'s ETH balance on the node.
    pub(in crate::chain) fn set_balance(&mut self, who: Address, wei: U256, timestamp: u64) -> Result<bool> {
        let mined = self.flush(timestamp)?;
        self.rpc.call("anvil_setBalance", json!([who, hex_u256(wei)]))?;
        Ok(mined)
    }

    /// Mine the pending block, then take a node snapshot.
    pub(in crate::chain) fn snapshot(&mut self, timestamp: u64) -> Result<MirrorSnapshot> {
        self.flush(timestamp)?;
        let key = self.snapshots.take(&self.rpc)?;
        Ok(MirrorSnapshot { key, node_block: self.node_block })
    }

    /// Drop the pending transactions (they came after the snapshot) and put
    /// the node back to `snapshot`.
    pub(in crate::chain) fn restore(&mut self, snapshot: &MirrorSnapshot) -> Result<()> {
        self.check_deferred()?;
        self.pending.clear();
        self.snapshots.restore(&self.rpc, snapshot.key)?;
        self.node_block = snapshot.node_block;
        Ok(())
    }
}
