//! Simulator-side helper contracts: `BalanceReader` reads many ERC20
//! balances in one EVM call (used when sampling KPIs).

use alloy_sol_types::sol;

sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    BalanceReader,
    "out/BalanceReader.sol/BalanceReader.json"
);
