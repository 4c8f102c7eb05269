//! solc-js compilers: the project's pinned one (`tools/solc/`, installed with
//! `npm ci` from its lock file) or any released version installed on demand
//! from the npm registry into a cache (`~/.cache/tokenspice/solc/<version>`,
//! its `package-lock.json` pinning the tarball's integrity), and one driver
//! that feeds them standard-JSON through the call form each version takes.

use super::pragma::Version;
use super::{BuildError, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The node script that runs a compile: argv = solc package folder, the
/// standard-JSON input file, then the folders imports are looked up in. 0.4.x takes
/// `compileStandardWrapper(input, callback)`, 0.5.x `compile(input, callback)`,
/// 0.6 and later `compile(input, { import: callback })`.
const DRIVER: &str = r#"
'use strict';
const fs = require('fs');
const path = require('path');
const [solcDir, inputFile, ...roots] = process.argv.slice(1);
const solc = require(path.resolve(solcDir, 'node_modules', 'solc'));
function findImports(importPath) {
  for (const root of roots) {
    const full = path.resolve(root, importPath);
    if (!full.startsWith(path.resolve(root) + path.sep)) continue;
    try { return { contents: fs.readFileSync(full, 'utf8') }; } catch (e) { /* next root */ }
  }
  return { error: `file not found in ${roots.join(', ')}` };
}
const input = fs.readFileSync(inputFile, 'utf8');
const [major, minor] = solc.version().split('.').map(Number);
let output;
if (major === 0 && minor < 5 && typeof solc.compileStandardWrapper === 'function') {
  output = solc.compileStandardWrapper(input, findImports);
} else if (major === 0 && minor < 6) {
  output = solc.compile(input, findImports);
} else {
  output = solc.compile(input, { import: findImports });
}
const parsed = JSON.parse(output);
parsed.solcVersion = solc.version();
process.stdout.write(JSON.stringify(parsed));
"#;

/// One installed solc-js.
#[derive(Debug, Clone)]
pub struct SolcJs {
    /// Its version.
    pub version: Version,
    /// The folder whose `node_modules/solc` it is.
    pub dir: PathBuf,
}

/// Where compilers and the version list are cached: `$TOKENSPICE_CACHE`, or
/// `$XDG_CACHE_HOME/tokenspice`, or `~/.cache/tokenspice`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TOKENSPICE_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("tokenspice")
}

fn installed_version(dir: &Path) -> Option<Version> {
    let text = std::fs::read_to_string(dir.join("node_modules/solc/package.json")).ok()?;
    let json: Value = serde_json::from_str(&text).ok()?;
    json.get("version")?.as_str()?.parse().ok()
}

fn npm(args: &[&str], dir: &Path) -> Result<()> {
    let status = Command::new("npm")
        .args(args)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .stdout(Stdio::inherit())
        .status()
        .map_err(|e| BuildError::Toolchain(format!("cannot run npm ({e}); install Node.js 18+ and npm")))?;
    if !status.success() {
        return Err(BuildError::Toolchain(format!(
            "npm {} in {} failed ({status})",
            args.join(" "),
            dir.display()
        )));
    }
    Ok(())
}

impl SolcJs {
    /// The compiler pinned in `<root>/tools/solc/` (`npm ci` when missing).
    pub fn pinned(root: &Path, version: Version) -> Result<Self> {
        let dir = root.join("tools/solc");
        if installed_version(&dir) != Some(version) {
            if !dir.join("package-lock.json").is_file() {
                return Err(BuildError::Toolchain(format!(
                    "{}: package-lock.json is missing; it pins the solc-js version",
                    dir.display()
                )));
            }
            eprintln!("installing solc-js {version} from the npm registry into {} ...", dir.display());
            npm(&["ci"], &dir)?;
        }
        Ok(Self { version, dir })
    }

    /// The compiler `<root>/tools/solc/package.json` pins, installed, if it pins one.
    pub fn pinned_in(root: &Path) -> Result<Option<Self>> {
        super::config::pinned_version(root)?.map(|version| Self::pinned(root, version)).transpose()
    }

    /// solc-js `version` from the cache, installed from the npm registry
    /// first if needed. Installs go to a scratch folder renamed into place,
    /// so concurrent builds never see half an install.
    pub fn cached(version: Version) -> Result<Self> {
        let solc_cache = cache_dir().join("solc");
        let dir = solc_cache.join(version.to_string());
        if installed_version(&dir) == Some(version) {
            return Ok(Self { version, dir });
        }
        let io = |file: &Path| {
            let file = file.to_path_buf();
            move |source| BuildError::Io { file, source }
        };
        std::fs::create_dir_all(&solc_cache).map_err(io(&solc_cache))?;
        let scratch = tempfile::tempdir_in(&solc_cache).map_err(io(&solc_cache))?;
        let manifest = serde_json::json!({
            "name": format!("tokenspice-solc-{version}"),
            "private": true,
            "dependencies": { "solc": version.to_string() },
        });
        let package = scratch.path().join("package.json");
        std::fs::write(&package, manifest.to_string()).map_err(io(&package))?;
        eprintln!("installing solc-js {version} from the npm registry into {} ...", dir.display());
        npm(&["install", "--ignore-scripts"], scratch.path())?;
        if installed_version(scratch.path()) != Some(version) {
            return Err(BuildError::Toolchain(format!("npm did not install solc {version}")));
        }
        let staged = scratch.keep();
        if std::fs::rename(&staged, &dir).is_err() {
            // Another build installed it meanwhile; use theirs.
            let _ = std::fs::remove_dir_all(&staged);
        }
        match installed_version(&dir) {
            Some(found) if found == version => Ok(Self { version, dir }),
            _ => Err(BuildError::Toolchain(format!("{} does not hold solc-js {version}", dir.display()))),
        }
    }

    /// Compile a standard-JSON `input`; imports are looked up in `roots`.
    pub fn compile(&self, input: &Value, roots: &[PathBuf]) -> Result<Value> {
        let file = tempfile::NamedTempFile::new()
            .map_err(|source| BuildError::Io { file: std::env::temp_dir(), source })?;
        std::fs::write(file.path(), input.to_string())
            .map_err(|source| BuildError::Io { file: file.path().to_path_buf(), source })?;
        let out = Command::new("node")
            .arg("-e")
            .arg(DRIVER)
            .arg(&self.dir)
            .arg(file.path())
            .args(roots)
            .output()
            .map_err(|e| BuildError::Toolchain(format!("cannot run node ({e}); install Node.js 18+")))?;
        if !out.status.success() {
            return Err(BuildError::Toolchain(format!(
                "solc-js {} failed ({}): {}",
                self.version,
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| {
            BuildError::Other(format!("solc-js {} printed something that is not JSON: {e}", self.version))
        })
    }
}

/// Every released solc-js version, from the npm registry (cached for a day).
pub(super) fn released_versions() -> Result<Vec<Version>> {
    let file = cache_dir().join("solc").join("versions.json");
    let fresh = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() < 86_400);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) if fresh => text,
        _ => {
            let out =
                Command::new("npm").args(["view", "solc", "versions", "--json"]).output().map_err(|e| {
                    BuildError::Toolchain(format!("cannot run npm ({e}); install Node.js 18+ and npm"))
                })?;
            if !out.status.success() {
                return Err(BuildError::Toolchain(format!(
                    "`npm view solc versions` failed; give the compiler with --solc X.Y.Z: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            if let Some(parent) = file.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let _ = std::fs::write(&file, &text);
            text
        }
    };
    let listed: Vec<String> = serde_json::from_str(&text)
        .map_err(|e| BuildError::Other(format!("the npm registry's solc version list is not JSON: {e}")))?;
    let mut versions: Vec<Version> =
        listed.iter().filter(|v| !v.contains('-')).filter_map(|v| v.parse().ok()).collect();
    versions.sort();
    Ok(versions)
}
