//! Evaluating candidate points of a search (`tsp optimize`, `tsp corners`):
//! each point — values of the searched `--set` paths — runs on every common
//! seed through the study [`Runner`], so its runs are parallel, stored under
//! `<out>/units/` and free when the search is run again (resumable). Points
//! are numbered in the order they are first asked for; point `p` on seed
//! number `k` is unit `p × seeds + k`. A point asked for twice (the
//! optimiser revisits one, or whole-number rounding maps two candidates to
//! one) is run once.
//!
//! A point's measure (the objective, or the worst-case KPI) is the mean
//! over the seeds of the measure of each run's final KPI values; its
//! constraints must hold on **every** seed (the violation is the sum over
//! seeds of how far each run is on the wrong side).
//!
//! # Errors
//! Before any run, [`Evaluator::new`] loads the netlist with every range
//! at its low end and at its high end (a bad path or value is an error
//! naming it), and checks that every KPI column the expressions read
//! exists. A run that fails is an evaluation with its message (infeasible),
//! not a lost search; a stopped search is an error (`interrupted`).

use super::expr::{Constraint, Expr};
use super::plan::{expand, Design, Factor};
use super::runner::{Outcome, Runner};
use anyhow::{bail, Context};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// What a search evaluates and where it keeps its runs.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The netlist.
    pub netlist: PathBuf,
    /// `--set` overrides of every run.
    pub overrides: Vec<String>,
    /// The searched paths, each with a range (`lo`, `hi`, `log`, `integer`).
    pub factors: Vec<Factor>,
    /// The common seeds every point runs on.
    pub seeds: Vec<u64>,
    /// The measure averaged over seeds (objective or worst-case KPI).
    pub measure: Expr,
    /// Constraints every seed's run must satisfy.
    pub constraints: Vec<Constraint>,
    /// The search's folder (`units/` holds the runs).
    pub out: PathBuf,
    /// Worker threads.
    pub jobs: usize,
    /// Fork a set-up world per worker ([`super::runner::Template`]).
    pub fork: bool,
}

/// One point on every seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Its number (evaluation order).
    pub point: usize,
    /// `(path, value)` of every searched path (empty: the netlist as written).
    pub params: Vec<(String, toml::Value)>,
    /// The measure of each seed's run (NaN for a failed run).
    pub values: Vec<f64>,
    /// The constraints' total violation on each seed (∞ for a failed run).
    pub violations: Vec<f64>,
    /// The mean of `values`.
    pub mean: f64,
    /// The first failed run's message.
    pub failed: Option<String>,
}

impl Evaluation {
    /// Every seed's run finished and satisfied every constraint.
    pub fn feasible(&self) -> bool {
        self.failed.is_none() && self.violations.iter().all(|v| *v == 0.0)
    }

    /// The summed violation over seeds.
    pub fn violation(&self) -> f64 {
        self.violations.iter().sum()
    }

    /// The value of one searched path, as a number.
    pub fn number(&self, path: &str) -> Option<f64> {
        let (_, value) = self.params.iter().find(|(p, _)| p == path)?;
        value.as_float().or_else(|| value.as_integer().map(|i| i as f64))
    }
}

/// Reflect `x` into [0, 1] (a triangle wave), so an unbounded optimiser
/// moves in the box without flat regions at the walls.
pub fn fold(x: f64) -> f64 {
    let t = x.rem_euclid(2.0);
    if t > 1.0 {
        2.0 - t
    } else {
        t
    }
}

/// Where `value` lies in a factor's range, in [0, 1] (inverse of [`Factor::value_at`]).
pub fn unit_of(factor: &Factor, value: f64) -> f64 {
    let (lo, hi) = (factor.lo.unwrap_or(0.0), factor.hi.unwrap_or(1.0));
    let u = if factor.log { (value.ln() - lo.ln()) / (hi.ln() - lo.ln()) } else { (value - lo) / (hi - lo) };
    if u.is_nan() {
        0.5
    } else {
        u.clamp(0.0, 1.0)
    }
}

/// Runs candidate points and remembers every evaluation.
#[derive(Debug)]
pub struct Evaluator {
    problem: Problem,
    columns: Vec<String>,
    stop: Arc<AtomicBool>,
    done: Vec<Evaluation>,
    known: BTreeMap<String, usize>,
    /// Values that a value within a rounding error of stands for (the
    /// netlist's own, so that a search's start is exactly the netlist).
    exact: Vec<(String, f64)>,
}

fn assignment(path: &str, value: &toml::Value) -> String {
    format!("{path}={value}")
}

impl Evaluator {
    /// Check the problem (ranges, paths at both ends, KPI columns) without running it.
    pub fn new(problem: Problem, stop: Arc<AtomicBool>) -> anyhow::Result<Self> {
        if problem.factors.is_empty() {
            bail!("nothing to search: give at least one range");
        }
        // The study planner's checks: lo < hi, finite, log scales above 0.
        expand(&problem.factors, Design::Random, Some(1), &problem.seeds, 0)?;
        for (end, x) in [("low", 0.0), ("high", 1.0)] {
            let mut overrides = problem.overrides.clone();
            overrides.extend(problem.factors.iter().map(|f| assignment(&f.path, &f.value_at(x))));
            crate::netlist::load(&problem.netlist, &overrides)
                .with_context(|| format!("every range at its {end} end"))?;
        }
        let loaded = crate::netlist::load(&problem.netlist, &problem.overrides)?;
        let available = loaded.build()?.columns().to_vec();
        let mut columns: Vec<String> = Vec::new();
        let mut check = |what: &str, names: Vec<String>| -> anyhow::Result<()> {
            for name in names {
                if !available.contains(&name) {
                    let shown: Vec<&str> =
                        available.iter().filter(|c| !c.starts_with("agent.")).map(String::as_str).collect();
                    bail!("{what}: no KPI column {name:?} (columns include: {})", shown.join(", "));
                }
                if !columns.contains(&name) {
                    columns.push(name);
                }
            }
            Ok(())
        };
        check(problem.measure.what(), problem.measure.columns()?)?;
        for constraint in &problem.constraints {
            check(&format!("--constraint {:?}", constraint.text()), constraint.columns()?)?;
        }
        Ok(Self { problem, columns, stop, done: Vec::new(), known: BTreeMap::new(), exact: Vec::new() })
    }

    /// The problem.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Every evaluation so far, in point order.
    pub fn evaluations(&self) -> &[Evaluation] {
        &self.done
    }

    /// Let values within a rounding error (10⁻¹² relative) of `value` at
    /// `path` be `value` itself (a log scale's round trip changes the last digits).
    pub fn snap_to(&mut self, path: &str, value: f64) {
        self.exact.push((path.to_string(), value));
    }

    /// The searched paths' values at `x` (each coordinate folded into [0, 1]).
    pub fn params_at(&self, x: &[f64]) -> Vec<(String, toml::Value)> {
        let snapped = |path: &str, value: toml::Value| match value {
            toml::Value::Float(v) => toml::Value::Float(
                self.exact
                    .iter()
                    .find(|(p, e)| p == path && (v - e).abs() <= 1e-12 * e.abs())
                    .map_or(v, |(_, e)| *e),
            ),
            other => other,
        };
        self.problem
            .factors
            .iter()
            .zip(x)
            .map(|(f, &x)| (f.path.clone(), snapped(&f.path, f.value_at(fold(x)))))
            .collect()
    }

    /// Evaluate points (each a list of `(path, value)`), running the new ones together.
    pub fn evaluate(&mut self, points: &[Vec<(String, toml::Value)>]) -> anyhow::Result<Vec<Evaluation>> {
        let seeds = self.problem.seeds.clone();
        let mut units = Vec::new();
        let mut fresh = Vec::new();
        for params in points {
            let key: Vec<String> = params.iter().map(|(p, v)| assignment(p, v)).collect();
            let key = key.join("\n");
            if self.known.contains_key(&key) {
                continue;
            }
            let point = self.done.len() + fresh.len();
            self.known.insert(key, point);
            for (k, &seed) in seeds.iter().enumerate() {
                let index = point * seeds.len() + k;
                units.push(super::Unit { index, point, params: params.clone(), seed });
            }
            fresh.push(params.clone());
        }
        if !units.is_empty() {
            let runner = Runner {
                shard: None,
                netlist: &self.problem.netlist,
                overrides: &self.problem.overrides,
                columns: &self.columns,
                out: &self.problem.out,
                jobs: self.problem.jobs,
                fork: self.problem.fork,
                stop: &self.stop,
                on_done: &|_, _| {},
            };
            let outcomes = runner.run(&units)?;
            if outcomes.len() < units.len() {
                bail!("interrupted: rerun the same command to resume (finished runs are reused)");
            }
            for (params, runs) in fresh.into_iter().zip(outcomes.chunks(seeds.len())) {
                let evaluation = self.score(self.done.len(), params, runs)?;
                self.done.push(evaluation);
            }
        }
        Ok(points
            .iter()
            .map(|params| {
                let key: Vec<String> = params.iter().map(|(p, v)| assignment(p, v)).collect();
                self.done[self.known[&key.join("\n")]].clone()
            })
            .collect())
    }

    fn score(
        &self,
        point: usize,
        params: Vec<(String, toml::Value)>,
        runs: &[Outcome],
    ) -> anyhow::Result<Evaluation> {
        let (mut values, mut violations, mut failed) = (Vec::new(), Vec::new(), None);
        for run in runs {
            let last = run.rows.last().filter(|_| run.status.is_ok());
            let Some((_, _, row)) = last else {
                let message = run.status.clone().err().unwrap_or_else(|| "no KPI rows".to_string());
                failed.get_or_insert(format!("seed {}: {message}", run.unit.seed));
                values.push(f64::NAN);
                violations.push(f64::INFINITY);
                continue;
            };
            let kpis: BTreeMap<String, f64> = run.columns.iter().cloned().zip(row.iter().copied()).collect();
            values.push(self.problem.measure.eval(&kpis)?);
            let mut violation = 0.0;
            for constraint in &self.problem.constraints {
                violation += constraint.violation(&kpis)?;
            }
            violations.push(violation);
        }
        let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
        Ok(Evaluation { point, params, values, violations, mean, failed })
    }
}

/// Write evaluations as CSV: point, the searched paths, mean, violation,
/// feasible, then the measure on each seed.
pub fn write_evaluations(
    path: &std::path::Path,
    factors: &[Factor],
    seeds: &[u64],
    evaluations: &[Evaluation],
) -> anyhow::Result<()> {
    let mut out = String::from("point");
    for f in factors {
        out.push_str(&format!(",{}", f.path));
    }
    out.push_str(",mean,violation,feasible");
    for seed in seeds {
        out.push_str(&format!(",seed_{seed}"));
    }
    out.push('\n');
    for e in evaluations {
        out.push_str(&e.point.to_string());
        for f in factors {
            out.push_str(&format!(",{}", e.number(&f.path).map_or(String::new(), |v| v.to_string())));
        }
        out.push_str(&format!(",{},{},{}", e.mean, e.violation(), e.feasible()));
        for v in &e.values {
            out.push_str(&format!(",{v}"));
        }
        out.push('\n');
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_reflects_into_the_box_and_unit_of_inverts_value_at() {
        for (x, folded) in [(0.25, 0.25), (1.25, 0.75), (-0.25, 0.25), (2.5, 0.5), (1.0, 1.0)] {
            assert!((fold(x) - folded).abs() < 1e-12, "fold({x}) = {}", fold(x));
        }
        let mut factor = crate::study::parse_factor("a=0.001..10").unwrap();
        for log in [false, true] {
            factor.log = log;
            for u in [0.0, 0.3, 1.0] {
                let value = factor.value_at(u).as_float().unwrap();
                assert!((unit_of(&factor, value) - u).abs() < 1e-9, "log {log}, u {u}");
            }
        }
        assert_eq!(unit_of(&factor, 100.0), 1.0, "clamped to the range");
    }
}
