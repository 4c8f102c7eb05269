//! The Solidity sources behind some of a build's contracts, for measuring
//! them. Each contract's compiler metadata names its source units with
//! their keccak-256; a unit's text comes from an artifact that embeds it
//! (Truffle's `source`) or from the project's file that `tsp build`'s record
//! names, and is used only when its hash matches the metadata's.

use super::Build;
use alloy_primitives::{hex, keccak256};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The compiler metadata of an artifact: Truffle's `metadata` string, a
/// Foundry `rawMetadata` string or `metadata` object.
fn metadata(artifact: &Value) -> Option<Value> {
    for key in ["rawMetadata", "metadata"] {
        match artifact.get(key) {
            Some(Value::String(text)) => return serde_json::from_str(text).ok(),
            Some(object @ Value::Object(_)) if object.get("sources").is_some() => {
                return Some(object.clone())
            }
            _ => {}
        }
    }
    None
}

/// Units whose text some artifact under `dir` embeds (Truffle's `source`).
fn embedded_sources(dir: &Path, found: &mut BTreeMap<String, String>, visited: &mut BTreeSet<PathBuf>) {
    if !super::first_visit(visited, dir) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() && !path.ends_with("node_modules") {
            embedded_sources(&path, found, visited);
        } else if path.extension().is_some_and(|e| e == "json") {
            let Some(json) =
                std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok())
            else {
                continue;
            };
            let (Some(source), Some(meta)) = (json.get("source").and_then(Value::as_str), metadata(&json))
            else {
                continue;
            };
            let target = meta.pointer("/settings/compilationTarget").and_then(Value::as_object);
            if let Some(unit) = target.and_then(|t| t.keys().next()) {
                found.insert(unit.clone(), source.to_string());
            }
        }
    }
}

/// Unit → file, from `tsp build`'s record in the build folder.
fn recorded_units(build: &Build) -> BTreeMap<String, PathBuf> {
    let record = build.root.join(super::solc::RECORD);
    let Some(json) =
        std::fs::read_to_string(record).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok())
    else {
        return BTreeMap::new();
    };
    let root = match json.get("root").and_then(Value::as_str) {
        Some(root) => PathBuf::from(root),
        None => build.root.parent().unwrap_or(Path::new(".")).to_path_buf(),
    };
    let units = json.get("units").and_then(Value::as_object).into_iter().flatten();
    units.filter_map(|(unit, path)| Some((unit.clone(), root.join(path.as_str()?)))).collect()
}

/// The source units `contracts` were compiled from, unit name → text;
/// an error names the first contract or unit whose text cannot be found.
pub fn contract_sources(build: &Build, contracts: &[&str]) -> Result<BTreeMap<String, String>, String> {
    let mut embedded = BTreeMap::new();
    embedded_sources(&build.root, &mut embedded, &mut BTreeSet::new());
    let on_disk = recorded_units(build);
    let mut sources = BTreeMap::new();
    for name in contracts {
        let artifact = build.artifact(name).map_err(|e| e.to_string())?;
        let json: Value = std::fs::read_to_string(&artifact.file)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| format!("{}: not readable JSON", artifact.file.display()))?;
        let meta = metadata(&json).ok_or_else(|| format!("{name}: its artifact has no compiler metadata"))?;
        let units = meta.get("sources").and_then(Value::as_object).into_iter().flatten();
        for (unit, described) in units {
            if sources.contains_key(unit) {
                continue;
            }
            let expected = described.get("keccak256").and_then(Value::as_str).unwrap_or_default();
            let candidates = embedded
                .get(unit)
                .cloned()
                .into_iter()
                .chain(on_disk.get(unit).and_then(|path| std::fs::read_to_string(path).ok()));
            let matching = candidates
                .into_iter()
                .find(|text| format!("0x{}", hex::encode(keccak256(text.as_bytes()))) == expected);
            let text = matching.ok_or_else(|| {
                format!("{name}: the source {unit} is not in the build (or changed since it was compiled)")
            })?;
            sources.insert(unit.clone(), text);
        }
    }
    Ok(sources)
}
