//! A small blocking JSON-RPC client over HTTP (ureq), shared by the node
//! backend ([`RpcChain`](super::RpcChain)) and the fork database
//! ([`ForkDb`](super::fork::ForkDb)), with the helpers that read hex
//! quantities and data out of its answers.
//!
//! # Errors
//! A request fails with [`RpcError::Transport`] (no JSON-RPC answer: the
//! node is unreachable, an HTTP error, a body that is not JSON-RPC) or
//! [`RpcError::Node`] (the node answered with an error);
//! [`Rpc::call`] and the helpers turn both into [`ChainError::Backend`]
//! naming the method and the URL. Nothing here panics.

use super::{ChainError, Result};
use alloy_primitives::{hex, Bytes, U256};
use serde_json::{json, Value};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A failed JSON-RPC request.
#[derive(Debug)]
pub(super) enum RpcError {
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

/// A blocking JSON-RPC client over HTTP, one request at a time.
pub(super) struct Rpc {
    agent: ureq::Agent,
    pub(super) url: String,
}

impl Rpc {
    pub(super) fn new(url: &str, timeout: Duration) -> Self {
        // Per-phase timeouts, not a global one: with a global timeout ureq
        // resolves the host on a new thread for every request (3x slower).
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
        Self { agent, url: url.to_string() }
    }

    /// Send one request and return its `result`.
    pub(super) fn request(&self, method: &str, params: Value) -> std::result::Result<Value, RpcError> {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
        let mut response = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body.as_bytes())
            .map_err(|e| RpcError::Transport(format!("cannot reach {}: {e}", self.url)))?;
        let status = response.status();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| RpcError::Transport(format!("cannot read the answer: {e}")))?;
        let mut answer: Value = serde_json::from_str(&text).map_err(|e| {
            RpcError::Transport(format!("HTTP {status}, not JSON ({e}): {}", truncate(&text, 200)))
        })?;
        if let Some(error) = answer.get_mut("error") {
            return Err(RpcError::Node {
                code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: error.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
                data: error.get_mut("data").map(Value::take),
            });
        }
        match answer.get_mut("result") {
            Some(result) => Ok(result.take()),
            None => Err(RpcError::Transport(format!("HTTP {status}, no result: {}", truncate(&text, 200)))),
        }
    }

    /// [`Rpc::request`], with any failure as [`ChainError::Backend`].
    pub(super) fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.request(method, params).map_err(|e| backend(method, e))
    }
}

pub(super) fn backend(method: &str, error: impl fmt::Display) -> ChainError {
    ChainError::Backend(format!("{method}: {error}"))
}

pub(super) fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// A `0x`-hex quantity as `u64`.
pub(super) fn quantity(value: &Value, method: &str, what: &str) -> Result<u64> {
    let text = value.as_str().ok_or_else(|| backend(method, format!("{what} is not a string: {value}")))?;
    let digits = text.strip_prefix("0x").unwrap_or(text);
    u64::from_str_radix(digits, 16).map_err(|e| backend(method, format!("{what} {text:?}: {e}")))
}

/// A `0x`-hex quantity as `U256`.
pub(super) fn quantity_u256(value: &Value, method: &str, what: &str) -> Result<U256> {
    let text = value.as_str().ok_or_else(|| backend(method, format!("{what} is not a string: {value}")))?;
    U256::from_str(text).map_err(|e| backend(method, format!("{what} {text:?}: {e}")))
}

/// `0x`-hex data as bytes.
pub(super) fn data(value: &Value, method: &str, what: &str) -> Result<Bytes> {
    let text = value.as_str().ok_or_else(|| backend(method, format!("{what} is not a string: {value}")))?;
    hex::decode(text).map(Bytes::from).map_err(|e| backend(method, format!("{what}: {e}")))
}

/// A value that parses from its string form (address, hash).
pub(super) fn parsed<T: FromStr>(value: &Value, method: &str, what: &str) -> Result<T>
where
    T::Err: fmt::Display,
{
    let text = value.as_str().ok_or_else(|| backend(method, format!("{what} is not a string: {value}")))?;
    T::from_str(text).map_err(|e| backend(method, format!("{what} {text:?}: {e}")))
}

pub(super) fn hex_u256(value: U256) -> String {
    format!("{value:#x}")
}
