//! `tsp build [--check] [--root DIR] [--solc X.Y.Z] ...`: compile a
//! Solidity project into Foundry-layout `out/`.

use crate::artifacts::solc::{Overrides, Project, Version};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

/// Compile a Solidity project — this repository's `contracts/`, a Foundry
/// project (`foundry.toml`), a Hardhat project (its config read statically)
/// or a plain folder of `.sol` files — into `out/<File>.sol/<Contract>.json`.
/// The compiler is `--solc`, else the project's (`tools/solc/package.json`,
/// `foundry.toml`, the Hardhat config), else the newest release every
/// file's pragmas accept (several compilers when files need different
/// ones), installed from the npm registry on first use.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// Recompile into memory and fail, naming each contract, if `out/`
    /// differs from it; `out/` is left untouched.
    #[arg(long)]
    check: bool,
    /// Project root.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Compiler version, e.g. 0.5.7 (overrides the project's and the pragmas).
    #[arg(long, value_name = "X.Y.Z", value_parser = parse_version)]
    solc: Option<Version>,
    /// EVM version, e.g. byzantium or cancun (default: the project's, else the compiler's).
    #[arg(long, value_name = "NAME")]
    evm_version: Option<String>,
    /// Turn the optimizer on with this many runs.
    #[arg(long, value_name = "N", conflicts_with = "no_optimizer")]
    optimizer_runs: Option<u32>,
    /// Turn the optimizer off.
    #[arg(long)]
    no_optimizer: bool,
    /// Folder of the project's sources, relative to the root (default:
    /// foundry's `src`, Hardhat's `paths.sources`, else `contracts/`, `src/` or the root).
    #[arg(long, value_name = "DIR")]
    sources: Option<PathBuf>,
}

fn parse_version(text: &str) -> Result<Version, String> {
    text.parse()
}

impl Cmd {
    /// Run the build or the check.
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        let overrides = Overrides {
            solc: self.solc,
            evm_version: self.evm_version,
            optimizer_runs: self.optimizer_runs,
            no_optimizer: self.no_optimizer,
            sources: self.sources,
        };
        let project = Project::open(&self.root, &overrides).context("tsp build")?;
        let cwd = std::env::current_dir().unwrap_or_default();
        let shown = |path: &std::path::Path| path.strip_prefix(&cwd).unwrap_or(path).display().to_string();
        let (out, sources) = (shown(project.out_dir()), shown(&project.config.sources));
        if self.check {
            let staleness = project.check().context("tsp build --check")?;
            if staleness.is_fresh() {
                println!("{out} is up to date with {sources}");
                return Ok(ExitCode::SUCCESS);
            }
            eprint!("{out} is stale; run `tsp build` and commit it:\n{staleness}");
            return Ok(ExitCode::FAILURE);
        }
        let output = project.build().context("tsp build")?;
        for warning in &output.warnings {
            eprintln!("warning: {warning}");
        }
        let compilers: Vec<String> = output
            .compilers
            .iter()
            .map(|(version, units)| format!("solc {version} ({} files)", units.len()))
            .collect();
        let reused = if output.reused > 0 {
            format!(", {} unchanged group(s) reused", output.reused)
        } else {
            String::new()
        };
        println!(
            "compiled {} contracts with {} into {out}{reused}",
            output.contracts(),
            compilers.join(" and ")
        );
        Ok(ExitCode::SUCCESS)
    }
}
