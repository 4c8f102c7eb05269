//! `tsp optimize`: search controllable parameters, each within bounds, for
//! the design that minimises or maximises an objective over final KPI
//! values, subject to constraints, on common seeds.
//!
//! The optimiser is Nelder–Mead from the `argmin` crate: derivative-free,
//! a handful of runs per iteration, and deterministic (it draws nothing, so
//! there is no optimiser seed: the same command gives the same path). It
//! moves in the unit box of the ranges — coordinate `i` at `x` is the value
//! at [`fold`](super::evaluate::fold)`(x)` of range `i` (reflected at the walls, log scales and
//! whole numbers as each range says) — starting from the netlist's own
//! values, or a `--set` of the same path (the middle of a range the netlist
//! has no number for) with a
//! simplex of `step` (a fraction of each range) around it.
//!
//! Each candidate is a point of an [`Evaluator`]: run on every seed in
//! parallel through the study runner, stored, reused on a rerun. The
//! objective is the mean over seeds; a candidate is feasible when every
//! seed's run satisfies every constraint. The optimiser ranks candidates
//! by a cost that puts every feasible one (its objective, negated to
//! maximise) before every infeasible one ([`PENALTY`] plus the summed
//! violation), so objectives are expected to stay below 10¹² in size.
//!
//! # State
//! `<out>/units/` holds every run; `optimize.csv` (one row per iteration:
//! the best candidate so far), `evaluations.csv` (every candidate),
//! `optimize.json` (start, best, settings) and `best.toml` (the netlist with
//! the best values set) are written at the end.
//!
//! # Errors
//! Bad ranges, paths and expressions are errors before any run
//! ([`Evaluator::new`]); an expression that fails on a run's values stops
//! the search with the expression named; an interrupted search is an error
//! (rerun to resume).

use super::evaluate::{unit_of, write_evaluations, Evaluation, Evaluator, Problem};
use super::netdoc::NetlistDoc;
use super::write_json;
use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{CostFunction, Executor, State, KV};
use argmin::solver::neldermead::NelderMead;
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// The cost of an infeasible candidate before its violation is added.
pub const PENALTY: f64 = 1e12;

/// Which way the objective goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// Smaller is better.
    Minimize,
    /// Larger is better.
    Maximize,
}

impl Sense {
    /// The objective as a cost (smaller is better).
    pub fn cost(self, objective: f64) -> f64 {
        match self {
            Self::Minimize => objective,
            Self::Maximize => -objective,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Minimize => "minimize",
            Self::Maximize => "maximize",
        }
    }
}

/// The cost the optimiser ranks a candidate by.
pub fn cost(sense: Sense, evaluation: &Evaluation) -> f64 {
    if evaluation.failed.is_some() || evaluation.mean.is_nan() {
        2.0 * PENALTY
    } else if evaluation.feasible() {
        sense.cost(evaluation.mean)
    } else {
        PENALTY + evaluation.violation().min(PENALTY)
    }
}

/// One line of the path: the best candidate after an iteration.
#[derive(Debug, Clone)]
pub struct Step {
    /// Iteration (0: the starting simplex).
    pub iteration: u64,
    /// Candidates evaluated so far.
    pub evaluations: usize,
    /// The best of them.
    pub best: Evaluation,
}

/// What the cost function and the observer share.
struct Tracker {
    sense: Sense,
    best: Option<Evaluation>,
    evaluations: usize,
    steps: Vec<Step>,
    fatal: Option<anyhow::Error>,
    on_step: Box<dyn FnMut(&Step)>,
}

impl Tracker {
    fn step(&mut self, iteration: u64) -> Result<(), argmin::core::Error> {
        if let Some(error) = self.fatal.take() {
            return Err(error);
        }
        if let Some(best) = &self.best {
            let step = Step { iteration, evaluations: self.evaluations, best: best.clone() };
            (self.on_step)(&step);
            self.steps.push(step);
        }
        Ok(())
    }
}

struct Search<'a> {
    evaluator: RefCell<&'a mut Evaluator>,
    tracker: Rc<RefCell<Tracker>>,
}

impl CostFunction for Search<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    // Never an error (argmin's Nelder–Mead unwraps the first costs): a
    // fatal error is kept and the observer stops the search.
    fn cost(&self, x: &Self::Param) -> Result<f64, argmin::core::Error> {
        let mut evaluator = self.evaluator.borrow_mut();
        let params = evaluator.params_at(x);
        let mut tracker = self.tracker.borrow_mut();
        if tracker.fatal.is_some() {
            return Ok(2.0 * PENALTY);
        }
        match evaluator.evaluate(&[params]) {
            Ok(mut evaluations) => {
                let evaluation = evaluations.remove(0);
                let sense = tracker.sense;
                let better = tracker.best.as_ref().is_none_or(|best| {
                    let (new, old) = (cost(sense, &evaluation), cost(sense, best));
                    new < old || (new == old && evaluation.point < best.point)
                });
                if better {
                    tracker.best = Some(evaluation.clone());
                }
                tracker.evaluations = evaluator.evaluations().len();
                Ok(cost(sense, &evaluation))
            }
            Err(error) => {
                tracker.fatal = Some(error);
                Ok(2.0 * PENALTY)
            }
        }
    }
}

struct Observer(Rc<RefCell<Tracker>>);

impl<I: State> Observe<I> for Observer {
    fn observe_init(&mut self, _name: &str, _state: &I, _kv: &KV) -> Result<(), argmin::core::Error> {
        self.0.borrow_mut().step(0)
    }

    fn observe_iter(&mut self, state: &I, _kv: &KV) -> Result<(), argmin::core::Error> {
        self.0.borrow_mut().step(state.get_iter() + 1)
    }
}

/// Run Nelder–Mead from `start` (a point of the unit box) with a simplex of
/// `step`, for at most `iterations`; the path, one [`Step`] per iteration.
/// The starting simplex is evaluated as one batch (in parallel).
pub fn nelder_mead(
    evaluator: &mut Evaluator,
    sense: Sense,
    start: &[f64],
    step: f64,
    iterations: u64,
    on_step: Box<dyn FnMut(&Step)>,
) -> anyhow::Result<Vec<Step>> {
    let mut simplex = vec![start.to_vec()];
    for i in 0..start.len() {
        let mut vertex = start.to_vec();
        vertex[i] = if vertex[i] + step <= 1.0 { vertex[i] + step } else { vertex[i] - step };
        simplex.push(vertex);
    }
    let batch: Vec<_> = simplex.iter().map(|x| evaluator.params_at(x)).collect();
    evaluator.evaluate(&batch)?;
    let tracker = Rc::new(RefCell::new(Tracker {
        sense,
        best: None,
        evaluations: 0,
        steps: Vec::new(),
        fatal: None,
        on_step,
    }));
    let search = Search { evaluator: RefCell::new(evaluator), tracker: Rc::clone(&tracker) };
    let solver = NelderMead::new(simplex).with_sd_tolerance(1e-9)?;
    let result = Executor::new(search, solver)
        .configure(|state| state.max_iters(iterations))
        .timer(false)
        .add_observer(Observer(Rc::clone(&tracker)), ObserverMode::Always)
        .run();
    let mut tracker = tracker.borrow_mut();
    if let Some(error) = tracker.fatal.take() {
        return Err(error);
    }
    result?;
    Ok(std::mem::take(&mut tracker.steps))
}

/// An optimisation: the problem (objective = its measure), the sense and
/// the optimiser's settings.
#[derive(Debug, Clone)]
pub struct Optimize {
    /// What to evaluate.
    pub problem: Problem,
    /// Minimise or maximise the objective.
    pub sense: Sense,
    /// Most Nelder–Mead iterations.
    pub iterations: u64,
    /// Size of the starting simplex, as a fraction of each range.
    pub step: f64,
}

/// What an optimisation found.
#[derive(Debug, Clone)]
pub struct OptimizeReport {
    /// The starting design (point 0).
    pub start: Evaluation,
    /// The best design found.
    pub best: Evaluation,
    /// The best candidate after each iteration.
    pub path: Vec<Step>,
    /// Candidates evaluated.
    pub evaluations: usize,
}

impl OptimizeReport {
    /// The best design is feasible and its objective better than the
    /// start's on every seed.
    pub fn improved_on_every_seed(&self, sense: Sense) -> bool {
        self.best.feasible()
            && self.best.values.iter().zip(&self.start.values).all(|(b, s)| sense.cost(*b) < sense.cost(*s))
    }
}

impl Optimize {
    /// Run the search; `on_step` sees each line of the path as it is found.
    pub fn run(
        &self,
        stop: Arc<AtomicBool>,
        on_step: Box<dyn FnMut(&Step)>,
    ) -> anyhow::Result<OptimizeReport> {
        let doc = NetlistDoc::load(&self.problem.netlist)?;
        let mut evaluator = Evaluator::new(self.problem.clone(), stop)?;
        std::fs::create_dir_all(&self.problem.out)?;
        let mut start = Vec::new();
        for f in &self.problem.factors {
            // The start is the netlist's value, or the last `--set` of the path.
            let set = self.problem.overrides.iter().rev().find_map(|o| {
                let (path, value) = o.split_once('=')?;
                (path.trim() == f.path).then(|| value.trim().parse::<f64>().ok()).flatten()
            });
            let value = set.or_else(|| doc.number(&f.path));
            if let Some(value) = value {
                evaluator.snap_to(&f.path, value);
            }
            start.push(value.map_or(0.5, |v| unit_of(f, v)));
        }
        let path = nelder_mead(&mut evaluator, self.sense, &start, self.step, self.iterations, on_step)?;
        let start = evaluator.evaluations()[0].clone();
        let best = path.last().map_or_else(|| start.clone(), |s| s.best.clone());
        let report = OptimizeReport { start, best, path, evaluations: evaluator.evaluations().len() };
        self.write(&report, doc, evaluator.evaluations())?;
        Ok(report)
    }

    fn write(&self, report: &OptimizeReport, mut doc: NetlistDoc, all: &[Evaluation]) -> anyhow::Result<()> {
        let (problem, out) = (&self.problem, &self.problem.out);
        let mut csv = String::from("iteration,evaluations,point,objective,violation,feasible");
        for f in &problem.factors {
            csv.push_str(&format!(",{}", f.path));
        }
        csv.push('\n');
        for step in &report.path {
            let b = &step.best;
            csv.push_str(&format!(
                "{},{},{},{},{},{}",
                step.iteration,
                step.evaluations,
                b.point,
                b.mean,
                b.violation(),
                b.feasible()
            ));
            for f in &problem.factors {
                csv.push_str(&format!(",{}", b.number(&f.path).map_or(String::new(), |v| v.to_string())));
            }
            csv.push('\n');
        }
        std::fs::write(out.join("optimize.csv"), csv)?;
        write_evaluations(&out.join("evaluations.csv"), &problem.factors, &problem.seeds, all)?;
        for assignment in &problem.overrides {
            doc.set_text(assignment)?;
        }
        for (path, value) in &report.best.params {
            doc.set(path, value)?;
        }
        let header = format!(
            "tsp optimize: the best design found for {} on seeds {:?}\nfrom {}",
            problem.measure.what(),
            problem.seeds,
            problem.netlist.display()
        );
        std::fs::write(out.join("best.toml"), doc.render(&header))?;
        let describe = |e: &Evaluation| {
            json!({
                "point": e.point,
                "params": e.params.iter().map(|(p, v)| (p.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
                "objective": e.mean,
                "objective_by_seed": e.values,
                "violation_by_seed": e.violations,
                "feasible": e.feasible(),
                "failed": e.failed,
            })
        };
        let summary = json!({
            "netlist": problem.netlist,
            "overrides": problem.overrides,
            "params": problem.factors,
            "sense": self.sense.name(),
            "objective": problem.measure.what(),
            "constraints": problem.constraints.iter().map(|c| c.text()).collect::<Vec<_>>(),
            "seeds": problem.seeds,
            "optimizer": "Nelder-Mead (argmin)",
            "iterations": report.path.last().map_or(0, |s| s.iteration),
            "max_iterations": self.iterations,
            "step": self.step,
            "evaluations": report.evaluations,
            "start": describe(&report.start),
            "best": describe(&report.best),
            "improved_on_every_seed": report.improved_on_every_seed(self.sense),
            "tokenspice_version": env!("CARGO_PKG_VERSION"),
        });
        write_json(&out.join("optimize.json"), &summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation(mean: f64, violations: &[f64], failed: bool) -> Evaluation {
        Evaluation {
            point: 0,
            params: Vec::new(),
            values: vec![mean; violations.len()],
            violations: violations.to_vec(),
            mean,
            failed: failed.then(|| "boom".to_string()),
        }
    }

    #[test]
    fn feasible_candidates_rank_before_infeasible_ones_and_failed_runs_last() {
        let feasible = evaluation(-5e6, &[0.0, 0.0], false);
        let nearly = evaluation(9e9, &[0.0, 0.5], false);
        let far = evaluation(9e9, &[3.0, 4.0], false);
        let failed = evaluation(9e9, &[0.0, 0.0], true);
        let order = |sense| [&feasible, &nearly, &far, &failed].map(|e| cost(sense, e));
        for sense in [Sense::Minimize, Sense::Maximize] {
            let costs = order(sense);
            assert!(costs.windows(2).all(|w| w[0] < w[1]), "{sense:?}: {costs:?}");
        }
        assert_eq!(cost(Sense::Maximize, &feasible), 5e6);
        assert_eq!(cost(Sense::Minimize, &nearly), PENALTY + 0.5);
    }
}
