//! Ocean's published builds for tests: installed from the npm registry by
//! scripts/ocean-builds.sh (once per test binary), and small helpers to run
//! netlists on them.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The folder of `@oceanprotocol/contracts@<version>`, installing it if needed.
pub(crate) fn ocean_build(version: &str) -> PathBuf {
    static INSTALLED: OnceLock<Mutex<Vec<(String, PathBuf)>>> = OnceLock::new();
    let mut installed = INSTALLED.get_or_init(Default::default).lock().unwrap();
    if let Some((_, path)) = installed.iter().find(|(v, _)| v == version) {
        return path.clone();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ocean-builds.sh");
    let output = std::process::Command::new("bash").arg(&script).arg(version).output().unwrap();
    assert!(
        output.status.success(),
        "scripts/ocean-builds.sh {version} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = PathBuf::from(String::from_utf8(output.stdout).unwrap().trim());
    installed.push((version.to_string(), path.clone()));
    path
}

/// A repository path.
pub(crate) fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A `--set` override that puts `[contracts] build` on `path`.
pub(crate) fn build_override(path: &Path) -> String {
    format!("contracts.build={:?}", path.display().to_string())
}
