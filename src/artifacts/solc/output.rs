//! What a build writes: Foundry-layout artifacts `out/<File>.sol/<Name>.json`
//! from solc's standard-JSON output, the compiler's diagnostics as
//! `file:line:column` text, the build record `out/build-info/tokenspice.json`
//! (every source file's hash, so a run can tell a stale `out/` without
//! compiling), and how an existing `out/` differs from a fresh build.

use super::{BuildError, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the build record lives, relative to `out/`.
pub const RECORD: &str = "build-info/tokenspice.json";

/// The settings an artifact records.
#[derive(Debug, Clone)]
pub(super) struct Recorded<'a> {
    /// The compiler's full version.
    pub(super) compiler: &'a str,
    /// Optimizer runs, `None` when off.
    pub(super) optimizer_runs: Option<u32>,
    /// `evmVersion`, `None` for the compiler's default.
    pub(super) evm_version: Option<&'a str>,
}

/// `file:line:column: message` for one solc diagnostic.
pub(super) fn diagnostic(error: &Value) -> String {
    let formatted = error.get("formattedMessage").and_then(Value::as_str);
    let message = error.get("message").and_then(Value::as_str).unwrap_or("(no message)");
    formatted.map_or_else(|| message.to_string(), |text| text.trim_end().to_string())
}

/// The errors and warnings of a solc output.
pub(super) fn diagnostics(output: &Value) -> (Vec<String>, Vec<String>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for error in output.get("errors").and_then(Value::as_array).into_iter().flatten() {
        match error.get("severity").and_then(Value::as_str) {
            Some("error") => errors.push(diagnostic(error)),
            Some("warning") => warnings.push(diagnostic(error)),
            _ => {}
        }
    }
    (errors, warnings)
}

/// One artifact per contract of `output`: artifact path relative to `out/`
/// → pretty JSON. `source_path` maps a unit name to its path in the project.
pub(super) fn artifacts(
    output: &Value,
    recorded: &Recorded<'_>,
    source_path: impl Fn(&str) -> String,
) -> Result<BTreeMap<PathBuf, String>> {
    let mut artifacts = BTreeMap::new();
    let units = output.get("contracts").and_then(Value::as_object).cloned().unwrap_or_default();
    for (unit, contracts) in units {
        let file_name = unit.rsplit('/').next().unwrap_or(&unit).to_string();
        for (name, body) in contracts.as_object().into_iter().flatten() {
            let evm = &body["evm"];
            let code = |part: &str| {
                json!({
                    "object": format!("0x{}", evm[part]["object"].as_str().unwrap_or_default()),
                    "linkReferences": evm[part]["linkReferences"],
                })
            };
            let artifact = json!({
                "abi": body["abi"],
                "bytecode": code("bytecode"),
                "deployedBytecode": code("deployedBytecode"),
                "methodIdentifiers": evm["methodIdentifiers"],
                "rawMetadata": body["metadata"],
                "compiler": { "name": "solc-js", "version": recorded.compiler },
                "settings": { "optimizerRuns": recorded.optimizer_runs, "evmVersion": recorded.evm_version },
                "sourcePath": source_path(&unit),
            });
            let text = serde_json::to_string_pretty(&artifact)
                .map_err(|e| BuildError::Other(format!("cannot serialise {name}: {e}")))?
                + "\n";
            artifacts.insert(PathBuf::from(&file_name).join(format!("{name}.json")), text);
        }
    }
    Ok(artifacts)
}

/// keccak-256 of a file's bytes, as hex.
pub(super) fn file_hash(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| BuildError::Io { file: path.to_path_buf(), source })?;
    Ok(alloy_primitives::hex::encode(alloy_primitives::keccak256(bytes)))
}

/// The build record: which compiler built which units, the file each unit
/// was read from, and the hash of every file (paths relative to the
/// project root) the build read.
pub(super) fn record(
    compilers: &BTreeMap<String, Vec<String>>,
    units: &BTreeMap<String, String>,
    files: &BTreeMap<String, String>,
) -> Result<String> {
    let record = json!({ "compilers": compilers, "units": units, "files": files });
    serde_json::to_string_pretty(&record).map(|t| t + "\n").map_err(|e| BuildError::Other(e.to_string()))
}

/// The file hashes of the build record in `out_dir`, if there is one.
pub(super) fn recorded_files(out_dir: &Path) -> Result<Option<BTreeMap<String, String>>> {
    let file = out_dir.join(RECORD);
    let Ok(text) = std::fs::read_to_string(&file) else { return Ok(None) };
    let json: Value = serde_json::from_str(&text)
        .map_err(|source| BuildError::Other(format!("{}: {source}", file.display())))?;
    let files = json.get("files").and_then(Value::as_object).ok_or_else(|| {
        BuildError::Other(format!("{}: no \"files\" table; rebuild with `tsp build`", file.display()))
    })?;
    Ok(Some(files.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect()))
}

/// Every file under `dir`, relative to it, sorted.
pub(super) fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.exists() {
        return Ok(files);
    }
    let mut stack = vec![dir.to_path_buf()];
    let mut visited = std::collections::BTreeSet::new();
    while let Some(current) = stack.pop() {
        if !crate::artifacts::first_visit(&mut visited, &current) {
            continue;
        }
        let entries =
            std::fs::read_dir(&current).map_err(|source| BuildError::Io { file: current.clone(), source })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                files.push(relative.to_path_buf());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Write `files` (paths relative to `dir`).
pub(super) fn write_files(dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<()> {
    for (relative, text) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| BuildError::Io { file: parent.to_path_buf(), source })?;
        }
        std::fs::write(&path, text).map_err(|source| BuildError::Io { file: path, source })?;
    }
    Ok(())
}

/// How `out/` differs from a fresh build.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Staleness {
    /// Artifacts whose content differs.
    pub changed: Vec<PathBuf>,
    /// Artifacts a fresh build makes that `out/` lacks.
    pub missing: Vec<PathBuf>,
    /// Files in `out/` a fresh build does not make.
    pub extra: Vec<PathBuf>,
}

impl Staleness {
    /// Compare the files of a fresh build with what `out_dir` holds.
    pub fn between(out_dir: &Path, fresh: &BTreeMap<PathBuf, String>) -> Result<Self> {
        let mut staleness = Self::default();
        for (path, text) in fresh {
            match std::fs::read_to_string(out_dir.join(path)) {
                Ok(current) if &current == text => {}
                Ok(_) => staleness.changed.push(path.clone()),
                Err(_) => staleness.missing.push(path.clone()),
            }
        }
        staleness.extra = list_files(out_dir)?.into_iter().filter(|p| !fresh.contains_key(p)).collect();
        Ok(staleness)
    }

    /// Whether `out/` matches a fresh build exactly.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

impl std::fmt::Display for Staleness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let groups =
            [("changed", &self.changed), ("missing", &self.missing), ("not built any more", &self.extra)];
        for (label, paths) in groups {
            for path in paths {
                let contract = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
                writeln!(f, "  {contract} ({label}): out/{}", path.display())?;
            }
        }
        Ok(())
    }
}
