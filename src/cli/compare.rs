//! `tsp compare DIR... [--out DIR] [--kpis a,b] [--attacks DIR...]`: score results directories
//! against the design criteria side by side; `tsp compare --seeds N
//! NETLIST... [--attack-at T]`: Monte Carlo, every netlist run on seeds 1..=N (the same seeds
//! for every design), then mean ± 95% CI and paired differences. `--attacks`
//! (folders of `tsp attack`) or `--attack-at` (a search per design, run here)
//! add the "worst attack found" criterion ([`crate::report::WORST_ATTACK`]).
//!
//! Writes into `--out` (default `results/compare/`): one side-by-side chart
//! per KPI (PNG and SVG), `criteria.md`, `criteria.csv` (numbers: mean, half
//! width, interval, n, verdict) and `report.html`; Monte Carlo adds
//! `criteria_seeds.csv` and `criteria_paired.csv`, and runs through the
//! study runner (parallel, resumable) into `<out>/runs/<label>/units/`.

use crate::attack::{AttackSettings, AttackSpec, SearchSettings};
use crate::kpis::read_kpis;
use crate::models::criteria::{CriteriaSet, Rule};
use crate::models::criteria_for;
use crate::netlist::{load, LoadedNetlist};
use crate::plot::units::Registry;
use crate::plot::{plot_compare, plot_xy, slug, KpiChart, Threshold, XyChart, TIME_AXIS};
use crate::report::{criteria_values, write_report, AttackFinding, CriteriaTable, DesignSeeds, RunInfo};
use crate::study::monte_carlo::{seed_band, SeedBand};
use crate::study::monte_carlo::{MonteCarlo, UntilCi};
use crate::study::Outcome;
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
    /// Monte Carlo: add seeds (from `--seeds`) until every criterion's 95%
    /// interval, for every design, is within ±X of its mean (X relative:
    /// 0.05 is ±5%), or `--max-seeds` is reached. Without criteria, the
    /// `--kpis` (else the netlist's `[[kpi]]`s) are judged.
    #[arg(long, value_name = "X", requires = "seeds")]
    until_ci: Option<f64>,
    /// Most seeds per design with `--until-ci`.
    #[arg(long, default_value_t = 200, value_name = "N")]
    max_seeds: u64,
    /// Monte Carlo worker threads (default: every core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Results folders of `tsp attack`, one per design in the designs' order:
    /// adds the "worst attack found" criterion (criteria.md, criteria.csv, report.html).
    #[arg(long, value_name = "DIR", num_args = 1.., conflicts_with = "attack_at")]
    attacks: Vec<PathBuf>,
    /// Monte Carlo: also search every design for its worst attack at this
    /// moment of its run (as `tsp attack --at`, search seed 1, the netlist's
    /// own seed), into `<out>/attacks/<design>/`, and add the criterion.
    #[arg(long, value_name = "DURATION", requires = "seeds")]
    attack_at: Option<String>,
    /// The attack for `--attack-at` (TOML, as `tsp attack --spec`; default: each model's own).
    #[arg(long, value_name = "FILE", requires = "attack_at")]
    attack_spec: Option<PathBuf>,
    /// Candidates each `--attack-at` search evaluates.
    #[arg(long, default_value_t = SearchSettings::default().budget, value_name = "N", requires = "attack_at")]
    attack_budget: u64,
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let out = self.out.clone().unwrap_or_else(|| Path::new("results").join("compare"));
        let _lock = super::results_dir::claim_study_folder(&out, "compare")?;
        match self.seeds {
            Some(seeds) => self.monte_carlo(&out, seeds),
            None => self.directories(&out),
        }
    }

    /// The table with the "worst attack found" row, when attacks are given:
    /// read from `--attacks` folders, or searched now (`--attack-at`) on each
    /// of `designs` (label, netlist) into `<out>/attacks/<label>/`.
    fn with_attacks(
        &self,
        table: CriteriaTable,
        out: &Path,
        designs: &[(String, PathBuf)],
    ) -> anyhow::Result<CriteriaTable> {
        let dirs: Vec<PathBuf> = match &self.attack_at {
            None if self.attacks.is_empty() => return Ok(table),
            None => self.attacks.clone(),
            Some(at) => {
                let mut dirs = Vec::with_capacity(designs.len());
                for (label, netlist) in designs {
                    let dir = out.join("attacks").join(slug(label));
                    eprintln!(
                        "searching {label} for its worst attack at {at} ({} candidates)",
                        self.attack_budget
                    );
                    let loaded = load(netlist, &self.set)?;
                    let spec = AttackSpec::for_netlist(&loaded, self.attack_spec.as_deref())?;
                    let settings = AttackSettings {
                        at: at.clone(),
                        search: SearchSettings { budget: self.attack_budget, ..SearchSettings::default() },
                        keep: 0.9,
                    };
                    super::attack::search_into(netlist, &self.set, &spec, &settings, &dir, "--attack-at")
                        .with_context(|| format!("attacking {label} ({})", netlist.display()))?;
                    dirs.push(dir);
                }
                dirs
            }
        };
        let findings = dirs
            .iter()
            .map(|dir| AttackFinding::read(dir).with_context(|| format!("--attacks {}", dir.display())))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(table.with_attacks(findings)?)
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
        let table = self.with_attacks(CriteriaTable::from_runs(criteria_for(&models), &runs)?, out, &[])?;
        let listing: Vec<String> = runs.iter().map(|(l, d)| format!("**{l}** (`{}`)", d.display())).collect();
        let intro = format!(
            "{} runs compared: {}. Each value is the last row of the criterion's KPI column in `kpis.csv`.",
            runs.len(),
            listing.join(", ")
        );
        let csvs: Vec<(String, PathBuf)> =
            runs.iter().map(|(l, d)| (l.clone(), d.join("kpis.csv"))).collect();
        self.write_outputs(out, &csvs, &table, &intro, None)
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
        let mut loaded_all = Vec::with_capacity(self.inputs.len());
        for netlist in &self.inputs {
            let loaded = load(netlist, &self.set)?;
            models.extend(loaded.models.iter().map(|(model, _)| model.name()));
            let stem = netlist
                .file_stem()
                .map_or_else(|| netlist.display().to_string(), |s| s.to_string_lossy().into());
            candidates.push((loaded.netlist.sim.name.clone(), stem));
            loaded_all.push(loaded);
        }
        if let Some(at) = &self.attack_at {
            for (netlist, loaded) in self.inputs.iter().zip(&loaded_all) {
                let spec = AttackSpec::for_netlist(loaded, self.attack_spec.as_deref())?;
                crate::attack::check(netlist, &self.set, &spec, "--attack-at", at)?;
            }
        }
        let set = criteria_for(&models);
        let labels = unique_labels(candidates);
        let designs: Vec<(String, PathBuf)> =
            labels.iter().cloned().zip(self.inputs.iter().cloned()).collect();
        let targets: Vec<String> = if !set.criteria.is_empty() {
            set.criteria.iter().map(|c| c.column.to_owned()).filter(|c| !c.is_empty()).collect()
        } else if !self.kpis.is_empty() {
            self.kpis.clone()
        } else {
            loaded_all[0].kpis.iter().map(|k| k.column.clone()).collect()
        };
        let until_ci = self.until_ci.map(|target| UntilCi { target, max_seeds: self.max_seeds });
        let jobs = super::workers(self.jobs);
        let stop = super::signals::stop_flag();
        let bar = super::sweep::progress_bar(designs.len() * seeds as usize, false);
        let on_done = |_done: usize, _total: usize| {
            if bar.position() >= bar.length().unwrap_or(0) {
                bar.inc_length(1);
            }
            bar.inc(1);
        };
        let study = MonteCarlo {
            designs: &designs,
            overrides: &self.set,
            seeds,
            until_ci,
            targets: &targets,
            out,
            jobs,
            stop: &stop,
            on_done: &on_done,
        };
        let report = study.run()?;
        bar.finish_and_clear();
        if report.interrupted {
            eprintln!(
                "interrupted: rerun the same command to finish (finished runs are kept in {})",
                out.display()
            );
            return Ok(super::signals::interrupted_status());
        }
        let mut per_design = Vec::with_capacity(designs.len());
        for (((label, netlist), loaded), runs) in designs.iter().zip(&loaded_all).zip(&report.outcomes) {
            let info = run_info(loaded, netlist, &out.join("runs").join(slug(label)));
            let values = runs
                .iter()
                .map(|o| {
                    (o.unit.seed, criteria_values(set, &o.table(), &format!("{label} seed {}", o.unit.seed)))
                })
                .collect();
            per_design.push(DesignSeeds { label: label.clone(), info, values });
        }
        let table = self.with_attacks(CriteriaTable::from_seed_values(set, per_design)?, out, &designs)?;
        let first: Vec<(String, PathBuf)> = designs
            .iter()
            .map(|(label, _)| {
                (label.clone(), out.join("runs").join(slug(label)).join("units").join("00000.csv"))
            })
            .collect();
        let listing: Vec<String> =
            labels.iter().zip(&self.inputs).map(|(l, n)| format!("**{l}** (`{}`)", n.display())).collect();
        let overrides = if self.set.is_empty() {
            String::new()
        } else {
            format!(" Overrides for every run: `{}`.", self.set.join("`, `"))
        };
        let precision = match (&report.met, &report.widest) {
            (Some(true), Some(w)) => format!(
                " Seeds were added until every criterion's 95% interval was within ±{} of its mean \
                 (reached at {} seeds; widest: {} of {}, ±{:.4}).",
                self.until_ci.unwrap_or_default(),
                report.seeds,
                w.column,
                w.design,
                w.relative
            ),
            (Some(false), Some(w)) => format!(
                " The target precision ±{} was NOT reached within {} seeds (widest: {} of {}, ±{:.4}).",
                self.until_ci.unwrap_or_default(),
                report.seeds,
                w.column,
                w.design,
                w.relative
            ),
            _ => String::new(),
        };
        let intro = format!(
            "Monte Carlo: {} run on seeds 1..={} each (common random numbers).{overrides}{precision} \
             Charts show the mean over the seeds with its 95% confidence band.",
            listing.join(", "),
            report.seeds
        );
        let seed_tables =
            [("criteria_seeds.csv", table.to_seeds_csv()?), ("criteria_paired.csv", table.to_paired_csv()?)];
        for (name, text) in seed_tables {
            std::fs::create_dir_all(out)?;
            std::fs::write(out.join(name), text)
                .with_context(|| format!("writing {}", out.join(name).display()))?;
        }
        let code = self.write_outputs(out, &first, &table, &intro, Some((&labels, &report.outcomes)))?;
        if report.met == Some(false) {
            eprintln!("{}", precision.trim());
        }
        Ok(code)
    }

    /// Charts, `criteria.md`, `criteria.csv` and `report.html` into `out`.
    /// With `seeds` (Monte Carlo: labels and each design's runs) the charts
    /// show the mean over seeds with its 95% band; else one line per run.
    fn write_outputs(
        &self,
        out: &Path,
        csvs: &[(String, PathBuf)],
        table: &CriteriaTable,
        intro: &str,
        seeds: Option<(&[String], &[Vec<Outcome>])>,
    ) -> anyhow::Result<ExitCode> {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        let (kpis, skipped) = self.chart_kpis(table.set, csvs)?;
        let mut intro = intro.to_owned();
        if !skipped.is_empty() {
            intro.push_str(&format!(
                "\n\nNot charted (missing from at least one run): `{}`.",
                skipped.join("`, `")
            ));
        }
        // Labels and units of the netlist's own columns, as the first run recorded them.
        let units =
            csvs.first().and_then(|(_, csv)| csv.parent()).map(Registry::of_results).unwrap_or_default();
        let kpis: Vec<KpiChart> =
            kpis.into_iter().map(|kpi| KpiChart { thresholds: thresholds(table.set, &kpi), kpi }).collect();
        let charts = match seeds {
            _ if kpis.is_empty() => Vec::new(),
            None => plot_compare(csvs, out, &kpis, &units)?,
            Some((labels, designs)) => {
                let charts: Vec<XyChart> = kpis
                    .iter()
                    .map(|KpiChart { kpi, thresholds }| {
                        let (lines, bands) = labels
                            .iter()
                            .zip(designs)
                            .map(|(label, runs)| {
                                let SeedBand { mean, band } = seed_band(runs, kpi);
                                ((label.clone(), mean), band)
                            })
                            .unzip();
                        XyChart {
                            title: kpi.clone(),
                            x_label: TIME_AXIS.to_owned(),
                            y_label: units.describe(kpi).axis_label_noting("mean, 95% band"),
                            lines,
                            bands,
                            thresholds: thresholds.clone(),
                        }
                    })
                    .collect();
                plot_xy(&charts, out, &units)?
            }
        };
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
            "wrote {}, {}, {} and {}",
            super::count(charts.len() as u64, "charts"),
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

/// The dashed lines on a KPI's chart: the threshold of every criterion that judges it.
fn thresholds(set: &CriteriaSet, kpi: &str) -> Vec<Threshold> {
    set.criteria
        .iter()
        .filter(|c| c.column == kpi)
        .filter_map(|c| {
            let value = match c.rule {
                Rule::AtMost(limit) | Rule::AtLeast(limit) => limit,
                Rule::Reported => return None,
            };
            let unit = if c.unit.is_empty() { String::new() } else { format!(" {}", c.unit) };
            Some(Threshold { label: format!("pass: {}{unit}", c.rule.threshold_text()), value })
        })
        .collect()
}

/// What a results directory's `run.json` would say of a run of `loaded`.
fn run_info(loaded: &LoadedNetlist, netlist: &Path, dir: &Path) -> RunInfo {
    let manifests: Vec<serde_json::Value> =
        loaded.models.iter().map(|(_, config)| config.manifest()).collect();
    let info = RunInfo {
        dir: dir.to_owned(),
        sim_name: Some(loaded.netlist.sim.name.clone()),
        design: Some(loaded.label()),
        seed: Some(1),
        netlist: Some(netlist.display().to_string()),
        build: None,
        build_path: None,
        build_contracts: Vec::new(),
        models: loaded.models.iter().map(|(model, _)| model.name().to_owned()).collect(),
        counts: std::collections::BTreeMap::new(),
    };
    match manifests.iter().find(|m| m.pointer("/build/build").is_some()) {
        Some(manifest) => info.with_build(manifest),
        None => info,
    }
}

/// Labels from `(preferred, fallback)` pairs: the preferred label unless two
/// runs share it, then the fallback; still-equal labels get `-2`, `-3`, ...
fn unique_labels(candidates: Vec<(String, String)>) -> Vec<String> {
    let preferred: Vec<&String> = candidates.iter().map(|(p, _)| p).collect();
    let mut labels: Vec<String> = Vec::with_capacity(candidates.len());
    for (preferred_label, fallback) in &candidates {
        let shared = preferred.iter().filter(|p| **p == preferred_label).count() > 1;
        let base = if shared { fallback } else { preferred_label };
        labels.push(crate::study::unused_label(base, &labels));
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
