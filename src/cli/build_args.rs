//! `--build PATH | --sources DIR [--adapter NAME|FILE]`: the contract build
//! a command runs a netlist on, as `[contracts]` overrides.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// Which contract build to use instead of the netlist's `[contracts] build`.
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// Run on this contract build instead of `[contracts] build`: a Foundry
    /// `out/`, Hardhat `artifacts/` or Truffle `build/contracts/` folder, an
    /// npm package holding one, or a solc standard-JSON output file.
    #[arg(long, value_name = "PATH", conflicts_with = "sources")]
    build: Option<PathBuf>,
    /// Compile this Solidity project (Foundry, Hardhat or a folder of
    /// `.sol` files) at load, as `tsp build` would, and run on the result
    /// (cached by content: an unchanged project is not recompiled).
    #[arg(long, value_name = "DIR")]
    sources: Option<PathBuf>,
    /// The adapter for `--build`: a built-in name (own-v3, own-v4,
    /// ocean-0.6.9, ocean-1.1.15) or a TOML file (default: chosen by the build).
    #[arg(long, value_name = "NAME|FILE")]
    adapter: Option<String>,
}

impl BuildArgs {
    /// `set` plus `--build` / `--adapter` as `[contracts]` overrides, with
    /// paths made absolute (they are given relative to the working directory,
    /// while the netlist's own paths are relative to the netlist).
    pub(crate) fn overrides(&self, set: &[String]) -> anyhow::Result<Vec<String>> {
        let mut overrides = set.to_vec();
        let absolute = |path: &Path| -> anyhow::Result<String> {
            let path = std::path::absolute(path).with_context(|| format!("{}", path.display()))?;
            Ok(path.to_string_lossy().into_owned())
        };
        if let Some(build) = &self.build {
            if !build.exists() {
                anyhow::bail!("--build {}: no such file or folder", build.display());
            }
            overrides.push(format!("contracts.build={:?}", absolute(build)?));
        }
        if let Some(sources) = &self.sources {
            if !sources.is_dir() {
                anyhow::bail!("--sources {}: no such folder", sources.display());
            }
            overrides.push(format!("contracts.sources={:?}", absolute(sources)?));
        }
        if let Some(adapter) = &self.adapter {
            let value =
                if Path::new(adapter).is_file() { absolute(Path::new(adapter))? } else { adapter.clone() };
            overrides.push(format!("contracts.adapter={value:?}"));
        }
        Ok(overrides)
    }
}
