//! `BalanceReader`, the simulator's helper contract that runs many view calls
//! in one EVM call (used on a node when sampling KPIs: one round trip for all).

use alloy_sol_types::sol;

sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    BalanceReader,
    "out/BalanceReader.sol/BalanceReader.json"
);
