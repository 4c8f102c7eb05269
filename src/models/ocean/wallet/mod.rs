//! What agents do on each Ocean design, as thin helpers on
//! [`crate::wallet::AgentWallet`]: each does the approvals it needs and
//! returns the on-chain result, a revert coming back as
//! [`crate::chain::ChainError::Reverted`].

mod v3_actions;
mod v4_actions;

pub use v3_actions::PoolSeed;
pub use v4_actions::AssetParams;
