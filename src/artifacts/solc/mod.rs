//! `tsp build`: compile a Solidity project — this repository's
//! `contracts/`, a Foundry or Hardhat project, or a plain folder of `.sol`
//! files — with solc-js through the standard-JSON interface into
//! Foundry-layout artifacts `out/<File>.sol/<Contract>.json`. The compiler
//! version comes from `--solc`, the project's configuration, or the pragmas
//! (one compiler per group of files when they need different ones); imports
//! resolve through remappings, library folders and `node_modules`; an
//! unchanged group is not recompiled (outputs cached under
//! `cache/tokenspice/` by the hash of the compiler input). Every build writes
//! `out/build-info/tokenspice.json` with the hash of each source file, so a
//! run can refuse a stale `out/` without compiling.
//!
//! # Errors
//! A missing Node.js, a failed `npm` install, compiler errors (shown with
//! `file:line:column`), pragmas no released compiler satisfies, or two
//! source files with the same file name are [`BuildError`]s; `out/` is only
//! rewritten after a successful compile.

mod compiler;
mod config;
mod output;
mod pragma;

pub use compiler::{cache_dir, SolcJs};
pub use config::{Config, Layout, Overrides};
pub use output::{Staleness, RECORD};
pub use pragma::{Version, VersionReq};

use pragma::SourceFacts;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Optimizer runs of a plain project (this repository's builds).
pub const OPTIMIZER_RUNS: u32 = 200;
/// EVM version of a plain project pinned to solc 0.8.24 or later.
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

/// A Solidity project and how to compile it.
#[derive(Debug, Clone)]
pub struct Project {
    /// Where it keeps things and its compiler settings.
    pub config: Config,
}

/// What a build produced.
#[derive(Debug, Default)]
pub struct BuildOutput {
    /// Files of `out/` (artifacts and the build record), relative to it → text.
    pub files: BTreeMap<PathBuf, String>,
    /// Compiler warnings, formatted with `file:line:column`.
    pub warnings: Vec<String>,
    /// Full compiler version → the project's units it compiled.
    pub compilers: BTreeMap<String, Vec<String>>,
    /// Compiler runs skipped because their input was compiled before.
    pub reused: usize,
}

impl BuildOutput {
    /// Number of contract artifacts.
    pub fn contracts(&self) -> usize {
        self.files.keys().filter(|p| !p.starts_with("build-info")).count()
    }
}

/// How the project's sources differ from what `out/` was built from.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SourceChanges {
    /// `out/` has no build record (not made by `tsp build`).
    pub unrecorded: bool,
    /// Files whose content changed (paths relative to the root).
    pub changed: Vec<String>,
    /// Project sources the build did not read.
    pub added: Vec<String>,
    /// Files the build read that are gone.
    pub removed: Vec<String>,
}

impl SourceChanges {
    /// Whether `out/` was built from the sources as they are.
    pub fn is_fresh(&self) -> bool {
        !self.unrecorded && self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

impl std::fmt::Display for SourceChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unrecorded {
            writeln!(f, "  out/ has no {} (it was not made by `tsp build`)", output::RECORD)?;
        }
        for (label, paths) in [("changed", &self.changed), ("new", &self.added), ("removed", &self.removed)] {
            for path in paths {
                writeln!(f, "  {path} ({label})")?;
            }
        }
        Ok(())
    }
}

/// One source unit the build reads.
struct Unit {
    file: PathBuf,
    content: String,
    facts: SourceFacts,
    /// Resolved unit names of its imports.
    imports: Vec<String>,
}

impl Project {
    /// The project at `root`, configured by its files and `overrides`.
    pub fn open(root: impl AsRef<Path>, overrides: &Overrides) -> Result<Self> {
        let root = root.as_ref();
        let absolute =
            std::path::absolute(root).map_err(|source| BuildError::Io { file: root.into(), source })?;
        Ok(Self { config: Config::detect(&absolute, overrides)? })
    }

    /// `out/`.
    pub fn out_dir(&self) -> &Path {
        &self.config.out
    }

    fn relative(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.config.root).unwrap_or(path);
        relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    }

    /// Folders of the sources' top not searched: build, cache and library
    /// folders when the sources are the project root itself.
    fn skipped_at_top(&self) -> &'static [&'static str] {
        if self.config.sources == self.config.root {
            config::NOT_SOURCES
        } else {
            &[]
        }
    }

    /// The project's own `.sol` files, as unit names.
    pub fn own_units(&self) -> Result<Vec<String>> {
        let mut files = Vec::new();
        collect_sol_files(&self.config.sources, self.skipped_at_top(), &mut files)?;
        let mut units: Vec<String> = files
            .iter()
            .map(|file| {
                let relative = file.strip_prefix(&self.config.unit_base).unwrap_or(file);
                relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
            })
            .collect();
        units.sort();
        let mut by_file_name: BTreeMap<&str, &String> = BTreeMap::new();
        for unit in &units {
            let file_name = unit.rsplit('/').next().unwrap_or(unit);
            if let Some(other) = by_file_name.insert(file_name, unit) {
                return Err(BuildError::Other(format!(
                    "{other} and {unit} share the file name {file_name}; out/ is keyed by file name, so rename one"
                )));
            }
        }
        Ok(units)
    }

    /// Read the project's units and everything they import.
    fn read_units(&self, own: &[String]) -> Result<BTreeMap<String, Unit>> {
        let mut units = BTreeMap::new();
        let mut pending: Vec<String> = own.to_vec();
        while let Some(name) = pending.pop() {
            if units.contains_key(&name) {
                continue;
            }
            let Some(file) = self.config.locate(&name) else { continue }; // solc names it
            let content = std::fs::read_to_string(&file)
                .map_err(|source| BuildError::Io { file: file.clone(), source })?;
            let facts =
                pragma::facts(&content).map_err(|e| BuildError::Other(format!("{}: {e}", file.display())))?;
            let imports: Vec<String> =
                facts.imports.iter().map(|i| self.config.resolve_import(&name, i)).collect();
            pending.extend(imports.iter().cloned());
            units.insert(name, Unit { file, content, facts, imports });
        }
        Ok(units)
    }

    /// A unit and everything it imports, transitively.
    fn closure<'a>(units: &'a BTreeMap<String, Unit>, root: &'a str) -> BTreeSet<&'a str> {
        let mut seen = BTreeSet::new();
        let mut pending = vec![root];
        while let Some(name) = pending.pop() {
            if seen.insert(name) {
                if let Some(unit) = units.get(name) {
                    pending.extend(unit.imports.iter().map(String::as_str));
                }
            }
        }
        seen
    }

    /// Group the project's units by the compiler each gets.
    fn plan(&self, own: &[String], units: &BTreeMap<String, Unit>) -> Result<BTreeMap<Version, Vec<String>>> {
        let candidates = if self.config.versions.is_empty() {
            compiler::released_versions()?
        } else {
            self.config.versions.clone()
        };
        let mut groups: BTreeMap<Version, Vec<String>> = BTreeMap::new();
        if let [only] = candidates.as_slice() {
            groups.insert(*only, own.to_vec());
            return Ok(groups);
        }
        for name in own {
            let needs: Vec<(&str, &VersionReq)> = Self::closure(units, name)
                .into_iter()
                .filter_map(|n| units.get(n).map(|u| (n, u)))
                .flat_map(|(n, unit)| unit.facts.requirements.iter().map(move |r| (n, r)))
                .collect();
            let chosen = candidates.iter().rev().find(|v| needs.iter().all(|(_, r)| r.matches(v)));
            let Some(version) = chosen else {
                let listed: Vec<String> = needs.iter().map(|(n, r)| format!("{n}: {r}")).collect();
                return Err(BuildError::Other(format!(
                    "no solc version from {} satisfies every pragma {name} depends on ({})",
                    self.config.versions_from,
                    listed.join("; ")
                )));
            };
            groups.entry(*version).or_default().push(name.clone());
        }
        Ok(groups)
    }

    fn settings(&self, version: Version) -> Value {
        let mut settings = json!({
            "optimizer": { "enabled": self.config.optimizer_runs.is_some(),
                           "runs": self.config.optimizer_runs.unwrap_or(OPTIMIZER_RUNS) },
            "outputSelection": { "*": { "*": [
                "abi", "evm.bytecode.object", "evm.bytecode.linkReferences",
                "evm.deployedBytecode.object", "evm.deployedBytecode.linkReferences",
                "evm.methodIdentifiers", "metadata"
            ] } }
        });
        if let Some(evm) = &self.config.evm_version {
            settings["evmVersion"] = json!(evm);
        }
        if !self.config.remappings.is_empty() {
            settings["remappings"] = json!(self.config.remappings);
        }
        if self.config.via_ir && version >= (Version { major: 0, minor: 8, patch: 13 }) {
            settings["viaIR"] = json!(true);
        }
        settings
    }

    /// Compile with `version` (the pinned compiler when it is that version),
    /// reusing the cached output of an identical input.
    fn run_compiler(&self, version: Version, input: &Value) -> Result<(Value, bool)> {
        let key = alloy_primitives::keccak256(format!("{version}\n{input}"));
        let cached = self
            .config
            .root
            .join("cache/tokenspice")
            .join(format!("{}.json", alloy_primitives::hex::encode(key)));
        if let Some(output) =
            std::fs::read_to_string(&cached).ok().and_then(|t| serde_json::from_str(&t).ok())
        {
            return Ok((output, true));
        }
        let compiler = match config::pinned_version(&self.config.root)? {
            Some(pinned) if pinned == version => SolcJs::pinned(&self.config.root, version)?,
            _ => SolcJs::cached(version)?,
        };
        let output = compiler.compile(input, &self.config.import_roots())?;
        if output::diagnostics(&output).0.is_empty() {
            if let Some(parent) = cached.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let _ = std::fs::write(&cached, output.to_string());
        }
        Ok((output, false))
    }

    /// Compile the project and return what `out/` should hold (nothing is written).
    pub fn compile(&self) -> Result<BuildOutput> {
        let own = self.own_units()?;
        if own.is_empty() {
            return Err(BuildError::Other(format!("no .sol files under {}", self.config.sources.display())));
        }
        let units = self.read_units(&own)?;
        let mut result = BuildOutput::default();
        let mut made_by: BTreeMap<PathBuf, String> = BTreeMap::new();
        for (version, group) in self.plan(&own, &units)?.into_iter().rev() {
            let mut sources = Map::new();
            for name in group.iter().flat_map(|n| Self::closure(&units, n)) {
                if let Some(unit) = units.get(name) {
                    sources.insert(name.to_string(), json!({ "content": unit.content }));
                }
            }
            let input =
                json!({ "language": "Solidity", "sources": sources, "settings": self.settings(version) });
            let (out, reused) = self.run_compiler(version, &input)?;
            result.reused += usize::from(reused);
            let (errors, warnings) = output::diagnostics(&out);
            if !errors.is_empty() {
                return Err(BuildError::Compile { count: errors.len(), messages: errors.join("\n\n") });
            }
            result.warnings.extend(warnings);
            let full_version =
                out.get("solcVersion").and_then(Value::as_str).unwrap_or("unknown").to_string();
            let recorded = output::Recorded {
                compiler: &full_version,
                optimizer_runs: self.config.optimizer_runs,
                evm_version: self.config.evm_version.as_deref(),
            };
            let source_path =
                |unit: &str| units.get(unit).map_or(unit.to_string(), |u| self.relative(&u.file));
            let by_unit: BTreeMap<&str, &Value> = out
                .get("contracts")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str(), v))
                .collect();
            for (unit, contracts) in by_unit {
                let one = json!({ "contracts": { unit: contracts } });
                for (path, text) in output::artifacts(&one, &recorded, source_path)? {
                    match made_by.get(&path) {
                        Some(other) if other != unit => {
                            return Err(BuildError::Other(format!(
                            "{other} and {unit} both make out/{}; out/ is keyed by file name, so rename one",
                            path.display()
                        )))
                        }
                        Some(_) => {}
                        None => {
                            made_by.insert(path.clone(), unit.to_string());
                            result.files.insert(path, text);
                        }
                    }
                }
            }
            result.compilers.insert(full_version, group);
        }
        let (mut hashes, mut paths) = (BTreeMap::new(), BTreeMap::new());
        for (name, unit) in &units {
            hashes.insert(self.relative(&unit.file), output::file_hash(&unit.file)?);
            paths.insert(name.clone(), self.relative(&unit.file));
        }
        let record = output::record(&result.compilers, &paths, &hashes)?;
        result.files.insert(PathBuf::from(output::RECORD), record);
        Ok(result)
    }

    /// Compile and replace `out/` with the result.
    pub fn build(&self) -> Result<BuildOutput> {
        let output = self.compile()?;
        let out_dir = self.out_dir();
        if out_dir.exists() {
            std::fs::remove_dir_all(out_dir)
                .map_err(|source| BuildError::Io { file: out_dir.into(), source })?;
        }
        output::write_files(out_dir, &output.files)?;
        Ok(output)
    }

    /// Compile and compare with `out/`, which is left alone.
    pub fn check(&self) -> Result<Staleness> {
        let output = self.compile()?;
        Staleness::between(self.out_dir(), &output.files)
    }

    /// Compile into the cache (`<cache>/builds/<hash of the artifacts>/`)
    /// instead of `out/`, leaving the project alone; returns that folder. An
    /// unchanged project costs no compiler run (its inputs' outputs are
    /// cached) and no write.
    pub fn build_into_cache(&self) -> Result<PathBuf> {
        let mut output = self.compile()?;
        // Away from the project, the record says where its sources are.
        if let Some(text) = output.files.get_mut(Path::new(output::RECORD)) {
            let mut record: Value =
                serde_json::from_str(text).map_err(|e| BuildError::Other(e.to_string()))?;
            record["root"] = json!(self.config.root.display().to_string());
            *text =
                serde_json::to_string_pretty(&record).map_err(|e| BuildError::Other(e.to_string()))? + "\n";
        }
        let mut hasher = alloy_primitives::Keccak256::new();
        for (path, text) in &output.files {
            hasher.update(path.to_string_lossy().as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
        }
        let dir = cache_dir().join("builds").join(alloy_primitives::hex::encode(&hasher.finalize()[..16]));
        if !dir.join(output::RECORD).is_file() {
            let staging = dir.with_extension("partial");
            output::write_files(&staging, &output.files)?;
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::rename(&staging, &dir).map_err(|source| BuildError::Io { file: dir.clone(), source })?;
        }
        Ok(dir)
    }

    /// Compare the sources with the hashes `out/`'s build record holds —
    /// no compiler needed, so a run can afford it.
    pub fn source_changes(&self) -> Result<SourceChanges> {
        let Some(recorded) = output::recorded_files(self.out_dir())? else {
            return Ok(SourceChanges { unrecorded: true, ..SourceChanges::default() });
        };
        let mut changes = SourceChanges::default();
        for (path, hash) in &recorded {
            let file = self.config.root.join(path);
            if !file.is_file() {
                changes.removed.push(path.clone());
            } else if &output::file_hash(&file)? != hash {
                changes.changed.push(path.clone());
            }
        }
        let mut own = Vec::new();
        collect_sol_files(&self.config.sources, self.skipped_at_top(), &mut own)?;
        changes.added = own.iter().map(|f| self.relative(f)).filter(|p| !recorded.contains_key(p)).collect();
        changes.added.sort();
        Ok(changes)
    }
}

/// Every `.sol` file under `dir`, skipping hidden folders and, at its top,
/// the folders `skipped` names.
fn collect_sol_files(dir: &Path, skipped: &[&str], found: &mut Vec<PathBuf>) -> Result<()> {
    collect_sol_files_once(dir, skipped, found, &mut std::collections::BTreeSet::new())
}

fn collect_sol_files_once(
    dir: &Path,
    skipped: &[&str],
    found: &mut Vec<PathBuf>,
    visited: &mut std::collections::BTreeSet<PathBuf>,
) -> Result<()> {
    if !crate::artifacts::first_visit(visited, dir) {
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).map_err(|source| BuildError::Io { file: dir.to_path_buf(), source })?;
    for entry in entries {
        let path = entry.map_err(|source| BuildError::Io { file: dir.to_path_buf(), source })?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && !skipped.contains(&name.as_str()) {
                collect_sol_files_once(&path, &[], found, visited)?;
            }
        } else if name.ends_with(".sol") {
            found.push(path);
        }
    }
    Ok(())
}
