//! What the contract tests against float references share: an ERC20's
//! three calls and 18-decimal amounts read as floats.

use alloy_primitives::U256;

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
