//! The pending block of both batched modes ([`Mining::PerTick`](super::Mining),
//! [`Mining::Mirrored`](super::Mining)): transactions already run (with
//! `eth_simulateV1` on top of the node's latest state and each other, or
//! on the mirror's embedded EVM) and reported to the caller, but not yet
//! sent to the node, and the reading of `eth_simulateV1` answers.
//!
//! # State
//! The node knows nothing of a pending transaction until [`PendingBlock::mine`]
//! sends them all, in order, and mines them into one block; until then
//! `eth_simulateV1` replays them before every transaction or call, so each
//! sees the state the ones before it left (the mirror's EVM holds that
//! state itself).
//!
//! # Errors
//! [`PendingBlock::mine`] fails with [`ChainError::Backend`] when the node
//! refuses a transaction run before, or mines a block that is not the one
//! run before (other transactions, order, return data or gas): the
//! results already reported would then be wrong, so the run must stop.

use super::super::{ChainError, Outcome, Receipt, Result, RevertReason, TX_GAS_LIMIT};
use super::client::{backend, data, hex_u64, logs, parsed, quantity, truncate, Rpc};
use alloy_primitives::{Bytes, Log, B256};
use serde_json::{json, Value};

/// Most transactions a pending block holds.
const MAX_TXS: usize = 64;

/// Most transactions a pending block of transactions run elsewhere (the
/// mirrored mode, which replays nothing) holds: it bounds a request's size.
const MAX_RAN_TXS: usize = 1024;

/// Most transactions replayed in simulation (summed over every simulation)
/// before the block is mined. Each simulation replays the pending
/// transactions, which costs about 1/30 of mining a block per transaction:
/// past this budget, mining is cheaper than replaying on. It bounds a long
/// block (the set-up before the first tick) to about 8 transactions.
const MAX_REPLAYED: usize = 32;

/// Most bytes of input a pending block holds (the node refuses requests
/// over 2 MB, and hex doubles the size).
const MAX_INPUT_BYTES: usize = 256 * 1024;

/// A transaction run in simulation and waiting to be mined.
#[derive(Debug)]
struct PendingTx {
    /// The transaction as `eth_sendTransaction` and `eth_simulateV1` take it.
    tx: Value,
    /// What it returned where it ran, to check the mined block against.
    output: Bytes,
}

/// Transactions run in simulation, in order, not yet mined.
#[derive(Debug, Default)]
pub(super) struct PendingBlock {
    txs: Vec<PendingTx>,
    input_bytes: usize,
    /// Gas the pending transactions used.
    gas_used: u64,
    /// Transactions replayed by the simulations since the block was last mined.
    replayed: usize,
}

/// One call's result in an `eth_simulateV1` answer.
#[derive(Debug)]
pub(super) struct Simulated {
    pub(super) success: bool,
    /// Return data, or revert data (empty for a halt or a revert without data).
    pub(super) output: Bytes,
    pub(super) gas_used: u64,
    /// Empty unless it succeeded.
    pub(super) logs: Vec<Log>,
}

impl Simulated {
    /// The receipt of a success or of a revert with data; `None` for a
    /// failure without data, which may be a halt (the node reports both alike).
    pub(super) fn receipt(&self) -> Option<Receipt> {
        let outcome = match (self.success, self.output.is_empty()) {
            (true, _) => Outcome::Success { output: self.output.clone(), created: None },
            (false, false) => Outcome::Revert(RevertReason::decode(&self.output)),
            (false, true) => return None,
        };
        Some(Receipt { outcome, gas_used: self.gas_used, logs: self.logs.clone() })
    }
}

impl PendingBlock {
    pub(super) fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// Whether the block should be mined before another simulation.
    pub(super) fn is_full(&self) -> bool {
        self.txs.len() >= MAX_TXS || self.input_bytes >= MAX_INPUT_BYTES || self.replayed >= MAX_REPLAYED
    }

    /// Add a transaction whose simulation gave `simulated`.
    pub(super) fn push(&mut self, tx: Value, input_len: usize, simulated: &Simulated) {
        self.push_ran(tx, input_len, simulated.output.clone(), simulated.gas_used);
    }

    /// Add a transaction that returned `output` (return data, runtime code
    /// or revert data) and used `gas_used` where it ran.
    pub(super) fn push_ran(&mut self, tx: Value, input_len: usize, output: Bytes, gas_used: u64) {
        self.input_bytes += input_len;
        self.gas_used += gas_used;
        self.txs.push(PendingTx { tx, output });
    }

    /// Whether the block must be mined before another transaction is run
    /// for it elsewhere (nothing is replayed): it holds [`MAX_RAN_TXS`]
    /// transactions or [`MAX_INPUT_BYTES`], or one more transaction could
    /// overflow `block_gas_limit` (the node includes a transaction only while
    /// the gas used so far plus its gas limit fits).
    pub(super) fn lacks_room(&self, block_gas_limit: u64) -> bool {
        self.txs.len() >= MAX_RAN_TXS
            || self.input_bytes >= MAX_INPUT_BYTES
            || self.gas_used.saturating_add(TX_GAS_LIMIT) > block_gas_limit
    }

    /// Forget every pending transaction (they were never sent).
    pub(super) fn clear(&mut self) {
        self.txs.clear();
        self.input_bytes = 0;
        self.gas_used = 0;
        self.replayed = 0;
    }

    /// `eth_simulateV1` parameters: one block at (`number`, `time`) holding
    /// the pending transactions and then `then`, on the latest state.
    pub(super) fn simulate_params(&mut self, then: &[&Value], number: u64, time: u64) -> Value {
        self.replayed += self.txs.len() + then.len() - 1;
        let calls: Vec<&Value> =
            self.txs.iter().map(|pending| &pending.tx).chain(then.iter().copied()).collect();
        let overrides = json!({ "number": hex_u64(number), "time": hex_u64(time) });
        json!([{ "blockStateCalls": [{ "blockOverrides": overrides, "calls": calls }] }, "latest"])
    }

    /// Send every pending transaction, mine them into one block at `time`,
    /// check it is the simulated block and return its number. The block is
    /// empty afterwards, whatever happened.
    pub(super) fn mine(&mut self, rpc: &Rpc, time: u64) -> Result<u64> {
        let (txs, gas_used) = (std::mem::take(&mut self.txs), self.gas_used);
        self.clear();
        let mined = send_and_mine(rpc, &txs, gas_used, time);
        if mined.is_err() {
            // Leave no half-sent block in the node's pool.
            let _ = rpc.request("anvil_dropAllTransactions", json!([]));
        }
        mined
    }
}

/// Send `txs` and mine them at `time`; the block must return their outputs
/// and use `gas_used` in all.
fn send_and_mine(rpc: &Rpc, txs: &[PendingTx], gas_used: u64, time: u64) -> Result<u64> {
    // One request each, in order: the node runs a batch's requests
    // concurrently, and a block of 151 transactions sent as one batch was
    // mined in another order.
    let method = "eth_sendTransaction";
    let mut hashes = Vec::with_capacity(txs.len());
    for (i, pending) in txs.iter().enumerate() {
        let hash = rpc
            .request(method, json!([pending.tx]))
            .map_err(|e| backend(method, format!("pending transaction {i}: {e}")))?;
        hashes.push(parsed::<B256>(&hash, method, "transaction hash")?);
    }
    let method = "evm_mine_detailed";
    let blocks = rpc.call(method, json!([{ "timestamp": time }]))?;
    let block = match blocks.as_array().map(Vec::as_slice) {
        Some([block]) => block,
        _ => {
            return Err(backend(
                method,
                format!("expected one block, got {}", truncate(&blocks.to_string(), 200)),
            ))
        }
    };
    let differs = |what: String| {
        ChainError::Backend(format!("{method}: the mined block is not the one run before: {what}"))
    };
    let mined = block["transactions"].as_array().map(Vec::as_slice).unwrap_or_default();
    if mined.len() != txs.len() {
        return Err(differs(format!("{} transactions mined of {} sent", mined.len(), txs.len())));
    }
    for (i, ((tx, hash), pending)) in mined.iter().zip(&hashes).zip(txs).enumerate() {
        let mined_hash: B256 = parsed(&tx["hash"], method, "transaction hash")?;
        if mined_hash != *hash {
            return Err(differs(format!("transaction {i} is {mined_hash}, sent {hash}")));
        }
        let output = match tx.get("output") {
            Some(output) if !output.is_null() => data(output, method, "output")?,
            _ => Bytes::new(),
        };
        if output != pending.output {
            return Err(differs(format!("transaction {hash} returned {output}, before {}", pending.output)));
        }
    }
    let mined_gas = quantity(&block["gasUsed"], method, "gasUsed")?;
    if mined_gas != gas_used {
        return Err(differs(format!(
            "it used {mined_gas} gas, before {gas_used} (a node on another hardfork than the embedded EVM's \
             meters gas differently)"
        )));
    }
    quantity(&block["number"], method, "number")
}

/// The last call's result in an `eth_simulateV1` answer (one block).
pub(super) fn last_call(blocks: &Value) -> Result<Simulated> {
    let method = "eth_simulateV1";
    let result = blocks[0]["calls"].as_array().and_then(|calls| calls.last());
    let Some(result) = result else {
        return Err(backend(method, format!("no call result in {}", truncate(&blocks.to_string(), 200))));
    };
    let success = quantity(&result["status"], method, "status")? == 1;
    Ok(Simulated {
        success,
        output: data(&result["returnData"], method, "returnData")?,
        gas_used: quantity(&result["gasUsed"], method, "gasUsed")?,
        logs: if success { logs(&result["logs"])? } else { Vec::new() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simulated(output: &[u8], gas_used: u64) -> Simulated {
        Simulated { success: true, output: Bytes::copy_from_slice(output), gas_used, logs: Vec::new() }
    }

    #[test]
    fn simulation_replays_the_pending_transactions_before_the_last_one() {
        let mut block = PendingBlock::default();
        block.push(json!({ "input": "0x01" }), 1, &simulated(&[1], 21_000));
        block.push(json!({ "input": "0x02" }), 1, &simulated(&[], 30_000));
        let params = block.simulate_params(&[&json!({ "input": "0x03" })], 7, 1_000);
        let state_calls = &params[0]["blockStateCalls"][0];
        assert_eq!(state_calls["blockOverrides"], json!({ "number": "0x7", "time": "0x3e8" }));
        let inputs: Vec<_> =
            state_calls["calls"].as_array().unwrap().iter().map(|c| c["input"].clone()).collect();
        assert_eq!(inputs, [json!("0x01"), json!("0x02"), json!("0x03")]);
        assert_eq!(params[1], json!("latest"));
        block.clear();
        assert!(block.is_empty());
    }

    #[test]
    fn a_block_is_full_at_64_transactions_256_kib_of_input_or_32_replays() {
        let mut block = PendingBlock::default();
        for _ in 0..MAX_TXS {
            assert!(!block.is_full());
            block.push(json!({}), 10, &simulated(&[], 0));
        }
        assert!(block.is_full());
        let mut replays = PendingBlock::default();
        for _ in 0..9 {
            assert!(!replays.is_full());
            replays.simulate_params(&[&json!({})], 1, 1);
            replays.push(json!({}), 10, &simulated(&[], 0));
        }
        assert!(replays.is_full(), "0 + 1 + ... + 8 = 36 replays");
        let mut big = PendingBlock::default();
        big.push(json!({}), MAX_INPUT_BYTES, &simulated(&[], 0));
        assert!(big.is_full());
    }

    #[test]
    fn the_last_call_of_an_answer_is_read() {
        let answer = json!([{ "calls": [
            { "status": "0x1", "returnData": "0x", "gasUsed": "0x1", "logs": [] },
            { "status": "0x0", "returnData": "0x08c379a0", "gasUsed": "0x5208", "logs": [] },
        ] }]);
        let last = last_call(&answer).unwrap();
        assert!(!last.success);
        assert_eq!((last.gas_used, last.output.len()), (21_000, 4));
        assert!(
            matches!(last_call(&json!([])), Err(ChainError::Backend(m)) if m.starts_with("eth_simulateV1"))
        );
    }
}
