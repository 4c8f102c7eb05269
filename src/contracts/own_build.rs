//! The project's compiled contracts, embedded from `out/` at compile time.

use crate::artifacts::{Artifact, Result};
use std::path::Path;

/// `(contract name, artifact path under out/, artifact JSON)` of every
/// deployable contract the project ships.
pub const OWN_CONTRACTS: &[(&str, &str, &str)] = &[
    own!("OceanToken.sol", "OceanToken"),
    own!("Datatoken.sol", "Datatoken"),
    own!("DatatokenFactory.sol", "DatatokenFactory"),
    own!("WeightedPool.sol", "WeightedPool"),
    own!("PoolFactory.sol", "PoolFactory"),
    own!("CommunityFeeCollector.sol", "CommunityFeeCollector"),
    own!("BalancerMathHarness.sol", "BalancerMathHarness"),
    own!("LinearVesting.sol", "LinearVesting"),
    own!("BalanceReader.sol", "BalanceReader"),
    own!("DatatokenV4.sol", "DatatokenV4"),
    own!("PoolV4.sol", "PoolV4"),
    own!("PoolV4Factory.sol", "PoolV4Factory"),
    own!("SideStaking.sol", "SideStaking"),
];

macro_rules! own {
    ($file:literal, $name:literal) => {
        (
            $name,
            concat!("out/", $file, "/", $name, ".json"),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/out/", $file, "/", $name, ".json")),
        )
    };
}
use own;

/// Load one of the project's own contracts from the embedded build.
pub fn own_artifact(name: &str) -> Result<Artifact> {
    let Some((_, path, text)) = OWN_CONTRACTS.iter().find(|(n, _, _)| *n == name) else {
        let known: Vec<&str> = OWN_CONTRACTS.iter().map(|(n, _, _)| *n).collect();
        return Err(crate::artifacts::ArtifactError::UnknownContract {
            file: "out/ (embedded)".into(),
            name: name.to_string(),
            available: known.join(", "),
        });
    };
    let json: serde_json::Value = serde_json::from_str(text).map_err(|source| {
        crate::artifacts::ArtifactError::Json { file: Path::new(path).to_path_buf(), source }
    })?;
    Artifact::from_json(Path::new(path), &json, Some(name))
}
