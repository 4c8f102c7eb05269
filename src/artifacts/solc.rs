//! `tsp build`: compile every `.sol` under `contracts/` with the pinned
//! solc-js (installed from the npm registry into `tools/solc/`), through
//! solc's standard-JSON interface, into Foundry-layout artifacts
//! `out/<File>.sol/<Contract>.json`.
//!
//! # Errors
//! A missing Node.js, a failed `npm ci`, compiler errors (shown with
//! `file:line:column`) or two source files with the same file name are
//! [`BuildError`]s; `out/` is only rewritten after a successful compile.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Optimizer runs used for every build.
pub const OPTIMIZER_RUNS: u32 = 200;
/// EVM version targeted by every build.
pub const EVM_VERSION: &str = "cancun";

/// Why a build or a staleness check failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Node.js or npm is missing or failed.
    #[error("{0}")]
    Toolchain(String),
    /// The compiler reported errors.
    #[error("solc reported {count} error(s):\n{messages}")]
    Compile {
        /// Number of errors.
        count: usize,
        /// The messages, each with `file:line:column`.
        messages: String,
    },
    /// A file could not be read or written.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Anything else about the sources or the compiler output.
    #[error("{0}")]
    Other(String),
}

type Result<T> = std::result::Result<T, BuildError>;

/// Where a project keeps its sources, artifacts and compiler.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project root (holds `contracts/`, `out/`, `tools/solc/`).
    pub root: PathBuf,
}

/// What a build produced.
#[derive(Debug, Default)]
pub struct BuildOutput {
    /// Artifact path relative to `out/` → pretty JSON text.
    pub artifacts: BTreeMap<PathBuf, String>,
    /// Compiler warnings, formatted with `file:line:column`.
    pub warnings: Vec<String>,
    /// The compiler version.
    pub compiler_version: String,
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

impl Project {
    /// A project rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// `contracts/`.
    pub fn contracts_dir(&self) -> PathBuf {
        self.root.join("contracts")
    }

    /// `out/`.
    pub fn out_dir(&self) -> PathBuf {
        self.root.join("out")
    }

    fn solc_dir(&self) -> PathBuf {
        self.root.join("tools").join("solc")
    }

    /// Install the pinned solc-js with `npm ci` unless it is already there.
    pub fn ensure_compiler(&self) -> Result<()> {
        let dir = self.solc_dir();
        if dir.join("node_modules").join("solc").join("package.json").is_file() {
            return Ok(());
        }
        if !dir.join("package-lock.json").is_file() {
            return Err(BuildError::Toolchain(format!(
                "{}: package-lock.json is missing; it pins the solc-js version",
                dir.display()
            )));
        }
        eprintln!("installing solc-js from the npm registry into {} ...", dir.display());
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .stdout(Stdio::inherit())
            .status()
            .map_err(|e| {
                BuildError::Toolchain(format!("cannot run npm ({e}); install Node.js 18+ and npm"))
            })?;
        if !status.success() {
            return Err(BuildError::Toolchain(format!("npm ci in {} failed ({status})", dir.display())));
        }
        Ok(())
    }

    /// Every `.sol` file under `contracts/`, as source unit names relative to it.
    pub fn sources(&self) -> Result<Vec<String>> {
        let root = self.contracts_dir();
        let mut found = Vec::new();
        collect_sol_files(&root, &root, &mut found)?;
        found.sort();
        let mut by_file_name: BTreeMap<String, &String> = BTreeMap::new();
        for unit in &found {
            let file_name = unit.rsplit('/').next().unwrap_or(unit).to_string();
            if let Some(other) = by_file_name.insert(file_name.clone(), unit) {
                return Err(BuildError::Other(format!(
                    "contracts/{other} and contracts/{unit} share the file name {file_name}; \
                     out/ is keyed by file name, so rename one"
                )));
            }
        }
        Ok(found)
    }

    /// Compile `contracts/` and return the artifacts (nothing is written).
    pub fn compile(&self) -> Result<BuildOutput> {
        self.ensure_compiler()?;
        let units = self.sources()?;
        if units.is_empty() {
            return Err(BuildError::Other(format!("no .sol files under {}", self.contracts_dir().display())));
        }
        let mut sources = Map::new();
        for unit in &units {
            let path = self.contracts_dir().join(unit);
            let content =
                std::fs::read_to_string(&path).map_err(|source| BuildError::Io { file: path, source })?;
            sources.insert(unit.clone(), json!({ "content": content }));
        }
        let input = json!({
            "language": "Solidity",
            "sources": sources,
            "settings": {
                "optimizer": { "enabled": true, "runs": OPTIMIZER_RUNS },
                "evmVersion": EVM_VERSION,
                "outputSelection": { "*": { "*": [
                    "abi", "evm.bytecode.object", "evm.bytecode.linkReferences",
                    "evm.deployedBytecode.object", "evm.deployedBytecode.linkReferences",
                    "evm.methodIdentifiers"
                ] } }
            }
        });
        let output = self.run_solc(&input)?;
        collect_artifacts(&output)
    }

    fn run_solc(&self, input: &Value) -> Result<Value> {
        use std::io::Write;
        let script = self.solc_dir().join("compile.js");
        let mut child = Command::new("node")
            .arg(&script)
            .arg(self.contracts_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| BuildError::Toolchain(format!("cannot run node ({e}); install Node.js 18+")))?;
        let mut stdin = child.stdin.take().ok_or_else(|| BuildError::Other("no stdin for node".into()))?;
        let text = input.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
        let out = child.wait_with_output().map_err(|e| BuildError::Toolchain(format!("node failed: {e}")))?;
        let _ = writer.join();
        if !out.status.success() {
            return Err(BuildError::Toolchain(format!(
                "{} failed ({}): {}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        serde_json::from_slice(&out.stdout)
            .map_err(|e| BuildError::Other(format!("solc-js printed something that is not JSON: {e}")))
    }

    /// Compile and replace `out/` with the result.
    pub fn build(&self) -> Result<BuildOutput> {
        let output = self.compile()?;
        let out_dir = self.out_dir();
        if out_dir.exists() {
            std::fs::remove_dir_all(&out_dir)
                .map_err(|source| BuildError::Io { file: out_dir.clone(), source })?;
        }
        write_artifacts(&out_dir, &output.artifacts)?;
        Ok(output)
    }

    /// Compile into a temporary directory and compare with `out/`.
    pub fn check(&self) -> Result<Staleness> {
        let output = self.compile()?;
        let scratch =
            tempfile::tempdir().map_err(|source| BuildError::Io { file: std::env::temp_dir(), source })?;
        write_artifacts(scratch.path(), &output.artifacts)?;
        let mut staleness = Staleness::default();
        let existing = list_files(&self.out_dir())?;
        for (path, fresh) in &output.artifacts {
            match std::fs::read_to_string(self.out_dir().join(path)) {
                Ok(current) if &current == fresh => {}
                Ok(_) => staleness.changed.push(path.clone()),
                Err(_) => staleness.missing.push(path.clone()),
            }
        }
        staleness.extra = existing.into_iter().filter(|p| !output.artifacts.contains_key(p)).collect();
        Ok(staleness)
    }
}

fn collect_sol_files(root: &Path, dir: &Path, found: &mut Vec<String>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|source| BuildError::Io { file: dir.to_path_buf(), source })?;
    for entry in entries {
        let path = entry.map_err(|source| BuildError::Io { file: dir.to_path_buf(), source })?.path();
        if path.is_dir() {
            collect_sol_files(root, &path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "sol") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let unit: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            found.push(unit.join("/"));
        }
    }
    Ok(())
}

fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.exists() {
        return Ok(files);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
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

fn write_artifacts(out_dir: &Path, artifacts: &BTreeMap<PathBuf, String>) -> Result<()> {
    for (relative, text) in artifacts {
        let path = out_dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| BuildError::Io { file: parent.to_path_buf(), source })?;
        }
        std::fs::write(&path, text).map_err(|source| BuildError::Io { file: path, source })?;
    }
    Ok(())
}

/// `file:line:column: message` for one solc diagnostic.
fn diagnostic(error: &Value) -> String {
    let formatted = error.get("formattedMessage").and_then(Value::as_str);
    let message = error.get("message").and_then(Value::as_str).unwrap_or("(no message)");
    formatted.map_or_else(|| message.to_string(), |text| text.trim_end().to_string())
}

fn collect_artifacts(output: &Value) -> Result<BuildOutput> {
    let version = output.get("solcVersion").and_then(Value::as_str).unwrap_or("unknown").to_string();
    let mut result = BuildOutput { compiler_version: version.clone(), ..BuildOutput::default() };
    let mut errors = Vec::new();
    for error in output.get("errors").and_then(Value::as_array).into_iter().flatten() {
        match error.get("severity").and_then(Value::as_str) {
            Some("error") => errors.push(diagnostic(error)),
            Some("warning") => result.warnings.push(diagnostic(error)),
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(BuildError::Compile { count: errors.len(), messages: errors.join("\n\n") });
    }
    let units = output.get("contracts").and_then(Value::as_object).cloned().unwrap_or_default();
    for (unit, contracts) in units {
        let file_name = unit.rsplit('/').next().unwrap_or(&unit).to_string();
        for (name, body) in contracts.as_object().into_iter().flatten() {
            let evm = &body["evm"];
            let artifact = json!({
                "abi": body["abi"],
                "bytecode": {
                    "object": format!("0x{}", evm["bytecode"]["object"].as_str().unwrap_or_default()),
                    "linkReferences": evm["bytecode"]["linkReferences"],
                },
                "deployedBytecode": {
                    "object": format!("0x{}", evm["deployedBytecode"]["object"].as_str().unwrap_or_default()),
                    "linkReferences": evm["deployedBytecode"]["linkReferences"],
                },
                "methodIdentifiers": evm["methodIdentifiers"],
                "compiler": { "name": "solc-js", "version": version },
                "settings": { "optimizerRuns": OPTIMIZER_RUNS, "evmVersion": EVM_VERSION },
                "sourcePath": format!("contracts/{unit}"),
            });
            let text = serde_json::to_string_pretty(&artifact)
                .map_err(|e| BuildError::Other(format!("cannot serialise {name}: {e}")))?
                + "\n";
            result.artifacts.insert(PathBuf::from(&file_name).join(format!("{name}.json")), text);
        }
    }
    Ok(result)
}
