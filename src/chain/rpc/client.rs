//! A blocking JSON-RPC client over HTTP (one kept-alive connection, one
//! request at a time), a per-method log of what the requests cost, and the
//! helpers that read the node's hex-encoded answers; shared by the node
//! backend and the fork database ([`ForkDb`](crate::chain::ForkDb)).
//!
//! # Errors
//! A request that gets no JSON-RPC answer (connection, HTTP status, a body
//! that is not JSON-RPC) is [`RpcError::Transport`]; a JSON-RPC error from
//! the node is [`RpcError::Node`]. The parse helpers return
//! [`ChainError::Backend`] naming the method and the field. Nothing panics.

use super::super::{ChainError, Result};
use alloy_primitives::{hex, Bytes, Log, B256, U256};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A failed JSON-RPC request.
#[derive(Debug)]
pub(in crate::chain) enum RpcError {
    /// No JSON-RPC answer: connection, HTTP status, or a body that is not JSON-RPC.
    Transport(String),
    /// The node answered with a JSON-RPC error.
    Node { code: i64, message: String, data: Option<Value> },
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(reason) => f.write_str(reason),
            Self::Node { code, message, .. } => write!(f, "node error {code}: {message}"),
        }
    }
}

/// How many requests of each JSON-RPC method a chain sent and the wall time
/// they took (round trip included). Clones share one log, so a caller keeps
/// a clone to read what a chain it handed away did.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<BTreeMap<String, (u64, Duration)>>>);

impl RequestLog {
    fn record(&self, method: &str, took: Duration) {
        // A poisoned log only loses statistics: keep going.
        if let Ok(mut log) = self.0.lock() {
            let entry = log.entry(method.to_string()).or_default();
            entry.0 += 1;
            entry.1 += took;
        }
    }

    /// `(method, requests, total time)`, slowest total first.
    pub fn methods(&self) -> Vec<(String, u64, Duration)> {
        let mut rows: Vec<_> = match self.0.lock() {
            Ok(log) => log.iter().map(|(method, (n, took))| (method.clone(), *n, *took)).collect(),
            Err(_) => Vec::new(),
        };
        rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        rows
    }

    /// Requests of every method together.
    pub fn requests(&self) -> u64 {
        self.methods().iter().map(|row| row.1).sum()
    }
}

impl fmt::Display for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (method, n, took) in self.methods() {
            let total_ms = took.as_secs_f64() * 1e3;
            let each_us = took.as_secs_f64() * 1e6 / n.max(1) as f64;
            writeln!(f, "    {method:<32} {n:>7} requests {total_ms:>10.1} ms {each_us:>8.0} us each")?;
        }
        Ok(())
    }
}

/// A blocking JSON-RPC client over HTTP, one request at a time on a kept-alive connection.
pub(in crate::chain) struct Rpc {
    agent: ureq::Agent,
    pub(in crate::chain) url: String,
    log: RequestLog,
}

impl Rpc {
    pub(in crate::chain) fn new(url: &str, timeout: Duration, log: RequestLog) -> Self {
        // Per-phase timeouts, not a global one: with a global timeout ureq
        // resolves the host on a new thread for every request (3x slower).
        // The agent's pool keeps the connection alive between requests.
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout))
            .timeout_send_request(Some(timeout))
            .timeout_send_body(Some(timeout))
            .timeout_recv_response(Some(timeout))
            .timeout_recv_body(Some(timeout))
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .into();
        Self { agent, url: url.to_string(), log }
    }

    /// Send one request and return its `result`.
    pub(in crate::chain) fn request(
        &self,
        method: &str,
        params: Value,
    ) -> std::result::Result<Value, RpcError> {
        let started = Instant::now();
        let answer = self.exchange(method, params);
        self.log.record(method, started.elapsed());
        answer
    }

    fn exchange(&self, method: &str, params: Value) -> std::result::Result<Value, RpcError> {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        result_of(self.post(&body)?)
    }

    /// Send the requests `method(params)` as one JSON-RPC batch (one HTTP
    /// round trip; the node may run them in any order, so they must not
    /// depend on each other) and return their results in the same order.
    pub(in crate::chain) fn batch(
        &self,
        method: &str,
        params: Vec<Value>,
    ) -> std::result::Result<Vec<std::result::Result<Value, RpcError>>, RpcError> {
        let started = Instant::now();
        let count = params.len();
        let body: Vec<Value> = params
            .into_iter()
            .enumerate()
            .map(|(id, params)| json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .collect();
        let answer = self.post(&Value::Array(body));
        self.log.record(&format!("{method} (batches)"), started.elapsed());
        let Value::Array(answers) = answer? else {
            return Err(RpcError::Transport("the answer to a batch is not a list".into()));
        };
        let mut results: Vec<Option<std::result::Result<Value, RpcError>>> =
            (0..count).map(|_| None).collect();
        for answer in answers {
            let id = answer.get("id").and_then(Value::as_u64).and_then(|id| usize::try_from(id).ok());
            if let Some(slot) = id.and_then(|id| results.get_mut(id)) {
                *slot = Some(result_of(answer));
            }
        }
        Ok(results
            .into_iter()
            .map(|result| result.unwrap_or_else(|| Err(RpcError::Transport("no answer in the batch".into()))))
            .collect())
    }

    /// POST a JSON-RPC body and parse the answer as JSON.
    fn post(&self, body: &Value) -> std::result::Result<Value, RpcError> {
        let mut response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body.to_string().as_bytes())
            .map_err(|e| RpcError::Transport(format!("cannot reach {}: {e}", self.url)))?;
        let status = response.status();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| RpcError::Transport(format!("cannot read the answer: {e}")))?;
        serde_json::from_str(&text).map_err(|e| {
            RpcError::Transport(format!("HTTP {status}, not JSON ({e}): {}", truncate(&text, 200)))
        })
    }

    /// [`Rpc::request`], with any failure as [`ChainError::Backend`].
    pub(in crate::chain) fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.request(method, params).map_err(|e| backend(method, e))
    }
}

/// The `result` of one JSON-RPC answer, or its `error`.
fn result_of(mut answer: Value) -> std::result::Result<Value, RpcError> {
    if let Some(error) = answer.get_mut("error") {
        return Err(RpcError::Node {
            code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: error.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
            data: error.get_mut("data").map(Value::take),
        });
    }
    match answer.get_mut("result") {
        Some(result) => Ok(result.take()),
        None => Err(RpcError::Transport(format!("no result: {}", truncate(&answer.to_string(), 200)))),
    }
}

pub(in crate::chain) fn backend(method: &str, error: impl fmt::Display) -> ChainError {
    ChainError::Backend(format!("{method}: {error}"))
}

pub(in crate::chain) fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

fn text<'a>(value: &'a Value, method: &str, what: &str) -> Result<&'a str> {
    value.as_str().ok_or_else(|| backend(method, format!("{what} is not a string: {value}")))
}

/// A `0x`-hex quantity as `u64`.
pub(in crate::chain) fn quantity(value: &Value, method: &str, what: &str) -> Result<u64> {
    let text = text(value, method, what)?;
    let digits = text.strip_prefix("0x").unwrap_or(text);
    u64::from_str_radix(digits, 16).map_err(|e| backend(method, format!("{what} {text:?}: {e}")))
}

/// A `0x`-hex quantity as `U256`.
pub(in crate::chain) fn quantity_u256(value: &Value, method: &str, what: &str) -> Result<U256> {
    parsed(value, method, what)
}

/// `0x`-hex data as bytes.
pub(in crate::chain) fn data(value: &Value, method: &str, what: &str) -> Result<Bytes> {
    hex::decode(text(value, method, what)?)
        .map(Bytes::from)
        .map_err(|e| backend(method, format!("{what}: {e}")))
}

/// A value that parses from its string form (address, hash, quantity).
pub(in crate::chain) fn parsed<T: FromStr>(value: &Value, method: &str, what: &str) -> Result<T>
where
    T::Err: fmt::Display,
{
    let text = text(value, method, what)?;
    T::from_str(text).map_err(|e| backend(method, format!("{what} {text:?}: {e}")))
}

pub(in crate::chain) fn hex_u256(value: U256) -> String {
    format!("{value:#x}")
}

pub(in crate::chain) fn hex_u64(value: u64) -> String {
    format!("{value:#x}")
}

/// Logs of a receipt or a simulated call as `alloy-primitives` logs.
pub(in crate::chain) fn logs(value: &Value) -> Result<Vec<Log>> {
    let method = "logs";
    let Some(entries) = value.as_array() else {
        return Err(backend(method, format!("logs is not a list: {value}")));
    };
    entries
        .iter()
        .map(|entry| {
            let address = parsed(&entry["address"], method, "log address")?;
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
