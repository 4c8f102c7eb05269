//! The embedded EVM against a JSON-RPC node (anvil) on the same netlist and
//! seed: per-tick cost of each, the speed-up, and a check that both runs
//! produce byte-identical KPIs for the ticks they share.

use crate::chain::{AnvilProcess, SimChain};
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
    /// Wall time on the embedded EVM.
    pub embedded_s: f64,
    /// Wall time on anvil.
    pub rpc_s: f64,
    /// Whether both wrote byte-identical kpis.csv.
    pub identical: bool,
}

impl RpcReport {
    /// How many times cheaper a tick is on the embedded EVM.
    pub fn speedup(&self) -> f64 {
        self.rpc_s / self.embedded_s
    }
}

impl std::fmt::Display for RpcReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let per_tick = |s: f64| s / self.ticks as f64 * 1e3;
        writeln!(f, "{}: {} ticks on each backend (same seed)", self.name, self.ticks)?;
        writeln!(f, "  embedded       {:>10.3} ms/tick", per_tick(self.embedded_s))?;
        writeln!(f, "  anvil RPC      {:>10.3} ms/tick", per_tick(self.rpc_s))?;
        writeln!(f, "  speed-up       {:>10.0} x   (target >= 500)", self.speedup())?;
        write!(f, "  KPIs identical {:>10}", if self.identical { "yes" } else { "NO" })
    }
}

/// Run `netlist` for `ticks` ticks on the embedded EVM and on a fresh anvil
/// (installed and started here, stopped by PID at the end); `scratch` holds
/// both results directories.
pub fn embedded_vs_rpc(netlist: &Path, ticks: u64, scratch: &Path) -> anyhow::Result<RpcReport> {
    let tick_seconds = load(netlist, &[])?.clock()?.tick_seconds;
    let loaded = load(netlist, &[format!("sim.duration=\"{}s\"", ticks * tick_seconds)])?;

    let clock = Instant::now();
    run_to_dir_on(&loaded, &scratch.join("embedded"), false, SimChain::embedded())?;
    let embedded_s = clock.elapsed().as_secs_f64();

    let anvil = AnvilProcess::start(&install_anvil()?)?;
    let chain = SimChain::rpc(anvil.url())?;
    let clock = Instant::now();
    run_to_dir_on(&loaded, &scratch.join("rpc"), false, chain)?;
    let rpc_s = clock.elapsed().as_secs_f64();
    drop(anvil);

    let read = |dir: &str| std::fs::read(scratch.join(dir).join("kpis.csv"));
    let identical = read("embedded")? == read("rpc")?;
    Ok(RpcReport { name: loaded.netlist.sim.name, ticks, embedded_s, rpc_s, identical })
}
