//! `tsp bench [chain|pool|engine|all]`.

use crate::bench::{embedded_vs_rpc, engine_run, erc20_transfers};
use crate::models::ocean::bench::pool_gas;
use std::path::PathBuf;
use std::process::ExitCode;

/// Run the benchmark scenarios and print rates and ratios against a
/// reference measured in the same process.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// Which scenario: `chain` (ERC20 transfers, chain vs bare revm), `pool`
    /// (gas of the V3 pool's operations and swaps/s), `engine` (a simulated
    /// year of each Ocean design: ticks/s, peak memory, engine vs a bare-revm
    /// replay of the same transactions), `rpc` (ocean_v3 on the embedded EVM
    /// and on anvil, per-tick cost and identical KPIs), or `all`.
    #[arg(default_value = "all")]
    scenario: String,
    /// Transfers (and swaps) per round.
    #[arg(long, default_value_t = 50_000)]
    transfers: usize,
    /// Rounds (the fastest counts).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Netlists of the engine scenario (default: ocean_v3, ocean_v4, ocean_v41).
    #[arg(long = "netlist")]
    netlists: Vec<PathBuf>,
    /// Ticks of the rpc scenario (on each backend).
    #[arg(long, default_value_t = 48)]
    rpc_ticks: u64,
    /// Override a value in every engine-scenario run, e.g. `--set sim.duration="30d"`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

impl Cmd {
    /// Run the chosen scenario.
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let chain = self.scenario == "chain" || self.scenario == "all";
        let pool = self.scenario == "pool" || self.scenario == "all";
        let engine = self.scenario == "engine" || self.scenario == "all";
        let rpc = self.scenario == "rpc" || self.scenario == "all";
        if !(chain || pool || engine || rpc) {
            anyhow::bail!("unknown bench scenario {:?}; known: chain, pool, engine, rpc, all", self.scenario);
        }
        if engine {
            // First, so that the peak memory it reports is the simulation's own.
            let defaults: Vec<PathBuf> = ["ocean_v3", "ocean_v4", "ocean_v41"]
                .iter()
                .map(|n| PathBuf::from(format!("netlists/{n}.toml")))
                .collect();
            let netlists = if self.netlists.is_empty() { &defaults } else { &self.netlists };
            for netlist in netlists {
                println!("{}\n", engine_run(netlist, &self.set)?);
            }
        }
        if chain {
            println!("{}\n", erc20_transfers(1_000, self.transfers, self.rounds)?);
        }
        if pool {
            println!("{}\n", pool_gas(self.transfers)?);
        }
        if rpc {
            let scratch = tempfile::tempdir()?;
            let netlist =
                self.netlists.first().cloned().unwrap_or_else(|| PathBuf::from("netlists/ocean_v3.toml"));
            println!("{}", embedded_vs_rpc(&netlist, self.rpc_ticks, scratch.path())?);
        }
        Ok(ExitCode::SUCCESS)
    }
}
