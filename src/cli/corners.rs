//! `tsp corners NETLIST --range PATH=lo..hi... --worst max:COLUMN [--corners
//! K] [--seeds N]`: search uncontrollable parameters for the worst value of
//! a KPI, then write K representative worst corners as netlists
//! (`corner-N.toml`) with `corners.csv`, `evaluations.csv` and `corners.json`.

use super::optimize::{print_step, ranges, Common};
use crate::study::corners::Corners;
use crate::study::expr::Expr;
use crate::study::optimize::Sense;
use crate::study::Design;
use anyhow::bail;
use std::process::ExitCode;

/// The rest of `--help`: how it works and an example.
const HELP: &str = "\
     Stage 1 samples the ranges (Latin hypercube by default, `--points` points); stage 2 \
     refines the worst sampled point with Nelder–Mead (`--refine` iterations). Each point \
     runs on the same seeds and is scored by the mean over them. Corners: corner 1 is the \
     worst point found; the next are the worst points of other regions of the box (each range \
     cut at its middle: a low or high side per range), so that the corners are different \
     scenarios rather than neighbours of one. corners.csv lists the netlist as written \
     (corner 0) beside them; corner-N.toml is the netlist with that corner's values set, \
     ready for `tsp run` or `tsp optimize`.\n\n\
     Example:\n  \
     tsp corners netlists/ocean_v3.toml --set 'sim.duration=\"60d\"' \\\n    \
     --range agent.consumer.count=2..20:int \\\n    \
     --range agent.speculator.trade_probability=0.05..0.95 \\\n    \
     --worst min:criteria.publisher_net_worth_change_ocean --seeds 4";

/// Search populations and behaviours the designer does not control for the worst value of a KPI,
/// and write a few representative worst corners.
#[derive(Debug, clap::Args)]
#[command(after_help = HELP)]
pub(crate) struct Cmd {
    #[command(flatten)]
    common: Common,
    /// An uncontrollable parameter and its range: `PATH=lo..hi` (`:int` for
    /// whole numbers such as `agent.staker.count`, `:log` for a log scale);
    /// repeatable.
    #[arg(long = "range", value_name = "PATH=LO..HI", required = true)]
    ranges: Vec<String>,
    /// What is worst: `max:COLUMN` or `min:COLUMN` (a KPI column's final
    /// value), or `max:EXPR` / `min:EXPR` with an expression over `kpi("...")`.
    #[arg(long, value_name = "max|min:COLUMN")]
    worst: String,
    /// How many corners to write.
    #[arg(long, default_value_t = 4)]
    corners: usize,
    /// Sampling design: lhs (Latin hypercube), sobol or random.
    #[arg(long, default_value = "lhs")]
    design: String,
    /// Points sampled.
    #[arg(long, default_value_t = 16)]
    points: usize,
    /// Seed of the sampling design's draws.
    #[arg(long, default_value_t = 0)]
    design_seed: u64,
    /// Most Nelder–Mead iterations refining the worst sampled point (0: none).
    #[arg(long, default_value_t = 10)]
    refine: u64,
    /// Size of the refinement's starting simplex, a fraction of each range.
    #[arg(long, default_value_t = 0.1)]
    step: f64,
}

/// `max:COLUMN` → (which way is worse, the measure).
fn worst(text: &str) -> anyhow::Result<(Sense, Expr)> {
    let (sense, body) = match text.split_once(':') {
        Some(("max", body)) => (Sense::Maximize, body.trim()),
        Some(("min", body)) => (Sense::Minimize, body.trim()),
        _ => bail!("--worst {text:?}: write max:COLUMN or min:COLUMN (or max:EXPR with kpi(\"...\"))"),
    };
    let source = if body.contains("kpi(") { body.to_string() } else { format!("kpi({body:?})") };
    Ok((sense, Expr::compile("--worst", &source)?))
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let (worse, measure) = worst(&self.worst)?;
        let design = match self.design.as_str() {
            "lhs" => Design::Lhs,
            "sobol" => Design::Sobol,
            "random" => Design::Random,
            other => bail!("--design {other:?}: expected lhs, sobol or random"),
        };
        if self.corners == 0 || self.points == 0 {
            bail!("--corners and --points must be at least 1");
        }
        let factors = ranges("--range", &self.ranges)?;
        let problem = self.common.problem("corners", factors, measure, Vec::new())?;
        let out = problem.out.clone();
        let _lock = super::results_dir::claim_study_folder(&out, "corners")?;
        let search = Corners {
            problem,
            worse,
            design,
            points: self.points,
            design_seed: self.design_seed,
            refine: self.refine,
            step: self.step,
            corners: self.corners,
        };
        let stop = super::signals::stop_flag();
        let report = match search.run(std::sync::Arc::clone(&stop), print_step("worst")) {
            Ok(report) => report,
            Err(error) if stop.load(std::sync::atomic::Ordering::SeqCst) => {
                eprintln!("{}", super::describe(&error));
                return Ok(super::signals::interrupted_status());
            }
            Err(error) => return Err(error),
        };
        println!("the netlist as written: {}", report.default.mean);
        for corner in &report.corners {
            let values: Vec<String> =
                corner.evaluation.params.iter().map(|(p, v)| format!("{p}={v}")).collect();
            println!(
                "corner {} ({}): {}  {}",
                corner.rank,
                corner.region,
                corner.evaluation.mean,
                values.join(" ")
            );
        }
        println!("{} points evaluated; corners written to {}", report.evaluations, out.display());
        Ok(ExitCode::SUCCESS)
    }
}
