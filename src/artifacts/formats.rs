//! Recognising the JSON layouts that compilers and frameworks write:
//! Foundry `out/`, Hardhat `artifacts/`, Truffle `build/contracts/`, Waffle
//! `build/` (e.g. the `@uniswap/v2-*` npm packages), solc standard-JSON
//! output, and bare `{abi, bytecode}` files.

use super::{ArtifactError, Result};
use serde_json::{Map, Value};
use std::path::Path;

/// The layout an artifact was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Foundry: `bytecode` is an object with `object` and `linkReferences`.
    Foundry,
    /// Hardhat: `_format` is `hh-sol-artifact-1`.
    Hardhat,
    /// Truffle: `contractName`, hex-string `bytecode`, `compiler` or `networks`.
    Truffle,
    /// solc's standard-JSON output: `contracts.<file>.<name>.evm`.
    SolcStandardJson,
    /// Waffle (`ethereum-waffle` 2.x `build/<Name>.json`): solc's per-contract
    /// output at the top level — `abi`, `evm.bytecode.object`,
    /// `evm.deployedBytecode.object`, optional `metadata` (a JSON string) —
    /// plus a copy of the creation code as a hex-string `bytecode`.
    Waffle,
    /// Just `{abi, bytecode}`.
    Bare,
}

/// The fields every format yields, before validation.
#[derive(Debug)]
pub(super) struct RawArtifact {
    pub name: String,
    pub format: Format,
    pub abi: Value,
    pub bytecode: Option<String>,
    pub deployed_bytecode: Option<String>,
    pub link_references: Option<Value>,
    pub compiler_version: Option<String>,
}

/// Pick the format of `json` and pull out one contract (`name` is required
/// only for solc output holding several contracts).
pub(super) fn parse(file: &Path, json: &Value, name: Option<&str>) -> Result<RawArtifact> {
    let Some(object) = json.as_object() else {
        return Err(ArtifactError::malformed(file, "expected a JSON object at the top level"));
    };
    if object.contains_key("contracts") && !object.contains_key("abi") {
        return solc_output(file, object, name);
    }
    if !object.contains_key("abi") {
        return Err(ArtifactError::malformed(
            file,
            "not a contract artifact: no \"abi\" key (nor solc \"contracts\")",
        ));
    }
    let stem = || file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let contract_name = object.get("contractName").and_then(Value::as_str).map(str::to_owned);
    let format = if object.get("_format").and_then(Value::as_str) == Some("hh-sol-artifact-1") {
        Format::Hardhat
    } else if object.get("evm").is_some_and(Value::is_object) {
        Format::Waffle
    } else if object.get("bytecode").is_some_and(Value::is_object) {
        Format::Foundry
    } else if contract_name.is_some() && (object.contains_key("compiler") || object.contains_key("networks"))
    {
        Format::Truffle
    } else {
        Format::Bare
    };
    let declared = match (contract_name, name) {
        (Some(declared), Some(wanted)) if declared != wanted => {
            return Err(ArtifactError::UnknownContract {
                file: file.to_path_buf(),
                name: wanted.to_string(),
                available: declared,
            });
        }
        (Some(declared), _) => declared,
        // Foundry and bare files do not name their contract: trust the caller, else the file name.
        (None, Some(wanted)) => wanted.to_string(),
        (None, None) => stem(),
    };
    let (bytecode, link_references, deployed_bytecode) = if format == Format::Waffle {
        waffle_code(file, object)?
    } else {
        let (bytecode, link_references) = code_field(file, object, "bytecode")?;
        let (deployed_bytecode, _) = code_field(file, object, "deployedBytecode")?;
        (bytecode, link_references, deployed_bytecode)
    };
    let link_references = link_references.or_else(|| object.get("linkReferences").cloned());
    let compiler_version = object
        .get("compiler")
        .and_then(|c| c.get("version"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| metadata_compiler_version(object.get("metadata")));
    Ok(RawArtifact {
        name: declared,
        format,
        abi: object["abi"].clone(),
        bytecode,
        deployed_bytecode,
        link_references,
        compiler_version,
    })
}

/// Creation code, its link references and runtime code of a Waffle
/// artifact: from `evm`, where solc put them; the top-level hex-string
/// `bytecode` is the fallback for creation code (Waffle copies it there).
fn waffle_code(
    file: &Path,
    object: &Map<String, Value>,
) -> Result<(Option<String>, Option<Value>, Option<String>)> {
    let evm = object.get("evm").and_then(Value::as_object).cloned().unwrap_or_default();
    let (mut bytecode, link_references) = code_field(file, &evm, "bytecode")?;
    if bytecode.as_deref().is_none_or(str::is_empty) {
        if let Some(Value::String(hex)) = object.get("bytecode") {
            bytecode = Some(hex.clone());
        }
    }
    let (deployed_bytecode, _) = code_field(file, &evm, "deployedBytecode")?;
    Ok((bytecode, link_references, deployed_bytecode))
}

/// `compiler.version` of solc's metadata, given as an object (Foundry) or as
/// the JSON string solc writes (Waffle); `None` when absent or unreadable.
fn metadata_compiler_version(metadata: Option<&Value>) -> Option<String> {
    let parsed;
    let metadata = match metadata? {
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).ok()?;
            &parsed
        }
        other => other,
    };
    metadata.get("compiler")?.get("version")?.as_str().map(str::to_owned)
}

/// A bytecode field: either a hex string or `{object, linkReferences}`.
fn code_field(
    file: &Path,
    object: &Map<String, Value>,
    key: &str,
) -> Result<(Option<String>, Option<Value>)> {
    match object.get(key) {
        None | Some(Value::Null) => Ok((None, None)),
        Some(Value::String(hex)) => Ok((Some(hex.clone()), None)),
        Some(Value::Object(inner)) => match inner.get("object") {
            Some(Value::String(hex)) => Ok((Some(hex.clone()), inner.get("linkReferences").cloned())),
            _ => Err(ArtifactError::malformed(file, format!("\"{key}.object\" is not a hex string"))),
        },
        Some(_) => {
            Err(ArtifactError::malformed(file, format!("\"{key}\" is neither a hex string nor an object")))
        }
    }
}

fn solc_output(file: &Path, object: &Map<String, Value>, name: Option<&str>) -> Result<RawArtifact> {
    if let Some(errors) = object.get("errors").and_then(Value::as_array) {
        let fatal: Vec<&str> = errors
            .iter()
            .filter(|e| e.get("severity").and_then(Value::as_str) == Some("error"))
            .filter_map(|e| e.get("formattedMessage").or(e.get("message")).and_then(Value::as_str))
            .collect();
        if !fatal.is_empty() {
            return Err(ArtifactError::malformed(
                file,
                format!("solc output has errors:\n{}", fatal.join("\n")),
            ));
        }
    }
    let Some(units) = object.get("contracts").and_then(Value::as_object) else {
        return Err(ArtifactError::malformed(file, "\"contracts\" is not an object"));
    };
    let mut all = Vec::new();
    for (unit, contracts) in units {
        let Some(contracts) = contracts.as_object() else {
            return Err(ArtifactError::malformed(file, format!("\"contracts.{unit}\" is not an object")));
        };
        for (contract, body) in contracts {
            all.push((unit.as_str(), contract.as_str(), body));
        }
    }
    let chosen = match name {
        Some(wanted) => all
            .iter()
            .find(|(unit, contract, _)| *contract == wanted || format!("{unit}:{contract}") == wanted),
        None if all.len() == 1 => all.first(),
        None => None,
    };
    let Some((_, contract, body)) = chosen else {
        let available: Vec<String> = all.iter().map(|(u, c, _)| format!("{u}:{c}")).collect();
        return Err(ArtifactError::UnknownContract {
            file: file.to_path_buf(),
            name: name.unwrap_or("(none given; the file holds several)").to_string(),
            available: available.join(", "),
        });
    };
    let evm = body.get("evm").and_then(Value::as_object).cloned().unwrap_or_default();
    let (bytecode, link_references) = code_field(file, &evm, "bytecode")?;
    let (deployed_bytecode, _) = code_field(file, &evm, "deployedBytecode")?;
    let Some(abi) = body.get("abi") else {
        return Err(ArtifactError::malformed(file, format!("contract {contract} has no \"abi\"")));
    };
    Ok(RawArtifact {
        name: contract.to_string(),
        format: Format::SolcStandardJson,
        abi: abi.clone(),
        bytecode,
        deployed_bytecode,
        link_references,
        compiler_version: object.get("solcVersion").and_then(Value::as_str).map(str::to_owned),
    })
}
