//! The project's own build: every deployable contract compiled into `out/`,
//! embedded in the binary at compile time (see `build.rs`), and deployment of
//! one of them from the simulation's deployer.

use super::{Artifact, ArtifactError, Result};
use crate::chain::{Backend, GOD};
use alloy_primitives::Address;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/own_contracts.rs"));

/// Load one of the project's own contracts from the embedded build.
pub fn own_artifact(name: &str) -> Result<Artifact> {
    let Some((_, path, text)) = OWN_CONTRACTS.iter().find(|(n, _, _)| *n == name) else {
        let known: Vec<&str> = OWN_CONTRACTS.iter().map(|(n, _, _)| *n).collect();
        return Err(ArtifactError::UnknownContract {
            file: "out/ (embedded)".into(),
            name: name.to_string(),
            available: known.join(", "),
        });
    };
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|source| ArtifactError::Json { file: Path::new(path).to_path_buf(), source })?;
    Artifact::from_json(Path::new(path), &json, Some(name))
}

/// Deploy one of the project's contracts from [`GOD`] with text constructor arguments.
pub fn deploy_own<B: Backend>(chain: &mut B, name: &str, args: &[&str]) -> anyhow::Result<Address> {
    let init = own_artifact(name)?.init_code_from_strs(args)?;
    let address = chain.deploy_contract(GOD, init).map_err(|e| anyhow::anyhow!("deploying {name}: {e}"))?;
    Ok(address)
}
