//! Whole netlists: engine speed against a bare-revm replay of the very
//! transactions the run committed, ticks per second and peak memory.

use crate::chain::{RawEvm, RecordedTx, GOD, GOD_ETH};
use crate::netlist::load;
use alloy_primitives::U256;
use std::path::Path;
use std::time::Instant;

/// What one netlist run measured.
#[derive(Debug, Clone)]
pub struct EngineReport {
    /// The run's name (`[sim] name`).
    pub name: String,
    /// Ticks run.
    pub ticks: u64,
    /// Agents at the start.
    pub agents: usize,
    /// Wall time of the run (agents, chain, KPIs; no files).
    pub wall_s: f64,
    /// Transactions the run committed.
    pub transactions: usize,
    /// Wall time of replaying those transactions on bare revm.
    pub replay_s: f64,
    /// Peak resident memory of the process so far, in MiB (Linux; NaN elsewhere).
    pub peak_rss_mib: f64,
}

impl EngineReport {
    /// Simulated ticks per second of wall time.
    pub fn ticks_per_s(&self) -> f64 {
        self.ticks as f64 / self.wall_s
    }

    /// Committed transactions per second of the whole engine.
    pub fn engine_tx_per_s(&self) -> f64 {
        self.transactions as f64 / self.wall_s
    }

    /// The same transactions per second on bare revm.
    pub fn replay_tx_per_s(&self) -> f64 {
        self.transactions as f64 / self.replay_s
    }

    /// Engine throughput over bare-revm throughput (1.0: no overhead at all).
    pub fn overhead_ratio(&self) -> f64 {
        self.engine_tx_per_s() / self.replay_tx_per_s()
    }
}

impl std::fmt::Display for EngineReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}: {} ticks, {} agents, {:.2} s", self.name, self.ticks, self.agents, self.wall_s)?;
        writeln!(f, "  ticks/s                    {:>10.0}", self.ticks_per_s())?;
        writeln!(f, "  committed transactions     {:>10}", self.transactions)?;
        writeln!(f, "  engine tx/s                {:>10.0}", self.engine_tx_per_s())?;
        writeln!(f, "  bare revm replay tx/s      {:>10.0}", self.replay_tx_per_s())?;
        writeln!(f, "  ratio engine/raw           {:>10.3}   (target >= 0.67)", self.overhead_ratio())?;
        write!(f, "  peak RSS                   {:>10.1} MiB", self.peak_rss_mib)
    }
}

/// Run `netlist` (with `overrides`) once, recording its transactions, then
/// replay them on bare revm and check the replay reproduces every outcome.
pub fn engine_run(netlist: &Path, overrides: &[String]) -> anyhow::Result<EngineReport> {
    let loaded = load(netlist, overrides)?;
    let mut engine = loaded.build_with(true)?;
    let agents = loaded.agents.len();
    let clock = Instant::now();
    let summary = engine.run(|_, _, _| Ok(()), |_| true)?;
    let wall_s = clock.elapsed().as_secs_f64();
    let recorded = engine.world_mut().chain.take_recording();
    let clock = Instant::now();
    let outcomes = replay(&recorded);
    let replay_s = clock.elapsed().as_secs_f64();
    let expected: Vec<bool> = recorded.iter().map(|tx| tx.success).collect();
    if let Some(i) = outcomes.iter().zip(&expected).position(|(a, b)| a != b) {
        anyhow::bail!("the bare-revm replay differs from the run at transaction {i}: {:?}", recorded[i].kind);
    }
    Ok(EngineReport {
        name: loaded.netlist.sim.name,
        ticks: summary.ticks,
        agents,
        wall_s,
        transactions: recorded.len(),
        replay_s,
        peak_rss_mib: peak_rss_mib(),
    })
}

/// Replay recorded transactions from genesis on bare revm; returns each outcome.
fn replay(recorded: &[RecordedTx]) -> Vec<bool> {
    let mut raw = RawEvm::new();
    raw.fund(GOD, U256::from(GOD_ETH));
    recorded
        .iter()
        .map(|tx| {
            raw.set_block(tx.block, tx.timestamp);
            raw.transact_value(tx.from, tx.kind, tx.data.clone(), tx.value).0
        })
        .collect()
}

/// Peak resident set size of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}
