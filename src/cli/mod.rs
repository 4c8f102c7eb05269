//! The `tsp` command line: one file per subcommand, each a `Cmd` with `run()`.

mod attack;
mod bench;
mod build;
mod build_args;
mod check;
mod compare;
mod corners;
mod fork_args;
mod netlists;
mod optimize;
mod own_build;
mod plot;
mod results_dir;
mod run;
mod signals;
mod study_args;
mod sweep;
pub mod trace;

pub use run::{run_to_dir, run_to_dir_on, run_to_dir_with, write_charts, FinishedRun, RunOptions};

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// tokenspice: an EVM-in-the-loop, agent-based simulator of token ecosystems.
#[derive(Debug, Parser)]
#[command(name = "tsp", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Run the contracts compiled into tsp, even in a project folder whose
    /// `out/` (made by `tsp build`) would otherwise be used.
    #[arg(long, global = true)]
    embedded: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a netlist: kpis.csv, run.json and charts in a results directory.
    Run(run::Cmd),
    /// Validate a netlist without running it.
    Check(check::Cmd),
    /// Draw the charts of a results directory.
    Plot(plot::Cmd),
    /// Score runs against the design criteria side by side (or Monte Carlo over seeds).
    Compare(compare::Cmd),
    /// Compile a Solidity project (contracts/, Foundry, Hardhat) into out/, or check out/ is fresh.
    Build(build::Cmd),
    /// Measure speed: transactions per second against bare revm, with ratios.
    Bench(bench::Cmd),
    /// List the netlists in netlists/ with their one-line descriptions.
    Netlists(netlists::Cmd),
    /// Run netlists (designs) over a design of factor values crossed with seeds, in parallel.
    Sweep(sweep::Cmd),
    /// Search controllable parameters for the best design under constraints, on common seeds.
    Optimize(optimize::Cmd),
    /// Search uncontrollable parameters for the worst KPI; write representative worst corners.
    Corners(corners::Cmd),
    /// Search for the most profitable sequence of an attacker's operations; report the worst found.
    Attack(attack::Cmd),
}

impl Cli {
    /// Run the chosen subcommand; errors are printed with their context chain.
    pub fn run(self) -> ExitCode {
        let runs_contracts =
            !matches!(self.command, Command::Build(_) | Command::Plot(_) | Command::Netlists(_));
        let announce = matches!(self.command, Command::Run(_));
        if runs_contracts {
            if let Err(error) = own_build::select(self.embedded, announce) {
                eprintln!("error: {}", describe(&error));
                return ExitCode::FAILURE;
            }
        }
        let result = match self.command {
            Command::Run(cmd) => cmd.run(),
            Command::Check(cmd) => cmd.run(),
            Command::Plot(cmd) => cmd.run(),
            Command::Compare(cmd) => cmd.run(),
            Command::Build(cmd) => cmd.run(),
            Command::Bench(cmd) => cmd.run(),
            Command::Netlists(cmd) => cmd.run(),
            Command::Sweep(cmd) => cmd.run(),
            Command::Optimize(cmd) => cmd.run(),
            Command::Corners(cmd) => cmd.run(),
            Command::Attack(cmd) => cmd.run(),
        };
        match result {
            Ok(code) => code,
            Err(error) => {
                eprintln!("error: {}", describe(&error));
                ExitCode::FAILURE
            }
        }
    }
}

/// An error with its context chain, each cause once: error types that
/// already print their source in their message (`file: cannot read: <io
/// error>`) would otherwise show it twice.
pub fn describe(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.ends_with(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// `n` and a noun given in the plural, singular when `n` is 1
/// (`count(1, "ticks")` is "1 tick"; the last word loses its `s`).
pub(crate) fn count(n: u64, plural: &str) -> String {
    match plural.strip_suffix('s') {
        Some(singular) if n == 1 => format!("{n} {singular}"),
        _ => format!("{n} {plural}"),
    }
}

/// Worker threads: `jobs` when given, else every core (at least 1).
pub(crate) fn workers(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1)
}
