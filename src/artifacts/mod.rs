//! Compiled contracts: loading artifacts in the common layouts, linking
//! libraries, encoding constructor arguments, and `tsp build` (compiling
//! `contracts/` with solc-js into Foundry-layout `out/`).
//!
//! # Errors
//! Every malformed input (not JSON, no ABI, missing bytecode, bad hex,
//! unknown contract name, unlinked libraries, constructor arguments that do
//! not fit) is an [`ArtifactError`] naming the file and the problem.

mod build;
mod error;
mod formats;
mod linking;
mod own;
pub mod solc;
mod sources;

pub use build::Build;
pub use error::{ArtifactError, Result};
pub use formats::Format;
pub use own::{deploy_own, disk_build, own_artifact, use_disk_build, OWN_CONTRACTS};
pub use sources::contract_sources;

/// Whether a folder scan should enter `dir`: once per real folder, so a
/// symlink that points back up the tree (a loop) is entered once, not until
/// the path grows too long. Unreadable folders are not entered.
pub(crate) fn first_visit(visited: &mut std::collections::BTreeSet<PathBuf>, dir: &Path) -> bool {
    std::fs::canonicalize(dir).is_ok_and(|real| visited.insert(real))
}

use alloy_dyn_abi::{DynSolType, DynSolValue, JsonAbiExt, Specifier};
use alloy_json_abi::JsonAbi;
use alloy_primitives::{hex, Address, Bytes};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One compiled contract: its ABI and code, and where it came from.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// Contract name.
    pub name: String,
    /// The file it was loaded from.
    pub file: PathBuf,
    /// The layout of that file.
    pub format: Format,
    /// The contract's ABI.
    pub abi: JsonAbi,
    /// Compiler version, when the artifact records it.
    pub compiler_version: Option<String>,
    /// Creation code as hex without `0x`; may hold library placeholders.
    creation_hex: String,
    /// Runtime code as hex without `0x`, when the artifact has it.
    runtime_hex: Option<String>,
    /// Fully qualified names of the libraries the code references.
    libraries: Vec<String>,
}

impl Artifact {
    /// Load a contract from an artifact file of any supported layout.
    /// `name` picks the contract in solc output holding several, and is
    /// checked against the declared name otherwise.
    pub fn load(file: impl AsRef<Path>, name: Option<&str>) -> Result<Self> {
        let file = file.as_ref();
        let text = std::fs::read_to_string(file)
            .map_err(|source| ArtifactError::Io { file: file.to_path_buf(), source })?;
        let json: Value = serde_json::from_str(&text)
            .map_err(|source| ArtifactError::Json { file: file.to_path_buf(), source })?;
        Self::from_json(file, &json, name)
    }

    /// Load contract `name` from a Foundry-layout directory: `<dir>/*.sol/<name>.json`.
    pub fn from_foundry_dir(dir: impl AsRef<Path>, name: &str) -> Result<Self> {
        let dir = dir.as_ref();
        let entries =
            std::fs::read_dir(dir).map_err(|source| ArtifactError::Io { file: dir.to_path_buf(), source })?;
        let mut matches: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path().join(format!("{name}.json"))))
            .filter(|path| path.is_file())
            .collect();
        matches.sort();
        match matches.as_slice() {
            [one] => Self::load(one, Some(name)),
            [] => Err(ArtifactError::UnknownContract {
                file: dir.to_path_buf(),
                name: name.to_string(),
                available: "no <File>.sol/<name>.json for it".to_string(),
            }),
            several => {
                Err(ArtifactError::malformed(dir, format!("contract name {name} is ambiguous: {several:?}")))
            }
        }
    }

    /// Build from already-parsed JSON (`file` is used in messages).
    pub fn from_json(file: &Path, json: &Value, name: Option<&str>) -> Result<Self> {
        let raw = formats::parse(file, json, name)?;
        let abi: JsonAbi = serde_json::from_value(raw.abi).map_err(|e| {
            ArtifactError::malformed(file, format!("\"abi\" of {} is not a valid ABI: {e}", raw.name))
        })?;
        let creation_hex = match raw.bytecode {
            Some(hex) => clean_hex(file, &raw.name, "bytecode", &hex)?,
            None => String::new(),
        };
        if creation_hex.is_empty() {
            return Err(ArtifactError::malformed(
                file,
                format!(
                    "contract {} has no bytecode (an interface or abstract contract cannot be deployed)",
                    raw.name
                ),
            ));
        }
        let runtime_hex = match raw.deployed_bytecode {
            Some(hex) => Some(clean_hex(file, &raw.name, "deployedBytecode", &hex)?),
            None => None,
        };
        let libraries = linking::referenced_libraries(raw.link_references.as_ref());
        Ok(Self {
            name: raw.name,
            file: file.to_path_buf(),
            format: raw.format,
            abi,
            compiler_version: raw.compiler_version,
            creation_hex,
            runtime_hex,
            libraries,
        })
    }

    /// Libraries whose placeholders are still in the creation code.
    pub fn unlinked_libraries(&self) -> Vec<String> {
        linking::placeholders(&self.creation_hex)
            .iter()
            .map(|p| linking::describe(p, &self.libraries))
            .collect()
    }

    /// Link libraries (keys: short name or `file:Library`) into the code.
    pub fn link(&mut self, addresses: &BTreeMap<String, Address>) {
        self.creation_hex = linking::link(&self.creation_hex, &self.libraries, addresses);
        if let Some(runtime) = &self.runtime_hex {
            self.runtime_hex = Some(linking::link(runtime, &self.libraries, addresses));
        }
    }

    /// Creation code; an error while libraries are unlinked.
    pub fn creation_code(&self) -> Result<Bytes> {
        let unlinked = self.unlinked_libraries();
        if !unlinked.is_empty() {
            return Err(ArtifactError::Unlinked {
                file: self.file.clone(),
                contract: self.name.clone(),
                libraries: unlinked.join(", "),
            });
        }
        decode_hex(&self.file, &self.name, "bytecode", &self.creation_hex)
    }

    /// Runtime code as recorded in the artifact, if any.
    pub fn runtime_code(&self) -> Result<Option<Bytes>> {
        self.runtime_hex
            .as_deref()
            .map(|hex| decode_hex(&self.file, &self.name, "deployedBytecode", hex))
            .transpose()
    }

    /// The constructor's parameter types, e.g. `(address,uint256)`.
    pub fn constructor_signature(&self) -> String {
        let types: Vec<String> = self
            .abi
            .constructor
            .iter()
            .flat_map(|c| c.inputs.iter().map(|p| p.selector_type().into_owned()))
            .collect();
        format!("({})", types.join(","))
    }

    /// Creation code with ABI-encoded constructor arguments appended.
    pub fn init_code(&self, args: &[DynSolValue]) -> Result<Bytes> {
        let mut code = self.creation_code()?.to_vec();
        let expected = self.abi.constructor.as_ref().map_or(0, |c| c.inputs.len());
        if args.len() != expected {
            return Err(self.args_error(format!("expected {expected} arguments, got {}", args.len())));
        }
        if let Some(constructor) = &self.abi.constructor {
            let encoded = constructor.abi_encode_input(args).map_err(|e| self.args_error(e.to_string()))?;
            code.extend_from_slice(&encoded);
        }
        Ok(code.into())
    }

    /// Creation code with constructor arguments parsed from text
    /// (`"0xabc…"`, `"1000"`, `"true"`, `"[1,2]"`) by the ABI's types.
    pub fn init_code_from_strs(&self, args: &[&str]) -> Result<Bytes> {
        let inputs = self.abi.constructor.as_ref().map(|c| c.inputs.as_slice()).unwrap_or_default();
        if args.len() != inputs.len() {
            return Err(self.args_error(format!("expected {} arguments, got {}", inputs.len(), args.len())));
        }
        let mut values = Vec::with_capacity(args.len());
        for (index, (param, text)) in inputs.iter().zip(args).enumerate() {
            let ty: DynSolType = param.resolve().map_err(|e| self.args_error(e.to_string()))?;
            let value = ty.coerce_str(text).map_err(|e| {
                self.args_error(format!(
                    "argument {index} ({} {}): cannot read {text:?}: {e}",
                    ty, param.name
                ))
            })?;
            values.push(value);
        }
        self.init_code(&values)
    }

    fn args_error(&self, problem: String) -> ArtifactError {
        ArtifactError::ConstructorArgs {
            file: self.file.clone(),
            contract: self.name.clone(),
            signature: self.constructor_signature(),
            problem,
        }
    }
}

/// Strip `0x` and check that what is left is hex (placeholders allowed).
fn clean_hex(file: &Path, contract: &str, field: &str, text: &str) -> Result<String> {
    let body = text.strip_prefix("0x").unwrap_or(text);
    if !body.len().is_multiple_of(2) {
        return Err(ArtifactError::malformed(
            file,
            format!("{contract}: \"{field}\" has an odd number of hex digits"),
        ));
    }
    let without_placeholders = linking::placeholders(body)
        .iter()
        .fold(body.to_string(), |code, p| code.replace(p, &"0".repeat(p.len())));
    if let Some(bad) = without_placeholders.find(|c: char| !c.is_ascii_hexdigit()) {
        return Err(ArtifactError::malformed(
            file,
            format!("{contract}: \"{field}\" is not hex (character {:?} at offset {bad})", &body[bad..=bad]),
        ));
    }
    Ok(body.to_string())
}

fn decode_hex(file: &Path, contract: &str, field: &str, text: &str) -> Result<Bytes> {
    hex::decode(text)
        .map(Bytes::from)
        .map_err(|e| ArtifactError::malformed(file, format!("{contract}: \"{field}\" is not hex: {e}")))
}
