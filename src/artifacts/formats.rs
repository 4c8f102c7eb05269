//! Recognising the JSON layouts that compilers and frameworks write:
//! Foundry `out/`, Hardhat `artifacts/`, Truffle `build/contracts/`, Waffle
//! `build/` (e.g. the `@uniswap/v2-*` npm packages), solc standard-JSON
//! output, `solc --combined-json` output, and bare `{abi, bytecode}` files.
//! A solc output that records a failed compile is
//! [`ArtifactError::CompileFailed`] with the compiler's messages.

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
    /// `solc --combined-json abi,bin,bin-runtime`: `contracts."<file>:<name>"`
    /// with hex-string `bin` and `bin-runtime`, and `abi` as an array (solc
    /// ≥ 0.8.10) or as a JSON string (older solc).
    SolcCombinedJson,
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
        check_compiled(file, object)?;
        return match solc_layout(object) {
            Some(Format::SolcCombinedJson) => combined_json(file, object, name),
            _ => solc_output(file, object, name),
        };
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
    let (contract, body) = choose(file, &all, name)?;
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

/// The contract `name` (`Name` or `<file>:Name`) among `all` (`(file, name,
/// body)`), or the only one when no name is given.
fn choose<'a>(
    file: &Path,
    all: &[(&str, &'a str, &'a Value)],
    name: Option<&str>,
) -> Result<(&'a str, &'a Value)> {
    let chosen = match name {
        Some(wanted) => all
            .iter()
            .find(|(unit, contract, _)| *contract == wanted || format!("{unit}:{contract}") == wanted),
        None if all.len() == 1 => all.first(),
        None => None,
    };
    match chosen {
        Some((_, contract, body)) => Ok((contract, body)),
        None => {
            let available: Vec<String> = all.iter().map(|(u, c, _)| format!("{u}:{c}")).collect();
            Err(ArtifactError::UnknownContract {
                file: file.to_path_buf(),
                name: name.unwrap_or("(none given; the file holds several)").to_string(),
                available: available.join(", "),
            })
        }
    }
}

/// Which solc output layout a JSON object with a top-level `"contracts"`
/// object has: [`Format::SolcCombinedJson`] when every key is
/// `<file>:<name>` holding the contract's fields directly, else
/// [`Format::SolcStandardJson`]; `None` without a `"contracts"` object.
pub(super) fn solc_layout(object: &Map<String, Value>) -> Option<Format> {
    let contracts = object.get("contracts")?.as_object()?;
    let combined = !contracts.is_empty()
        && contracts.iter().all(|(key, body)| {
            key.contains(':')
                && (body.get("bin").is_some_and(Value::is_string)
                    || body.get("abi").is_some_and(|abi| abi.is_string() || abi.is_array()))
        });
    Some(if combined { Format::SolcCombinedJson } else { Format::SolcStandardJson })
}

/// [`ArtifactError::CompileFailed`] when solc's `"errors"` hold any of
/// severity `error`, with each one's `formattedMessage` (which carries
/// `file:line:column`), else its file and message.
pub(super) fn check_compiled(file: &Path, object: &Map<String, Value>) -> Result<()> {
    let errors: Vec<String> = object
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| e.get("severity").and_then(Value::as_str) == Some("error"))
        .map(|e| {
            let text = |key: &str| e.get(key).and_then(Value::as_str);
            match (text("formattedMessage"), text("message")) {
                (Some(formatted), _) => formatted.trim_end().to_string(),
                (None, message) => {
                    let at = e.get("sourceLocation").and_then(|l| l.get("file")).and_then(Value::as_str);
                    let kind = text("type").unwrap_or("Error");
                    let message = message.unwrap_or("(no message)");
                    at.map_or_else(|| format!("{kind}: {message}"), |at| format!("{at}: {kind}: {message}"))
                }
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ArtifactError::CompileFailed { file: file.to_path_buf(), errors })
    }
}

/// The source file and the contract name of a combined-JSON key
/// (`path/File.sol:Name`; a key without `:` is all name).
pub(super) fn split_combined_key(key: &str) -> (&str, &str) {
    key.rsplit_once(':').unwrap_or(("", key))
}

fn combined_json(file: &Path, object: &Map<String, Value>, name: Option<&str>) -> Result<RawArtifact> {
    let contracts = object.get("contracts").and_then(Value::as_object).into_iter().flatten();
    let all: Vec<(&str, &str, &Value)> = contracts
        .map(|(key, body)| {
            let (unit, contract) = split_combined_key(key);
            (unit, contract, body)
        })
        .collect();
    let (contract, body) = choose(file, &all, name)?;
    let abi = match body.get("abi") {
        Some(Value::String(text)) => serde_json::from_str(text).map_err(|e| {
            ArtifactError::malformed(
                file,
                format!("contract {contract}: \"abi\" is a string but not JSON: {e}"),
            )
        })?,
        Some(abi) => abi.clone(),
        None => {
            return Err(ArtifactError::malformed(
                file,
                format!(
                    "contract {contract} has no \"abi\" (compile with --combined-json abi,bin,bin-runtime)"
                ),
            ))
        }
    };
    let hex = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(RawArtifact {
        name: contract.to_string(),
        format: Format::SolcCombinedJson,
        abi,
        bytecode: hex("bin"),
        deployed_bytecode: hex("bin-runtime"),
        link_references: None,
        compiler_version: object.get("version").and_then(Value::as_str).map(str::to_owned),
    })
}
