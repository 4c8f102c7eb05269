//! The embedded EVM against a JSON-RPC node (anvil) on the same netlist and
//! seed: per-tick cost of each, the speed-up, and a check that the runs
//! produce byte-identical KPIs for the ticks they share. The node runs
//! three times, each time on a fresh anvil: as the reference, mining one
//! block per transaction ([`Mining::PerTransaction`]); batching a tick's
//! transactions into one block with the node simulating each
//! ([`Mining::PerTick`]); and batching them with the embedded EVM mirroring
//! the node ([`Mining::Mirrored`], the default). Each run records how many
//! requests of each method it sent and their time.
//!
//! The per-tick cost is the tick loop's (agents, chain, KPIs, kpis.csv), as
//! run.json's `wall_time_s` gives it; set-up (deploying the market) is
//! timed apart, since a short run would otherwise be mostly set-up.

use super::engine_run;
use crate::chain::{AnvilProcess, Mining, RequestLog, SimChain};
use crate::cli::run_to_dir_on;
use crate::netlist::load;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Install anvil with `bash scripts/anvil.sh` (idempotent; run from the
/// project root) and return the binary's path.
pub fn install_anvil() -> anyhow::Result<PathBuf> {
    let out = std::process::Command::new("bash")
        .arg("scripts/anvil.sh")
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("running scripts/anvil.sh (run from the project root)")?;
    anyhow::ensure!(out.status.success(), "scripts/anvil.sh failed ({})", out.status);
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// What [`embedded_vs_rpc`] measured.
#[derive(Debug, Clone)]
pub struct RpcReport {
    /// The netlist's name.
    pub name: String,
    /// Ticks run on each backend.
    pub ticks: u64,
    /// Wall time of the tick loop on the embedded EVM.
    pub embedded_s: f64,
    /// Wall time of the tick loop on anvil, a tick's transactions batched
    /// into one block and mirrored by the embedded EVM (the default).
    pub rpc_s: f64,
    /// Wall time of the tick loop on anvil, batched with the node simulating each transaction.
    pub simulated_s: f64,
    /// Wall time of the tick loop on anvil, one block per transaction (the reference).
    pub per_tx_s: f64,
    /// Wall time of replaying on bare revm the transactions those ticks
    /// committed: the per-tick cost of an engine that did nothing else.
    pub replay_s: f64,
    /// Wall time of the whole run (set-up, ticks, files) on the embedded EVM.
    pub embedded_total_s: f64,
    /// Wall time of the whole run on anvil (batched).
    pub rpc_total_s: f64,
    /// Whether the batched run on anvil wrote the embedded run's kpis.csv, byte for byte.
    pub identical: bool,
    /// Whether the simulated batched run did too.
    pub simulated_identical: bool,
    /// Whether the one-block-per-transaction run did too.
    pub per_tx_identical: bool,
    /// Requests of the batched run (set-up included).
    pub requests: RequestLog,
    /// Requests of the simulated batched run (set-up included).
    pub simulated_requests: RequestLog,
    /// Requests of the one-block-per-transaction run (set-up included).
    pub per_tx_requests: RequestLog,
}

impl RpcReport {
    /// How many times cheaper a tick is on the embedded EVM.
    pub fn speedup(&self) -> f64 {
        self.rpc_s / self.embedded_s
    }

    /// How many times cheaper a tick is on anvil batched than one block per transaction.
    pub fn batching_speedup(&self) -> f64 {
        self.per_tx_s / self.rpc_s
    }
}

impl std::fmt::Display for RpcReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let per_tick = |s: f64| s / self.ticks as f64 * 1e3;
        writeln!(f, "{}: {} ticks on each backend (same seed)", self.name, self.ticks)?;
        writeln!(f, "  embedded       {:>10.3} ms/tick", per_tick(self.embedded_s))?;
        writeln!(
            f,
            "  anvil, per tx  {:>10.3} ms/tick   (one block per transaction: the reference)",
            per_tick(self.per_tx_s)
        )?;
        writeln!(
            f,
            "  anvil, simulated {:>8.3} ms/tick   (a tick's transactions in one block, each simulated by the node)",
            per_tick(self.simulated_s)
        )?;
        writeln!(
            f,
            "  anvil, batched {:>10.3} ms/tick   (a tick's transactions in one block, run on the mirroring embedded EVM)",
            per_tick(self.rpc_s)
        )?;
        writeln!(
            f,
            "  batching       {:>10.1} x   faster per tick than one block per transaction (target >= 3)",
            self.batching_speedup()
        )?;
        writeln!(f, "  speed-up       {:>10.0} x   embedded over batched anvil", self.speedup())?;
        writeln!(
            f,
            "  bare revm      {:>10.3} ms/tick   (the committed transactions alone: at most {:.0} x)",
            per_tick(self.replay_s),
            self.rpc_s / self.replay_s
        )?;
        writeln!(
            f,
            "  whole runs     {:>10.3} s embedded, {:.3} s anvil (with set-up: {:.0} x)",
            self.embedded_total_s,
            self.rpc_total_s,
            self.rpc_total_s / self.embedded_total_s
        )?;
        let yes = |same: bool| if same { "yes" } else { "NO" };
        writeln!(
            f,
            "  KPIs identical {:>10} batched, {} simulated, {} per tx",
            yes(self.identical),
            yes(self.simulated_identical),
            yes(self.per_tx_identical)
        )?;
        writeln!(f, "  requests, batched (set-up included): {}", self.requests.requests())?;
        write!(f, "{}", self.requests)?;
        writeln!(f, "  requests, simulated (set-up included): {}", self.simulated_requests.requests())?;
        write!(f, "{}", self.simulated_requests)?;
        writeln!(f, "  requests, per tx (set-up included): {}", self.per_tx_requests.requests())?;
        write!(f, "{}", self.per_tx_requests)
    }
}

/// Run `netlist` for `ticks` ticks on the embedded EVM and three times on a
/// fresh anvil (installed and started here, stopped by PID after each run):
/// one block per transaction, batched with the node simulating, batched and
/// mirrored; `scratch` holds the four results directories (`embedded`,
/// `rpc-per-tx`, `rpc-simulated`, `rpc`).
pub fn embedded_vs_rpc(netlist: &Path, ticks: u64, scratch: &Path) -> anyhow::Result<RpcReport> {
    let tick_seconds = load(netlist, &[])?.clock()?.tick_seconds;
    let duration = format!("sim.duration=\"{}s\"", ticks * tick_seconds);
    let loaded = load(netlist, std::slice::from_ref(&duration))?;

    let clock = Instant::now();
    run_to_dir_on(&loaded, &scratch.join("embedded"), false, SimChain::embedded())?;
    let embedded_total_s = clock.elapsed().as_secs_f64();

    let anvil = install_anvil()?;
    let on_anvil = |mining: Mining, dir: &str| -> anyhow::Result<(f64, RequestLog)> {
        let node = AnvilProcess::start(&anvil)?;
        let log = RequestLog::default();
        let chain = SimChain::rpc_with(node.url(), mining, log.clone())?;
        let clock = Instant::now();
        run_to_dir_on(&loaded, &scratch.join(dir), false, chain)?;
        Ok((clock.elapsed().as_secs_f64(), log))
    };
    let (_, per_tx_requests) = on_anvil(Mining::PerTransaction, "rpc-per-tx")?;
    let (_, simulated_requests) = on_anvil(Mining::PerTick, "rpc-simulated")?;
    let (rpc_total_s, requests) = on_anvil(Mining::Mirrored, "rpc")?;

    let read = |dir: &str| std::fs::read(scratch.join(dir).join("kpis.csv"));
    let embedded_kpis = read("embedded")?;
    Ok(RpcReport {
        name: loaded.netlist.sim.name,
        ticks,
        embedded_s: tick_loop_s(&scratch.join("embedded"))?,
        rpc_s: tick_loop_s(&scratch.join("rpc"))?,
        simulated_s: tick_loop_s(&scratch.join("rpc-simulated"))?,
        per_tx_s: tick_loop_s(&scratch.join("rpc-per-tx"))?,
        replay_s: engine_run(netlist, &[duration])?.replay_s,
        embedded_total_s,
        rpc_total_s,
        identical: read("rpc")? == embedded_kpis,
        simulated_identical: read("rpc-simulated")? == embedded_kpis,
        per_tx_identical: read("rpc-per-tx")? == embedded_kpis,
        requests,
        simulated_requests,
        per_tx_requests,
    })
}

/// The tick loop's wall time of the run written to `dir` (run.json's `wall_time_s`).
fn tick_loop_s(dir: &Path) -> anyhow::Result<f64> {
    let path = dir.join("run.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let run: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    run["wall_time_s"].as_f64().with_context(|| format!("{}: no wall_time_s", path.display()))
}
