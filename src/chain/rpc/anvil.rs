//! [`AnvilProcess`]: a local anvil node for the JSON-RPC backend, started on
//! a free loopback port and stopped by PID.
//!
//! # Errors
//! A binary that cannot run, exits early (maybe its port was taken: it is
//! tried three times) or does not answer within 20 s is
//! [`ChainError::Backend`]. Nothing panics; dropping the process kills it.

use super::super::{ChainError, Result, BLOCK_GAS_LIMIT, GENESIS_TIMESTAMP};
use super::client::{truncate, RequestLog, Rpc};
use serde_json::json;
use std::io::{Read, Seek};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long [`AnvilProcess::start`] waits for the node to answer.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A local anvil node, started on a free loopback port and killed (by PID)
/// when dropped.
///
/// It runs the chain the embedded EVM runs: genesis at
/// [`GENESIS_TIMESTAMP`], chain id 1, the Osaka hardfork, a block gas limit
/// of [`BLOCK_GAS_LIMIT`], zero base fee and gas price, no dev accounts and
/// no predeployed CREATE2 factory; no automine, every sender impersonated,
/// pending transactions mined in the order they were sent (`--order fifo`,
/// which a block of batched transactions relies on), and no history kept
/// beyond the latest state and the last blocks.
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
        let probe = Rpc::new(&process.url, Duration::from_secs(2), RequestLog::default());
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
            "--order",
            "fifo",
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
