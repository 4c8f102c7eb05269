//! Expanding `[[agent]]` tables into agents: `type`, `name` and `count`
//! read here, the rest by whoever owns the type — the core for `eoa` and
//! `scripted` (with the netlist's functions, contracts and the models'
//! operations), a model for its own types.
//!
//! # Errors
//! A missing or unknown type, a bad name (more than [`MAX_NAME_LEN`] bytes,
//! or other than letters, digits, `_` and `-`) or count, a name used twice,
//! more than [`MAX_AGENTS`] agents in all, a reference to an agent the
//! netlist does not define, or anything the type's parser or builder
//! refuses: errors naming the file the table is in (an included file for its
//! own tables), the line, the agent and its type. Every step is linear in
//! the number of agents.

use super::overrides::{note, Assignment};
use super::schema::{agent_types, AgentTable};
use crate::agents::action::ModelAction;
use crate::agents::call::Compiler;
use crate::agents::{GenericConfig, GenericKind, ParseContext};
use crate::models::{model_of_agent_type, AgentSpec, MODELS};
use crate::script::Library;
use alloy_json_abi::JsonAbi;
use anyhow::bail;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The longest agent name, in bytes (names become KPI columns and file names).
pub const MAX_NAME_LEN: usize = 255;

/// The most agents a netlist may define, all `count` copies included.
pub const MAX_AGENTS: usize = 100_000;

/// What agents refer to when they are parsed.
#[derive(Debug)]
pub(super) struct AgentSetting<'a> {
    /// Seconds per tick.
    pub tick_seconds: u64,
    /// The run's seed (agents are built once at load, to check them).
    pub seed: u64,
    /// The netlist's functions.
    pub library: Option<&'a Library>,
    /// ABIs of the netlist's contracts by address-book name.
    pub abis: &'a BTreeMap<String, Arc<JsonAbi>>,
    /// The `--set` assignments (messages about a table they changed say so).
    pub sets: &'a [Assignment],
    /// The most agents the netlist may define (`[sim] max_agents`, else [`MAX_AGENTS`]).
    pub max_agents: usize,
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

/// Every agent, expanded by `count`, in netlist order, each built once (so
/// that its parameters are checked) and its references resolved.
pub(super) fn expand(
    file: &str,
    tables: &[AgentTable],
    setting: &AgentSetting<'_>,
) -> anyhow::Result<Vec<AgentSpec>> {
    let mut agents = Vec::new();
    // Name → index of the table that defines it (for duplicates and references).
    let mut defined: HashMap<String, usize> = HashMap::new();
    for (i, agent) in tables.iter().enumerate() {
        let table_name = agent.table.get("name").and_then(|n| n.as_str()).unwrap_or_default();
        let set_note = note(setting.sets, &["agent", table_name]);
        let at = format!("{}:{}: [[agent]] #{}{set_note}", agent.origin, agent.line, i + 1);
        let (name, kind, count, parsed) = parse_table(agent, &at, &set_note, setting)?;
        if agents.len() + count > setting.max_agents {
            bail!(
                "{at} ({name}): count = {count} makes more than {} agents in all, the most a netlist may define (raise the limit with [sim] max_agents)",
                setting.max_agents
            );
        }
        for k in 0..count {
            let name = if count == 1 { name.clone() } else { format!("{name}{k}") };
            if name.len() > MAX_NAME_LEN {
                bail!(
                    "{at}: agent name {} is {} bytes long; at most {MAX_NAME_LEN}",
                    shorten(&name),
                    name.len()
                );
            }
            if defined.insert(name.clone(), i).is_some() {
                bail!("{at}: agent name {name:?} is used twice");
            }
            let built = parsed.build(&name, setting.tick_seconds, setting.seed);
            let built = built.map(|_| ()).map_err(|e| e.context(agent.origin.clone()));
            super::overrides::noted(built, &set_note)?;
            agents.push(AgentSpec { name, kind: kind.clone(), config: Arc::clone(&parsed) });
        }
    }
    if agents.is_empty() {
        bail!("{file}: the netlist has no [[agent]]");
    }
    for agent in &agents {
        for target in agent.config.references() {
            if !defined.contains_key(target) {
                let table = &tables[defined[&agent.name]];
                bail!(
                    "{}:{}: agent {:?} refers to agent {target:?}, which the netlist does not define",
                    table.origin,
                    table.line,
                    agent.name
                );
            }
        }
    }
    Ok(agents)
}

/// A name as quoted in messages: escaped, and cut after 32 characters.
fn shorten(name: &str) -> String {
    match name.char_indices().nth(32) {
        None => format!("{name:?}"),
        Some((cut, _)) => format!("{:?}...", &name[..cut]),
    }
}

/// Whether the core parses agents of `kind` (`eoa`, `scripted`, external types).
fn is_generic(kind: &str) -> bool {
    matches!(kind, "eoa" | "scripted")
        || crate::agents::external::EXTERNAL_AGENT_TYPES.iter().any(|(t, _)| *t == kind)
}

/// One `[[agent]]` table: its name, type, count and parsed parameters.
fn parse_table(
    agent: &AgentTable,
    at: &str,
    set_note: &str,
    setting: &AgentSetting<'_>,
) -> anyhow::Result<(String, String, usize, Arc<dyn crate::agents::AgentConfig>)> {
    let mut table = agent.table.clone();
    let kind = take_string(&mut table, "type").map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
    let known = || agent_types().iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ");
    let Some(kind) = kind else { bail!("{at}: missing `type` (one of {})", known()) };
    let name = take_string(&mut table, "name").map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else { bail!("{at}: missing `name`") };
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        bail!(
            "{at}: name {} may hold only letters, digits, `_` and `-` (it names KPI columns)",
            shorten(&name)
        );
    }
    if name.len() > MAX_NAME_LEN {
        bail!("{at}: name {} is {} bytes long; at most {MAX_NAME_LEN}", shorten(&name), name.len());
    }
    let count = match table.remove("count") {
        None => 1,
        Some(toml::Value::Integer(n)) if (1..=10_000).contains(&n) => n as usize,
        Some(other) => bail!("{at} ({name}): `count` must be an integer from 1 to 10000, found {other}"),
    };
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
    let parsed: Arc<dyn crate::agents::AgentConfig> = match kind.as_str() {
        "attacker" => Arc::new(crate::attack::parse_attacker(table, &ctx)?),
        generic if is_generic(generic) => {
            let generic = match kind.as_str() {
                "eoa" => GenericKind::Eoa,
                "scripted" => GenericKind::Scripted,
                external => GenericKind::External(external),
            };
            Arc::new(GenericConfig::parse_kind(table, generic, &ctx)?)
        }
        _ => {
            let Some(model) = model_of_agent_type(&kind) else {
                bail!("{at} ({name}, {kind}): unknown agent type {kind:?}; expected one of {}", known())
            };
            model.parse_agent(&kind, table).map_err(|e| anyhow::anyhow!("{at} ({name}, {kind}): {e}"))?
        }
    };
    Ok((name, kind, count, parsed))
}
