//! The netlist tables that describe a mechanism without Rust:
//! `[[contract]]` (deploy an artifact with constructor arguments, or name a
//! contract already on the chain by its `address`; then set-up calls), `[script] functions`, `[[kpi]]` and `[[invariant]]`. Each
//! is read strictly (unknown keys are errors), then compiled: artifacts
//! loaded and checked, expressions compiled, so a bad one is an error when
//! the netlist loads, naming the file, the line and what was written.

use super::overrides::{note, notes, Assignment};
use crate::agents::call::{CallPlan, Compiler};
use crate::artifacts::{own_artifact, Artifact, Build};
use crate::engine::{split_comparison, Check, Invariant, Kpi, OnFail};
use crate::script::{Env, Library, Origin, Script};
use alloy_json_abi::{Function, JsonAbi, StateMutability};
use anyhow::{bail, Context};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// `[[contract]]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContractTable {
    /// Address-book name (`@name`).
    pub name: String,
    /// The contract's name in the build (or `path/File.sol:Name`).
    pub artifact: String,
    /// Another build than `[contracts] build` (a path relative to the netlist, or "own").
    pub build: Option<String>,
    /// An existing contract to name instead of deploying one (`artifact` gives its ABI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Constructor arguments.
    #[serde(default)]
    pub args: Vec<toml::Value>,
    /// ETH sent to the constructor (a number is ether; an expression `uint` is wei).
    pub value: Option<toml::Value>,
    /// Set-up calls, in order, right after the deployment.
    #[serde(default)]
    pub call: Vec<CallTable>,
    /// Lines of its `[[contract.call]]` headers, in order (empty when written inline).
    #[serde(skip)]
    pub call_lines: Vec<usize>,
}

/// `[[contract.call]]`: one set-up call from the deployer.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CallTable {
    /// The function (exact signature, or a name of the target's ABI).
    pub function: String,
    /// The target (default: this contract).
    pub to: Option<String>,
    /// Arguments.
    #[serde(default)]
    pub args: Vec<toml::Value>,
    /// ETH sent with it.
    pub value: Option<toml::Value>,
    /// Address-book name for the returned address (`bind = "pair"` → `@pair`).
    pub bind: Option<String>,
    /// The artifact whose ABI the bound contract has (for calls and events by name).
    pub bind_artifact: Option<String>,
}

/// `[[kpi]]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct KpiTable {
    /// Column name, `<scope>.<quantity>` (`pair.reserve0`).
    pub name: String,
    /// The expression.
    pub expr: String,
    /// Decimals of a uint value (default 18: base units shown as tokens; 0: as is).
    #[serde(default = "eighteen")]
    pub decimals: u8,
    /// What charts call the column (default: its quantity, `reserve0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its unit on chart axes (`USD`, `tokens`, `count`); without one, charts say `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

fn eighteen() -> u8 {
    18
}

/// `[[invariant]]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct InvariantTable {
    /// Its name (column `invariant.<name>.violations`).
    pub name: String,
    /// A condition that must be true.
    pub expr: String,
    /// `"tick"` (default) or `"action"` (after every agent's turn too).
    #[serde(default)]
    pub check: Check,
    /// `"stop"` (default) or `"record"`.
    #[serde(default)]
    pub on_fail: OnFail,
    /// Its own memory's initial values (`memory.<key>` in `expr` and `update`).
    #[serde(default)]
    pub memory: toml::Table,
    /// Statements run after every check, held or not (`memory.last = ...`):
    /// how an invariant compares the state with an earlier one.
    pub update: Option<String>,
}

/// `[script]`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptTable {
    /// `fn` definitions every expression of the netlist can call.
    #[serde(default)]
    pub functions: String,
}

/// A `[[contract]]` ready to deploy.
#[derive(Debug, Clone)]
pub struct ContractPlan {
    /// Address-book name.
    pub name: String,
    /// The artifact.
    pub artifact: Arc<Artifact>,
    /// The contract already on the chain that the name binds to (nothing is deployed).
    pub existing: Option<alloy_primitives::Address>,
    /// Constructor arguments.
    pub constructor: CallPlan,
    /// ETH sent to the constructor.
    pub value: Option<Script>,
    /// Set-up calls: target, call, ETH, bound name (with the bound contract's ABI).
    pub calls: Vec<SetupCall>,
    /// Where it is written (for messages).
    pub origin: Origin,
}

/// One set-up call of a contract.
#[derive(Debug, Clone)]
pub struct SetupCall {
    /// The target.
    pub to: Script,
    /// The function and arguments.
    pub plan: CallPlan,
    /// ETH sent.
    pub value: Option<Script>,
    /// Name and ABI of the contract whose address it returns.
    pub bind: Option<(String, Option<Arc<JsonAbi>>)>,
    /// `contract usdc, call 1` and its line.
    pub origin: Origin,
}

impl ContractPlan {
    /// Every expression (arguments, targets, values).
    pub fn scripts(&self) -> Vec<&Script> {
        let mut scripts = self.constructor.scripts();
        scripts.extend(&self.value);
        for call in &self.calls {
            scripts.push(&call.to);
            scripts.extend(call.plan.scripts());
            scripts.extend(&call.value);
        }
        scripts
    }
}

/// Compile `[contracts] sources` (a project folder relative to the netlist
/// `file`) into the build cache; the folder to use as `build`.
pub(super) fn compile_sources(file: &Path, build: &str, sources: &str) -> anyhow::Result<std::path::PathBuf> {
    use crate::artifacts::solc::{Overrides, Project};
    let at = file.display();
    if build != "own" {
        bail!("{at}: [contracts] gives both sources = {sources:?} and build = {build:?}; give one");
    }
    let root = file.parent().unwrap_or(Path::new(".")).join(sources);
    if !root.is_dir() {
        bail!("{at}: [contracts] sources = {sources:?}: no such folder ({})", root.display());
    }
    let compiled = Project::open(&root, &Overrides::default()).and_then(|project| project.build_into_cache());
    compiled.with_context(|| format!("{at}: [contracts] sources = {sources:?}"))
}

/// Find a contract in `build` (`"own"`: the project's embedded build; else a path near the netlist).
fn artifact_of(file: &Path, default_build: &str, table: &ContractTable) -> anyhow::Result<Artifact> {
    let build = table.build.as_deref().unwrap_or(default_build);
    let artifact = if build == "own" {
        own_artifact(&table.artifact)?
    } else {
        let path = file.parent().unwrap_or(Path::new(".")).join(build);
        let opened = Build::open(&path).map_err(|e| match installer_of(&path) {
            Some(script) => anyhow::anyhow!(
                "build = {build:?}: {e}; vendor/ holds third-party builds that a script installs \
                 (running a netlist never downloads): run `bash {script}` first"
            ),
            None => anyhow::anyhow!("build = {build:?}: {e}"),
        })?;
        opened.artifact(&table.artifact)?
    };
    if table.address.is_none() {
        artifact.creation_code()?;
    }
    Ok(artifact)
}

/// For a missing `path` inside `<root>/vendor/<name>/`: the script of
/// `<root>/scripts/` that installs it (the first, by file name, that mentions
/// `vendor/<name>`), as `scripts/<file>`.
fn installer_of(path: &Path) -> Option<String> {
    if path.exists() {
        return None;
    }
    let parts: Vec<std::path::Component<'_>> = path.components().collect();
    let at = parts.iter().position(|part| part.as_os_str() == "vendor")?;
    let wanted = format!("vendor/{}", parts.get(at + 1)?.as_os_str().to_str()?);
    let root: std::path::PathBuf = parts[..at].iter().collect();
    let mut scripts: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("scripts"))
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|script| script.extension().is_some_and(|ext| ext == "sh"))
        .collect();
    scripts.sort();
    let script = scripts
        .into_iter()
        .find(|script| std::fs::read_to_string(script).is_ok_and(|text| text.contains(&wanted)))?;
    Some(format!("scripts/{}", script.file_name()?.to_str()?))
}

/// Compile the `[[contract]]` tables (with their lines).
pub(super) fn compile_contracts(
    file: &Path,
    default_build: &str,
    tables: &[(usize, ContractTable)],
    library: Option<&Library>,
    sets: &[Assignment],
) -> anyhow::Result<Vec<ContractPlan>> {
    let shown = file.display().to_string();
    let mut abis: BTreeMap<String, Arc<JsonAbi>> = BTreeMap::new();
    let mut plans = Vec::with_capacity(tables.len());
    for (line, table) in tables {
        let note = notes(sets, &[&["contract", &table.name], &["contracts"]]);
        let at = format!("{shown}:{line}: [[contract]] {:?}{note}", table.name);
        if !rhai_name(&table.name) {
            bail!("{at}: name must be letters, digits and `_`, not starting with a digit (it is `@{}` in expressions)", table.name);
        }
        if abis.contains_key(&table.name) {
            bail!("{at}: the name {:?} is used twice", table.name);
        }
        let existing = existing_address(table).map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
        let artifact = artifact_of(file, default_build, table).with_context(|| at.clone())?;
        let origin = Origin::new(&shown, *line, format!("contract {}{note}", table.name));
        let compiler = Compiler { origin: &origin, library, variables: Some(&[]) };
        let constructor = Function {
            name: "constructor".to_string(),
            // A contract named by address is not constructed: no arguments to check.
            inputs: match (&existing, &artifact.abi.constructor) {
                (None, Some(constructor)) => constructor.inputs.clone(),
                _ => Vec::new(),
            },
            outputs: Vec::new(),
            state_mutability: StateMutability::Payable,
        };
        let constructor = CallPlan::with_function(constructor, &table.args, compiler)?;
        let value = table.value.as_ref().map(|v| compiler.value(v, "value")).transpose()?;
        let abi = Arc::new(artifact.abi.clone());
        abis.insert(table.name.clone(), Arc::clone(&abi));
        let mut calls = Vec::with_capacity(table.call.len());
        for (i, call) in table.call.iter().enumerate() {
            let call_line = table.call_lines.get(i).copied().unwrap_or(*line);
            let what = format!("contract {}{note}, call {}", table.name, i + 1);
            let origin = Origin::new(&shown, call_line, what);
            let compiler = Compiler { origin: &origin, library, variables: Some(&[]) };
            let to_text = call.to.clone().unwrap_or_else(|| format!("@{}", table.name));
            let target_abi = to_text.strip_prefix('@').and_then(|n| abis.get(n)).map(Arc::as_ref);
            let plan = CallPlan::compile(&call.function, target_abi, &call.args, compiler)?;
            let bind = match &call.bind {
                None => None,
                Some(name) if !rhai_name(name) => {
                    bail!("{}: bind = {name:?} must be a name of letters, digits and `_`", origin)
                }
                Some(name) => {
                    let bound_abi = match &call.bind_artifact {
                        None => None,
                        Some(artifact) => {
                            let lookup = ContractTable { artifact: artifact.clone(), ..table.clone() };
                            let found = artifact_of(file, default_build, &lookup)
                                .with_context(|| format!("{origin}: bind_artifact = {artifact:?}"))?;
                            Some(Arc::new(found.abi))
                        }
                    };
                    if let Some(abi) = &bound_abi {
                        abis.insert(name.clone(), Arc::clone(abi));
                    }
                    Some((name.clone(), bound_abi))
                }
            };
            calls.push(SetupCall {
                to: compiler.expression(&to_text, "`to`")?,
                plan,
                value: call.value.as_ref().map(|v| compiler.value(v, "value")).transpose()?,
                bind,
                origin,
            });
        }
        plans.push(ContractPlan {
            name: table.name.clone(),
            artifact: Arc::new(artifact),
            existing,
            constructor,
            value,
            calls,
            origin,
        });
    }
    Ok(plans)
}

/// The `address` of a `[[contract]]` naming an existing contract, which
/// then cannot have what only a deployment uses (`args`, `value`).
fn existing_address(table: &ContractTable) -> anyhow::Result<Option<alloy_primitives::Address>> {
    let Some(text) = &table.address else { return Ok(None) };
    let address: alloy_primitives::Address = text
        .trim()
        .parse()
        .map_err(|e| anyhow::anyhow!("address = {text:?} is not an address (0x and 40 hex digits): {e}"))?;
    let deploys = [(!table.args.is_empty()).then_some("args"), table.value.as_ref().map(|_| "value")];
    if let Some(key) = deploys.into_iter().flatten().next() {
        bail!(
            "address = {text:?} names a contract already on the chain, and `{key}` is for deploying one: \
             remove `{key}`, or remove `address` to deploy a new {}",
            table.artifact
        );
    }
    Ok(Some(address))
}

/// The ABIs of the contracts (and bound contracts) by address-book name.
pub(super) fn contract_abis(plans: &[ContractPlan]) -> BTreeMap<String, Arc<JsonAbi>> {
    let mut abis = BTreeMap::new();
    for plan in plans {
        abis.insert(plan.name.clone(), Arc::new(plan.artifact.abi.clone()));
        for call in &plan.calls {
            if let Some((name, Some(abi))) = &call.bind {
                abis.insert(name.clone(), Arc::clone(abi));
            }
        }
    }
    abis
}

/// Compile the `[[kpi]]` tables.
pub(super) fn compile_kpis(
    file: &Path,
    tables: &[(usize, KpiTable)],
    library: Option<&Library>,
    sets: &[Assignment],
) -> anyhow::Result<Vec<Kpi>> {
    let shown = file.display().to_string();
    let mut kpis = Vec::with_capacity(tables.len());
    for (line, table) in tables {
        let note = note(sets, &["kpi", &table.name]);
        let origin = Origin::new(&shown, *line, format!("[[kpi]] {}{note}", table.name));
        let compiler = Compiler { origin: &origin, library, variables: Some(&[]) };
        let valid = table.name.contains('.')
            && table.name.split('.').all(|part| {
                !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
        if !valid {
            bail!("{origin}: name {:?} must be <scope>.<quantity> of letters, digits, `_` and `-` (e.g. pair.reserve0)", table.name);
        }
        if kpis.iter().any(|k: &Kpi| k.column == table.name) {
            bail!("{origin}: the name is used twice");
        }
        if table.decimals > 77 {
            bail!("{origin}: decimals = {} must be at most 77", table.decimals);
        }
        let script = compiler.expression(&table.expr, "`expr`")?;
        kpis.push(Kpi { column: table.name.clone(), script, decimals: table.decimals });
    }
    Ok(kpis)
}

/// Compile the `[[invariant]]` tables.
pub(super) fn compile_invariants(
    file: &Path,
    tables: &[(usize, InvariantTable)],
    library: Option<&Library>,
    sets: &[Assignment],
) -> anyhow::Result<Vec<Invariant>> {
    let shown = file.display().to_string();
    let mut invariants = Vec::with_capacity(tables.len());
    for (line, table) in tables {
        let note = note(sets, &["invariant", &table.name]);
        let origin = Origin::new(&shown, *line, format!("[[invariant]] {}{note}", table.name));
        let compiler = Compiler { origin: &origin, library, variables: Some(&[]) };
        if !rhai_name(&table.name) {
            bail!("{origin}: name {:?} must be letters, digits and `_` (it names a column)", table.name);
        }
        if invariants.iter().any(|i: &Invariant| i.name == table.name) {
            bail!("{origin}: the name is used twice");
        }
        let script = compiler.expression(&table.expr, "`expr`")?;
        let update = table.update.as_ref().map(|s| compiler.statements(s, "`update`")).transpose()?;
        let memory = Env::from_tables(&toml::Table::new(), &table.memory)
            .map_err(|e| anyhow::anyhow!("{origin}: memory: {e}"))?;
        let sides = split_comparison(&table.expr).and_then(|(lhs, rhs)| {
            let lhs = compiler.expression(&lhs, "left side").ok()?;
            let rhs = compiler.expression(&rhs, "right side").ok()?;
            Some((lhs, rhs))
        });
        invariants.push(Invariant {
            name: table.name.clone(),
            script,
            sides,
            check: table.check,
            on_fail: table.on_fail,
            update,
            memory,
        });
    }
    Ok(invariants)
}

/// Whether `name` can follow `@` in an expression.
fn rhai_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
