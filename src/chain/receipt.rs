//! What a transaction or call left behind: outcome, gas and logs.

use super::{ChainError, Result, RevertReason};
use alloy_primitives::{Address, Bytes, Log};
use alloy_sol_types::SolCall;

/// How a transaction ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded; `output` is the return data (or, for a deployment, the
    /// runtime code) and `created` the new contract of a deployment.
    Success {
        /// Return data.
        output: Bytes,
        /// Address of the created contract, for deployments.
        created: Option<Address>,
    },
    /// It reverted; its state changes were discarded.
    Revert(RevertReason),
    /// It halted (out of gas, invalid opcode, stack overflow, ...).
    Halt(String),
}

/// The result of one transaction or read-only call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// How it ended.
    pub outcome: Outcome,
    /// Gas used, after refunds.
    pub gas_used: u64,
    /// Logs emitted (empty unless it succeeded).
    pub logs: Vec<Log>,
}

impl Receipt {
    /// Whether the transaction succeeded.
    pub fn is_success(&self) -> bool {
        matches!(self.outcome, Outcome::Success { .. })
    }

    /// The revert reason, if it reverted.
    pub fn revert_reason(&self) -> Option<&RevertReason> {
        match &self.outcome {
            Outcome::Revert(reason) => Some(reason),
            _ => None,
        }
    }

    /// The return data of a successful transaction, or the revert / halt as
    /// a typed error.
    pub fn into_output(self) -> Result<Bytes> {
        match self.outcome {
            Outcome::Success { output, .. } => Ok(output),
            Outcome::Revert(reason) => Err(ChainError::Reverted { reason, gas_used: self.gas_used }),
            Outcome::Halt(reason) => Err(ChainError::Halted { reason, gas_used: self.gas_used }),
        }
    }

    /// The decoded return value of a successful `sol!` call to `to`.
    pub fn decode<C: SolCall>(self, to: Address) -> Result<C::Return> {
        let output = self.into_output()?;
        C::abi_decode_returns(&output).map_err(|e| ChainError::Decode { to, reason: e.to_string() })
    }
}
