//! Typed bindings of the Ocean model's own contracts (`sol!` from the
//! committed `out/` artifacts) and the deployment of each design's system
//! contracts.
//!
//! # Errors
//! Deployment and calls go through [`crate::chain::Backend`]; a revert comes
//! back as [`crate::chain::ChainError::Reverted`] with its decoded reason.

mod design;
mod ocean_token;
pub mod v3;
pub mod v4;
pub mod vesting;

pub use design::Design;
pub use ocean_token::{Ocean, OceanToken};
pub use v3::OceanV3;
pub use v4::OceanV4;
