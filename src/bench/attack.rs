//! The attack scenario: a default-budget `tsp attack` search on each netlist
//! at a pool's opening, timed, with candidates per second; its sanity check
//! is that every candidate of the budget was evaluated.

use crate::attack::{attack, AttackSettings, AttackSpec, SearchSettings};
use crate::netlist::load;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Candidates per second of an attack search on each netlist.
#[derive(Debug, Clone)]
pub struct AttackBenchReport {
    /// `(netlist, candidates evaluated, seconds of the whole attack, best profit, numeraire)`.
    pub rows: Vec<(PathBuf, u64, f64, f64, String)>,
}

impl std::fmt::Display for AttackBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "attack search (default spec, at 1h, horizon 4, one thread)")?;
        for (netlist, candidates, seconds, profit, unit) in &self.rows {
            writeln!(
                f,
                "  {:<28} {candidates:>6} candidates in {seconds:>7.2} s = {:>8.0} candidates/s   best profit {profit:.4} {unit}",
                netlist.display(),
                *candidates as f64 / seconds.max(1e-9),
            )?;
        }
        Ok(())
    }
}

/// Run an attack of `budget` candidates on each netlist (with `set` overrides).
pub fn attack_speed(netlists: &[PathBuf], set: &[String], budget: u64) -> anyhow::Result<AttackBenchReport> {
    let mut rows = Vec::new();
    for netlist in netlists {
        let loaded = load(netlist, set)?;
        let spec = AttackSpec::for_netlist(&loaded, None)?;
        let scratch = tempfile::tempdir()?;
        let settings = AttackSettings {
            at: "1h".into(),
            search: SearchSettings { horizon: 4, budget, population: 100, seed: 1 },
            keep: 0.9,
        };
        let started = Instant::now();
        let report = attack(Path::new(netlist), set, &spec, &settings, scratch.path())?;
        let seconds = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            report.evaluated == budget,
            "{}: {} of {budget} candidates",
            netlist.display(),
            report.evaluated
        );
        rows.push((netlist.clone(), report.evaluated, seconds, report.profit, report.numeraire));
    }
    Ok(AttackBenchReport { rows })
}
