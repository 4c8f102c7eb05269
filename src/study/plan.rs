//! A study's plan: the factors (any `--set` path, with listed values or a
//! range), the design that picks points from them (grid, zip, random, Latin
//! hypercube, Sobol), the seeds crossed with every point (common random
//! numbers: point `p` on seed `s` and point `q` on seed `s` see the same
//! draws), and the ordered list of [`Unit`]s that results — expanded before
//! any work starts, so the output cannot depend on how many workers ran it.
//!
//! Written on the command line (`--factor path=a,b,c`, `--factor
//! path=lo..hi`) or in a netlist's `[study]` table:
//! ```toml
//! [study]
//! design = "lhs"          # grid (default), zip, random, lhs, sobol
//! points = 16             # for random, lhs and sobol
//! seeds = 10              # seeds 1..=10, or a list: [3, 7]
//! [[study.factor]]
//! path = "agent.staker.stake_fraction"
//! values = [0.05, 0.1, 0.2]      # or: lo = 0.01, hi = 0.3 (log = true for a log scale)
//! ```
//!
//! # Errors
//! A factor without values, a range with lo ≥ hi, a range on a grid or zip
//! design, zip factors of different lengths, zero points or seeds: errors
//! saying which factor and what to write.

use crate::agents::SimRng;
use anyhow::{bail, Context};
use serde::Deserialize;

/// How a factor's values are given.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    /// The `--set` path it sets.
    pub path: String,
    /// Listed values (numbers, durations as text, strings).
    #[serde(default)]
    pub values: Vec<toml::Value>,
    /// Range start (random, lhs, sobol designs).
    pub lo: Option<f64>,
    /// Range end.
    pub hi: Option<f64>,
    /// Sample the range on a log scale.
    #[serde(default)]
    pub log: bool,
    /// Round sampled values to integers.
    #[serde(default)]
    pub integer: bool,
}

impl Factor {
    /// The value of a ranged factor at `x` ∈ [0, 1] of its range (log scale
    /// and whole numbers as the factor says).
    pub fn value_at(&self, x: f64) -> toml::Value {
        let (lo, hi) = (self.lo.unwrap_or(0.0), self.hi.unwrap_or(1.0));
        let value =
            if self.log { x.mul_add(hi.ln() - lo.ln(), lo.ln()).exp() } else { x.mul_add(hi - lo, lo) };
        if self.integer {
            toml::Value::Integer(value.round() as i64)
        } else {
            toml::Value::Float(value)
        }
    }
}

/// How points are picked from the factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// Every combination of listed values.
    #[default]
    Grid,
    /// The i-th value of every factor together (lists of one length).
    Zip,
    /// Independent uniform draws in each range.
    Random,
    /// Latin hypercube: each range cut into `points` strata, each stratum used once.
    Lhs,
    /// A scrambled Sobol sequence (low discrepancy).
    Sobol,
}

/// `[study]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StudyTable {
    /// The design.
    #[serde(default)]
    pub design: Design,
    /// Points for random, lhs and sobol.
    pub points: Option<usize>,
    /// Seeds: a count (1..=n) or a list.
    pub seeds: Option<toml::Value>,
    /// The factors.
    #[serde(default)]
    pub factor: Vec<Factor>,
    /// Seed of the design's own draws (random, lhs, sobol).
    #[serde(default)]
    pub design_seed: u64,
}

/// One run of a study: a point of the design on one seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Position in the study (output order).
    pub index: usize,
    /// Which point of the design.
    pub point: usize,
    /// `(path, value)` of every factor at this point.
    pub params: Vec<(String, toml::Value)>,
    /// The run's seed (`sim.seed`).
    pub seed: u64,
}

impl Unit {
    /// The `--set` overrides of this unit (factors, then the seed).
    pub fn overrides(&self) -> Vec<String> {
        let mut out: Vec<String> =
            self.params.iter().map(|(path, value)| format!("{path}={value}")).collect();
        out.push(format!("sim.seed={}", self.seed));
        out
    }
}

/// The seeds a `seeds` value names (a count n: 1..=n; a list).
pub fn seeds_of(value: Option<&toml::Value>) -> anyhow::Result<Vec<u64>> {
    match value {
        None => Ok(vec![1]),
        Some(toml::Value::Integer(n)) if (1..=1_000_000).contains(n) => Ok((1..=*n as u64).collect()),
        Some(toml::Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| {
                v.as_integer()
                    .filter(|n| *n >= 0)
                    .map(|n| n as u64)
                    .context("seeds: a list of whole numbers ≥ 0")
            })
            .collect(),
        Some(other) => {
            bail!("seeds = {other}: give a count from 1 to 1,000,000 or a non-empty list of seeds")
        }
    }
}

/// Expand factors × design × seeds into units, point-major (all seeds of point 0 first).
pub fn expand(
    factors: &[Factor],
    design: Design,
    points: Option<usize>,
    seeds: &[u64],
    design_seed: u64,
) -> anyhow::Result<Vec<Unit>> {
    if seeds.is_empty() {
        bail!("a study needs at least one seed");
    }
    for factor in factors {
        check_factor(factor, design)?;
    }
    let rows: Vec<Vec<toml::Value>> = match design {
        Design::Grid => grid(factors),
        Design::Zip => zip(factors)?,
        Design::Random | Design::Lhs | Design::Sobol => {
            let n = points
                .filter(|&n| n > 0)
                .context("random, lhs and sobol designs need `points` (how many)")?;
            sampled(factors, design, n, design_seed)?
        }
    };
    let mut units = Vec::with_capacity(rows.len() * seeds.len());
    for (point, row) in rows.into_iter().enumerate() {
        let params: Vec<(String, toml::Value)> = factors.iter().map(|f| f.path.clone()).zip(row).collect();
        for &seed in seeds {
            units.push(Unit { index: units.len(), point, params: params.clone(), seed });
        }
    }
    Ok(units)
}

fn check_factor(factor: &Factor, design: Design) -> anyhow::Result<()> {
    let at = format!("factor {:?}", factor.path);
    let ranged = factor.lo.is_some() || factor.hi.is_some();
    match (ranged, factor.values.is_empty(), design) {
        (true, false, _) => bail!("{at}: give values or lo/hi, not both"),
        (false, true, _) => bail!("{at}: no values (values = [...], or lo and hi for a sampled design)"),
        (true, _, Design::Grid | Design::Zip) => {
            bail!("{at}: a range (lo/hi) needs a sampled design: random, lhs or sobol (or list values for a grid)")
        }
        (false, false, Design::Random | Design::Lhs | Design::Sobol) => {
            bail!("{at}: a sampled design draws from a range: give lo and hi")
        }
        _ => {}
    }
    if ranged {
        let (Some(lo), Some(hi)) = (factor.lo, factor.hi) else { bail!("{at}: give both lo and hi") };
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            bail!("{at}: lo = {lo}, hi = {hi}: need finite lo < hi");
        }
        if factor.log && lo <= 0.0 {
            bail!("{at}: a log scale needs lo > 0");
        }
    }
    Ok(())
}

fn grid(factors: &[Factor]) -> Vec<Vec<toml::Value>> {
    let mut rows: Vec<Vec<toml::Value>> = vec![Vec::new()];
    for factor in factors {
        rows = rows
            .into_iter()
            .flat_map(|row| {
                factor.values.iter().map(move |v| {
                    let mut next = row.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    rows
}

fn zip(factors: &[Factor]) -> anyhow::Result<Vec<Vec<toml::Value>>> {
    let Some(first) = factors.first() else { return Ok(vec![Vec::new()]) };
    let len = first.values.len();
    if let Some(other) = factors.iter().find(|f| f.values.len() != len) {
        bail!(
            "a zip design pairs values by position: {:?} has {len}, {:?} has {}",
            first.path,
            other.path,
            other.values.len()
        );
    }
    Ok((0..len).map(|i| factors.iter().map(|f| f.values[i].clone()).collect()).collect())
}

/// `n` points in the unit cube, by design.
fn unit_points(dims: usize, design: Design, n: usize, seed: u64) -> anyhow::Result<Vec<Vec<f64>>> {
    let mut rng = SimRng::derive(seed, "study:design");
    Ok(match design {
        Design::Random => (0..n).map(|_| (0..dims).map(|_| rng.uniform()).collect()).collect(),
        Design::Lhs => {
            let mut columns: Vec<Vec<f64>> = Vec::with_capacity(dims);
            for _ in 0..dims {
                let mut strata: Vec<usize> = (0..n).collect();
                rng.shuffle(&mut strata);
                columns.push(strata.into_iter().map(|s| (s as f64 + rng.uniform()) / n as f64).collect());
            }
            (0..n).map(|i| columns.iter().map(|c| c[i]).collect()).collect()
        }
        _ => {
            if n > 1 << 16 || dims > sobol_burley::NUM_DIMENSIONS as usize {
                bail!(
                    "a Sobol design holds at most 65,536 points and {} factors",
                    sobol_burley::NUM_DIMENSIONS
                );
            }
            let scramble = (seed as u32) ^ ((seed >> 32) as u32);
            (0..n)
                .map(|i| {
                    (0..dims).map(|d| f64::from(sobol_burley::sample(i as u32, d as u32, scramble))).collect()
                })
                .collect()
        }
    })
}

fn sampled(factors: &[Factor], design: Design, n: usize, seed: u64) -> anyhow::Result<Vec<Vec<toml::Value>>> {
    let points = unit_points(factors.len(), design, n, seed)?;
    Ok(points.into_iter().map(|u| factors.iter().zip(u).map(|(f, x)| f.value_at(x)).collect()).collect())
}

/// Parse a command-line factor: `path=a,b,c` (values) or `path=lo..hi` (a range).
pub fn parse_factor(text: &str) -> anyhow::Result<Factor> {
    let Some((path, values)) = text.split_once('=') else {
        bail!("--factor {text:?}: write path=a,b,c or path=lo..hi");
    };
    let path = path.trim().to_string();
    if let Some((lo, hi)) = values.split_once("..") {
        let number = |s: &str| {
            s.trim().parse::<f64>().with_context(|| format!("--factor {text:?}: {s:?} is not a number"))
        };
        return Ok(Factor {
            path,
            values: Vec::new(),
            lo: Some(number(lo)?),
            hi: Some(number(hi)?),
            log: false,
            integer: false,
        });
    }
    let parsed = values
        .split(',')
        .map(|raw| match format!("v = {}", raw.trim()).parse::<toml::Table>() {
            Ok(mut t) if t.len() == 1 => t.remove("v").unwrap_or(toml::Value::String(raw.trim().to_string())),
            _ => toml::Value::String(raw.trim().to_string()),
        })
        .collect();
    Ok(Factor { path, values: parsed, lo: None, hi: None, log: false, integer: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(path: &str, values: &[i64]) -> Factor {
        Factor {
            path: path.into(),
            values: values.iter().map(|&v| toml::Value::Integer(v)).collect(),
            lo: None,
            hi: None,
            log: false,
            integer: false,
        }
    }

    fn ranged(path: &str, lo: f64, hi: f64) -> Factor {
        Factor {
            path: path.into(),
            values: Vec::new(),
            lo: Some(lo),
            hi: Some(hi),
            log: false,
            integer: false,
        }
    }

    #[test]
    fn grid_and_zip_cross_and_pair_points_then_seeds() {
        let units =
            expand(&[listed("a", &[1, 2]), listed("b", &[3, 4, 5])], Design::Grid, None, &[1, 2], 0).unwrap();
        assert_eq!(units.len(), 12);
        assert_eq!(units[0].overrides(), ["a=1", "b=3", "sim.seed=1"]);
        assert_eq!(units[1].overrides(), ["a=1", "b=3", "sim.seed=2"]);
        assert_eq!(units[11].overrides(), ["a=2", "b=5", "sim.seed=2"]);
        assert!(units.iter().enumerate().all(|(i, u)| u.index == i && u.point == i / 2));
        let zipped =
            expand(&[listed("a", &[1, 2]), listed("b", &[3, 4])], Design::Zip, None, &[7], 0).unwrap();
        assert_eq!(zipped[1].overrides(), ["a=2", "b=4", "sim.seed=7"]);
        assert!(expand(&[listed("a", &[1, 2]), listed("b", &[3])], Design::Zip, None, &[1], 0).is_err());
    }

    #[test]
    fn latin_hypercube_uses_every_stratum_once() {
        let n = 10;
        let units =
            expand(&[ranged("a", 0.0, 10.0), ranged("b", 5.0, 6.0)], Design::Lhs, Some(n), &[1], 3).unwrap();
        for dim in 0..2 {
            let (lo, width) = if dim == 0 { (0.0, 1.0) } else { (5.0, 0.1) };
            let mut strata: Vec<usize> =
                units.iter().map(|u| ((u.params[dim].1.as_float().unwrap() - lo) / width) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "dimension {dim}");
        }
        let again =
            expand(&[ranged("a", 0.0, 10.0), ranged("b", 5.0, 6.0)], Design::Lhs, Some(n), &[1], 3).unwrap();
        assert_eq!(units, again, "the same design seed gives the same points");
    }

    #[test]
    fn sobol_and_random_stay_in_range_and_log_scales_spread_decades() {
        for design in [Design::Sobol, Design::Random] {
            let mut f = ranged("a", 0.001, 1000.0);
            f.log = true;
            let units = expand(&[f], design, Some(256), &[1], 9).unwrap();
            let values: Vec<f64> = units.iter().map(|u| u.params[0].1.as_float().unwrap()).collect();
            assert!(values.iter().all(|v| (0.001..1000.0).contains(v)));
            let below_one = values.iter().filter(|v| **v < 1.0).count();
            assert!((96..160).contains(&below_one), "{design:?}: half the log range is below 1: {below_one}");
        }
    }

    #[test]
    fn bad_plans_say_what_to_write() {
        let error = |factors: &[Factor], design, points| {
            expand(factors, design, points, &[1], 0).unwrap_err().to_string()
        };
        assert!(error(&[ranged("a", 1.0, 2.0)], Design::Grid, None).contains("needs a sampled design"));
        assert!(error(&[listed("a", &[1])], Design::Lhs, Some(3)).contains("give lo and hi"));
        assert!(error(&[ranged("a", 2.0, 1.0)], Design::Lhs, Some(3)).contains("lo < hi"));
        assert!(error(&[ranged("a", 1.0, 2.0)], Design::Sobol, None).contains("need `points`"));
        assert!(expand(&[], Design::Grid, None, &[], 0).is_err());
        assert_eq!(parse_factor("agent.x.every=\"1d\",\"2d\"").unwrap().values.len(), 2);
        assert_eq!(parse_factor("a=0.1..0.5").unwrap().hi, Some(0.5));
        assert!(parse_factor("a").is_err());
        assert_eq!(seeds_of(Some(&toml::Value::Integer(3))).unwrap(), [1, 2, 3]);
    }
}
