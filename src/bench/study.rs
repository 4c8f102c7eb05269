//! The study benchmark: a Monte Carlo of several designs on one worker and
//! then on two (speed-up, and the same results), and the set-up a run saves
//! by forking a deployed world instead of deploying again.

use crate::chain::SimChain;
use crate::netlist::load;
use crate::study::monte_carlo::{MonteCarlo, MonteCarloReport};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What the study benchmark measured.
#[derive(Debug, Clone)]
pub struct StudyReport {
    /// Designs × seeds.
    pub designs: usize,
    /// Seeds per design.
    pub seeds: u64,
    /// Worker counts measured, with the wall time of the whole study on each.
    pub walls: Vec<(usize, f64)>,
    /// Set-up of one run by deploying, in milliseconds (mean).
    pub deploy_ms: f64,
    /// Set-up of one run by forking a deployed world, in milliseconds (mean).
    pub fork_ms: f64,
}

impl std::fmt::Display for StudyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let runs = self.designs as u64 * self.seeds;
        writeln!(f, "study: {} designs x {} seeds = {runs} runs", self.designs, self.seeds)?;
        for (jobs, wall) in &self.walls {
            writeln!(
                f,
                "  {jobs} worker(s)                  {wall:>8.2} s   {:>6.2} runs/s",
                runs as f64 / wall
            )?;
        }
        if let [(_, one), .., (jobs, many)] = self.walls.as_slice() {
            writeln!(
                f,
                "  speed-up 1 -> {jobs} workers        {:>8.3}   (target >= 1.9 on 2 cores)",
                one / many
            )?;
            let per_hundred = many / self.seeds as f64 * 100.0;
            let how = if self.seeds == 100 { "measured" } else { "projected" };
            writeln!(
                f,
                "  {} designs x 100 seeds          {per_hundred:>8.1} s on {jobs} workers ({how}; target < 90 s)",
                self.designs
            )?;
        }
        writeln!(f, "  set-up by deploying              {:>8.3} ms per run", self.deploy_ms)?;
        writeln!(f, "  set-up by forking                {:>8.3} ms per run", self.fork_ms)?;
        write!(f, "  fork saving                      {:>8.1}x", self.deploy_ms / self.fork_ms.max(1e-9))
    }
}

fn study(
    netlists: &[PathBuf],
    overrides: &[String],
    seeds: u64,
    jobs: usize,
    out: &Path,
) -> anyhow::Result<MonteCarloReport> {
    let designs: Vec<(String, PathBuf)> =
        netlists.iter().enumerate().map(|(i, n)| (format!("design{i}"), n.clone())).collect();
    MonteCarlo {
        designs: &designs,
        overrides,
        seeds,
        until_ci: None,
        targets: &[],
        out,
        jobs,
        stop: &AtomicBool::new(false),
        on_done: &|_, _| {},
    }
    .run()
}

/// Run `netlists` on seeds 1..=`seeds` with 1 worker and with `jobs`
/// workers (fresh folders, nothing reused), check that both give the same
/// KPI rows, and time set-up by deploying and by forking (`netlists[0]`).
pub fn study_speed(
    netlists: &[PathBuf],
    overrides: &[String],
    seeds: u64,
    jobs: usize,
) -> anyhow::Result<StudyReport> {
    anyhow::ensure!(!netlists.is_empty(), "no netlists to study");
    let mut walls = Vec::new();
    let mut results: Vec<MonteCarloReport> = Vec::new();
    for workers in [1, jobs.max(2)] {
        let scratch = tempfile::tempdir()?;
        let clock = Instant::now();
        let report = study(netlists, overrides, seeds, workers, scratch.path())?;
        walls.push((workers, clock.elapsed().as_secs_f64()));
        results.push(report);
    }
    let rows = |r: &MonteCarloReport| -> Vec<Vec<(u64, u64, Vec<f64>)>> {
        r.outcomes.iter().flatten().map(|o| o.rows.clone()).collect()
    };
    anyhow::ensure!(
        rows(&results[0]).iter().zip(rows(&results[1])).all(|(a, b)| {
            a.len() == b.len()
                && a.iter()
                    .zip(&b)
                    .all(|(x, y)| x.0 == y.0 && x.2.iter().zip(&y.2).all(|(p, q)| p.to_bits() == q.to_bits()))
        }),
        "1 and {} workers gave different KPI rows",
        jobs.max(2)
    );
    let loaded = load(&netlists[0], overrides)?;
    let repeats = 20;
    let clock = Instant::now();
    let mut template = None;
    for _ in 0..repeats {
        template = Some(loaded.set_up(SimChain::embedded(), false)?);
    }
    let deploy_ms = clock.elapsed().as_secs_f64() * 1e3 / repeats as f64;
    let template = template.expect("set up above");
    let clock = Instant::now();
    for seed in 0..repeats {
        std::hint::black_box(template.fork(seed)?);
    }
    let fork_ms = clock.elapsed().as_secs_f64() * 1e3 / repeats as f64;
    Ok(StudyReport { designs: netlists.len(), seeds, walls, deploy_ms, fork_ms })
}
