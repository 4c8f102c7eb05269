//! [`Mining`]: the three ways a simulation runs on a node, by the names
//! `tsp run --node-mode` takes (`mirrored`, `simulated`, `per-tx`).

use std::fmt;

/// How a simulation on a node runs transactions and turns them into blocks
/// (see the `rpc` module docs; [`Mining::Mirrored`] is a
/// [`Chain`](crate::chain::Chain), the others an [`RpcChain`](super::RpcChain)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mining {
    /// One block per transaction, mined before the transaction returns.
    PerTransaction,
    /// A tick's transactions run in the node's simulation (`eth_simulateV1`)
    /// and are mined as one block.
    PerTick,
    /// A tick's transactions, calls and what-ifs run on the embedded EVM
    /// over the node's latest state; the transactions are mined as one
    /// block, each checked against what it did on the embedded EVM.
    #[default]
    Mirrored,
}

impl Mining {
    /// The names `--node-mode` takes, the default first.
    pub const NAMES: [&'static str; 3] = ["mirrored", "simulated", "per-tx"];
}

impl fmt::Display for Mining {
    /// The name `--node-mode` takes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PerTransaction => "per-tx",
            Self::PerTick => "simulated",
            Self::Mirrored => "mirrored",
        })
    }
}

impl std::str::FromStr for Mining {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text {
            "per-tx" => Ok(Self::PerTransaction),
            "simulated" => Ok(Self::PerTick),
            "mirrored" => Ok(Self::Mirrored),
            _ => Err(format!("{text:?}: expected mirrored, simulated or per-tx")),
        }
    }
}
