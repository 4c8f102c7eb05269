//! [`Build`]: a whole compiled build someone else made, found by path — a
//! Foundry `out/` dir, a Hardhat `artifacts/` dir, a Truffle
//! `build/contracts/` dir, a Waffle `build/` dir, an npm package holding one
//! of those, or one solc output file (standard JSON or `--combined-json`) —
//! indexed by contract name and loaded lazily. A solc output recording a
//! failed compile is refused with the compiler's errors.

use super::formats::{check_compiled, solc_layout, split_combined_key};
use super::{Artifact, ArtifactError, Format, Result};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Folders inside a project or npm package where builds usually live, in
/// the order they are tried.
const BUILD_DIRS: &[&str] = &["out", "artifacts", "build/contracts", "build"];

/// Folders that never hold a build's contract artifacts.
const SKIPPED_DIRS: &[&str] = &["node_modules", "build-info", "cache", ".git"];

/// JSON files of a build folder that are not one contract's artifact:
/// Waffle's `outputType: "all"` writes the whole solc output, keyed by
/// `<source>:<Name>`, beside the per-contract files it duplicates.
const SKIPPED_FILES: &[&str] = &["Combined-Json.json"];

/// A compiled build on disk.
#[derive(Debug, Clone)]
pub struct Build {
    /// The path the user gave.
    pub path: PathBuf,
    /// The folder or file actually indexed.
    pub root: PathBuf,
    /// `name@version` when the path is an npm package.
    pub package: Option<String>,
    /// Where each contract's artifact is: name → files (several when ambiguous).
    index: BTreeMap<String, Vec<PathBuf>>,
    /// True when `root` is one solc output file (standard JSON or combined JSON).
    solc_output: bool,
}

impl Build {
    /// Find the build at `path` and index its contracts.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let missing = |source| ArtifactError::Io { file: path.clone(), source };
        let meta = std::fs::metadata(&path).map_err(missing)?;
        if meta.is_file() {
            return Self::open_solc_output(path);
        }
        let package = package_id(&path);
        let root =
            BUILD_DIRS.iter().map(|dir| path.join(dir)).find(|dir| dir.is_dir()).unwrap_or(path.clone());
        let mut index = BTreeMap::new();
        index_dir(&root, &mut index, &mut BTreeSet::new())?;
        if index.is_empty() {
            return Err(ArtifactError::malformed(
                &path,
                "no contract artifacts here (looked for *.json under out/, artifacts/, build/contracts/ \
                 or the folder itself)",
            ));
        }
        Ok(Self { path, root, package, index, solc_output: false })
    }

    fn open_solc_output(path: PathBuf) -> Result<Self> {
        let text = std::fs::read_to_string(&path)
            .map_err(|source| ArtifactError::Io { file: path.clone(), source })?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|source| ArtifactError::Json { file: path.clone(), source })?;
        let object = json.as_object().cloned().unwrap_or_default();
        check_compiled(&path, &object)?;
        let mut index: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        match (solc_layout(&object), object.get("contracts").and_then(Value::as_object)) {
            (Some(Format::SolcCombinedJson), Some(contracts)) => {
                for key in contracts.keys() {
                    let (source, name) = split_combined_key(key);
                    index.entry(name.to_string()).or_default().push(PathBuf::from(source));
                }
            }
            (_, Some(contracts)) => {
                for (source, by_name) in contracts {
                    for name in by_name.as_object().into_iter().flat_map(|m| m.keys()) {
                        index.entry(name.clone()).or_default().push(PathBuf::from(source));
                    }
                }
            }
            (_, None) => {
                return Err(ArtifactError::malformed(
                    &path,
                    "a build file must be solc standard-JSON output or solc --combined-json output \
                     (a \"contracts\" object); for one artifact, give the folder that holds it",
                ))
            }
        }
        if index.is_empty() {
            return Err(ArtifactError::malformed(
                &path,
                "solc output with no contracts (were the sources empty, or outputSelection without abi and evm.bytecode?)",
            ));
        }
        Ok(Self { root: path.clone(), path, package: None, index, solc_output: true })
    }

    /// A short description for messages and run.json: the path, and the npm package if any.
    pub fn describe(&self) -> String {
        match &self.package {
            Some(package) => format!("{} ({package})", self.path.display()),
            None => self.path.display().to_string(),
        }
    }

    /// Contract names in the build.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// Load contract `name`; `path/To/File.sol:Name` picks one of several
    /// contracts of the same name by the path of its artifact or source.
    pub fn artifact(&self, name: &str) -> Result<Artifact> {
        let (qualifier, short) = match name.rsplit_once(':') {
            Some((qualifier, short)) => (Some(qualifier), short),
            None => (None, name),
        };
        let Some(files) = self.index.get(short) else {
            return Err(ArtifactError::UnknownContract {
                file: self.path.clone(),
                name: name.to_string(),
                available: self.similar_names(short),
            });
        };
        let chosen: Vec<&PathBuf> =
            files.iter().filter(|f| qualifier.is_none_or(|q| f.to_string_lossy().contains(q))).collect();
        match chosen.as_slice() {
            [one] if self.solc_output => {
                let qualified = format!("{}:{short}", one.display());
                Artifact::load(&self.root, Some(&qualified))
            }
            [one] => Artifact::load(one, Some(short)),
            [] => Err(ArtifactError::UnknownContract {
                file: self.path.clone(),
                name: name.to_string(),
                available: files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "),
            }),
            several => Err(ArtifactError::malformed(
                &self.path,
                format!(
                    "contract name {short} is ambiguous; write it as <path>:{short} with one of: {}",
                    several.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }

    /// Up to 12 names of the build that look like `name`, or the first ones.
    fn similar_names(&self, name: &str) -> String {
        let lower = name.to_lowercase();
        let mut similar: Vec<&str> = self
            .names()
            .filter(|n| {
                let n = n.to_lowercase();
                n.contains(&lower) || lower.contains(&n)
            })
            .collect();
        if similar.is_empty() {
            similar = self.names().collect();
        }
        let more = similar.len().saturating_sub(12);
        similar.truncate(12);
        let mut text = similar.join(", ");
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text
    }
}

/// `name@version` from `dir/package.json`, when there is one (a leading
/// `v` of the version, as in `v1.1.15`, is dropped).
fn package_id(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: Value = serde_json::from_str(&text).ok()?;
    let version = json.get("version")?.as_str()?;
    Some(format!("{}@{}", json.get("name")?.as_str()?, version.strip_prefix('v').unwrap_or(version)))
}

/// Index every `<Name>.json` under `dir` (recursively) by its file stem,
/// skipping Hardhat's debug files, Waffle's combined output and folders
/// that hold no artifacts.
fn index_dir(
    dir: &Path,
    index: &mut BTreeMap<String, Vec<PathBuf>>,
    visited: &mut BTreeSet<PathBuf>,
) -> Result<()> {
    if !super::first_visit(visited, dir) {
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).map_err(|source| ArtifactError::Io { file: dir.to_path_buf(), source })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if !SKIPPED_DIRS.contains(&file_name.as_str()) {
                index_dir(&path, index, visited)?;
            }
        } else if let Some(stem) = file_name.strip_suffix(".json") {
            let not_artifact = stem.ends_with(".dbg")
                || stem.starts_with("package")
                || SKIPPED_FILES.contains(&file_name.as_str());
            if !not_artifact {
                index.entry(stem.to_string()).or_default().push(path);
            }
        }
    }
    Ok(())
}
