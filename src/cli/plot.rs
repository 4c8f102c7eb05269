//! `tsp plot DIR`: (re)draw the default charts of a results directory.

use crate::kpis::read_kpis;
use crate::plot::{default_charts, plot_run};
use std::path::PathBuf;
use std::process::ExitCode;

/// Draw charts (PNG and SVG) from `DIR/kpis.csv` into `DIR`.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// A results directory holding kpis.csv.
    dir: PathBuf,
}

impl Cmd {
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let csv = self.dir.join("kpis.csv");
        let table = read_kpis(&csv)?;
        let files = plot_run(&csv, &self.dir, &default_charts(&table.columns))?;
        println!("wrote {} chart files to {}", files.len(), self.dir.display());
        Ok(ExitCode::SUCCESS)
    }
}
