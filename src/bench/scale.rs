//! How a run's cost grows with simulated time and with population: one
//! netlist run for 1, 5 and 10 years at its own population, and for one year
//! at 3× and 10× its population, each timed with its peak resident memory
//! and set against the 1-year, 1× run of the same bench; then 1 and 10 years
//! again writing only the long KPI table (`--kpis-format long`), whose size
//! follows the cells that have a value rather than every planned column.
//!
//! Each run is a `tsp run` process of its own, so its peak memory (run.json's
//! `peak_rss_mib`, Linux) and time (`wall_time_s`: the tick loop and its
//! files) are its own. A population is scaled by multiplying every
//! `[[agent]]` table's `count` (1 when absent).

use crate::kpis::{KpiFormat, COLUMNS_FILE, LONG_TABLE, WIDE_TABLE};
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
    /// The KPI tables written (`--kpis-format`).
    pub format: KpiFormat,
    /// Ticks run.
    pub ticks: u64,
    /// Agents at the start.
    pub agents: usize,
    /// Wall time of the run, in seconds.
    pub wall_s: f64,
    /// Peak resident memory during the run, in MiB (NaN off Linux).
    pub peak_rss_mib: f64,
    /// KPI columns of the table (`kpis.csv`'s header, the long table's `_columns.txt`).
    pub columns: usize,
    /// Size of the KPI table in bytes (`kpis.csv`, or every file of `kpis.parquet/`).
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
    let (wide, long) = (KpiFormat::Wide, KpiFormat::Long);
    let plan = [
        ("1y", 1, wide),
        ("5y", 1, wide),
        ("10y", 1, wide),
        ("1y", 3, wide),
        ("1y", 10, wide),
        ("1y", 1, long),
        ("10y", 1, long),
    ];
    let mut points = Vec::with_capacity(plan.len());
    for (duration, population, format) in plan {
        let mut set = overrides.to_vec();
        set.push(format!("sim.duration=\"{duration}\""));
        if population > 1 {
            set.extend(
                counts.iter().map(|(agent, count)| format!("agent.{agent}.count={}", count * population)),
            );
        }
        let format_name = if format == long { "long" } else { "wide" };
        let out = scratch.join(format!("{duration}-x{population}-{format_name}"));
        let mut command = Command::new(tsp);
        command.arg("run").arg(netlist).arg("--out").arg(&out).args(["--quiet", "--no-charts"]);
        command.args(["--kpis-format", format_name]);
        for value in &set {
            command.arg("--set").arg(value);
        }
        let finished = command.output().with_context(|| format!("starting {}", tsp.display()))?;
        anyhow::ensure!(
            finished.status.success(),
            "tsp run {} ({duration}, {population}x population, {format_name} KPIs) failed:\n{}",
            netlist.display(),
            String::from_utf8_lossy(&finished.stderr)
        );
        let run: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("run.json"))?)?;
        let number = |key: &str| run.get(key).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
        let (columns, kpis_bytes) = table_size(&out, format)?;
        points.push(ScalePoint {
            duration: duration.to_owned(),
            population,
            format,
            ticks: number("ticks") as u64,
            agents: run.get("agents").and_then(|a| a.as_object()).map_or(0, |by_type| {
                by_type.values().filter_map(serde_json::Value::as_u64).sum::<u64>() as usize
            }),
            wall_s: number("wall_time_s"),
            peak_rss_mib: number("peak_rss_mib"),
            columns,
            kpis_bytes,
        });
        std::fs::remove_dir_all(&out).ok();
    }
    Ok(ScaleReport { name, points })
}

/// The KPI columns and bytes of the table `format` wrote in `out`.
fn table_size(out: &Path, format: KpiFormat) -> anyhow::Result<(usize, u64)> {
    if format == KpiFormat::Long {
        let dir = out.join(LONG_TABLE);
        let columns = std::fs::read_to_string(dir.join(COLUMNS_FILE))?.lines().count();
        let mut bytes = 0;
        for entry in std::fs::read_dir(&dir)? {
            bytes += entry?.metadata()?.len();
        }
        return Ok((columns, bytes));
    }
    let csv = out.join(WIDE_TABLE);
    let header = BufReader::new(std::fs::File::open(&csv)?).lines().next().transpose()?;
    let columns = header.map_or(0, |line| line.split(',').count().saturating_sub(2));
    Ok((columns, std::fs::metadata(&csv).map_or(0, |m| m.len())))
}

impl ScaleReport {
    fn find(&self, duration: &str, population: u64, format: KpiFormat) -> Option<&ScalePoint> {
        self.points
            .iter()
            .find(|p| p.duration == duration && p.population == population && p.format == format)
    }

    /// `(what, measured ratio, target)` of each target the issue sets.
    pub fn targets(&self) -> Vec<(&'static str, f64, f64)> {
        let wide = KpiFormat::Wide;
        let (Some(one), Some(ten_years), Some(ten_x)) =
            (self.find("1y", 1, wide), self.find("10y", 1, wide), self.find("1y", 10, wide))
        else {
            return Vec::new();
        };
        let mut targets = vec![
            ("10 years / 1 year, time", ten_years.wall_s / one.wall_s, TIME_TARGET),
            ("10 years / 1 year, peak memory", ten_years.peak_rss_mib / one.peak_rss_mib, MEMORY_TARGET),
            ("10x population / 1x, time", ten_x.wall_s / one.wall_s, TIME_TARGET),
        ];
        let long = KpiFormat::Long;
        if let (Some(one_long), Some(ten_long)) = (self.find("1y", 1, long), self.find("10y", 1, long)) {
            targets.extend([
                ("10 years, long sink / 1 year, time", ten_long.wall_s / one.wall_s, TIME_TARGET),
                (
                    "10 years, long sink / 1 year, long sink, time",
                    ten_long.wall_s / one_long.wall_s,
                    TIME_TARGET,
                ),
                (
                    "10 years, long sink / 1 year, peak memory",
                    ten_long.peak_rss_mib / one.peak_rss_mib,
                    MEMORY_TARGET,
                ),
            ]);
        }
        targets
    }
}

impl fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "scale: {} (reference: the 1-year, 1x run)", self.name)?;
        writeln!(
            f,
            "  {:>5} {:>4} {:>5} {:>8} {:>7} {:>9} {:>7} {:>9} {:>7} {:>8} {:>9}",
            "time",
            "pop",
            "kpis",
            "ticks",
            "agents",
            "wall s",
            "x ref",
            "peak MiB",
            "x ref",
            "columns",
            "kpis MB"
        )?;
        let reference = self.points.first();
        for p in &self.points {
            let (time_ratio, memory_ratio) = reference
                .map_or((f64::NAN, f64::NAN), |r| (p.wall_s / r.wall_s, p.peak_rss_mib / r.peak_rss_mib));
            writeln!(
                f,
                "  {:>5} {:>3}x {:>5} {:>8} {:>7} {:>9.2} {:>7.2} {:>9.1} {:>7.2} {:>8} {:>9.1}",
                p.duration,
                p.population,
                if p.format == KpiFormat::Long { "long" } else { "wide" },
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
