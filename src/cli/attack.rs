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
use anyhow::Context;
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
    #[arg(long, default_value_t = 4)]
    horizon: usize,
    /// Candidate sequences to evaluate.
    #[arg(long, default_value_t = 10_000)]
    budget: u64,
    /// Candidates per generation of the cross-entropy search.
    #[arg(long, default_value_t = 100)]
    population: usize,
    /// The search's seed.
    #[arg(long, default_value_t = 1)]
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
        let at = crate::agents::SimDuration::parse(&self.at)
            .map_err(|e| anyhow::anyhow!("--at {:?}: {e}", self.at))?;
        let tick = loaded.netlist.sim.tick;
        if at.seconds() < tick.seconds() {
            anyhow::bail!(
                "--at {}: attack after at least one tick ({tick}), when the netlist's agents have acted",
                self.at
            );
        }
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
        let staging = super::results_dir::Staging::begin(&out)?;
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
        let report = match attack(&self.netlist, &overrides, &spec, &settings, staging.dir()) {
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
        let markdown = markdown(&report);
        std::fs::write(dir.join("report.md"), &markdown)?;
        staging.commit()?;
        print!("{markdown}");
        println!("\nwritten to {}", out.display());
        Ok(ExitCode::SUCCESS)
    }
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

/// The "worst attack found" criterion of `tsp compare --attacks`: a row per
/// results folder of `tsp attack`, in the order given, appended to
/// `criteria.md`.
pub(crate) fn compare_section(dirs: &[PathBuf]) -> anyhow::Result<String> {
    let mut text = String::from(
        "\n## Worst attack found\n\nEach row is the best sequence a bounded search found (`tsp attack`), not a proof that nothing worse exists.\n\n\
         | attack | profit | % of the pool's value | victims' loss | operations | budget (candidates, horizon) |\n|---|---|---|---|---|---|\n",
    );
    for dir in dirs {
        let path = dir.join("run.json");
        let json: serde_json::Value = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read", path.display()))
            .and_then(|t| {
                serde_json::from_str(&t).with_context(|| format!("{}: not JSON", path.display()))
            })?;
        let (Some(profit), Some(evaluated)) = (json["profit"].as_f64(), json["evaluated"].as_u64()) else {
            anyhow::bail!("--attacks {}: not a results folder of tsp attack", dir.display());
        };
        let unit = json["numeraire"].as_str().unwrap_or("");
        let pct =
            json["profit_pct_of_pool"].as_f64().map_or_else(|| "n/a".to_string(), |p| format!("{p:.2}"));
        let lost: f64 = json["losses"]
            .as_array()
            .map(|l| l.iter().filter_map(|e| e[1].as_f64()).filter(|v| *v > 0.0).fold(0.0, |a, v| a + v))
            .unwrap_or(0.0);
        let operations = json["moves"].as_array().map_or(0, Vec::len);
        let name =
            dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
        let _ = writeln!(
            text,
            "| {name} | {profit:.2} {unit} | {pct} | {lost:.2} {unit} | {operations} | {evaluated}, {} |",
            json["horizon"].as_u64().unwrap_or(0)
        );
    }
    Ok(text)
}
