//! `tsp bench [chain]`.

use crate::bench::{erc20_transfers, pool_gas};
use std::process::ExitCode;

/// Run the benchmark scenarios and print rates and ratios against a
/// reference measured in the same process.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// Which scenario: `chain` (ERC20 transfers, chain vs bare revm), `pool`
    /// (gas of the V3 pool's operations and swaps/s), or `all`.
    #[arg(default_value = "all")]
    scenario: String,
    /// Transfers per round.
    #[arg(long, default_value_t = 50_000)]
    transfers: usize,
    /// Rounds (the fastest counts).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
}

impl Cmd {
    /// Run the chosen scenario.
    pub(crate) fn run(self) -> anyhow::Result<ExitCode> {
        match self.scenario.as_str() {
            "chain" => println!("{}", erc20_transfers(1_000, self.transfers, self.rounds)?),
            "pool" => println!("{}", pool_gas(self.transfers)?),
            "all" => {
                println!("{}\n", erc20_transfers(1_000, self.transfers, self.rounds)?);
                println!("{}", pool_gas(self.transfers)?);
            }
            other => anyhow::bail!("unknown bench scenario {other:?}; known: chain, pool, all"),
        }
        Ok(ExitCode::SUCCESS)
    }
}
