//! Typed bindings of the project's own contracts (`sol!` from the committed
//! `out/` artifacts) and the project's build embedded in the binary, so a
//! run needs neither Node nor a compiler.
//!
//! # Errors
//! Deployment and calls go through [`crate::chain::Backend`]; a revert comes
//! back as [`crate::chain::ChainError::Reverted`] with its decoded reason.

pub mod adapter;
mod design;
mod erc20;
mod ocean;
mod own_build;
pub mod tools;
pub mod v3;
pub mod v4;
pub mod vesting;

pub use design::Design;
pub use erc20::{ensure_allowance, Erc20};
pub use ocean::{Ocean, OceanToken};
pub use own_build::{own_artifact, OWN_CONTRACTS};
pub use v3::{deploy_own, OceanV3};
pub use v4::OceanV4;
