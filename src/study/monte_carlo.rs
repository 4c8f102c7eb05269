//! Monte Carlo over seeds for several designs, through the study runner:
//! every design runs on the same seeds 1..=n (common random numbers), on
//! parallel workers, each run stored and reused like a sweep's.
//!
//! With a target (`--until-ci X`), seeds are added until the 95% confidence
//! interval of every target KPI's final value, for every design, has a half
//! width of at most X relative to its mean — or the cap is reached. Seeds
//! are added a batch at a time (as many as there are workers) but the seed
//! counts are checked one by one, so the study stops at the first count that
//! meets the target and its results do not depend on the number of workers.
//!
//! # State
//! Each design's runs are stored in `<out>/runs/<label>/units/` (see
//! [`super::runner`]): a rerun reuses them, and a larger `--seeds` only runs
//! the new seeds.

use super::plan::Unit;
use super::runner::{Outcome, Runner};
use crate::report::SeedStats;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// Add seeds until the widest relative half width is at most `target`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UntilCi {
    /// Relative half width to reach (0.05: ±5% of the mean).
    pub target: f64,
    /// Most seeds per design.
    pub max_seeds: u64,
}

/// A Monte Carlo study of designs (netlists) on common seeds.
pub struct MonteCarlo<'a> {
    /// `(label, netlist)` per design; labels name the folders.
    pub designs: &'a [(String, PathBuf)],
    /// Overrides of every run.
    pub overrides: &'a [String],
    /// Seeds 1..=`seeds` (the first count checked with `until_ci`).
    pub seeds: u64,
    /// Stop adding seeds once every target is this precise.
    pub until_ci: Option<UntilCi>,
    /// KPI columns whose final values `until_ci` judges.
    pub targets: &'a [String],
    /// Where the runs are stored.
    pub out: &'a Path,
    /// Worker threads.
    pub jobs: usize,
    /// Set to stop.
    pub stop: &'a AtomicBool,
    /// Called after each finished run with (done, planned so far).
    pub on_done: &'a (dyn Fn(usize, usize) + Sync),
}

impl std::fmt::Debug for MonteCarlo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonteCarlo")
            .field("designs", &self.designs)
            .field("seeds", &self.seeds)
            .field("until_ci", &self.until_ci)
            .finish_non_exhaustive()
    }
}

/// The widest interval of the targets at one seed count.
#[derive(Debug, Clone, PartialEq)]
pub struct Widest {
    /// The design.
    pub design: String,
    /// The KPI column.
    pub column: String,
    /// Its half width over |mean| (infinite for a zero mean with spread).
    pub relative: f64,
}

/// What a Monte Carlo study gives.
#[derive(Debug, Clone)]
pub struct MonteCarloReport {
    /// Per design (in order), its runs on seeds 1..=`seeds`.
    pub outcomes: Vec<Vec<Outcome>>,
    /// Seeds used per design.
    pub seeds: u64,
    /// With a target: whether it was met (false: the cap stopped the study).
    pub met: Option<bool>,
    /// With a target: the widest relative interval at the final count.
    pub widest: Option<Widest>,
    /// Whether the study was stopped (Ctrl-C, SIGTERM) before the end.
    pub interrupted: bool,
}

/// Half width over |mean| of `values`' 95% interval; 0 for no spread.
pub fn relative_half_width(values: &[f64]) -> f64 {
    let stats = SeedStats::of(values);
    let half = stats.ci95_half_width;
    if half == 0.0 {
        0.0
    } else if !half.is_finite() || stats.mean == 0.0 {
        f64::INFINITY
    } else {
        half / stats.mean.abs()
    }
}

/// A KPI across seeds, row by row (days since the first row).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeedBand {
    /// `(day, mean over the seeds)`.
    pub mean: Vec<(f64, f64)>,
    /// `(day, lo, hi)` of the mean's 95% interval.
    pub band: Vec<(f64, f64, f64)>,
}

/// `column` across seeds at every sampled row the runs share.
pub fn seed_band(runs: &[Outcome], column: &str) -> SeedBand {
    let columns: Vec<Option<usize>> =
        runs.iter().map(|o| o.columns.iter().position(|c| c == column)).collect();
    let rows = runs.iter().map(|o| o.rows.len()).min().unwrap_or(0);
    let start = runs.first().and_then(|o| o.rows.first()).map_or(0, |r| r.1);
    let (mut means, mut band) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    for row in 0..rows {
        let day = runs[0].rows[row].1.saturating_sub(start) as f64 / 86_400.0;
        let values: Vec<f64> =
            runs.iter().zip(&columns).map(|(o, c)| c.map_or(f64::NAN, |c| o.rows[row].2[c])).collect();
        let stats = SeedStats::of(&values);
        means.push((day, stats.mean));
        band.push((day, stats.mean - stats.ci95_half_width, stats.mean + stats.ci95_half_width));
    }
    SeedBand { mean: means, band }
}

/// The final value of `column` in a run (NaN when absent or not run).
fn final_value(outcome: &Outcome, column: &str) -> f64 {
    let index = outcome.columns.iter().position(|c| c == column);
    match (index, outcome.rows.last()) {
        (Some(index), Some((_, _, values))) => values[index],
        _ => f64::NAN,
    }
}

impl MonteCarlo<'_> {
    fn folder(&self, label: &str) -> PathBuf {
        self.out.join("runs").join(crate::plot::slug(label))
    }

    /// Run seeds `from..=to` of every design, appending to `outcomes`.
    fn run_seeds(&self, from: u64, to: u64, outcomes: &mut [Vec<Outcome>]) -> anyhow::Result<bool> {
        let units: Vec<Unit> = (from..=to)
            .map(|seed| Unit { index: (seed - 1) as usize, point: 0, params: Vec::new(), seed })
            .collect();
        let folders: Vec<PathBuf> = self.designs.iter().map(|(label, _)| self.folder(label)).collect();
        let pairs: Vec<(&Path, &Path)> =
            self.designs.iter().map(|(_, n)| n.as_path()).zip(folders.iter().map(PathBuf::as_path)).collect();
        let Some(&(first, first_folder)) = pairs.first() else { return Ok(true) };
        let runner = Runner {
            shard: None,
            netlist: first,
            overrides: self.overrides,
            columns: &[],
            out: first_folder,
            jobs: self.jobs,
            fork: true,
            stop: self.stop,
            on_done: self.on_done,
        };
        let mut complete = true;
        for (((label, netlist), done), ran) in
            self.designs.iter().zip(outcomes.iter_mut()).zip(runner.run_designs(&pairs, &units)?)
        {
            complete &= ran.len() == units.len();
            for outcome in ran {
                if let Err(message) = &outcome.status {
                    anyhow::bail!("{label} ({}) seed {}: {message}", netlist.display(), outcome.unit.seed);
                }
                done.push(outcome);
            }
        }
        Ok(complete)
    }

    /// The widest target interval using the first `count` seeds of every design.
    fn widest(&self, outcomes: &[Vec<Outcome>], count: usize) -> Option<Widest> {
        let mut widest: Option<Widest> = None;
        for ((label, _), runs) in self.designs.iter().zip(outcomes) {
            for column in self.targets {
                let values: Vec<f64> = runs[..count].iter().map(|o| final_value(o, column)).collect();
                let relative = relative_half_width(&values);
                if widest.as_ref().is_none_or(|w| relative > w.relative) {
                    widest = Some(Widest { design: label.clone(), column: column.clone(), relative });
                }
            }
        }
        widest
    }

    /// Run the study.
    pub fn run(&self) -> anyhow::Result<MonteCarloReport> {
        anyhow::ensure!(self.seeds >= 1, "--seeds must be at least 1");
        let mut outcomes: Vec<Vec<Outcome>> = vec![Vec::new(); self.designs.len()];
        let first = match self.until_ci {
            Some(until) => {
                anyhow::ensure!(until.target > 0.0, "--until-ci must be above 0 (a relative half width)");
                anyhow::ensure!(!self.targets.is_empty(), "--until-ci: no KPI to judge (give --kpis)");
                self.seeds.clamp(2, until.max_seeds.max(2))
            }
            None => self.seeds,
        };
        let report = |outcomes, seeds, met, widest, interrupted| MonteCarloReport {
            outcomes,
            seeds,
            met,
            widest,
            interrupted,
        };
        if !self.run_seeds(1, first, &mut outcomes)? {
            return Ok(report(outcomes, first, None, None, true));
        }
        let Some(until) = self.until_ci else {
            return Ok(report(outcomes, first, None, None, false));
        };
        let (mut checked, mut ran) = (first - 1, first);
        loop {
            for count in checked + 1..=ran {
                let widest = self.widest(&outcomes, count as usize);
                if widest.as_ref().is_some_and(|w| w.relative <= until.target) {
                    outcomes.iter_mut().for_each(|runs| runs.truncate(count as usize));
                    return Ok(report(outcomes, count, Some(true), widest, false));
                }
            }
            checked = ran;
            if ran >= until.max_seeds {
                let widest = self.widest(&outcomes, ran as usize);
                return Ok(report(outcomes, ran, Some(false), widest, false));
            }
            let next = (ran + self.jobs.max(1) as u64).min(until.max_seeds);
            if !self.run_seeds(ran + 1, next, &mut outcomes)? {
                return Ok(report(outcomes, ran, None, None, true));
            }
            ran = next;
        }
    }
}
