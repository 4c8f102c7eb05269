//! `tsp compare DIR... [--out DIR] [--kpis a,b]`: score results directories
//! against the design criteria side by side; `tsp compare --seeds N
//! NETLIST...`: Monte Carlo, every netlist run on seeds 1..=N (the same seeds
//! for every design), then mean ± 95% CI and paired differences.
//!
//! Writes into `--out` (default `results/compare/`): one side-by-side chart
//! per KPI (PNG and SVG), `criteria.md`, `criteria.csv` and `report.html`;
//! Monte Carlo runs go to `<out>/runs/<label>/seed-<K>/`.

use super::run_to_dir;
use crate::kpis::read_kpis;
use crate::models::{criteria::CriteriaSet, criteria_for};
use crate::netlist::load;
use crate::plot::{plot_compare, slug};
use crate::report::{write_report, CriteriaTable, RunInfo};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Compare designs against the criteria: results directories, or netlists with `--seeds`.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// Results directories of `tsp run` (netlists with `--seeds`).
    #[arg(required = true, value_name = "DIR|NETLIST")]
    inputs: Vec<PathBuf>,
    /// Output directory (default `results/compare/`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// KPI columns to chart, comma-separated (default: the criteria columns
    /// and global swap volume, consume volume and pools, where present).
    #[arg(long, value_delimiter = ',', value_name = "KPI,...")]
    kpis: Vec<String>,
    /// Monte Carlo: run every netlist for seeds 1..=N and report mean ± 95% CI.
    #[arg(long, value_name = "N")]
    seeds: Option<u64>,
    /// Override a value in every Monte Carlo run, e.g. `--set sim.duration="30d"` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let out = self.out.clone().unwrap_or_else(|| Path::new("results").join("compare"));
        match self.seeds {
            Some(seeds) => self.monte_carlo(&out, seeds),
            None => self.directories(&out),
        }
    }

    fn directories(&self, out: &Path) -> anyhow::Result<ExitCode> {
        if !self.set.is_empty() {
            bail!("--set applies to the runs of --seeds; results directories have already run");
        }
        let mut candidates = Vec::with_capacity(self.inputs.len());
        let mut models = Vec::new();
        for dir in &self.inputs {
            let info = RunInfo::read(dir)?;
            models.extend(info.models.clone());
            let fallback =
                dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
            candidates.push((info.label(), fallback));
        }
        let runs: Vec<(String, PathBuf)> =
            unique_labels(candidates).into_iter().zip(self.inputs.clone()).collect();
        let table = CriteriaTable::from_runs(criteria_for(&models), &runs)?;
        let listing: Vec<String> = runs.iter().map(|(l, d)| format!("**{l}** (`{}`)", d.display())).collect();
        let intro = format!(
            "{} runs compared: {}. Each value is the last row of the criterion's KPI column in `kpis.csv`.",
            runs.len(),
            listing.join(", ")
        );
        self.write_outputs(out, &runs, &table, &intro)
    }

    fn monte_carlo(&self, out: &Path, seeds: u64) -> anyhow::Result<ExitCode> {
        if seeds == 0 {
            bail!("--seeds must be at least 1");
        }
        if self.set.iter().any(|s| s.trim_start().starts_with("sim.seed")) {
            bail!("--set sim.seed conflicts with --seeds (every netlist runs on seeds 1..={seeds})");
        }
        // Load every netlist once before running anything, so a bad one fails fast.
        let mut candidates = Vec::with_capacity(self.inputs.len());
        let mut models = Vec::new();
        for netlist in &self.inputs {
            let loaded = load(netlist, &self.set)?;
            models.extend(loaded.models.iter().map(|(model, _)| model.name()));
            let stem = netlist
                .file_stem()
                .map_or_else(|| netlist.display().to_string(), |s| s.to_string_lossy().into());
            candidates.push((loaded.netlist.sim.name.clone(), stem));
        }
        let labels = unique_labels(candidates);
        let total = labels.len() as u64 * seeds;
        let mut designs: Vec<(String, Vec<(u64, PathBuf)>)> = Vec::with_capacity(labels.len());
        let mut done = 0;
        for (label, netlist) in labels.iter().zip(&self.inputs) {
            let mut runs = Vec::with_capacity(seeds as usize);
            for seed in 1..=seeds {
                let mut overrides = self.set.clone();
                overrides.push(format!("sim.seed={seed}"));
                let loaded = load(netlist, &overrides)?;
                let dir = out.join("runs").join(slug(label)).join(format!("seed-{seed}"));
                done += 1;
                eprintln!("[{done}/{total}] {label} seed {seed} -> {}", dir.display());
                let summary = run_to_dir(&loaded, &dir, false)
                    .with_context(|| format!("{label} seed {seed} ({})", netlist.display()))?;
                eprintln!("  {summary}");
                runs.push((seed, dir));
            }
            designs.push((label.clone(), runs));
        }
        let table = CriteriaTable::from_seeds(criteria_for(&models), &designs)?;
        let first: Vec<(String, PathBuf)> =
            designs.iter().map(|(label, runs)| (label.clone(), runs[0].1.clone())).collect();
        let listing: Vec<String> =
            labels.iter().zip(&self.inputs).map(|(l, n)| format!("**{l}** (`{}`)", n.display())).collect();
        let overrides = if self.set.is_empty() {
            String::new()
        } else {
            format!(" Overrides for every run: `{}`.", self.set.join("`, `"))
        };
        let intro = format!(
            "Monte Carlo: {} run on seeds 1..={seeds} each (common random numbers).{overrides} \
             Charts show seed 1.",
            listing.join(", ")
        );
        self.write_outputs(out, &first, &table, &intro)
    }

    /// Charts, `criteria.md`, `criteria.csv` and `report.html` into `out`.
    fn write_outputs(
        &self,
        out: &Path,
        runs: &[(String, PathBuf)],
        table: &CriteriaTable,
        intro: &str,
    ) -> anyhow::Result<ExitCode> {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        let csvs: Vec<(String, PathBuf)> =
            runs.iter().map(|(l, d)| (l.clone(), d.join("kpis.csv"))).collect();
        let (kpis, skipped) = self.chart_kpis(table.set, &csvs)?;
        let mut intro = intro.to_owned();
        if !skipped.is_empty() {
            intro.push_str(&format!(
                "\n\nNot charted (missing from at least one run): `{}`.",
                skipped.join("`, `")
            ));
        }
        let charts = if kpis.is_empty() { Vec::new() } else { plot_compare(&csvs, out, &kpis)? };
        let title = format!("tokenspice: {}", table.designs.join(" vs "));
        let markdown = format!("# {title}\n\n{intro}\n\n{}", table.to_markdown());
        let md_path = out.join("criteria.md");
        std::fs::write(&md_path, &markdown).with_context(|| format!("writing {}", md_path.display()))?;
        let csv_path = out.join("criteria.csv");
        std::fs::write(&csv_path, table.to_csv()?)
            .with_context(|| format!("writing {}", csv_path.display()))?;
        let report = write_report(out, &title, &intro, table, &charts)?;
        println!("{}", table.to_markdown().split("\n## How").next().unwrap_or_default().trim_end());
        println!(
            "wrote {} chart files, {}, {} and {}",
            charts.len(),
            md_path.display(),
            csv_path.display(),
            report.display()
        );
        Ok(ExitCode::SUCCESS)
    }

    /// The KPIs to chart and the default ones left out because a run lacks
    /// them. `--kpis` are taken as given (a missing one is an error naming the run).
    fn chart_kpis(
        &self,
        set: &CriteriaSet,
        csvs: &[(String, PathBuf)],
    ) -> anyhow::Result<(Vec<String>, Vec<String>)> {
        if !self.kpis.is_empty() {
            return Ok((self.kpis.clone(), Vec::new()));
        }
        let mut columns = Vec::with_capacity(csvs.len());
        for (_, csv) in csvs {
            columns.push(read_kpis(csv)?.columns);
        }
        let wanted = set
            .criteria
            .iter()
            .map(|c| c.column)
            .filter(|c| !c.is_empty())
            .chain(set.activity_kpis.iter().copied());
        let (present, missing): (Vec<&str>, Vec<&str>) =
            wanted.partition(|kpi| columns.iter().all(|cols| cols.iter().any(|c| c == kpi)));
        Ok((
            present.into_iter().map(str::to_owned).collect(),
            missing.into_iter().map(str::to_owned).collect(),
        ))
    }
}

/// Labels from `(preferred, fallback)` pairs: the preferred label unless two
/// runs share it, then the fallback; still-equal labels get `-2`, `-3`, ...
fn unique_labels(candidates: Vec<(String, String)>) -> Vec<String> {
    let preferred: Vec<&String> = candidates.iter().map(|(p, _)| p).collect();
    let mut labels: Vec<String> = Vec::with_capacity(candidates.len());
    for (preferred_label, fallback) in &candidates {
        let shared = preferred.iter().filter(|p| **p == preferred_label).count() > 1;
        let base = if shared { fallback.clone() } else { preferred_label.clone() };
        let mut label = base.clone();
        let mut n = 2;
        while labels.contains(&label) {
            label = format!("{base}-{n}");
            n += 1;
        }
        labels.push(label);
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::unique_labels;

    #[test]
    fn labels_fall_back_then_number() {
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        assert_eq!(unique_labels(pairs(&[("v3", "x"), ("v41", "y")])), ["v3", "v41"]);
        assert_eq!(unique_labels(pairs(&[("sim", "a"), ("sim", "b"), ("v4", "c")])), ["a", "b", "v4"]);
        assert_eq!(unique_labels(pairs(&[("sim", "a"), ("sim", "a")])), ["a", "a-2"]);
    }
}
