//! `--fork URL[@BLOCK]` and `--fork-cache DIR`, shared by `tsp run` and
//! `tsp check`: start the embedded EVM from a node's state at a block.
//!
//! # Errors
//! A fork that cannot be opened (node unreachable and nothing cached for
//! `URL@BLOCK`, a cache file that does not parse) is an error naming the URL
//! or the file.

use crate::chain::{ForkSpec, SimChain, DEFAULT_FORK_CACHE};
use anyhow::Context;
use std::path::PathBuf;

/// The fork flags.
#[derive(Debug, clap::Args)]
pub(crate) struct ForkArgs {
    /// Run on the embedded EVM starting from a node's state at a block
    /// (default: its latest, resolved once), read lazily over JSON-RPC and
    /// cached on disk: a later run of the same URL@BLOCK needs no node.
    #[arg(long, value_name = "URL[@BLOCK]")]
    pub(crate) fork: Option<ForkSpec>,
    /// Where `--fork` keeps its cache files (one per chain id and block).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_FORK_CACHE, requires = "fork")]
    fork_cache: PathBuf,
}

impl ForkArgs {
    /// The forked chain, when `--fork` is given.
    pub(crate) fn chain(&self) -> anyhow::Result<Option<SimChain>> {
        let Some(spec) = &self.fork else { return Ok(None) };
        let chain = SimChain::forked(spec, &self.fork_cache)
            .with_context(|| format!("--fork {}: opening the fork", spec.url))?;
        Ok(Some(chain))
    }
}
