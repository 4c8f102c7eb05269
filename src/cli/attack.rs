//! `tsp attack NETLIST [--spec FILE] [--at DURATION] [--horizon N] [--budget N] [--seed N] [--out DIR]`:
//! search for the most profitable sequence of an attacker's operations at a
//! moment of a run (see [`crate::attack`]) and write `run.json` (the budget,
//! how the best profit grew, the sequence, its trace, who lost),
//! `report.md`, `replay.toml` (the sequence as a scripted agent: `tsp run`
//! runs it) and `search.toml` (the netlist the search ran) into
//! `results/<sim.name>_attack_<at>/`, staged as `tsp run` stages its results.
//!
//! # Errors
//! A netlist with no spec (its models offer none and `--spec` is not
//! given), a bad spec or moment, an action whose expression fails.

use crate::attack::{attack, AttackReport, AttackSettings, AttackSpec, SearchSettings};
use crate::netlist::load;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Search for the worst attack on a netlist at a moment of its run.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// The netlist (TOML).
    netlist: PathBuf,
    /// The attack: actions, capital, valuation (TOML; default: the active model's own).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// When to attack: simulated time since the start, at least one tick (`1h`: a pool's opening).
    #[arg(long, default_value = "1h")]
    at: String,
    /// The most operations in a sequence.
    #[arg(long, default_value_t = SearchSettings::default().horizon)]
    horizon: usize,
    /// Candidate sequences to evaluate.
    #[arg(long, default_value_t = SearchSettings::default().budget)]
    budget: u64,
    /// Candidates per generation of the cross-entropy search.
    #[arg(long, default_value_t = SearchSettings::default().population)]
    population: usize,
    /// The search's seed.
    #[arg(long, default_value_t = SearchSettings::default().seed)]
    seed: u64,
    /// Output directory (default `results/<sim.name>_attack_<at>/`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override a netlist value, e.g. `--set sim.seed=7` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// The contract build (`--build`, `--adapter`).
    #[command(flatten)]
    build: super::build_args::BuildArgs,
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let overrides = self.build.overrides(&self.set)?;
        let loaded = load(&self.netlist, &overrides)?;
        let spec = AttackSpec::for_netlist(&loaded, self.spec.as_deref())?;
        if self.horizon == 0 || self.budget == 0 {
            anyhow::bail!("--horizon and --budget must be at least 1");
        }
        let name = format!("{}_attack_{}", loaded.netlist.sim.name, self.at);
        let out = match &self.out {
            Some(out) => out.clone(),
            None => {
                if let Some(problem) = super::results_dir::name_problem(&name) {
                    anyhow::bail!("{name:?} cannot name a folder under results/: {problem}; give --out");
                }
                Path::new("results").join(&name)
            }
        };
        let settings = AttackSettings {
            at: self.at.clone(),
            search: SearchSettings {
                horizon: self.horizon,
                budget: self.budget,
                population: self.population,
                seed: self.seed,
            },
            keep: 0.9,
        };
        let report = search_into(&self.netlist, &overrides, &spec, &settings, &out, "--at")?;
        let markdown = markdown(&report);
        print!("{markdown}");
        println!("\nwritten to {}", out.display());
        Ok(ExitCode::SUCCESS)
    }
}

/// Check the attack ([`crate::attack::check`]; `flag` names the moment's
/// option), then search `netlist` (with `overrides`) by `spec` and write the
/// results folder `out`: `run.json`, `report.md`, `replay.toml` and
/// `search.toml`, staged beside it, so a failed search leaves `out` as it
/// was (and keeps what it wrote in the staging folder, named in the error).
pub(crate) fn search_into(
    netlist: &Path,
    overrides: &[String],
    spec: &AttackSpec,
    settings: &AttackSettings,
    out: &Path,
    flag: &str,
) -> anyhow::Result<AttackReport> {
    crate::attack::check(netlist, overrides, spec, flag, &settings.at)?;
    let staging = super::results_dir::Staging::begin(out)?;
    let report = match attack(netlist, overrides, spec, settings, staging.dir()) {
        Ok(report) => report,
        Err(error) => {
            let partial = staging.keep_partial();
            return Err(
                error.context(format!("the attack failed ({} holds what it wrote)", partial.display()))
            );
        }
    };
    let dir = staging.dir();
    std::fs::write(dir.join("replay.toml"), &report.replay)?;
    std::fs::write(dir.join("run.json"), serde_json::to_string_pretty(&report)? + "\n")?;
    std::fs::write(dir.join("report.md"), markdown(&report))?;
    staging.commit()?;
    Ok(report)
}

/// The report as Markdown: the finding, the sequence, the losers, the budget.
pub(crate) fn markdown(report: &AttackReport) -> String {
    let unit = &report.numeraire;
    let mut text = format!("# Attack on {} at {}\n\n", report.netlist, report.at);
    let pct = report
        .profit_pct_of_pool
        .map(|p| format!(" ({p:.2}% of {}'s value)", report.pool.as_ref().map_or("", |p| p.0.as_str())))
        .unwrap_or_default();
    if report.moves.is_empty() {
        let _ = writeln!(text, "No sequence beat doing nothing: best profit {:.6} {unit}.", report.profit);
    } else {
        let _ = writeln!(
            text,
            "Worst attack found: profit {:.4} {unit}{pct}, from a capital of {:.2} {unit}, in {} operations.",
            report.profit,
            report.capital,
            report.moves.len()
        );
    }
    let _ = writeln!(
        text,
        "\nA bounded search, not a proof: {} candidates (cross-entropy method, {} per generation, seed {}), horizon {}, actions: {}.\n",
        report.evaluated,
        report.population,
        report.seed,
        report.horizon,
        report.actions.join(", ")
    );
    text.push_str("| step | action | x | reverted | attacker's value |\n|---|---|---|---|---|\n");
    for row in &report.trace {
        let x = row.x.map(crate::attack::format_x).unwrap_or_default();
        let _ = writeln!(
            text,
            "| {} | {} | {x} | {} | {:.4} |",
            row.step,
            row.action,
            row.reverted.as_deref().unwrap_or(""),
            row.attacker_value
        );
    }
    text.push_str("\n| account | lost |\n|---|---|\n");
    for (name, loss) in &report.losses {
        let _ = writeln!(text, "| {name} | {loss:.4} |");
    }
    text.push_str("\nBest profit as the budget grew:\n\n| candidates | best profit |\n|---|---|\n");
    for (evaluated, best) in &report.growth {
        let _ = writeln!(text, "| {evaluated} | {best:.4} |");
    }
    text
}
