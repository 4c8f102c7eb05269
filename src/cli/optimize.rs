//! `tsp optimize NETLIST --param PATH=lo..hi... (--minimize EXPR | --maximize
//! EXPR) [--constraint EXPR]... [--seeds N]`: search controllable parameters
//! for the best design on common seeds; print the path, write
//! `optimize.csv`, `evaluations.csv`, `optimize.json` and `best.toml`.

use super::study_args::{parse_seeds, StudyArgs};
use crate::study::evaluate::Problem;
use crate::study::expr::{Constraint, Expr};
use crate::study::optimize::{Optimize, Sense, Step};
use crate::study::Factor;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The rest of `--help`: how it works and an example.
const HELP: &str = "\
     Every candidate runs on the same seeds (common random numbers); its objective is the \
     mean over those seeds, and it is feasible only when EVERY seed's run satisfies EVERY \
     constraint. Feasible candidates always rank before infeasible ones (those by how far off \
     they are). The optimiser is Nelder–Mead (argmin), started from the netlist's own values \
     (the middle of a range the netlist sets no number for); it draws nothing, so the same \
     command gives the same result. Expressions are Rhai over the final KPI values: \
     `kpi(\"criteria.publisher_net_worth_change_ocean\")`, arithmetic, \
     abs/min/max/sqrt/ln/exp. Runs are stored in OUT/units/ and reused when the command is \
     run again.\n\n\
     Example:\n  \
     tsp optimize netlists/ocean_v3.toml --set 'sim.duration=\"60d\"' \\\n    \
     --param agent.publisher.ocean_in_pool=200..5000 \\\n    \
     --param agent.publisher.dt_in_pool=20..400 \\\n    \
     --maximize 'kpi(\"global.swap_volume_ocean\")' \\\n    \
     --constraint 'kpi(\"criteria.publisher_net_worth_change_ocean\") >= 0' --seeds 4";

/// Search controllable parameters for the design that minimises or maximises an objective over
/// final KPI values, subject to constraints.
#[derive(Debug, clap::Args)]
#[command(after_help = HELP)]
pub(crate) struct Cmd {
    #[command(flatten)]
    common: Common,
    /// A controllable parameter and its bounds: `PATH=lo..hi`, add `:log`
    /// for a log scale, `:int` for whole numbers. PATH is any `--set` path,
    /// e.g. `agent.publisher.dt_in_pool` (repeatable).
    #[arg(long = "param", value_name = "PATH=LO..HI", required = true)]
    params: Vec<String>,
    /// The objective to minimise (mean over seeds).
    #[arg(long, value_name = "EXPR", conflicts_with = "maximize", required_unless_present = "maximize")]
    minimize: Option<String>,
    /// The objective to maximise (mean over seeds).
    #[arg(long, value_name = "EXPR")]
    maximize: Option<String>,
    /// A constraint `A >= B` (or `<=`, `>`, `<`) over final KPI values that
    /// every seed's run must satisfy, e.g.
    /// `kpi("criteria.publisher_net_worth_change_ocean") >= 0` (repeatable).
    #[arg(long = "constraint", value_name = "EXPR")]
    constraints: Vec<String>,
    /// Most optimiser iterations (each runs one to a few candidates).
    #[arg(long, default_value_t = 30)]
    iterations: u64,
    /// Size of the starting simplex, as a fraction of each range.
    #[arg(long, default_value_t = 0.25)]
    step: f64,
}

/// The ranges of `--param`/`--range` options (`what` names the option).
pub(super) fn ranges(what: &str, texts: &[String]) -> anyhow::Result<Vec<Factor>> {
    texts
        .iter()
        .map(|text| {
            let factor = super::sweep::factor(text).with_context(|| format!("{what} {text:?}"))?;
            if factor.lo.is_none() {
                bail!("{what} {text:?}: give bounds as PATH=lo..hi");
            }
            Ok(factor)
        })
        .collect()
}

/// What `tsp optimize` and `tsp corners` share: the netlist, seeds,
/// overrides, workers and output folder.
#[derive(Debug, clap::Args)]
pub(super) struct Common {
    /// The netlist (TOML).
    netlist: PathBuf,
    /// Common seeds every candidate runs on: a count N (seeds 1..=N) or a list `3,7,9`.
    #[arg(long, default_value = "3")]
    seeds: String,
    #[command(flatten)]
    study: StudyArgs,
}

impl Common {
    /// The problem: `factors` searched for `measure` under `constraints`.
    pub(super) fn problem(
        &self,
        suffix: &str,
        factors: Vec<Factor>,
        measure: Expr,
        constraints: Vec<Constraint>,
    ) -> anyhow::Result<Problem> {
        let jobs = self.study.workers();
        Ok(Problem {
            netlist: self.netlist.clone(),
            overrides: self.study.overrides()?,
            factors,
            seeds: parse_seeds(&self.seeds)?,
            measure,
            constraints,
            out: self.study.out.clone().unwrap_or_else(|| default_out(&self.netlist, suffix)),
            jobs,
            fork: !self.study.no_fork,
        })
    }
}

/// A folder name from the netlist's file name.
fn default_out(netlist: &Path, suffix: &str) -> PathBuf {
    let stem = netlist.file_stem().map_or("netlist".into(), |s| s.to_string_lossy().into_owned());
    Path::new("results").join(format!("{stem}-{suffix}"))
}

/// What prints a path line: iteration, candidates so far, the `label`led
/// candidate's mean measure, whether it is feasible, its values.
pub(super) fn print_step(label: &'static str) -> Box<dyn FnMut(&Step)> {
    Box::new(move |step: &Step| {
        let b = &step.best;
        let values: Vec<String> = b.params.iter().map(|(p, v)| format!("{p}={v}")).collect();
        let state = if b.feasible() {
            "feasible".to_string()
        } else {
            format!("infeasible (off by {})", b.violation())
        };
        println!(
            "iteration {:>3}  candidates {:>3}  {label} {:<14} {state}  point {}  {}",
            step.iteration,
            step.evaluations,
            format!("{:.6}", b.mean),
            b.point,
            values.join(" ")
        );
    })
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let (sense, text, role) = match (&self.minimize, &self.maximize) {
            (Some(text), None) => (Sense::Minimize, text, "--minimize"),
            (None, Some(text)) => (Sense::Maximize, text, "--maximize"),
            _ => bail!("give one objective: --minimize EXPR or --maximize EXPR"),
        };
        let objective = Expr::compile(role, text)?;
        let constraints =
            self.constraints.iter().map(|c| Constraint::parse(c)).collect::<anyhow::Result<_>>()?;
        let factors = ranges("--param", &self.params)?;
        if !(self.step > 0.0 && self.step <= 0.5) {
            bail!("--step {}: give a fraction of each range in (0, 0.5]", self.step);
        }
        let problem = self.common.problem("optimize", factors, objective, constraints)?;
        let out = problem.out.clone();
        let _lock = super::results_dir::claim_study_folder(&out, "optimize")?;
        let optimize = Optimize { problem, sense, iterations: self.iterations, step: self.step };
        let stop = super::signals::stop_flag();
        let report = match optimize.run(std::sync::Arc::clone(&stop), print_step("best")) {
            Ok(report) => report,
            Err(error) if stop.load(std::sync::atomic::Ordering::SeqCst) => {
                eprintln!("{}", super::describe(&error));
                return Ok(super::signals::interrupted_status());
            }
            Err(error) => return Err(error),
        };
        let (start, best) = (&report.start, &report.best);
        println!(
            "start {} ({}), best {} ({}) after {} candidates; better on every seed: {}; written to {}",
            start.mean,
            if start.feasible() { "feasible" } else { "infeasible" },
            best.mean,
            if best.feasible() { "feasible" } else { "infeasible" },
            report.evaluations,
            if report.improved_on_every_seed(sense) { "yes" } else { "no" },
            out.display()
        );
        Ok(if best.feasible() { ExitCode::SUCCESS } else { ExitCode::from(2) })
    }
}
