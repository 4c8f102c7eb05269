//! Studies: many runs of one netlist — sweeps over any `--set` path (grid,
//! zip, random, Latin hypercube, Sobol), crossed with seeds (common random
//! numbers across points) — on parallel local workers, with output that is
//! byte-identical whatever the number of workers, resumable after a kill.
//!
//! A study is expanded into an ordered list of units before anything runs
//! ([`plan`]); workers run them ([`runner`]); the tables are built from the
//! stored results in unit order ([`tables`]).
//!
//! Searches pick their own points through the same runner: [`optimize`]
//! (the best design under constraints) and [`corners`] (worst cases), with
//! [`evaluate`] (a point on every seed), [`expr`] (expressions over final
//! KPI values) and [`netdoc`] (a found point written back as a netlist).
//!
//! # State
//! `<out>/units/` (`<out>/<design>/units/` with several netlists) holds one
//! stored result per finished unit (the chosen KPI columns of every row, and
//! a marker with the unit's key); `tidy.*`, `summary.*`, `effects.csv`,
//! `charts/` and `study.json` are rewritten at the end of every study run.
//!
//! # Errors
//! Bad factors, seeds or values (every point is loaded first) are errors
//! before any run. A unit that fails while running is a row of the summary
//! (status `failed`, its message); a stopped study keeps its finished units and says `"status": "interrupted"` in `study.json`.

pub mod corners;
pub mod effects;
pub mod evaluate;
pub mod expr;
pub mod monte_carlo;
pub mod netdoc;
pub mod optimize;
pub mod plan;
pub mod runner;
pub mod tables;

pub use plan::{expand, parse_factor, seeds_of, Design, Factor, StudyTable, Unit};
pub use runner::{unit_key, Outcome, Runner, Shard};

use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// A sweep: what to run and where.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The netlist; with several, each is a design run at every point on
    /// every seed (the tables gain a `design` column: each netlist's label).
    pub netlists: Vec<PathBuf>,
    /// Overrides of every run.
    pub overrides: Vec<String>,
    /// The factors.
    pub factors: Vec<Factor>,
    /// The design.
    pub design: Design,
    /// Points of a sampled design.
    pub points: Option<usize>,
    /// Seeds crossed with every point.
    pub seeds: Vec<u64>,
    /// Seed of the design's draws.
    pub design_seed: u64,
    /// KPI column patterns kept (empty: all).
    pub columns: Vec<String>,
    /// The study's folder.
    pub out: PathBuf,
    /// Workers.
    pub jobs: usize,
    /// Fork each worker's set-up world for runs sharing a deployment
    /// ([`runner::Template`]) rather than deploying for every run.
    pub fork: bool,
    /// Draw each charted KPI against each numeric factor ([`effects`]).
    pub charts: bool,
    /// Run only this shard of the runs and write no tables.
    pub shard: Option<Shard>,
}

/// What a sweep did.
#[derive(Debug, Clone)]
pub struct SweepReport {
    /// Units planned (over every design).
    pub planned: usize,
    /// The designs' labels (one per netlist).
    pub designs: Vec<String>,
    /// Outcomes with their design's index, in order (fewer than planned
    /// when interrupted).
    pub outcomes: Vec<(usize, Outcome)>,
    /// Whether the study was stopped before every unit ran.
    pub interrupted: bool,
}

impl SweepReport {
    /// Units that failed.
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|(_, o)| o.status.is_err()).count()
    }

    /// Units taken from an earlier run of the study.
    pub fn reused(&self) -> usize {
        self.outcomes.iter().filter(|(_, o)| o.reused).count()
    }
}

impl Sweep {
    /// The units of the sweep.
    pub fn units(&self) -> anyhow::Result<Vec<Unit>> {
        expand(&self.factors, self.design, self.points, &self.seeds, self.design_seed)
    }

    /// Each netlist's label (its `sim.name`, numbered when two share one).
    pub fn labels(&self) -> anyhow::Result<Vec<String>> {
        let mut labels: Vec<String> = Vec::with_capacity(self.netlists.len());
        for netlist in &self.netlists {
            let name = crate::netlist::load(netlist, &self.overrides)?.netlist.sim.name;
            labels.push(unused_label(&name, &labels));
        }
        Ok(labels)
    }

    /// Where a design's runs are stored: the study's folder for one netlist,
    /// a folder per design for several.
    fn design_dir(&self, label: &str) -> PathBuf {
        if self.netlists.len() == 1 {
            self.out.clone()
        } else {
            self.out.join(crate::plot::slug(label))
        }
    }

    /// Run the sweep and write its tables; `on_done(done, total)` after each unit.
    pub fn run(
        &self,
        stop: &AtomicBool,
        on_done: &(dyn Fn(usize, usize) + Sync),
    ) -> anyhow::Result<SweepReport> {
        anyhow::ensure!(!self.netlists.is_empty(), "a sweep needs a netlist");
        let units = self.units()?;
        for netlist in &self.netlists {
            self.check_points(netlist, &units)?;
        }
        let designs = self.labels()?;
        std::fs::create_dir_all(&self.out)?;
        let total = units.len() * self.netlists.len();
        let dirs: Vec<PathBuf> = designs.iter().map(|label| self.design_dir(label)).collect();
        let pairs: Vec<(&Path, &Path)> =
            self.netlists.iter().map(PathBuf::as_path).zip(dirs.iter().map(PathBuf::as_path)).collect();
        let runner = Runner {
            shard: self.shard,
            netlist: &self.netlists[0],
            overrides: &self.overrides,
            columns: &self.columns,
            out: &self.out,
            jobs: self.jobs,
            fork: self.fork,
            stop,
            on_done,
        };
        let outcomes: Vec<(usize, Outcome)> = runner
            .run_designs(&pairs, &units)?
            .into_iter()
            .enumerate()
            .flat_map(|(design, ran)| ran.into_iter().map(move |o| (design, o)))
            .collect();
        if let Some(shard) = self.shard {
            // A shard's runs are stored; the tables are the whole study's.
            let planned = (0..total).filter(|&position| shard.holds(position)).count();
            let interrupted = outcomes.len() < planned;
            return Ok(SweepReport { planned, designs, outcomes, interrupted });
        }
        let interrupted = outcomes.len() < total;
        let report = SweepReport { planned: total, designs, outcomes, interrupted };
        self.write(&report)?;
        Ok(report)
    }

    /// Load `netlist` at every point of the design once, so that a bad
    /// path or value is an error before any run rather than a failed row.
    fn check_points(&self, netlist: &Path, units: &[Unit]) -> anyhow::Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        for unit in units {
            if seen.insert(unit.point) {
                let mut overrides = self.overrides.clone();
                overrides.extend(unit.overrides());
                crate::netlist::load(netlist, &overrides).map_err(|e| {
                    let params: Vec<String> = unit.params.iter().map(|(p, v)| format!("{p}={v}")).collect();
                    e.context(format!("point {} of the study ({})", unit.point, params.join(", ")))
                })?;
            }
        }
        Ok(())
    }

    fn write(&self, report: &SweepReport) -> anyhow::Result<()> {
        let units = report.planned / self.netlists.len().max(1);
        let tidy = tables::tidy(&report.designs, &report.outcomes, units);
        tidy.write_csv(&self.out.join("tidy.csv"))?;
        tidy.write_parquet(&self.out.join("tidy.parquet"))?;
        let summary = tables::summary(&report.designs, &report.outcomes, units);
        summary.write_csv(&self.out.join("summary.csv"))?;
        summary.write_parquet(&self.out.join("summary.parquet"))?;
        let charted = effects::charted_columns(&report.outcomes);
        let found = effects::effects(&report.designs, &report.outcomes, &charted);
        effects::frame(&found).write_csv(&self.out.join("effects.csv"))?;
        if self.charts && !found.is_empty() {
            // Labels and units of the first netlist's own columns.
            let first = self.netlists.first().and_then(|netlist| crate::netlist::load(netlist, &[]).ok());
            effects::draw(
                &found,
                &self.out.join("charts"),
                &first.map(|l| l.column_units()).unwrap_or_default(),
            )?;
        }
        let study = json!({
            "netlists": self.netlists,
            "designs": report.designs,
            "overrides": self.overrides,
            "design": self.design,
            "points": self.points,
            "factors": self.factors,
            "seeds": self.seeds,
            "design_seed": self.design_seed,
            "columns": self.columns,
            "units": report.planned,
            "done": report.outcomes.len(),
            "failed": report.failed(),
            "status": if report.interrupted { "interrupted" } else { "complete" },
            "tokenspice_version": env!("CARGO_PKG_VERSION"),
        });
        write_json(&self.out.join("study.json"), &study)
    }
}

/// Write JSON through a `.partial` file renamed into place.
pub fn write_json(path: &Path, value: &serde_json::Value) -> anyhow::Result<()> {
    let partial = path.with_extension("json.partial");
    std::fs::write(&partial, serde_json::to_string_pretty(value)? + "\n")?;
    std::fs::rename(&partial, path)?;
    Ok(())
}

/// `base`, else `base-2`, `base-3`, …: the first that `taken` does not hold.
pub fn unused_label(base: &str, taken: &[String]) -> String {
    let mut label = base.to_string();
    let mut n = 2;
    while taken.contains(&label) {
        label = format!("{base}-{n}");
        n += 1;
    }
    label
}
