//! [`RpcChain`]: the [`Backend`] over a JSON-RPC node (anvil), synchronous,
//! and [`AnvilProcess`], a local anvil started and stopped by PID.
//!
//! # State
//! The node owns the world state. [`RpcChain::connect`] sets it up to
//! behave like the embedded [`Chain`](super::Chain): no automine, every
//! sender impersonated, gas price and base fee zero, block timestamps given
//! by the simulation (`anvil_setBlockTimestampInterval 0`, and every block
//! mined at the simulation's timestamp), and [`GOD`] funded with [`GOD_ETH`].
//! How transactions become blocks is the [`Mining`] mode:
//!
//! - [`Mining::Mirrored`] (the default) is not an `RpcChain` but an embedded
//!   [`Chain`](super::Chain) mirroring the node (`mirror`): the tick runs
//!   on the embedded EVM over the node's latest state and the node mines
//!   its transactions as one block, checked transaction by transaction.
//!   Nothing but the committed transactions reaches the node.
//! - [`Mining::PerTick`] batches too, with the node running everything. A
//!   transaction is first run with `eth_simulateV1` on the latest state
//!   after the transactions already pending, in a block with the number and
//!   timestamp the mined block will have; its receipt (outcome, return or
//!   revert data, gas, logs) comes from that run and it joins the pending
//!   block. The pending block is sent (one request per transaction, in
//!   order) and mined as one block, checked to be the simulated one, when
//!   the simulation's clock moves
//!   ([`Backend::advance`]), when 64 transactions wait or replaying them
//!   has cost about what mining costs (`pending`), and before anything that
//!   reads or changes the node's state directly: a deployment, a
//!   transaction that sends ETH or fails without data (these run as in the other mode, for their created
//!   address, balance check or halt reason), [`Backend::eth_balance`],
//!   [`Backend::set_eth_balance`], [`Backend::snapshot`], code reads. A
//!   tick's transactions thus share one block and a tick without any mines
//!   none. Calls run the same way after the pending transactions; repeat
//!   calls are answered from a cache until the state or clock changes, and
//!   a call or transaction also runs, in the same HTTP request, the calls
//!   that followed it (or one like it) last time (`calls`).
//! - [`Mining::PerTransaction`] sends each transaction and mines it alone
//!   (`evm_mine_detailed`, then its receipt), and [`Backend::advance`] mines
//!   an empty block: one block per transaction, no call cache.
//!
//! Either way a reverted transaction leaves the state as it was, and
//! [`Backend::block_number`] reports the simulation's block, which moves by
//! one per [`Backend::advance`] exactly as on the embedded chain, while
//! `block.number` inside contracts is the node's block
//! ([`RpcChain::node_block_number`]): one more per mined block. Timestamps
//! agree with the embedded chain inside contracts and out. Calls see the
//! block the next transaction would be mined in (its number and timestamp).
//! Snapshots are the node's `evm_snapshot`s (taken after mining the
//! pending block); restoring one drops the snapshots taken after it (the
//! node's rule) and the pending transactions, and a restored snapshot is
//! taken again at once, so it can be restored again.
//!
//! # Errors
//! A revert or halt is an `Ok` [`Receipt`], as on the embedded chain: the
//! revert data comes from the (simulated or mined) transaction's output, a
//! halt's reason from the node's trace of the mined transaction. A
//! transaction the node refuses to accept (not enough ETH for its value,
//! ...) is [`ChainError::InvalidTransaction`]; a network failure, a JSON-RPC
//! error, an answer that does not parse or a mined block that differs from
//! its simulation is [`ChainError::Backend`], naming the method.
//! [`Backend::advance`] cannot return an error: when mining fails, the next
//! call that can fail returns it. Nothing here panics.

mod anvil;
mod calls;
pub(super) mod client;
mod mining;
mod mirror;
mod pending;
mod snapshots;

pub use anvil::AnvilProcess;
pub use client::RequestLog;
pub use mining::Mining;
pub(super) use mirror::{MirrorSnapshot, NodeMirror, NodeState};

use super::{Backend, ChainError, Outcome, Receipt, Result, RevertReason, GOD, GOD_ETH, TX_GAS_LIMIT};
use alloy_primitives::{Address, Bytes, B256, U256};
use calls::{CallCache, CallKey, Step};
use client::{backend, data, hex_u256, hex_u64, logs, parsed, quantity, quantity_u256, Rpc, RpcError};
use pending::{last_call, PendingBlock};
use serde_json::{json, Value};
use snapshots::NodeSnapshots;
use std::fmt;
use std::time::{Duration, Instant};

/// How long one JSON-RPC request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// A saved state of an [`RpcChain`], for [`Backend::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcSnapshot {
    /// Key into the chain's table of node snapshot ids.
    key: u64,
    block: u64,
    timestamp: u64,
    node_block: u64,
}

/// The [`Backend`] over a JSON-RPC node, one blocking HTTP request at a time.
///
/// In [`Mining::PerTick`] a transaction costs one `eth_simulateV1` (or a
/// batch of them, with predicted calls) and, later, one
/// `eth_sendTransaction`, and each mined block one `evm_mine_detailed`; in
/// [`Mining::PerTransaction`] a transaction costs three requests (`eth_sendTransaction`, `evm_mine_detailed`,
/// `eth_getTransactionReceipt`). A call costs one `eth_simulateV1` (plus an
/// `eth_call` when it fails without data), none when cached. Gas is metered
/// but costs no ETH, as on the embedded chain.
pub struct RpcChain {
    rpc: Rpc,
    mining: Mining,
    block: u64,
    timestamp: u64,
    /// The node's latest block number.
    node_block: u64,
    pending: PendingBlock,
    /// Results of calls since the state or clock last changed ([`Mining::PerTick`] only).
    calls: CallCache,
    snapshots: NodeSnapshots,
    /// A failure of [`Backend::advance`], returned by the next fallible call.
    deferred: Option<ChainError>,
}

impl fmt::Debug for RpcChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcChain")
            .field("url", &self.rpc.url)
            .field("mining", &self.mining)
            .field("block_number", &self.block)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

/// A transaction or call as the node's methods take it.
fn tx_json(from: Address, to: Option<Address>, input: &Bytes, value: U256) -> Value {
    let mut tx = json!({
        "from": from,
        "input": input,
        "value": hex_u256(value),
        "gas": hex_u64(TX_GAS_LIMIT),
        "gasPrice": "0x0",
    });
    if let Some(to) = to {
        tx["to"] = json!(to);
    }
    tx
}

impl RpcChain {
    /// Connect to an anvil node at `url` and set it up like the embedded
    /// chain, batching a tick's transactions into one block
    /// ([`Mining::PerTick`]); see [`RpcChain::connect_with`].
    pub fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, Mining::PerTick, RequestLog::default())
    }

    /// Connect to an anvil node at `url` and set it up like the embedded
    /// chain (see the module docs), mining as `mining` says and recording
    /// every request in `log`; the simulation's block starts at the node's
    /// latest block, with its timestamp. It sets [`GOD`]'s balance to
    /// [`GOD_ETH`], so it is meant for a fresh node such as [`AnvilProcess`]
    /// starts. [`Mining::Mirrored`] runs here as [`Mining::PerTick`] (the
    /// mirror is [`Chain::mirrored`](super::Chain::mirrored)).
    pub fn connect_with(url: &str, mining: Mining, log: RequestLog) -> Result<Self> {
        let rpc = Rpc::new(url, REQUEST_TIMEOUT, log);
        let head = prepare_node(&rpc)?;
        let mining = if mining == Mining::Mirrored { Mining::PerTick } else { mining };
        Ok(Self {
            rpc,
            mining,
            block: head.number,
            timestamp: head.timestamp,
            node_block: head.number,
            pending: PendingBlock::default(),
            calls: CallCache::default(),
            snapshots: NodeSnapshots::default(),
            deferred: None,
        })
    }

    /// Runtime code at an address (after mining the pending block).
    pub fn code(&mut self, at: Address) -> Result<Bytes> {
        self.settle()?;
        let code = self.rpc.call("eth_getCode", json!([at, "latest"]))?;
        parsed(&code, "eth_getCode", "code")
    }

    /// The URL of the node.
    pub fn url(&self) -> &str {
        &self.rpc.url
    }

    /// How this chain mines.
    pub fn mining(&self) -> Mining {
        self.mining
    }

    /// The node's own latest block number, after mining the pending block.
    pub fn node_block_number(&mut self) -> Result<u64> {
        self.settle()?;
        let latest = self.rpc.call("eth_getBlockByNumber", json!(["latest", false]))?;
        quantity(&latest["number"], "eth_getBlockByNumber", "number")
    }

    /// The node's latest block timestamp, after mining the pending block:
    /// [`Backend::timestamp`], unless no block was mined since the last
    /// [`Backend::advance`] in [`Mining::PerTick`].
    pub fn node_timestamp(&mut self) -> Result<u64> {
        self.settle()?;
        let latest = self.rpc.call("eth_getBlockByNumber", json!(["latest", false]))?;
        quantity(&latest["timestamp"], "eth_getBlockByNumber", "timestamp")
    }

    fn check_deferred(&mut self) -> Result<()> {
        match self.deferred.take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Return a deferred error, then mine the pending block if there is one.
    pub fn settle(&mut self) -> Result<()> {
        self.check_deferred()?;
        self.mine_pending()
    }

    fn mine_pending(&mut self) -> Result<()> {
        if !self.pending.is_empty() {
            self.node_block = self.pending.mine(&self.rpc, self.timestamp)?;
        }
        Ok(())
    }

    /// Run `first` in simulation after the pending transactions, in the
    /// block they will be mined in, and in the same HTTP request each
    /// `predicted` call (after `first` too when `after_first`); return
    /// `first`'s answer and the clean receipts of the predicted calls.
    fn simulate_with(
        &mut self,
        first: &Value,
        predicted: &[CallKey],
        after_first: bool,
    ) -> std::result::Result<(Value, Vec<Option<Receipt>>), RpcError> {
        let (number, time) = (self.node_block + 1, self.timestamp);
        let method = "eth_simulateV1";
        if predicted.is_empty() {
            let params = self.pending.simulate_params(&[first], number, time);
            return Ok((self.rpc.request(method, params)?, Vec::new()));
        }
        let mut params = vec![self.pending.simulate_params(&[first], number, time)];
        for (from, to, input) in predicted {
            let call = call_json(*from, *to, input);
            let then: &[&Value] = if after_first { &[first, &call] } else { &[&call] };
            params.push(self.pending.simulate_params(then, number, time));
        }
        let mut answers = self.rpc.batch(method, params)?.into_iter();
        let answer =
            answers.next().unwrap_or_else(|| Err(RpcError::Transport("an empty batch answer".into())))?;
        // A failure without data is left out: only eth_call can tell a halt from it.
        let fetched = answers.map(|answer| answer.ok().and_then(|a| last_call(&a).ok()?.receipt())).collect();
        Ok((answer, fetched))
    }

    /// Keep the clean receipts of predicted calls.
    fn keep_fetched(&mut self, predicted: Vec<CallKey>, fetched: Vec<Option<Receipt>>) {
        for (key, receipt) in predicted.into_iter().zip(fetched) {
            if let Some(receipt) = receipt {
                self.calls.insert_fetched(key, receipt);
            }
        }
    }

    /// A transaction in [`Mining::PerTick`]: simulated and added to the
    /// pending block, or mined at once when it sends ETH or fails without data.
    fn batch(&mut self, from: Address, to: Address, input: Bytes, value: U256) -> Result<Receipt> {
        self.check_deferred()?;
        if !value.is_zero() {
            return self.execute(from, Some(to), input, value);
        }
        if self.pending.is_full() {
            self.mine_pending()?;
        }
        let tx = tx_json(from, Some(to), &input, value);
        let step = Step::tx(from, to, &input);
        let predicted = self.calls.predict(&step);
        let (answer, fetched) = match self.simulate_with(&tx, &predicted, true) {
            Ok(answers) => answers,
            // Refused in simulation: mined alone, it gets the node's own verdict.
            Err(RpcError::Node { .. }) => return self.execute(from, Some(to), input, value),
            Err(transport) => return Err(backend("eth_simulateV1", transport)),
        };
        let simulated = last_call(&answer)?;
        // A halt or a revert without data is mined alone: the node's trace tells them apart.
        let Some(receipt) = simulated.receipt() else {
            return self.execute(from, Some(to), input, value);
        };
        self.pending.push(tx, input.len(), &simulated);
        self.calls.after_tx(step);
        self.keep_fetched(predicted, fetched);
        Ok(receipt)
    }

    /// Mine the pending block, then send, mine and read back one transaction alone.
    fn execute(&mut self, from: Address, to: Option<Address>, input: Bytes, value: U256) -> Result<Receipt> {
        self.settle()?;
        self.calls.clear();
        let tx = tx_json(from, to, &input, value);
        let method = "eth_sendTransaction";
        let hash: B256 = match self.rpc.request(method, json!([tx])) {
            Ok(hash) => parsed(&hash, method, "transaction hash")?,
            Err(RpcError::Node { message, .. }) => {
                return Err(ChainError::InvalidTransaction { from, reason: format!("{method}: {message}") })
            }
            Err(transport) => return Err(backend(method, transport)),
        };
        let method = "evm_mine_detailed";
        let mined = self.rpc.call(method, json!([{ "timestamp": self.timestamp }]))?;
        if let Some(block) = mined.as_array().and_then(|blocks| blocks.last()) {
            self.node_block = quantity(&block["number"], method, "number")?;
        }
        let Some(mined_tx) = find_transaction(&mined, hash) else {
            // The pool kept it (it does not fit a block): take it out again.
            let _ = self.rpc.request("anvil_dropTransaction", json!([hash]));
            return Err(ChainError::InvalidTransaction {
                from,
                reason: format!("{method}: transaction {hash} was not mined"),
            });
        };
        // Absent for a halt; the return data, runtime code or revert data otherwise.
        let output = match mined_tx.get("output") {
            Some(output) if !output.is_null() => Some(data(output, method, "output")?),
            _ => None,
        };
        let receipt = self.transaction_receipt(hash)?;
        let method = "eth_getTransactionReceipt";
        let gas_used = quantity(&receipt["gasUsed"], method, "gasUsed")?;
        let success = quantity(&receipt["status"], method, "status")? == 1;
        let outcome = match (success, output) {
            (true, output) => {
                let created = match (to, &receipt["contractAddress"]) {
                    (None, address) if !address.is_null() => {
                        Some(parsed(address, method, "contractAddress")?)
                    }
                    _ => None,
                };
                Outcome::Success { output: output.unwrap_or_default(), created }
            }
            (false, Some(output)) => Outcome::Revert(RevertReason::decode(&output)),
            (false, None) => Outcome::Halt(self.halt_reason(hash)),
        };
        let logs = if success { logs(&receipt["logs"])? } else { Vec::new() };
        Ok(Receipt { outcome, gas_used, logs })
    }

    /// The receipt of a mined transaction (polled briefly if the node is slow to index it).
    fn transaction_receipt(&self, hash: B256) -> Result<Value> {
        let method = "eth_getTransactionReceipt";
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let receipt = self.rpc.call(method, json!([hash]))?;
            if !receipt.is_null() {
                return Ok(receipt);
            }
            if Instant::now() > deadline {
                return Err(backend(method, format!("no receipt for mined transaction {hash}")));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Why a mined transaction halted, from the node's stored trace
    /// (`trace_transaction` needs no historical state, unlike `debug_traceTransaction`).
    fn halt_reason(&self, hash: B256) -> String {
        let trace = self.rpc.request("trace_transaction", json!([hash]));
        let reason = trace.ok().and_then(|trace| Some(trace.get(0)?.get("error")?.as_str()?.to_string()));
        reason.unwrap_or_else(|| "halted".to_string())
    }

    /// Whether a call that failed without return data reverted or halted
    /// (asked of the latest state, after mining the pending block).
    fn failed_call(&mut self, tx: Value) -> Result<Outcome> {
        self.mine_pending()?;
        let method = "eth_call";
        match self.rpc.request(method, json!([tx, "latest"])) {
            // Code 3: execution reverted, with the revert data.
            Err(RpcError::Node { code: 3, data: revert, .. }) => {
                let revert = match revert {
                    Some(revert) if !revert.is_null() => data(&revert, method, "revert data")?,
                    _ => Bytes::new(),
                };
                Ok(Outcome::Revert(RevertReason::decode(&revert)))
            }
            Err(RpcError::Node { message, .. }) if message.starts_with("EVM error") => {
                Ok(Outcome::Halt(message.trim_start_matches("EVM error").trim().to_string()))
            }
            Err(error) => Err(backend(method, error)),
            Ok(output) => {
                Err(backend(method, format!("the call failed in eth_simulateV1 but returned {output}")))
            }
        }
    }

    /// The receipt of a call from its `eth_simulateV1` answer.
    fn call_receipt(&mut self, tx: Value, answer: &Value) -> Result<Receipt> {
        let simulated = last_call(answer)?;
        match simulated.receipt() {
            Some(receipt) => Ok(receipt),
            // The node reports a revert without data and a halt alike; eth_call tells them apart.
            None => {
                let outcome = self.failed_call(tx)?;
                Ok(Receipt { outcome, gas_used: simulated.gas_used, logs: Vec::new() })
            }
        }
    }
}

/// A node's chain id and latest block, as [`prepare_node`] read them.
#[derive(Debug, Clone, Copy)]
pub(in crate::chain) struct NodeHead {
    /// `CHAINID`.
    pub chain_id: u64,
    /// The latest block's number.
    pub number: u64,
    /// Its timestamp.
    pub timestamp: u64,
    /// Its gas limit (`GASLIMIT`).
    pub gas_limit: u64,
    /// Its beneficiary (`COINBASE`).
    pub coinbase: Address,
}

/// Set a node up to behave like the embedded chain (see the module docs)
/// and read its chain id and latest block.
fn prepare_node(rpc: &Rpc) -> Result<NodeHead> {
    let chain_id = quantity(&rpc.call("eth_chainId", json!([]))?, "eth_chainId", "chain id")?;
    rpc.call("evm_setAutomine", json!([false]))?;
    rpc.call("anvil_setBlockTimestampInterval", json!([0]))?;
    rpc.call("anvil_autoImpersonateAccount", json!([true]))?;
    rpc.call("anvil_setNextBlockBaseFeePerGas", json!(["0x0"]))?;
    rpc.call("anvil_setBalance", json!([GOD, hex_u256(U256::from(GOD_ETH))]))?;
    let method = "eth_getBlockByNumber";
    let latest = rpc.call(method, json!(["latest", false]))?;
    Ok(NodeHead {
        chain_id,
        number: quantity(&latest["number"], method, "number")?,
        timestamp: quantity(&latest["timestamp"], method, "timestamp")?,
        gas_limit: quantity(&latest["gasLimit"], method, "gasLimit")?,
        coinbase: parsed(&latest["miner"], method, "miner")?,
    })
}

/// A call as `eth_simulateV1` and `eth_call` take it (no value, no gas price).
fn call_json(from: Address, to: Address, input: &Bytes) -> Value {
    json!({ "from": from, "to": to, "input": input, "gas": hex_u64(TX_GAS_LIMIT) })
}

/// The transaction `hash` among the blocks `evm_mine_detailed` returned.
fn find_transaction(blocks: &Value, hash: B256) -> Option<&Value> {
    let hash = hash.to_string();
    blocks
        .as_array()?
        .iter()
        .filter_map(|block| block.get("transactions")?.as_array())
        .flatten()
        .find(|tx| tx.get("hash").and_then(Value::as_str).is_some_and(|h| h.eq_ignore_ascii_case(&hash)))
}

impl Backend for RpcChain {
    type Snapshot = RpcSnapshot;

    fn deploy(&mut self, from: Address, init_code: Bytes) -> Result<Receipt> {
        self.execute(from, None, init_code, U256::ZERO)
    }

    fn transact(&mut self, from: Address, to: Address, data: Bytes, value: U256) -> Result<Receipt> {
        match self.mining {
            Mining::PerTick | Mining::Mirrored => self.batch(from, to, data, value),
            Mining::PerTransaction => self.execute(from, Some(to), data, value),
        }
    }

    fn call(&mut self, from: Address, to: Address, input: Bytes) -> Result<Receipt> {
        self.check_deferred()?;
        let method = "eth_simulateV1";
        // eth_simulateV1 (unlike eth_call) reports the gas used and the logs.
        let tx = call_json(from, to, &input);
        if self.mining == Mining::PerTransaction {
            let (answer, _) = self.simulate_with(&tx, &[], false).map_err(|e| backend(method, e))?;
            return self.call_receipt(tx, &answer);
        }
        let key = (from, to, input);
        if let Some(receipt) = self.calls.get(&key) {
            return Ok(receipt);
        }
        if self.pending.is_full() {
            self.mine_pending()?;
        }
        let predicted = self.calls.predict(&Step::Call(key.clone()));
        let (answer, fetched) = self.simulate_with(&tx, &predicted, false).map_err(|e| backend(method, e))?;
        let receipt = self.call_receipt(tx, &answer)?;
        self.keep_fetched(predicted, fetched);
        self.calls.insert_made(key, receipt.clone());
        Ok(receipt)
    }

    fn block_number(&self) -> u64 {
        self.block
    }

    fn timestamp(&self) -> u64 {
        self.timestamp
    }

    fn advance(&mut self, seconds: u64) {
        if self.deferred.is_some() {
            return;
        }
        let timestamp = self.timestamp.saturating_add(seconds);
        let moved = match self.mining {
            // The pending block is mined at the old timestamp; the next one gets the new.
            Mining::PerTick | Mining::Mirrored => self.mine_pending(),
            // `evm_increaseTime` has no effect while the timestamp interval is
            // pinned, so the new block's timestamp is given to `evm_mine`.
            Mining::PerTransaction => {
                self.rpc.call("evm_mine", json!([{ "timestamp": timestamp }])).map(|_| {
                    self.node_block += 1;
                })
            }
        };
        match moved {
            Ok(()) => {
                self.calls.clear();
                self.block += 1;
                self.timestamp = timestamp;
            }
            Err(error) => self.deferred = Some(error),
        }
    }

    fn eth_balance(&mut self, who: Address) -> Result<U256> {
        self.settle()?;
        let method = "eth_getBalance";
        quantity_u256(&self.rpc.call(method, json!([who, "latest"]))?, method, "balance")
    }

    fn set_eth_balance(&mut self, who: Address, wei: U256) -> Result<()> {
        self.settle()?;
        self.calls.clear();
        self.rpc.call("anvil_setBalance", json!([who, hex_u256(wei)]))?;
        Ok(())
    }

    fn snapshot(&mut self) -> Result<RpcSnapshot> {
        self.settle()?;
        let key = self.snapshots.take(&self.rpc)?;
        Ok(RpcSnapshot { key, block: self.block, timestamp: self.timestamp, node_block: self.node_block })
    }

    fn restore(&mut self, snapshot: &RpcSnapshot) -> Result<()> {
        self.check_deferred()?;
        // Pending transactions came after the snapshot (taking it mined the block before).
        self.pending.clear();
        self.calls.clear();
        self.snapshots.restore(&self.rpc, snapshot.key)?;
        self.block = snapshot.block;
        self.timestamp = snapshot.timestamp;
        self.node_block = snapshot.node_block;
        Ok(())
    }
}
