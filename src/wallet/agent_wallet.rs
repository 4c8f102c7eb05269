//! [`AgentWallet`]: the bridge between an agent's float decisions and its
//! on-chain balances.

use crate::chain::{address_for, Backend, Result};
use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;

use super::Erc20;

/// One agent's account: an EOA on chain and a USD balance off chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentWallet {
    /// The agent's name (its EOA is derived from it).
    pub name: String,
    /// The EOA.
    pub address: Address,
    /// Off-chain USD.
    pub usd: f64,
}

impl AgentWallet {
    /// A wallet whose EOA is derived from `name`.
    pub fn new(name: impl Into<String>, usd: f64) -> Self {
        let name = name.into();
        Self { address: address_for(&name), name, usd }
    }

    /// ETH balance, in wei.
    pub fn eth<B: Backend>(&self, chain: &mut B) -> Result<U256> {
        chain.eth_balance(self.address)
    }

    /// Balance of any ERC20, in base units.
    pub fn token_balance<B: Backend>(&self, chain: &mut B, token: Address) -> Result<U256> {
        chain.view(token, &Erc20::balanceOfCall { who: self.address })
    }

    /// Transfer `amount` base units of `token` to `to`.
    pub fn transfer_token<B: Backend>(
        &self,
        chain: &mut B,
        token: Address,
        to: Address,
        amount: U256,
    ) -> Result<()> {
        chain.send(self.address, token, &Erc20::transferCall { to, amount })?;
        Ok(())
    }

    /// Allow `spender` to move `amount` base units of `token`.
    pub fn approve<B: Backend>(
        &self,
        chain: &mut B,
        token: Address,
        spender: Address,
        amount: U256,
    ) -> Result<()> {
        chain.send(self.address, token, &Erc20::approveCall { spender, amount })?;
        Ok(())
    }

    /// Approve `spender` for `amount` unless the allowance already covers it.
    pub fn ensure_allowance<B: Backend>(
        &self,
        chain: &mut B,
        token: Address,
        spender: Address,
        amount: U256,
    ) -> Result<()> {
        super::ensure_allowance(chain, self.address, token, spender, amount)
    }

    /// Send `call` to `to`, which will take up to `amount` of `token` from
    /// this wallet: approved first unless the allowance already covers it.
    pub fn send_paying<B: Backend, C: SolCall>(
        &self,
        chain: &mut B,
        token: Address,
        amount: U256,
        to: Address,
        call: &C,
    ) -> Result<C::Return> {
        self.ensure_allowance(chain, token, to, amount)?;
        chain.send(self.address, to, call)
    }

    /// Send `wei` of ETH to `to`.
    pub fn transfer_eth<B: Backend>(&self, chain: &mut B, to: Address, wei: U256) -> Result<()> {
        chain.transact(self.address, to, Default::default(), wei)?.into_output()?;
        Ok(())
    }
}
