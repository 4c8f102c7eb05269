//! `tsp bench [chain]`.

use crate::bench::erc20_transfers;
use std::process::ExitCode;

/// Run the benchmark scenarios and print rates and ratios against a
/// reference measured in the same process.
#[derive(Debug, clap::Args)]
pub(crate) struct Cmd {
    /// Which scenario: `chain` (ERC20 transfers, chain vs bare revm).
    #[arg(default_value = "chain")]
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
            other => anyhow::bail!("unknown bench scenario {other:?}; known: chain"),
        }
        Ok(ExitCode::SUCCESS)
    }
}
