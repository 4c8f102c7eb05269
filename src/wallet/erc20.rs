//! The ERC20 functions used on any token (the project's or a third-party
//! build's) and the approval rule every caller shares.

use crate::chain::{Backend, Result};
use alloy_primitives::{Address, U256};
use alloy_sol_types::sol;

sol! {
    /// The ERC20 functions a wallet uses on any token.
    #[derive(Debug)]
    interface Erc20 {
        function balanceOf(address who) external view returns (uint256);
        function totalSupply() external view returns (uint256);
        function transfer(address to, uint256 amount) external returns (bool);
        function approve(address spender, uint256 amount) external returns (bool);
        function allowance(address owner, address spender) external view returns (uint256);
    }
}

/// Have `owner` approve `spender` for an unlimited amount of `token` unless
/// the allowance already covers `amount`.
pub fn ensure_allowance<B: Backend>(
    chain: &mut B,
    owner: Address,
    token: Address,
    spender: Address,
    amount: U256,
) -> Result<()> {
    let current = chain.view(token, &Erc20::allowanceCall { owner, spender })?;
    if current < amount {
        chain.send(owner, token, &Erc20::approveCall { spender, amount: U256::MAX })?;
    }
    Ok(())
}
