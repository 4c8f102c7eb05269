//! Expanding `[[agent]]` tables into agents: `type`, `name` and `count`
//! read here, the rest by whoever owns the type — the core for `eoa` and
//! `scripted` (with the netlist's functions, contracts and the models'
//! operations), a model for its own types.
//!
//! # Errors
//! A missing or unknown type, a bad name or count, a name used twice, or
//! anything the type's parser refuses: errors naming the file, the line, the
//! agent and its type.

use super::overrides::{note, Assignment};
use super::schema::{agent_types, AgentTable};
use crate::agents::action::ModelAction;
use crate::agents::call::Compiler;
use crate::agents::{GenericConfig, ParseContext};
use crate::models::{model_of_agent_type, AgentSpec, MODELS};
use crate::script::Library;
use alloy_json_abi::JsonAbi;
use anyhow::bail;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What agents refer to when they are parsed.
#[derive(Debug)]
pub(super) struct AgentSetting<'a> {
    /// Seconds per tick.
    pub tick_seconds: u64,
    /// The netlist's functions.
    pub library: Option<&'a Library>,
    /// ABIs of the netlist's contracts by address-book name.
    pub abis: &'a BTreeMap<String, Arc<JsonAbi>>,
    /// The `--set` assignments (messages about a table they changed say so).
    pub sets: &'a [Assignment],
}

fn take_string(table: &mut toml::Table, key: &str) -> Result<Option<String>, String> {
    match table.remove(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("`{key}` must be a string, found {}", other.type_str())),
    }
}

/// A model operation named by `do`, from the first model that has it.
fn model_action(
    kind: &str,
    table: &mut toml::Table,
    compiler: Compiler<'_>,
) -> Option<anyhow::Result<(Arc<dyn ModelAction>, &'static str)>> {
    MODELS.iter().find_map(|model| {
        model.parse_action(kind, table, compiler).map(|parsed| parsed.map(|action| (action, model.name())))
    })
}

/// Every agent, expanded by `count`, in netlist order.
pub(super) fn expand(
    file: &str,
    tables: &[AgentTable],
    setting: &AgentSetting<'_>,
) -> anyhow::Result<Vec<AgentSpec>> {
    let mut agents = Vec::new();
    for (i, agent) in tables.iter().enumerate() {
        let table_name = agent.table.get("name").and_then(|n| n.as_str()).unwrap_or_default();
        let set_note = note(setting.sets, &["agent", table_name]);
        let at = format!("{}:{}: [[agent]] #{}{set_note}", agent.origin, agent.line, i + 1);
        let mut table = agent.table.clone();
        let kind = take_string(&mut table, "type").map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
        let known = || agent_types().iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ");
        let Some(kind) = kind else { bail!("{at}: missing `type` (one of {})", known()) };
        let name = take_string(&mut table, "name").map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else { bail!("{at}: missing `name`") };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            bail!("{at}: name {name:?} may hold only letters, digits, `_` and `-` (it names KPI columns)");
        }
        let count = match table.remove("count") {
            None => 1,
            Some(toml::Value::Integer(n)) if (1..=10_000).contains(&n) => n as usize,
            Some(other) => bail!("{at} ({name}): `count` must be an integer from 1 to 10000, found {other}"),
        };
        let parsed: Arc<dyn crate::agents::AgentConfig> = match kind.as_str() {
            "eoa" | "scripted" => {
                let label = format!("{name}{set_note}");
                let ctx = ParseContext {
                    file: &agent.origin,
                    line: agent.line,
                    step_lines: &agent.step_lines,
                    agent: &label,
                    tick_seconds: setting.tick_seconds,
                    library: setting.library,
                    abis: setting.abis,
                    actions: &model_action,
                };
                Arc::new(GenericConfig::parse(table, kind == "scripted", &ctx)?)
            }
            _ => {
                let Some(model) = model_of_agent_type(&kind) else {
                    bail!("{at} ({name}, {kind}): unknown agent type {kind:?}; expected one of {}", known())
                };
                model.parse_agent(&kind, table).map_err(|e| anyhow::anyhow!("{at} ({name}, {kind}): {e}"))?
            }
        };
        for k in 0..count {
            let name = if count == 1 { name.clone() } else { format!("{name}{k}") };
            if agents.iter().any(|a: &AgentSpec| a.name == name) {
                bail!("{at}: agent name {name:?} is used twice");
            }
            agents.push(AgentSpec { name, kind: kind.clone(), config: Arc::clone(&parsed) });
        }
    }
    if agents.is_empty() {
        bail!("{file}: the netlist has no [[agent]]");
    }
    Ok(agents)
}
