//! `tsp check NETLIST [--set k=v]... [--build PATH [--adapter A]] [--fork URL[@BLOCK]]`:
//! validate a netlist (and the contract build it names) without running it;
//! with `--fork`, set it up on that fork (a netlist naming contracts by
//! `address` needs the chain they are on).

use crate::netlist::load;
use std::path::PathBuf;
use std::process::ExitCode;

/// Validate a netlist: schema, types, values, references.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// The netlist (TOML).
    netlist: PathBuf,
    /// Override a value, e.g. `--set sim.seed=7` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// The contract build (`--build`, `--adapter`).
    #[command(flatten)]
    build: super::build_args::BuildArgs,
    /// `--fork URL[@BLOCK]`, `--fork-cache DIR`.
    #[command(flatten)]
    fork: super::fork_args::ForkArgs,
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let loaded = load(&self.netlist, &self.build.overrides(&self.set)?)?;
        for warning in loaded.warnings() {
            eprintln!("warning: {warning}");
        }
        let name = &loaded.netlist.sim.name;
        if let Some(problem) = super::results_dir::name_problem(name) {
            anyhow::bail!(
                "{}: sim.name = {name:?} cannot name a folder under results/: {problem}",
                self.netlist.display()
            );
        }
        let clock = loaded.clock()?;
        // Building deploys the market (milliseconds) and names every KPI column.
        let engine = match self.fork.chain()? {
            Some(chain) => loaded.build_on(chain, false)?,
            None => loaded.build()?,
        };
        if let Some(fork) = engine.world().chain.fork_db() {
            // What the set-up read is kept for the run.
            fork.save()?;
        }
        let recorded = loaded.selected_columns(engine.columns())?.len();
        println!(
            "{}: ok — {}, {} of {} s, {} every {}",
            self.netlist.display(),
            super::count(loaded.agents.len() as u64, "agents"),
            super::count(clock.ticks, "ticks"),
            clock.tick_seconds,
            super::count(recorded as u64, "KPI columns"),
            match clock.log_every {
                1 => "tick".to_string(),
                n => format!("{n} ticks"),
            }
        );
        Ok(ExitCode::SUCCESS)
    }
}
