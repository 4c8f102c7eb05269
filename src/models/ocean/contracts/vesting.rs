//! `LinearVesting`: releases one ERC20 to a beneficiary linearly over time.

use alloy_sol_types::sol;

sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    LinearVesting,
    "out/LinearVesting.sol/LinearVesting.json"
);
