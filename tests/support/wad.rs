//! What the contract tests against float references share: an ERC20's
//! three calls, 18-decimal amounts both ways, and a test dollar to trade in.

use alloy_primitives::{Address, U256};
use tokenspice::artifacts::deploy_own;
use tokenspice::chain::Chain;

alloy_sol_types::sol! {
    interface Token {
        function transfer(address to, uint256 amount) external returns (bool);
        function approve(address spender, uint256 amount) external returns (bool);
        function balanceOf(address who) external view returns (uint256);
    }
}

/// One token in base units.
pub(crate) const WAD: f64 = 1e18;

/// A base-unit amount as a float (exact to f64's precision).
pub(crate) fn f(value: U256) -> f64 {
    value.to_string().parse().expect("decimal")
}

/// `tokens` whole tokens in base units.
pub(crate) fn wei(tokens: u64) -> U256 {
    U256::from(tokens) * U256::from(10u64).pow(U256::from(18))
}

/// A ReserveToken "USD" of 10 million, all held by the deployer.
pub(crate) fn deploy_test_dollar(chain: &mut Chain) -> Address {
    deploy_own(chain, "ReserveToken", &["Test Dollar", "USD", &wei(10_000_000).to_string()]).expect("usd")
}
