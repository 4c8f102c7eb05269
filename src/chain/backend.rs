//! The interface every chain backend offers: the embedded EVM today, a
//! JSON-RPC node (anvil, a fork of a live chain) behind the same calls later.

use super::{ChainError, Outcome, Receipt, Result};
use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;

/// A synchronous EVM chain that agents and the engine drive.
pub trait Backend {
    /// A saved copy of the whole state, for [`Backend::restore`].
    type Snapshot;

    /// Deploy `init_code` (creation bytecode with constructor arguments
    /// appended) from `from`. A revert is an `Ok` receipt with that outcome.
    fn deploy(&mut self, from: Address, init_code: Bytes) -> Result<Receipt>;
    /// Send a transaction and commit its state changes if it succeeds.
    fn transact(&mut self, from: Address, to: Address, data: Bytes, value: U256) -> Result<Receipt>;
    /// Run a call without committing anything.
    fn call(&mut self, from: Address, to: Address, data: Bytes) -> Result<Receipt>;
    /// Current block number.
    fn block_number(&self) -> u64;
    /// Current block timestamp, in seconds.
    fn timestamp(&self) -> u64;
    /// Mine one block `seconds` after the current one.
    fn advance(&mut self, seconds: u64);
    /// ETH balance of an account, in wei.
    fn eth_balance(&mut self, who: Address) -> Result<U256>;
    /// Set an account's ETH balance (a faucet; no transaction).
    fn set_eth_balance(&mut self, who: Address, wei: U256) -> Result<()>;
    /// Save the whole state.
    fn snapshot(&mut self) -> Result<Self::Snapshot>;
    /// Put a saved state back.
    fn restore(&mut self, snapshot: &Self::Snapshot) -> Result<()>;

    /// Send a `sol!` call from `from` and decode its return value; a revert
    /// becomes [`ChainError::Reverted`].
    fn send<C: SolCall>(&mut self, from: Address, to: Address, call: &C) -> Result<C::Return> {
        self.transact(from, to, call.abi_encode().into(), U256::ZERO)?.decode::<C>(to)
    }

    /// Run a `sol!` call read-only and decode its return value.
    fn view<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return> {
        self.call(Address::ZERO, to, call.abi_encode().into())?.decode::<C>(to)
    }

    /// Deploy and return the new contract's address; a revert is an error.
    fn deploy_contract(&mut self, from: Address, init_code: Bytes) -> Result<Address> {
        let receipt = self.deploy(from, init_code)?;
        let gas_used = receipt.gas_used;
        match receipt.outcome {
            Outcome::Success { created: Some(address), .. } => Ok(address),
            Outcome::Success { created: None, .. } => Err(ChainError::NoContractCreated { from }),
            Outcome::Revert(reason) => Err(ChainError::Reverted { reason, gas_used }),
            Outcome::Halt(reason) => Err(ChainError::Halted { reason, gas_used }),
        }
    }
}
