//! `tsp sweep NETLIST... [--factor PATH=VALUES]... [--design D] [--seeds N]
//! [--jobs N] [--out DIR]`: run a netlist at many points of a design, each on
//! the same seeds, in parallel; write tidy and summary tables (CSV and
//! Parquet) and a chart of each KPI's final value against each factor.
//! Without `--factor` the first netlist's `[study]` table says what to
//! sweep. Several netlists are several designs swept over the same points
//! and seeds (a parameter test).
//!
//! `--backend ray --address ADDR` hands the runs to a Ray cluster through
//! the Python package (`python -m tokenspice.ray_backend`): shards of the
//! runs (`--shard K/N`) run as Ray tasks writing the study's folder, then
//! this same command, run locally, reuses every stored run and writes the
//! tables — the tables of a local run.

use super::study_args::{parse_seeds, StudyArgs};
use crate::netlist::load;
use crate::study::{parse_factor, seeds_of, Design, Shard, Sweep};
use anyhow::bail;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

/// Run a netlist over a design of factor values, crossed with seeds.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// The netlist (TOML); several netlists are designs compared over the same points and seeds.
    #[arg(required = true, value_name = "NETLIST")]
    netlists: Vec<PathBuf>,
    /// A factor: `PATH=a,b,c` (listed values) or `PATH=lo..hi` (a range for
    /// random, lhs and sobol designs; add `:log` for a log scale, `:int` for
    /// whole numbers). PATH is any `--set` path (repeatable).
    #[arg(long = "factor", value_name = "PATH=VALUES")]
    factors: Vec<String>,
    /// How points are picked: grid (every combination), zip (by position),
    /// random, lhs (Latin hypercube) or sobol.
    #[arg(long)]
    design: Option<String>,
    /// Points of a random, lhs or sobol design.
    #[arg(long)]
    points: Option<usize>,
    /// Seeds crossed with every point: a count N (seeds 1..=N) or a list `3,7,9`.
    #[arg(long)]
    seeds: Option<String>,
    /// Seed of a random, lhs or sobol design's draws.
    #[arg(long, default_value_t = 0)]
    design_seed: u64,
    /// KPI columns kept, comma-separated patterns (`*` globs); default: the
    /// netlist's `[kpis] include`, else `global.*`, `criteria.*`, `invariant.*` and its `[[kpi]]`s.
    #[arg(long, value_delimiter = ',', value_name = "PATTERN,...")]
    kpis: Vec<String>,
    #[command(flatten)]
    study: StudyArgs,
    /// Skip the charts of each KPI against each factor (`charts/`).
    #[arg(long)]
    no_charts: bool,
    /// Do not print progress.
    #[arg(long)]
    quiet: bool,
    /// Where the runs execute: `local` (worker threads, `--jobs`) or `ray`
    /// (tasks on the Ray cluster at `--address`, through the Python package).
    #[arg(long, default_value = "local", value_parser = ["local", "ray"])]
    backend: String,
    /// The Ray cluster's address (`127.0.0.1:6379`) for `--backend ray`.
    #[arg(long, value_name = "HOST:PORT", required_if_eq("backend", "ray"))]
    address: Option<String>,
    /// The Python with the tokenspice package, for `--backend ray`
    /// (default: $TOKENSPICE_PYTHON, else .venv/bin/python, else python3).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Run only the runs at positions K, K+N, K+2N, ... and write no tables
    /// (what a distributed backend gives each task; rerun without it for the tables).
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

/// A command-line factor with its `:log` / `:int` suffixes.
pub(super) fn factor(text: &str) -> anyhow::Result<crate::study::Factor> {
    let (mut body, mut log, mut integer) = (text, false, false);
    loop {
        if let Some(rest) = body.strip_suffix(":log") {
            (body, log) = (rest, true);
        } else if let Some(rest) = body.strip_suffix(":int") {
            (body, integer) = (rest, true);
        } else {
            break;
        }
    }
    let mut parsed = parse_factor(body)?;
    parsed.log = log;
    parsed.integer = integer;
    Ok(parsed)
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        if self.backend == "ray" {
            return self.run_on_ray();
        }
        let shard = self.shard.as_deref().map(Shard::parse).transpose()?;
        let loaded = load(&self.netlists[0], &self.study.set)?;
        let study = &loaded.netlist.study;
        let factors = if self.factors.is_empty() {
            study.factor.clone()
        } else {
            self.factors.iter().map(|f| factor(f)).collect::<anyhow::Result<_>>()?
        };
        if factors.is_empty() {
            bail!(
                "{}: nothing to sweep: give --factor PATH=VALUES or a [study] table with [[study.factor]]",
                self.netlists[0].display()
            );
        }
        let design = match self.design.as_deref() {
            None => study.design,
            Some(name) => toml::Value::String(name.to_string()).try_into::<Design>().map_err(|_| {
                anyhow::anyhow!("--design {name:?}: expected grid, zip, random, lhs or sobol")
            })?,
        };
        let seeds = match &self.seeds {
            None => seeds_of(study.seeds.as_ref())?,
            Some(text) => parse_seeds(text)?,
        };
        let overrides = self.study.overrides()?;
        let columns = if self.kpis.is_empty() { default_columns(&loaded) } else { self.kpis.clone() };
        let out = self
            .study
            .out
            .clone()
            .unwrap_or_else(|| Path::new("results").join(format!("{}-sweep", loaded.netlist.sim.name)));
        let jobs = self.study.workers();
        let sweep = Sweep {
            netlists: self.netlists.clone(),
            overrides,
            factors,
            design,
            points: self.points.or(study.points),
            seeds,
            design_seed: if self.design_seed == 0 { study.design_seed } else { self.design_seed },
            columns,
            out: out.clone(),
            jobs,
            fork: !self.study.no_fork,
            charts: !self.no_charts,
            shard,
        };
        // Shards of one study run side by side in its folder, each storing
        // its own runs; the tables are written by the unsharded run.
        let _lock = match shard {
            None => Some(super::results_dir::claim_study_folder(&out, "sweep")?),
            Some(_) => None,
        };
        let total = sweep.units()?.len();
        let bar = progress_bar(total, self.quiet);
        let stop = super::signals::stop_flag();
        let on_done = |done: usize, _total: usize| bar.set_position(done as u64);
        let report = sweep.run(&stop, &on_done)?;
        bar.finish_and_clear();
        let reused = report.reused();
        if let Some(shard) = shard {
            println!(
                "shard {}/{}: {} runs ({} reused, {} failed) of {} in the shard; rerun without --shard for the tables",
                shard.index,
                shard.count,
                report.outcomes.len(),
                reused,
                report.failed(),
                report.planned
            );
            return Ok(if report.interrupted {
                super::signals::interrupted_status()
            } else {
                ExitCode::SUCCESS
            });
        }
        println!(
            "{} runs ({} reused, {} failed) of {} planned on {jobs} workers; tables in {}",
            report.outcomes.len(),
            reused,
            report.failed(),
            report.planned,
            out.display()
        );
        if report.interrupted || stop.load(Ordering::SeqCst) {
            eprintln!("interrupted: rerun the same command to finish the remaining runs");
            return Ok(super::signals::interrupted_status());
        }
        Ok(if report.failed() > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
    }
}

impl Cmd {
    /// `--backend ray`: the Python package's driver runs this command's
    /// shards on the cluster, then the tables locally.
    fn run_on_ray(&self) -> anyhow::Result<ExitCode> {
        if self.shard.is_some() {
            bail!("--shard is what the ray backend gives its tasks; give one or the other");
        }
        let python = self.python.clone().or_else(|| std::env::var_os("TOKENSPICE_PYTHON").map(PathBuf::from));
        let python = python.unwrap_or_else(|| {
            let venv = PathBuf::from(".venv/bin/python");
            if venv.exists() {
                venv
            } else {
                PathBuf::from("python3")
            }
        });
        let argv: Vec<String> = std::env::args().collect();
        let start = argv.iter().position(|a| a == "sweep").map_or(1, |i| i + 1);
        let mut args: Vec<String> = Vec::new();
        let mut skip_value = false;
        for arg in argv.into_iter().skip(start) {
            if std::mem::take(&mut skip_value) {
                continue;
            }
            match arg.as_str() {
                "--backend" | "--address" | "--python" => skip_value = true,
                other if ["--backend=", "--address=", "--python="].iter().any(|p| other.starts_with(p)) => {}
                _ => args.push(arg),
            }
        }
        let address = self.address.clone().unwrap_or_default();
        let status = std::process::Command::new(&python)
            .args(["-m", "tokenspice.ray_backend", "--address", &address, "--"])
            .args(&args)
            .status()
            .map_err(|e| {
                anyhow::anyhow!(
                    "--backend ray runs through the Python package: cannot start {}: {e} (install it with scripts/python-env.sh, or give --python)",
                    python.display()
                )
            })?;
        Ok(match status.code() {
            Some(0) => ExitCode::SUCCESS,
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            None => super::signals::interrupted_status(),
        })
    }
}

/// The columns a sweep keeps when none are named.
fn default_columns(loaded: &crate::netlist::LoadedNetlist) -> Vec<String> {
    if !loaded.netlist.kpis.include.is_empty() {
        return loaded.netlist.kpis.include.clone();
    }
    let mut patterns: Vec<String> =
        ["global.*", "criteria.*", "invariant.*"].iter().map(|s| s.to_string()).collect();
    patterns.extend(loaded.kpis.iter().map(|k| k.column.clone()));
    patterns
}

/// A progress bar with runs done, runs/s and ETA (hidden when quiet or not on a terminal).
pub(super) fn progress_bar(total: usize, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    let style = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}
