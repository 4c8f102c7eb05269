//! The project's own build: every deployable contract compiled into `out/`,
//! embedded in the binary at compile time (see `build.rs`), or — when a run
//! starts in the project's folder — read from `out/` on disk, so that
//! editing `contracts/`, `tsp build` and `tsp run` runs the new code; and
//! deployment of one of them from the simulation's deployer.

use super::{Artifact, ArtifactError, Result};
use crate::chain::{Backend, GOD};
use alloy_primitives::Address;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

include!(concat!(env!("OUT_DIR"), "/own_contracts.rs"));

/// `out/` on disk when this process runs the project's build from there.
struct DiskBuild {
    out: PathBuf,
    loaded: Mutex<HashMap<String, Artifact>>,
}

static DISK_BUILD: OnceLock<DiskBuild> = OnceLock::new();

/// Run the project's contracts from `out` (a `tsp build` output folder)
/// instead of the copy embedded in the binary, for the rest of the process.
/// Returns false when another folder was chosen before.
pub fn use_disk_build(out: impl Into<PathBuf>) -> bool {
    let out = out.into();
    let chosen =
        DISK_BUILD.get_or_init(|| DiskBuild { out: out.clone(), loaded: Mutex::new(HashMap::new()) });
    chosen.out == out
}

/// Where the project's own contracts come from: the `out/` folder in use,
/// or `None` for the copy embedded in the binary.
pub fn disk_build() -> Option<&'static Path> {
    DISK_BUILD.get().map(|build| build.out.as_path())
}

/// Load one of the project's own contracts.
pub fn own_artifact(name: &str) -> Result<Artifact> {
    if let Some(build) = DISK_BUILD.get() {
        if let Some(artifact) = build.loaded.lock().ok().and_then(|loaded| loaded.get(name).cloned()) {
            return Ok(artifact);
        }
        // A contract that out/ lacks comes from the embedded copy.
        if let Ok(artifact) = Artifact::from_foundry_dir(&build.out, name) {
            if let Ok(mut loaded) = build.loaded.lock() {
                loaded.insert(name.to_string(), artifact.clone());
            }
            return Ok(artifact);
        }
    }
    let Some(&(name, path, text)) = OWN_CONTRACTS.iter().find(|(n, _, _)| *n == name) else {
        let known: Vec<&str> = OWN_CONTRACTS.iter().map(|(n, _, _)| *n).collect();
        return Err(ArtifactError::UnknownContract {
            file: "out/ (embedded)".into(),
            name: name.to_string(),
            available: known.join(", "),
        });
    };
    // Parsing an artifact's JSON costs more than the deployment it serves:
    // each embedded artifact is parsed once per process.
    static EMBEDDED: OnceLock<Mutex<HashMap<&'static str, Artifact>>> = OnceLock::new();
    let parsed = EMBEDDED.get_or_init(Mutex::default);
    if let Some(artifact) = parsed.lock().ok().and_then(|parsed| parsed.get(name).cloned()) {
        return Ok(artifact);
    }
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|source| ArtifactError::Json { file: Path::new(path).to_path_buf(), source })?;
    let artifact = Artifact::from_json(Path::new(path), &json, Some(name))?;
    if let Ok(mut parsed) = parsed.lock() {
        parsed.insert(name, artifact.clone());
    }
    Ok(artifact)
}

/// Deploy one of the project's contracts from [`GOD`] with text constructor arguments.
pub fn deploy_own<B: Backend>(chain: &mut B, name: &str, args: &[&str]) -> anyhow::Result<Address> {
    let init = own_artifact(name)?.init_code_from_strs(args)?;
    let address = chain.deploy_contract(GOD, init).map_err(|e| anyhow::anyhow!("deploying {name}: {e}"))?;
    Ok(address)
}
