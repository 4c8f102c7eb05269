//! `tsp build [--check]`.

use crate::artifacts::solc::Project;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

/// Compile every `.sol` under `contracts/` into `out/<File>.sol/<Contract>.json`.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// Recompile into a temporary directory and fail, naming each contract,
    /// if `out/` differs from it; `out/` is left untouched.
    #[arg(long)]
    check: bool,
    /// Project root holding contracts/, out/ and tools/solc/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

impl Cmd {
    /// Run the build or the check.
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let project = Project::new(&self.root);
        if self.check {
            let staleness = project.check().context("tsp build --check")?;
            if staleness.is_fresh() {
                println!("out/ is up to date with contracts/");
                return Ok(ExitCode::SUCCESS);
            }
            eprint!("out/ is stale; run `tsp build` and commit out/:\n{staleness}");
            return Ok(ExitCode::FAILURE);
        }
        let output = project.build().context("tsp build")?;
        for warning in &output.warnings {
            eprintln!("warning: {warning}");
        }
        println!(
            "compiled {} contracts with solc {} into {}",
            output.artifacts.len(),
            output.compiler_version,
            project.out_dir().display()
        );
        Ok(ExitCode::SUCCESS)
    }
}
