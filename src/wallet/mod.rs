//! Agents' accounts: [`AgentWallet`] (one EOA plus off-chain USD), the ERC20
//! calls every token answers, and the checked conversions between agents'
//! floats and base-18 integers.
//!
//! # Errors
//! Conversions reject NaN, infinities, negatives and values beyond 2^256-1
//! with a [`UnitsError`]; on-chain actions return
//! [`crate::chain::ChainError`], a revert carrying its decoded reason and
//! leaving balances as they were.

mod agent_wallet;
mod erc20;
pub mod units;

pub use agent_wallet::AgentWallet;
pub use erc20::{ensure_allowance, Erc20};
pub use units::{from_base18, max_tokens, to_base18, UnitsError};
