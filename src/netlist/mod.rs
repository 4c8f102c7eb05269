//! Netlists: the TOML schema, its loader and validation, `--set key=value`
//! overrides, and `build()` into a ready [`SimEngine`].
//!
//! A netlist has `[sim]` (name, description, tick, duration, seed,
//! log_every, shuffle), optional `[contracts]` (build), `[[agent]]` tables
//! (type, name, count, then the type's parameters), optional `[kpis]`
//! (include patterns) and `[[chart]]` tables (title, kpis, log_y, y_label).
//!
//! # Errors
//! Syntax errors, unknown keys, wrong types, unknown agent types, bad
//! durations, negative or non-finite amounts and dangling references are
//! [`anyhow`] errors naming the file, the line when known, and what was
//! expected. Nothing panics.

mod schema;

pub use crate::models::AgentSpec;
pub use schema::{agent_types, ChartConfig, ContractsConfig, KpisConfig, Netlist, SimConfig};

use crate::chain::address_for;
use crate::engine::{SimClock, SimEngine};
use crate::models::{model_named, model_of_agent_type, ActiveModel, Model, ModelSetting};
use crate::world::{EntryKind, World};
use anyhow::{bail, Context};
use std::path::Path;

/// A netlist read from disk, with overrides applied and validated.
#[derive(Debug, Clone)]
pub struct LoadedNetlist {
    /// The file it came from.
    pub file: std::path::PathBuf,
    /// The resolved settings.
    pub netlist: Netlist,
    /// The agents, expanded by `count` and in netlist order.
    pub agents: Vec<AgentSpec>,
    /// The active models (with a table in the netlist or an agent of theirs),
    /// configured, in the order of [`crate::models::MODELS`].
    pub models: Vec<ActiveModel>,
}

/// Read, override (`key=value`, e.g. `sim.seed=7`) and validate a netlist.
pub fn load(file: &Path, overrides: &[String]) -> anyhow::Result<LoadedNetlist> {
    let text = std::fs::read_to_string(file).with_context(|| format!("{}: cannot read", file.display()))?;
    let mut document: toml::Table =
        text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{}: {}", file.display(), e))?;
    for assignment in overrides {
        apply_override(&mut document, assignment)
            .with_context(|| format!("{}: --set {assignment}", file.display()))?;
    }
    // With overrides, errors refer to the overridden document, re-serialised.
    let effective = if overrides.is_empty() { text } else { toml::to_string(&document)? };
    let netlist = schema::parse(file, &effective, document)?;
    let agents = schema::expand_agents(file, &netlist)?;
    netlist.sim.validate(file)?;
    let clock = netlist.sim.clock()?;
    let names: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
    for agent in &agents {
        agent
            .config
            .build(&agent.name, clock.tick_seconds, netlist.sim.seed)
            .with_context(|| format!("{}", file.display()))?;
        for target in agent.config.references() {
            if !names.contains(&target) {
                bail!(
                    "{}: agent {:?} refers to agent {target:?}, which the netlist does not define",
                    file.display(),
                    agent.name
                );
            }
        }
    }
    let models = configure_models(file, &netlist, &agents)?;
    for (_, config) in &models {
        config
            .check(&agents, clock.ticks, clock.tick_seconds)
            .with_context(|| format!("{}", file.display()))?;
    }
    Ok(LoadedNetlist { file: file.to_path_buf(), netlist, agents, models })
}

/// The active models, configured from their tables and `[contracts]`.
fn configure_models(
    file: &Path,
    netlist: &Netlist,
    agents: &[AgentSpec],
) -> anyhow::Result<Vec<ActiveModel>> {
    let mut active: Vec<&'static dyn Model> = Vec::new();
    for model in crate::models::MODELS {
        let used =
            agents.iter().any(|a| model_of_agent_type(&a.kind).is_some_and(|m| m.name() == model.name()));
        if used || netlist.models.contains_key(model.name()) {
            active.push(*model);
        }
    }
    debug_assert!(netlist.models.keys().all(|name| model_named(name).is_some()));
    let contracts = &netlist.contracts;
    let uses_roles = contracts.adapter.is_some() || !contracts.roles.is_empty();
    if active.is_empty() && uses_roles {
        bail!(
            "{}: [contracts] adapter and roles map a model's roles, but no model is in use",
            file.display()
        );
    }
    active
        .into_iter()
        .map(|model| {
            let setting = ModelSetting {
                file,
                table: netlist.models.get(model.name()),
                build: &contracts.build,
                adapter: contracts.adapter.as_deref(),
                roles: &contracts.roles,
            };
            Ok((model, model.configure(&setting)?))
        })
        .collect()
}

/// Apply `a.b.c=value`: the value is parsed as TOML (number, bool, string,
/// array), or taken as a string when it does not parse.
fn apply_override(document: &mut toml::Table, assignment: &str) -> anyhow::Result<()> {
    let Some((path, raw)) = assignment.split_once('=') else { bail!("expected key=value") };
    let value: toml::Value = match format!("v = {raw}").parse::<toml::Table>() {
        Ok(mut table) => table.remove("v").unwrap_or(toml::Value::String(raw.to_string())),
        Err(_) => toml::Value::String(raw.to_string()),
    };
    let keys: Vec<&str> = path.trim().split('.').collect();
    let (last, parents) = keys.split_last().context("empty key")?;
    let mut table = document;
    for key in parents {
        let entry = table.entry(key.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = entry.as_table_mut().with_context(|| format!("{key} is not a table"))?;
    }
    table.insert(last.to_string(), value);
    Ok(())
}

impl LoadedNetlist {
    /// The engine ready to run: market deployed, agents built.
    pub fn build(&self) -> anyhow::Result<SimEngine> {
        self.build_with(false)
    }

    /// [`LoadedNetlist::build`], optionally recording every EVM execution
    /// from genesis on (for replays in benchmarks).
    pub fn build_with(&self, record: bool) -> anyhow::Result<SimEngine> {
        self.build_on(crate::chain::SimChain::embedded(), record)
    }

    /// [`LoadedNetlist::build`] on a given fresh chain (the embedded EVM or a node).
    pub fn build_on(&self, chain: crate::chain::SimChain, record: bool) -> anyhow::Result<SimEngine> {
        let clock = self.netlist.sim.clock()?;
        let mut world = World::new(self.netlist.sim.seed, clock.tick_seconds, chain, record);
        let mut runs = Vec::with_capacity(self.models.len());
        for (model, config) in &self.models {
            runs.push(
                config.setup(&mut world).with_context(|| format!("setting up model {}", model.name()))?,
            );
        }
        world.finish_setup()?;
        let mut agents = Vec::with_capacity(self.agents.len());
        for spec in &self.agents {
            if let Err(taken) = world.book.insert(&spec.name, address_for(&spec.name), EntryKind::Agent, None)
            {
                bail!("{}: agent {:?} has the name of a contract ({taken})", self.file.display(), spec.name);
            }
            agents.push(spec.config.build(&spec.name, clock.tick_seconds, self.netlist.sim.seed)?);
        }
        let later = self
            .models
            .iter()
            .flat_map(|(_, config)| config.later_columns(&self.agents, clock.ticks, clock.tick_seconds))
            .collect();
        Ok(SimEngine::new(clock, world, agents, runs, later))
    }

    /// A label for reports: the first model's design label, else the run's name.
    pub fn label(&self) -> String {
        self.models.iter().find_map(|(_, c)| c.label()).unwrap_or_else(|| self.netlist.sim.name.clone())
    }

    /// Indices of the engine's columns that `[kpis] include` keeps (all when
    /// it is empty), after checking that every pattern of `[kpis]` and of
    /// each `[[chart]]` matches at least one column.
    pub fn selected_columns(&self, columns: &[String]) -> anyhow::Result<Vec<usize>> {
        let at = self.file.display();
        let matching = |pattern: &str| columns.iter().any(|c| crate::plot::matches(pattern, c));
        for pattern in &self.netlist.kpis.include {
            if !matching(pattern) {
                bail!("{at}: [kpis] include pattern {pattern:?} matches no KPI column");
            }
        }
        let include = &self.netlist.kpis.include;
        let kept: Vec<usize> = (0..columns.len())
            .filter(|&i| include.is_empty() || include.iter().any(|p| crate::plot::matches(p, &columns[i])))
            .collect();
        for chart in &self.netlist.charts {
            for pattern in &chart.kpis {
                if !kept.iter().any(|&i| crate::plot::matches(pattern, &columns[i])) {
                    bail!(
                        "{at}: [[chart]] {:?}: pattern {pattern:?} matches no recorded KPI column",
                        chart.title
                    );
                }
            }
        }
        Ok(kept)
    }

    /// The clock of the run.
    pub fn clock(&self) -> anyhow::Result<SimClock> {
        self.netlist.sim.clock()
    }
}
