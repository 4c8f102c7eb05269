//! Whole netlists: engine speed against a bare-revm replay of the very EVM
//! executions the run made, ticks per second and peak memory. Each timed
//! part is the fastest of a few rounds.
//!
//! Three replays: of every execution (committed transactions, the what-ifs
//! of criteria probes, the read-only calls the view cache could not
//! answer) on bare revm, whose ratio is the engine against the reference
//! EVM on the EVM work it needs; the same on revm with the chain's KECCAK256
//! memo (`chain::keccak_memo`), whose ratio is the engine's bookkeeping
//! alone; and of the committed transactions alone, whose ratio also counts
//! the probes and KPI reads as overhead.

use crate::chain::{Execution, RawEvm, RecordedTx, GOD, GOD_ETH};
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
    /// Executions inside what-ifs (criteria probes), transactions and calls.
    pub what_if_executions: usize,
    /// Read-only calls run on the EVM (view-cache misses).
    pub calls: usize,
    /// Wall time of replaying every execution on bare revm.
    pub replay_all_s: f64,
    /// The same on revm with the chain's KECCAK256 memo.
    pub replay_same_evm_s: f64,
    /// Wall time of replaying the committed transactions alone on bare revm.
    pub replay_s: f64,
    /// Peak resident memory of the process so far, in MiB (Linux; NaN elsewhere).
    pub peak_rss_mib: f64,
}

impl EngineReport {
    /// Simulated ticks per second of wall time.
    pub fn ticks_per_s(&self) -> f64 {
        self.ticks as f64 / self.wall_s
    }

    /// Every EVM execution of the run.
    pub fn executions(&self) -> usize {
        self.transactions + self.what_if_executions + self.calls
    }

    /// Engine throughput over bare-revm throughput on every execution the
    /// run made (1.0: the engine adds nothing to the EVM's work).
    pub fn overhead_ratio(&self) -> f64 {
        self.replay_all_s / self.wall_s
    }

    /// [`EngineReport::overhead_ratio`] against revm with the chain's own
    /// instruction table: the engine's bookkeeping alone.
    pub fn bookkeeping_ratio(&self) -> f64 {
        self.replay_same_evm_s / self.wall_s
    }

    /// Committed transactions per second of the whole engine.
    pub fn engine_tx_per_s(&self) -> f64 {
        self.transactions as f64 / self.wall_s
    }

    /// The committed transactions per second on bare revm.
    pub fn replay_tx_per_s(&self) -> f64 {
        self.transactions as f64 / self.replay_s
    }

    /// Engine over bare revm counting committed transactions only: probes,
    /// KPI reads and agent logic all count as the engine's cost.
    pub fn committed_ratio(&self) -> f64 {
        self.engine_tx_per_s() / self.replay_tx_per_s()
    }
}

impl std::fmt::Display for EngineReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}: {} ticks, {} agents, {:.2} s", self.name, self.ticks, self.agents, self.wall_s)?;
        writeln!(f, "  ticks/s                    {:>10.0}", self.ticks_per_s())?;
        writeln!(f, "  EVM executions             {:>10}", self.executions())?;
        writeln!(f, "    committed transactions   {:>10}", self.transactions)?;
        writeln!(f, "    in what-ifs (probes)     {:>10}", self.what_if_executions)?;
        writeln!(f, "    calls (cache misses)     {:>10}", self.calls)?;
        let per_s = |s: f64| self.executions() as f64 / s;
        writeln!(f, "  engine executions/s        {:>10.0}", per_s(self.wall_s))?;
        writeln!(f, "  bare revm replay, all /s   {:>10.0}", per_s(self.replay_all_s))?;
        writeln!(f, "  ratio engine/raw           {:>10.3}   (target >= 0.85)", self.overhead_ratio())?;
        writeln!(f, "  revm + keccak memo, all /s {:>10.0}", per_s(self.replay_same_evm_s))?;
        writeln!(f, "  ratio engine/same EVM      {:>10.3}   (bookkeeping alone)", self.bookkeeping_ratio())?;
        writeln!(f, "  engine committed tx/s      {:>10.0}", self.engine_tx_per_s())?;
        writeln!(f, "  bare revm, committed tx/s  {:>10.0}", self.replay_tx_per_s())?;
        writeln!(f, "  ratio on committed only    {:>10.3}", self.committed_ratio())?;
        write!(f, "  peak RSS                   {:>10.1} MiB", self.peak_rss_mib)
    }
}

/// Rounds of each timed part; the fastest counts (other load on the machine
/// only ever slows a round down).
const ROUNDS: usize = 3;

/// Run `netlist` (with `overrides`), recording its transactions, then
/// replay them on bare revm and check the replay reproduces every outcome;
/// the run and each replay are timed over [`ROUNDS`] rounds, the fastest
/// counting (the runs are deterministic: every round records the same).
pub fn engine_run(netlist: &Path, overrides: &[String]) -> anyhow::Result<EngineReport> {
    let loaded = load(netlist, overrides)?;
    let agents = loaded.agents.len();
    let mut wall_s = f64::INFINITY;
    let mut recorded = (Vec::new(), Vec::new(), 0);
    for _ in 0..ROUNDS {
        let mut engine = loaded.build_with(true)?;
        // Set-up (deploying the market) is outside the timed run, so outside
        // the timed replays too.
        let setup = engine.world_mut().chain.take_recording();
        let clock = Instant::now();
        let summary = engine.run(|_, _, _| Ok(()), |_| true)?;
        wall_s = wall_s.min(clock.elapsed().as_secs_f64());
        recorded = (setup, engine.world_mut().chain.take_recording(), summary.ticks);
    }
    let (setup, recorded, ticks) = recorded;
    let committed_only = |txs: &[RecordedTx]| -> Vec<RecordedTx> {
        txs.iter().filter(|tx| tx.execution == Execution::Committed).cloned().collect()
    };
    let committed = committed_only(&recorded);
    let count = |what: fn(&Execution) -> bool| recorded.iter().filter(|tx| what(&tx.execution)).count();
    let fastest = |evm: fn() -> RawEvm, setup: &[RecordedTx], timed: &[RecordedTx]| -> anyhow::Result<f64> {
        (0..ROUNDS).try_fold(f64::INFINITY, |best, _| Ok(best.min(timed_replay(evm(), setup, timed)?)))
    };
    Ok(EngineReport {
        name: loaded.netlist.sim.name,
        ticks,
        agents,
        wall_s,
        transactions: committed.len(),
        what_if_executions: count(|e| matches!(e, Execution::WhatIf { .. })),
        calls: count(|e| *e == Execution::Call),
        replay_all_s: fastest(RawEvm::new, &setup, &recorded)?,
        replay_same_evm_s: fastest(RawEvm::with_keccak_memo, &setup, &recorded)?,
        replay_s: fastest(RawEvm::new, &committed_only(&setup), &committed)?,
        peak_rss_mib: peak_rss_mib(),
    })
}

/// On `raw` (fresh), replay `setup` and then, timed, `recorded`; check
/// every outcome is the run's and return the timed part's wall time.
fn timed_replay(mut raw: RawEvm, setup: &[RecordedTx], recorded: &[RecordedTx]) -> anyhow::Result<f64> {
    raw.fund(GOD, U256::from(GOD_ETH));
    let check = |recorded: &[RecordedTx], outcomes: Vec<bool>| -> anyhow::Result<()> {
        match recorded.iter().zip(&outcomes).position(|(tx, &ok)| tx.success != ok) {
            Some(i) => {
                anyhow::bail!("the bare-revm replay differs from the run at execution {i}: {:?}", recorded[i])
            }
            None => Ok(()),
        }
    };
    check(setup, raw.replay(setup))?;
    let clock = Instant::now();
    let outcomes = raw.replay(recorded);
    let replay_s = clock.elapsed().as_secs_f64();
    check(recorded, outcomes)?;
    Ok(replay_s)
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
