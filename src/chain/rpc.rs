//! [`RpcChain`]: the [`Backend`] over a JSON-RPC node (anvil), synchronous,
//! and [`AnvilProcess`], a local anvil started and stopped by PID.
//!
//! # State
//! The node owns the world state. [`RpcChain::connect`] sets it up to
//! behave like the embedded [`Chain`](super::Chain): no automine (each
//! transaction is mined by an explicit `evm_mine_detailed`, so its receipt
//! exists when the call returns), every sender impersonated, gas price and
//! base fee zero, block timestamps pinned (`anvil_setBlockTimestampInterval
//! 0`: a block gets its parent's timestamp unless [`Backend::advance`] sets a
//! new one), and [`GOD`] funded with [`GOD_ETH`]. A transaction commits when
//! its block is mined; a revert leaves the state as it was. The node mines
//! one block per transaction, so `block.number` inside contracts counts
//! transactions, while [`Backend::block_number`] reports the simulation's
//! block, which moves by one per [`Backend::advance`] exactly as on the
//! embedded chain ([`RpcChain::node_block_number`] gives the node's own);
//! timestamps agree on both. Read-only calls run with `eth_simulateV1` on
//! the latest state, which reports gas and logs as the embedded chain does.
//! Snapshots are the node's `evm_snapshot`s;
//! restoring one drops the snapshots taken after it (the node's rule), and a
//! restored snapshot is taken again at once, so it can be restored again.
//!
//! # Errors
//! A revert or halt is an `Ok` [`Receipt`], as on the embedded chain: the
//! revert data comes from the mined transaction's output, a halt's reason
//! from the node's trace of it. A transaction the node refuses to accept
//! (not enough ETH for its value, ...) is [`ChainError::InvalidTransaction`];
//! a network failure, a JSON-RPC error or an answer that does not parse is
//! [`ChainError::Backend`], naming the method. [`Backend::advance`] cannot
//! return an error: when its `evm_mine` fails, the next call that can fail
//! returns it. Nothing here panics.

use super::jsonrpc::{backend, data, hex_u256, parsed, quantity, quantity_u256, truncate, Rpc, RpcError};
use super::{Backend, ChainError, Outcome, Receipt, Result, RevertReason, GENESIS_TIMESTAMP, GOD, GOD_ETH};
use super::{BLOCK_GAS_LIMIT, TX_GAS_LIMIT};
use alloy_primitives::{Address, Bytes, Log, B256, U256};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long one JSON-RPC request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// How long [`AnvilProcess::start`] waits for the node to answer.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A saved state of an [`RpcChain`], for [`Backend::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcSnapshot {
    /// Key into the chain's table of node snapshot ids.
    key: u64,
    block: u64,
    timestamp: u64,
}

/// A node snapshot: its id and when it was taken (the order the node drops them in).
#[derive(Debug)]
struct NodeSnapshot {
    id: Value,
    taken: u64,
}

/// The [`Backend`] over a JSON-RPC node, one blocking HTTP request at a time.
///
/// Each transaction costs three requests (`eth_sendTransaction`,
/// `evm_mine_detailed`, `eth_getTransactionReceipt`), each call one
/// (`eth_simulateV1`, plus an `eth_call` when it fails without data).
/// Gas is metered but costs no ETH, as on the embedded chain.
pub struct RpcChain {
    rpc: Rpc,
    block: u64,
    timestamp: u64,
    snapshots: BTreeMap<u64, NodeSnapshot>,
    next_key: u64,
    next_taken: u64,
    /// A failure of [`Backend::advance`], returned by the next fallible call.
    deferred: Option<ChainError>,
}

impl fmt::Debug for RpcChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcChain")
            .field("url", &self.rpc.url)
            .field("block_number", &self.block)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

impl RpcChain {
    /// Connect to an anvil node at `url` and set it up like the embedded
    /// chain (see the module docs); the simulation's block starts at the
    /// node's latest block, with its timestamp. It sets [`GOD`]'s balance to
    /// [`GOD_ETH`], so it is meant for a fresh node such as [`AnvilProcess`]
    /// starts.
    pub fn connect(url: &str) -> Result<Self> {
        let rpc = Rpc::new(url, REQUEST_TIMEOUT);
        rpc.call("eth_chainId", json!([]))?;
        rpc.call("evm_setAutomine", json!([false]))?;
        rpc.call("anvil_setBlockTimestampInterval", json!([0]))?;
        rpc.call("anvil_autoImpersonateAccount", json!([true]))?;
        rpc.call("anvil_setNextBlockBaseFeePerGas", json!(["0x0"]))?;
        rpc.call("anvil_setBalance", json!([GOD, hex_u256(U256::from(GOD_ETH))]))?;
        let latest = rpc.call("eth_getBlockByNumber", json!(["latest", false]))?;
        let method = "eth_getBlockByNumber";
        let block = quantity(&latest["number"], method, "number")?;
        let timestamp = quantity(&latest["timestamp"], method, "timestamp")?;
        Ok(Self {
            rpc,
            block,
            timestamp,
            snapshots: BTreeMap::new(),
            next_key: 0,
            next_taken: 0,
            deferred: None,
        })
    }

    /// Runtime code at an address.
    pub fn code(&mut self, at: Address) -> Result<Bytes> {
        self.check_deferred()?;
        let code = self.rpc.call("eth_getCode", json!([at, "latest"]))?;
        parsed(&code, "eth_getCode", "code")
    }

    /// The URL of the node.
    pub fn url(&self) -> &str {
        &self.rpc.url
    }

    /// The node's own latest block number (one block per transaction).
    pub fn node_block_number(&mut self) -> Result<u64> {
        self.check_deferred()?;
        let latest = self.rpc.call("eth_getBlockByNumber", json!(["latest", false]))?;
        quantity(&latest["number"], "eth_getBlockByNumber", "number")
    }

    /// The node's latest block timestamp (equal to [`Backend::timestamp`]).
    pub fn node_timestamp(&mut self) -> Result<u64> {
        self.check_deferred()?;
        let latest = self.rpc.call("eth_getBlockByNumber", json!(["latest", false]))?;
        quantity(&latest["timestamp"], "eth_getBlockByNumber", "timestamp")
    }

    fn check_deferred(&mut self) -> Result<()> {
        match self.deferred.take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Send, mine and read back one transaction.
    fn execute(&mut self, from: Address, to: Option<Address>, input: Bytes, value: U256) -> Result<Receipt> {
        self.check_deferred()?;
        let mut tx = json!({
            "from": from,
            "input": input,
            "value": hex_u256(value),
            "gas": format!("{TX_GAS_LIMIT:#x}"),
            "gasPrice": "0x0",
        });
        if let Some(to) = to {
            tx["to"] = json!(to);
        }
        let method = "eth_sendTransaction";
        let hash: B256 = match self.rpc.request(method, json!([tx])) {
            Ok(hash) => parsed(&hash, method, "transaction hash")?,
            Err(RpcError::Node { message, .. }) => {
                return Err(ChainError::InvalidTransaction { from, reason: format!("{method}: {message}") })
            }
            Err(transport) => return Err(backend(method, transport)),
        };
        let mined = self.rpc.call("evm_mine_detailed", json!([]))?;
        let Some(mined_tx) = find_transaction(&mined, hash) else {
            // The pool kept it (it does not fit a block): take it out again.
            let _ = self.rpc.request("anvil_dropTransaction", json!([hash]));
            return Err(ChainError::InvalidTransaction {
                from,
                reason: format!("evm_mine_detailed: transaction {hash} was not mined"),
            });
        };
        // Absent for a halt; the return data, runtime code or revert data otherwise.
        let output = match mined_tx.get("output") {
            Some(output) if !output.is_null() => Some(data(output, "evm_mine_detailed", "output")?),
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

    /// Whether a call that failed without return data reverted or halted.
    fn failed_call(&self, tx: Value) -> Result<Outcome> {
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

/// Logs of a receipt or a simulated call as `alloy-primitives` logs.
fn logs(value: &Value) -> Result<Vec<Log>> {
    let method = "logs";
    let Some(entries) = value.as_array() else {
        return Err(backend(method, format!("logs is not a list: {value}")));
    };
    entries
        .iter()
        .map(|entry| {
            let address: Address = parsed(&entry["address"], method, "log address")?;
            let topics = entry["topics"]
                .as_array()
                .ok_or_else(|| backend(method, "log topics is not a list"))?
                .iter()
                .map(|topic| parsed::<B256>(topic, method, "log topic"))
                .collect::<Result<Vec<_>>>()?;
            let payload = data(&entry["data"], method, "log data")?;
            Ok(Log::new_unchecked(address, topics, payload))
        })
        .collect()
}

impl Backend for RpcChain {
    type Snapshot = RpcSnapshot;

    fn deploy(&mut self, from: Address, init_code: Bytes) -> Result<Receipt> {
        self.execute(from, None, init_code, U256::ZERO)
    }

    fn transact(&mut self, from: Address, to: Address, data: Bytes, value: U256) -> Result<Receipt> {
        self.execute(from, Some(to), data, value)
    }

    fn call(&mut self, from: Address, to: Address, input: Bytes) -> Result<Receipt> {
        self.check_deferred()?;
        let tx = json!({ "from": from, "to": to, "input": input, "gas": format!("{TX_GAS_LIMIT:#x}") });
        // eth_simulateV1 (unlike eth_call) reports the gas used and the logs.
        let method = "eth_simulateV1";
        let blocks = self.rpc.call(method, json!([{ "blockStateCalls": [{ "calls": [tx] }] }, "latest"]))?;
        let result = &blocks[0]["calls"][0];
        if result.is_null() {
            return Err(backend(method, format!("no call result in {}", truncate(&blocks.to_string(), 200))));
        }
        let gas_used = quantity(&result["gasUsed"], method, "gasUsed")?;
        let output = data(&result["returnData"], method, "returnData")?;
        let receipt = match quantity(&result["status"], method, "status")? {
            1 => Receipt {
                outcome: Outcome::Success { output, created: None },
                gas_used,
                logs: logs(&result["logs"])?,
            },
            _ if !output.is_empty() => Receipt {
                outcome: Outcome::Revert(RevertReason::decode(&output)),
                gas_used,
                logs: Vec::new(),
            },
            // The node reports a revert without data and a halt alike; eth_call tells them apart.
            _ => Receipt { outcome: self.failed_call(tx)?, gas_used, logs: Vec::new() },
        };
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
        // `evm_increaseTime` has no effect while the timestamp interval is
        // pinned, so the new block's timestamp is given to `evm_mine`.
        match self.rpc.call("evm_mine", json!([{ "timestamp": timestamp }])) {
            Ok(_) => {
                self.block += 1;
                self.timestamp = timestamp;
            }
            Err(error) => self.deferred = Some(error),
        }
    }

    fn eth_balance(&mut self, who: Address) -> Result<U256> {
        self.check_deferred()?;
        let method = "eth_getBalance";
        quantity_u256(&self.rpc.call(method, json!([who, "latest"]))?, method, "balance")
    }

    fn set_eth_balance(&mut self, who: Address, wei: U256) -> Result<()> {
        self.check_deferred()?;
        self.rpc.call("anvil_setBalance", json!([who, hex_u256(wei)]))?;
        Ok(())
    }

    fn snapshot(&mut self) -> Result<RpcSnapshot> {
        self.check_deferred()?;
        let id = self.rpc.call("evm_snapshot", json!([]))?;
        let key = self.next_key;
        self.next_key += 1;
        self.snapshots.insert(key, NodeSnapshot { id, taken: self.next_taken });
        self.next_taken += 1;
        Ok(RpcSnapshot { key, block: self.block, timestamp: self.timestamp })
    }

    fn restore(&mut self, snapshot: &RpcSnapshot) -> Result<()> {
        self.check_deferred()?;
        let method = "evm_revert";
        let Some(saved) = self.snapshots.get(&snapshot.key) else {
            return Err(backend(
                method,
                "the snapshot is gone: restoring an earlier snapshot drops the ones taken after it",
            ));
        };
        let taken = saved.taken;
        let reverted = self.rpc.call(method, json!([saved.id]))?;
        // The node dropped this snapshot and every later one.
        self.snapshots.retain(|_, saved| saved.taken < taken);
        if reverted != Value::Bool(true) {
            return Err(backend(
                method,
                format!("the node no longer has this snapshot (answered {reverted})"),
            ));
        }
        self.block = snapshot.block;
        self.timestamp = snapshot.timestamp;
        // Take it again, so the same snapshot can be restored again.
        let id = self.rpc.call("evm_snapshot", json!([]))?;
        self.snapshots.insert(snapshot.key, NodeSnapshot { id, taken: self.next_taken });
        self.next_taken += 1;
        Ok(())
    }
}

/// A local anvil node, started on a free loopback port and killed (by PID)
/// when dropped.
///
/// It runs the chain the embedded EVM runs: genesis at
/// [`GENESIS_TIMESTAMP`], chain id 1, the Osaka hardfork, a block gas limit
/// of [`BLOCK_GAS_LIMIT`], zero base fee and gas price, no dev accounts and
/// no predeployed CREATE2 factory; no automine, every sender impersonated,
/// and no history kept beyond the latest state and the last blocks.
#[derive(Debug)]
pub struct AnvilProcess {
    child: Child,
    url: String,
}

impl AnvilProcess {
    /// Start `binary` (the anvil ELF, not a wrapper script) and wait up to
    /// 20 s until it answers `eth_chainId`.
    pub fn start(binary: &Path) -> Result<Self> {
        let mut last_error = String::new();
        // A port picked free can be taken before anvil binds it: try again.
        for _ in 0..3 {
            match Self::try_start(binary)? {
                Ok(process) => return Ok(process),
                Err(reason) => last_error = reason,
            }
        }
        Err(ChainError::Backend(format!("anvil did not start: {last_error}")))
    }

    /// `Ok(Err(..))` when anvil exited early, maybe because the port was taken.
    fn try_start(binary: &Path) -> Result<std::result::Result<Self, String>> {
        let fail = |what: &str, e: std::io::Error| {
            ChainError::Backend(format!("anvil {}: {what}: {e}", binary.display()))
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| fail("no free port", e))?
            .port();
        let mut stderr = tempfile::tempfile().map_err(|e| fail("no file for its stderr", e))?;
        let child_stderr = stderr.try_clone().map_err(|e| fail("no file for its stderr", e))?;
        let child = Command::new(binary)
            .args(Self::args(port))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(child_stderr)
            .spawn()
            .map_err(|e| fail("cannot run", e))?;
        let mut process = Self { child, url: format!("http://127.0.0.1:{port}") };
        let probe = Rpc::new(&process.url, Duration::from_secs(2));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if probe.request("eth_chainId", json!([])).is_ok() {
                return Ok(Ok(process));
            }
            if let Ok(Some(status)) = process.child.try_wait() {
                let mut text = String::new();
                let _ = stderr.rewind().and_then(|()| stderr.read_to_string(&mut text));
                return Ok(Err(format!("it exited ({status}): {}", truncate(text.trim(), 2_000))));
            }
            if Instant::now() > deadline {
                // Dropping `process` kills it.
                return Err(ChainError::Backend(format!(
                    "anvil {} did not answer eth_chainId on port {port} within {} s",
                    binary.display(),
                    START_TIMEOUT.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The command-line arguments anvil runs with.
    fn args(port: u16) -> Vec<String> {
        let port = port.to_string();
        let genesis = GENESIS_TIMESTAMP.to_string();
        let gas_limit = BLOCK_GAS_LIMIT.to_string();
        [
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--quiet",
            "--no-mining",
            "--auto-impersonate",
            "--timestamp",
            &genesis,
            "--chain-id",
            "1",
            "--hardfork",
            "osaka",
            "--gas-limit",
            &gas_limit,
            "--base-fee",
            "0",
            "--gas-price",
            "0",
            "--accounts",
            "0",
            "--disable-default-create2-deployer",
            "--prune-history",
            "--transaction-block-keeper",
            "64",
        ]
        .map(str::to_string)
        .to_vec()
    }

    /// The node's HTTP JSON-RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The node's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for AnvilProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
