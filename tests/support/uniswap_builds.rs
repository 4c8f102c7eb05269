//! Uniswap V2's published builds for tests: `@uniswap/v2-core` and
//! `@uniswap/v2-periphery`, installed from the npm registry by
//! scripts/uniswap-builds.sh (once per test binary and package). A failing
//! script fails the test with its stderr.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The folder of `@uniswap/<package>` (`v2-core` or `v2-periphery`),
/// installing it if needed.
pub(crate) fn uniswap_build(package: &str) -> PathBuf {
    static INSTALLED: OnceLock<Mutex<Vec<(String, PathBuf)>>> = OnceLock::new();
    let mut installed = INSTALLED.get_or_init(Default::default).lock().unwrap();
    if let Some((_, path)) = installed.iter().find(|(p, _)| p == package) {
        return path.clone();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/uniswap-builds.sh");
    let output = std::process::Command::new("bash").arg(&script).arg(package).output().unwrap();
    assert!(
        output.status.success(),
        "scripts/uniswap-builds.sh {package} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = PathBuf::from(String::from_utf8(output.stdout).unwrap().trim());
    installed.push((package.to_string(), path.clone()));
    path
}
