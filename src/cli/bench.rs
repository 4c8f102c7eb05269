//! `tsp bench [chain|pool|engine|all]`.

use crate::bench::{attack_speed, embedded_vs_rpc, engine_run, erc20_transfers, scale, study_speed};
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
    /// and on anvil, one block per transaction and batched per tick: per-tick
    /// cost, requests by method, identical KPIs), `study` (the engine
    /// netlists on common seeds with 1 worker and with `--jobs`: speed-up,
    /// identical results, and set-up by forking vs deploying), `scale`
    /// (ocean_v3 for 1, 5 and 10 years and at 3x and 10x its population:
    /// time and peak memory against the 1-year run), `attack` (a `tsp attack`
    /// search of `--attack-budget` candidates on each engine netlist:
    /// candidates/s), or `all`.
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
    /// Override a value in every engine- and study-scenario run, e.g. `--set sim.duration="30d"`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Seeds per design of the study scenario.
    #[arg(long, default_value_t = 10)]
    seeds: u64,
    /// Workers of the study scenario's parallel run (default: every core, at least 2).
    #[arg(long)]
    jobs: Option<usize>,
    /// Candidates of the attack scenario's search on each netlist.
    #[arg(long, default_value_t = 10_000)]
    attack_budget: u64,
}

impl Cmd {
    /// Run the chosen scenario.
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let chain = self.scenario == "chain" || self.scenario == "all";
        let pool = self.scenario == "pool" || self.scenario == "all";
        let engine = self.scenario == "engine" || self.scenario == "all";
        let rpc = self.scenario == "rpc" || self.scenario == "all";
        let study = self.scenario == "study" || self.scenario == "all";
        let scaling = self.scenario == "scale" || self.scenario == "all";
        let attacks = self.scenario == "attack" || self.scenario == "all";
        if !(chain || pool || engine || rpc || study || scaling || attacks) {
            anyhow::bail!(
                "unknown bench scenario {:?}; known: chain, pool, engine, rpc, study, scale, attack, all",
                self.scenario
            );
        }
        let defaults: Vec<PathBuf> = ["ocean_v3", "ocean_v4", "ocean_v41"]
            .iter()
            .map(|n| PathBuf::from(format!("netlists/{n}.toml")))
            .collect();
        let netlists = if self.netlists.is_empty() { &defaults } else { &self.netlists };
        if engine {
            // First, so that the peak memory it reports is the simulation's own.
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
            println!("{}\n", embedded_vs_rpc(&netlist, self.rpc_ticks, scratch.path())?);
        }
        if scaling {
            let scratch = tempfile::tempdir()?;
            let netlist =
                self.netlists.first().cloned().unwrap_or_else(|| PathBuf::from("netlists/ocean_v3.toml"));
            println!("{}\n", scale(&std::env::current_exe()?, &netlist, &self.set, scratch.path())?);
        }
        if study {
            let jobs = super::workers(self.jobs).max(2);
            println!("{}", study_speed(netlists, &self.set, self.seeds, jobs)?);
        }
        if attacks {
            println!("{}", attack_speed(netlists, &self.set, self.attack_budget)?);
        }
        Ok(ExitCode::SUCCESS)
    }
}
