//! Errors of the chain layer.

use super::RevertReason;
use alloy_primitives::Address;

/// Result alias of the chain layer.
pub type Result<T, E = ChainError> = std::result::Result<T, E>;

/// Why a chain operation did not give the caller what it asked for.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The transaction could not run at all (bad nonce, not enough ETH for
    /// the value sent, gas limit above the cap, ...).
    #[error("transaction from {from} could not run: {reason}")]
    InvalidTransaction {
        /// Sender of the transaction.
        from: Address,
        /// The EVM's explanation.
        reason: String,
    },
    /// The transaction ran and reverted, where the caller needed success.
    #[error("transaction reverted: {reason}")]
    Reverted {
        /// The decoded revert reason.
        reason: RevertReason,
        /// Gas used up to the revert.
        gas_used: u64,
    },
    /// The transaction halted (out of gas, invalid opcode, ...).
    #[error("transaction halted: {reason}")]
    Halted {
        /// The EVM's halt reason.
        reason: String,
        /// Gas used (usually the whole limit).
        gas_used: u64,
    },
    /// A deployment succeeded but did not create a contract.
    #[error("deployment from {from} created no contract")]
    NoContractCreated {
        /// Deployer.
        from: Address,
    },
    /// Return data could not be decoded as the expected type.
    #[error("cannot decode the return data of a call to {to}: {reason}")]
    Decode {
        /// Callee.
        to: Address,
        /// The decoder's explanation.
        reason: String,
    },
    /// A backend-specific failure (database, network, ...).
    #[error("chain backend failure: {0}")]
    Backend(String),
}
