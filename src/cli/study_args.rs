//! What the study commands (`sweep`, `optimize`, `corners`) share on the
//! command line: overrides of every run, workers, the output folder, forking,
//! and the form of `--seeds`.

use crate::study::seeds_of;
use anyhow::{bail, Context};
use std::path::PathBuf;

/// Options of every study command.
#[derive(Debug, clap::Args)]
pub(super) struct StudyArgs {
    /// Override a value in every run, e.g. `--set sim.duration="30d"`
    /// (repeatable; not `sim.seed`: each run's seed comes from `--seeds`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(super) set: Vec<String>,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub(super) jobs: Option<usize>,
    /// Output folder (default `results/<name>-<command>/`); a rerun reuses
    /// the finished runs stored there.
    #[arg(long)]
    pub(super) out: Option<PathBuf>,
    /// Deploy the system anew for every run, instead of forking one set-up
    /// world per worker for the runs that share it (same results, slower).
    #[arg(long)]
    pub(super) no_fork: bool,
}

impl StudyArgs {
    /// The `--set` overrides; `sim.seed` is refused.
    pub(super) fn overrides(&self) -> anyhow::Result<Vec<String>> {
        if self.set.iter().any(|s| s.trim_start().starts_with("sim.seed")) {
            bail!("--set sim.seed conflicts with --seeds (each run's seed comes from the study)");
        }
        Ok(self.set.clone())
    }

    /// Worker threads: `--jobs`, else every core.
    pub(super) fn workers(&self) -> usize {
        super::workers(self.jobs)
    }
}

/// `--seeds`: a count N (seeds 1..=N) or a list `3,7,9`.
pub(super) fn parse_seeds(text: &str) -> anyhow::Result<Vec<u64>> {
    let value = if text.contains(',') {
        format!("v = [{text}]").parse::<toml::Table>().ok().and_then(|mut t| t.remove("v"))
    } else {
        text.trim().parse::<i64>().ok().map(toml::Value::Integer)
    };
    seeds_of(Some(&value.context("--seeds: a count or a list like 1,2,5")?))
}
