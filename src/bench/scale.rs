//! How a run's cost grows with simulated time and with population: one
//! netlist run for 1, 5 and 10 years at its own population, and for one year
//! at 3× and 10× its population, each timed with its peak resident memory
//! and set against the 1-year, 1× run of the same bench.
//!
//! Each run is a `tsp run` process of its own, so its peak memory (run.json's
//! `peak_rss_mib`, Linux) and time (`wall_time_s`: the tick loop and its
//! files) are its own. A population is scaled by multiplying every
//! `[[agent]]` table's `count` (1 when absent).

use crate::netlist::load;
use anyhow::Context;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;

/// Targets the issue sets: 10 years within 10.5× one year's time and 2× its
/// peak memory; 10× the population within 10.5× the time.
const TIME_TARGET: f64 = 10.5;
const MEMORY_TARGET: f64 = 2.0;

/// One measured run.
#[derive(Debug, Clone)]
pub struct ScalePoint {
    /// Simulated duration (`sim.duration`).
    pub duration: String,
    /// Population multiplier.
    pub population: u64,
    /// Ticks run.
    pub ticks: u64,
    /// Agents at the start.
    pub agents: usize,
    /// Wall time of the run, in seconds.
    pub wall_s: f64,
    /// Peak resident memory during the run, in MiB (NaN off Linux).
    pub peak_rss_mib: f64,
    /// KPI columns of `kpis.csv`.
    pub columns: usize,
    /// Size of `kpis.csv` in bytes.
    pub kpis_bytes: u64,
}

/// Every run of [`scale`], the first being the reference (1 year, 1×).
#[derive(Debug, Clone)]
pub struct ScaleReport {
    /// The netlist's name.
    pub name: String,
    /// The runs, in the order made.
    pub points: Vec<ScalePoint>,
}

/// Run `netlist` (with `overrides`) at 1/5/10 years and 1/3/10× population,
/// each as `tsp run --no-charts` in a process of its own (the binary `tsp`)
/// writing into `scratch`; see the module doc.
pub fn scale(
    tsp: &Path,
    netlist: &Path,
    overrides: &[String],
    scratch: &Path,
) -> anyhow::Result<ScaleReport> {
    let base = load(netlist, overrides)?;
    let name = base.netlist.sim.name.clone();
    let counts: Vec<(String, u64)> = base
        .netlist
        .agent_tables
        .iter()
        .filter_map(|t| {
            let name = t.table.get("name")?.as_str()?.to_owned();
            let count = t.table.get("count").and_then(toml::Value::as_integer).unwrap_or(1);
            Some((name, u64::try_from(count).unwrap_or(1)))
        })
        .collect();
    let plan = [("1y", 1), ("5y", 1), ("10y", 1), ("1y", 3), ("1y", 10)];
    let mut points = Vec::with_capacity(plan.len());
    for (duration, population) in plan {
        let mut set = overrides.to_vec();
        set.push(format!("sim.duration=\"{duration}\""));
        if population > 1 {
            set.extend(
                counts.iter().map(|(agent, count)| format!("agent.{agent}.count={}", count * population)),
            );
        }
        let out = scratch.join(format!("{duration}-x{population}"));
        let mut command = Command::new(tsp);
        command.arg("run").arg(netlist).arg("--out").arg(&out).args(["--quiet", "--no-charts"]);
        for value in &set {
            command.arg("--set").arg(value);
        }
        let finished = command.output().with_context(|| format!("starting {}", tsp.display()))?;
        anyhow::ensure!(
            finished.status.success(),
            "tsp run {} ({duration}, {population}x population) failed:\n{}",
            netlist.display(),
            String::from_utf8_lossy(&finished.stderr)
        );
        let run: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("run.json"))?)?;
        let number = |key: &str| run.get(key).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
        let csv = out.join("kpis.csv");
        let header = BufReader::new(std::fs::File::open(&csv)?).lines().next().transpose()?;
        points.push(ScalePoint {
            duration: duration.to_owned(),
            population,
            ticks: number("ticks") as u64,
            agents: run.get("agents").and_then(|a| a.as_object()).map_or(0, |by_type| {
                by_type.values().filter_map(serde_json::Value::as_u64).sum::<u64>() as usize
            }),
            wall_s: number("wall_time_s"),
            peak_rss_mib: number("peak_rss_mib"),
            columns: header.map_or(0, |line| line.split(',').count().saturating_sub(2)),
            kpis_bytes: std::fs::metadata(&csv).map_or(0, |m| m.len()),
        });
        std::fs::remove_dir_all(&out).ok();
    }
    Ok(ScaleReport { name, points })
}

impl ScaleReport {
    fn find(&self, duration: &str, population: u64) -> Option<&ScalePoint> {
        self.points.iter().find(|p| p.duration == duration && p.population == population)
    }

    /// `(what, measured ratio, target)` of each target the issue sets.
    pub fn targets(&self) -> Vec<(&'static str, f64, f64)> {
        let (Some(one), Some(ten_years), Some(ten_x)) =
            (self.find("1y", 1), self.find("10y", 1), self.find("1y", 10))
        else {
            return Vec::new();
        };
        vec![
            ("10 years / 1 year, time", ten_years.wall_s / one.wall_s, TIME_TARGET),
            ("10 years / 1 year, peak memory", ten_years.peak_rss_mib / one.peak_rss_mib, MEMORY_TARGET),
            ("10x population / 1x, time", ten_x.wall_s / one.wall_s, TIME_TARGET),
        ]
    }
}

impl fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "scale: {} (reference: the 1-year, 1x run)", self.name)?;
        writeln!(
            f,
            "  {:>5} {:>4} {:>8} {:>7} {:>9} {:>7} {:>9} {:>7} {:>8} {:>9}",
            "time", "pop", "ticks", "agents", "wall s", "x ref", "peak MiB", "x ref", "columns", "kpis MB"
        )?;
        let reference = self.points.first();
        for p in &self.points {
            let (time_ratio, memory_ratio) = reference
                .map_or((f64::NAN, f64::NAN), |r| (p.wall_s / r.wall_s, p.peak_rss_mib / r.peak_rss_mib));
            writeln!(
                f,
                "  {:>5} {:>3}x {:>8} {:>7} {:>9.2} {:>7.2} {:>9.1} {:>7.2} {:>8} {:>9.1}",
                p.duration,
                p.population,
                p.ticks,
                p.agents,
                p.wall_s,
                time_ratio,
                p.peak_rss_mib,
                memory_ratio,
                p.columns,
                p.kpis_bytes as f64 / 1e6
            )?;
        }
        for (what, ratio, target) in self.targets() {
            let verdict = if ratio <= target { "meets" } else { "MISSES" };
            writeln!(f, "  {what}: {ratio:.2}x ({verdict} the target of at most {target}x)")?;
        }
        Ok(())
    }
}
