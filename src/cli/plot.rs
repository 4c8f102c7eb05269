//! `tsp plot DIR [--all]`: redraw the charts `tsp run` drew into a results
//! folder — the netlist's `[[chart]]`s as `run.json` records them, else the
//! default charts of the columns that change — and rewrite its `report.html`.
//! `--all` adds a default chart of every column.

use crate::kpis::read_kpis;
use crate::plot::units::Registry;
use crate::plot::{plot_run, run_charts, ChartFile, ChartSpec};
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Redraw a results folder's charts (PNG and SVG) and its report.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// A results folder written by `tsp run` (kpis.csv, run.json).
    dir: PathBuf,
    /// Also draw the default charts of every column, those that never change
    /// (all zero, or one value throughout) included, beside the netlist's own.
    #[arg(long)]
    all: bool,
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        if !self.dir.is_dir() {
            anyhow::bail!("{}: no such results folder (give a folder `tsp run` wrote)", self.dir.display());
        }
        let csv = self.dir.join("kpis.csv");
        let table = read_kpis(&csv)?;
        let run_json = self.dir.join("run.json");
        let run = match std::fs::read_to_string(&run_json) {
            Ok(text) => Some(RecordedRun::parse(&text).with_context(|| run_json.display().to_string())?),
            Err(_) => None,
        };
        let own = run.as_ref().map_or(&[][..], |run| &run.charts);
        let chosen = run_charts(own, &table, self.all);
        let drawn = plot_run(&csv, &self.dir, &chosen.specs, &Registry::of_results(&self.dir))?;
        println!("{}", charts_line(&drawn, &chosen.flat, &self.dir));
        match run {
            Some(run) => {
                let label = run.name.unwrap_or_else(|| folder_name(&self.dir));
                let report = crate::report::write_run_report(&self.dir, &label, &drawn)?;
                println!("wrote {}", report.display());
            }
            None => eprintln!(
                "warning: {} is missing, so report.html was not rewritten (the report reads the run's description)",
                run_json.display()
            ),
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// What `run.json` says about the charts: the resolved netlist's `[[chart]]`s and its name.
struct RecordedRun {
    charts: Vec<ChartSpec>,
    name: Option<String>,
}

impl RecordedRun {
    fn parse(text: &str) -> anyhow::Result<Self> {
        let json: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
        let charts = match json.pointer("/resolved/charts") {
            Some(charts) => serde_json::from_value(charts.clone()).context("resolved.charts")?,
            None => Vec::new(),
        };
        let name = json.pointer("/resolved/sim/name").and_then(|n| n.as_str()).map(str::to_owned);
        Ok(Self { charts, name })
    }
}

fn folder_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "run".to_owned())
}

/// One line on the charts drawn: how many, where, and the flat columns left out.
pub(crate) fn charts_line(drawn: &[ChartFile], flat: &[String], dir: &Path) -> String {
    let mut line =
        format!("drew {} (PNG and SVG) in {}", super::count(drawn.len() as u64, "charts"), dir.display());
    if !flat.is_empty() {
        line.push_str(&format!(
            "; {} with one value throughout not charted (`tsp plot {} --all` draws them)",
            super::count(flat.len() as u64, "columns"),
            dir.display()
        ));
    }
    line
}
