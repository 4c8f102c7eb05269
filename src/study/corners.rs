//! `tsp corners`: a worst-case search over parameters the designer does not
//! control — agent populations (`agent.<name>.count`) and behaviour
//! (`agent.<name>.trade_probability`, ...) — for the worst value of a KPI
//! measure, and a handful of representative worst corners written as
//! netlists that designs can then be run against.
//!
//! The search has two stages, both through an [`Evaluator`] (every point on
//! every common seed, in parallel, resumable; the measure is the mean over
//! seeds):
//! 1. **Sample**: a space-filling design of the ranges ([`super::expand`]:
//!    Latin hypercube by default, or Sobol or random), `points` points.
//! 2. **Refine**: Nelder–Mead ([`nelder_mead`], as `tsp optimize` uses)
//!    from the worst sampled point, pushing the measure further the bad way.
//!
//! **Which corners.** Each range is cut at its middle, so the box splits
//! into 2^d regions, each one combination of "low" or "high" per range —
//! the extremes a scenario can take ("many stakers, few consumers"). Corner
//! 1 is the worst point found anywhere; the next corners are the worst
//! points of the other regions, in order of how bad they are, until
//! `corners` are chosen (fewer when fewer regions were reached). Worst per
//! region rather than the K worst points overall: the K worst points tend
//! to crowd around one optimum and would test a design against one
//! scenario K times, while one per region gives K different ways the
//! system can go wrong, each still the worst that region showed.
//!
//! # State
//! `<out>/units/` holds every run; `corners.csv` (the netlist as written as
//! corner 0, then each corner: region, values, mean and per-seed measure),
//! `evaluations.csv` (every point), `corners.json` and `corner-N.toml`
//! (the netlist with the corner's values set) are written at the end.
//!
//! # Errors
//! As [`Evaluator::new`]: bad ranges, paths and expressions before any run.

use super::evaluate::{unit_of, write_evaluations, Evaluation, Evaluator, Problem};
use super::netdoc::NetlistDoc;
use super::optimize::{cost, nelder_mead, Sense, Step};
use super::plan::{expand, Design};
use super::write_json;
use serde_json::json;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A worst-case search.
#[derive(Debug, Clone)]
pub struct Corners {
    /// What to evaluate (the measure is what gets worse).
    pub problem: Problem,
    /// Which way is worse: [`Sense::Maximize`] when a larger measure is worse.
    pub worse: Sense,
    /// The sampling design (random, lhs or sobol).
    pub design: Design,
    /// Points sampled.
    pub points: usize,
    /// Seed of the design's draws.
    pub design_seed: u64,
    /// Most Nelder–Mead iterations of the refinement (0: none).
    pub refine: u64,
    /// Size of the refinement's starting simplex, a fraction of each range.
    pub step: f64,
    /// How many corners to extract.
    pub corners: usize,
}

/// One extracted corner.
#[derive(Debug, Clone)]
pub struct Corner {
    /// 1-based rank (1: the worst found).
    pub rank: usize,
    /// `lo`/`hi` per range, joined by `/`.
    pub region: String,
    /// The point.
    pub evaluation: Evaluation,
}

/// What a corner search found.
#[derive(Debug, Clone)]
pub struct CornersReport {
    /// The netlist as written, on the same seeds.
    pub default: Evaluation,
    /// The corners, worst first.
    pub corners: Vec<Corner>,
    /// Points evaluated (the default included).
    pub evaluations: usize,
    /// The refinement's path.
    pub refinement: Vec<Step>,
}

impl Corners {
    /// How bad an evaluation is: larger is worse; failed runs are never worst.
    fn badness(&self, e: &Evaluation) -> f64 {
        -cost(self.worse, e)
    }

    /// The region of a point: `lo` or `hi` per range.
    fn region(&self, e: &Evaluation) -> String {
        let sides: Vec<&str> = self
            .problem
            .factors
            .iter()
            .map(|f| match e.number(&f.path) {
                Some(v) if unit_of(f, v) >= 0.5 => "hi",
                _ => "lo",
            })
            .collect();
        sides.join("/")
    }

    /// Run the search; `on_step` sees each refinement iteration.
    pub fn run(
        &self,
        stop: Arc<AtomicBool>,
        on_step: Box<dyn FnMut(&Step)>,
    ) -> anyhow::Result<CornersReport> {
        let doc = NetlistDoc::load(&self.problem.netlist)?;
        let mut evaluator = Evaluator::new(self.problem.clone(), stop)?;
        std::fs::create_dir_all(&self.problem.out)?;
        let default = evaluator.evaluate(&[Vec::new()])?.remove(0);
        let sample: Vec<_> =
            expand(&self.problem.factors, self.design, Some(self.points), &[0], self.design_seed)?
                .into_iter()
                .map(|unit| unit.params)
                .collect();
        let sampled = evaluator.evaluate(&sample)?;
        let worst_sampled = sampled
            .iter()
            .fold(None::<&Evaluation>, |worst, e| match worst {
                Some(w) if self.badness(w) >= self.badness(e) => Some(w),
                _ => Some(e),
            })
            .cloned();
        let mut refinement = Vec::new();
        if let (Some(worst), true) = (worst_sampled, self.refine > 0) {
            let start: Vec<f64> = self
                .problem
                .factors
                .iter()
                .map(|f| worst.number(&f.path).map_or(0.5, |v| unit_of(f, v)))
                .collect();
            refinement = nelder_mead(&mut evaluator, self.worse, &start, self.step, self.refine, on_step)?;
        }
        let corners = self.pick(&evaluator.evaluations()[1..]);
        let report =
            CornersReport { default, corners, evaluations: evaluator.evaluations().len(), refinement };
        self.write(&report, doc, evaluator.evaluations())?;
        Ok(report)
    }

    /// The worst point, then the worst of each other region, worst first.
    fn pick(&self, evaluations: &[Evaluation]) -> Vec<Corner> {
        let mut ranked: Vec<&Evaluation> = evaluations.iter().filter(|e| e.failed.is_none()).collect();
        ranked.sort_by(|a, b| self.badness(b).total_cmp(&self.badness(a)).then(a.point.cmp(&b.point)));
        let mut corners: Vec<Corner> = Vec::new();
        for e in ranked {
            if corners.len() == self.corners {
                break;
            }
            let region = self.region(e);
            if corners.iter().all(|c| c.region != region) {
                corners.push(Corner { rank: corners.len() + 1, region, evaluation: e.clone() });
            }
        }
        corners
    }

    fn write(&self, report: &CornersReport, doc: NetlistDoc, all: &[Evaluation]) -> anyhow::Result<()> {
        let (problem, out) = (&self.problem, &self.problem.out);
        let mut csv = String::from("corner,region,point");
        for f in &problem.factors {
            csv.push_str(&format!(",{}", f.path));
        }
        csv.push_str(",mean");
        for seed in &problem.seeds {
            csv.push_str(&format!(",seed_{seed}"));
        }
        csv.push('\n');
        let rows = std::iter::once((0, "default".to_string(), &report.default))
            .chain(report.corners.iter().map(|c| (c.rank, c.region.clone(), &c.evaluation)));
        for (rank, region, e) in rows {
            csv.push_str(&format!("{rank},{region},{}", e.point));
            for f in &problem.factors {
                let value = e.number(&f.path).or_else(|| doc.number(&f.path));
                csv.push_str(&format!(",{}", value.map_or(String::new(), |v| v.to_string())));
            }
            csv.push_str(&format!(",{}", e.mean));
            for v in &e.values {
                csv.push_str(&format!(",{v}"));
            }
            csv.push('\n');
        }
        std::fs::write(out.join("corners.csv"), csv)?;
        write_evaluations(&out.join("evaluations.csv"), &problem.factors, &problem.seeds, all)?;
        for corner in &report.corners {
            let mut written = doc.clone();
            for assignment in &problem.overrides {
                written.set_text(assignment)?;
            }
            for (path, value) in &corner.evaluation.params {
                written.set(path, value)?;
            }
            let header = format!(
                "tsp corners: corner {} (region {}) of {}: {} = {} (mean over seeds {:?}; the netlist as written: {})",
                corner.rank,
                corner.region,
                problem.netlist.display(),
                problem.measure.what(),
                corner.evaluation.mean,
                problem.seeds,
                report.default.mean
            );
            std::fs::write(out.join(format!("corner-{}.toml", corner.rank)), written.render(&header))?;
        }
        let summary = json!({
            "netlist": problem.netlist,
            "overrides": problem.overrides,
            "ranges": problem.factors,
            "measure": problem.measure.what(),
            "worse": if self.worse == Sense::Maximize { "max" } else { "min" },
            "seeds": problem.seeds,
            "design": self.design,
            "points": self.points,
            "design_seed": self.design_seed,
            "refine_iterations": report.refinement.last().map_or(0, |s| s.iteration),
            "evaluations": report.evaluations,
            "default": report.default.mean,
            "corners": report.corners.iter().map(|c| json!({
                "corner": c.rank,
                "region": c.region,
                "point": c.evaluation.point,
                "params": c.evaluation.params.iter().map(|(p, v)| (p.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
                "mean": c.evaluation.mean,
                "by_seed": c.evaluation.values,
            })).collect::<Vec<_>>(),
            "tokenspice_version": env!("CARGO_PKG_VERSION"),
        });
        write_json(&out.join("corners.json"), &summary)
    }
}
