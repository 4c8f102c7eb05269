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

pub use schema::{
    AgentKind, AgentSpec, ChartConfig, ContractsConfig, KpisConfig, Netlist, SimConfig, AGENT_TYPES,
};

use crate::agents::{MarketBuild, PoolAgent, World};
use crate::artifacts::Build;
use crate::contracts::adapter::Adapter;
use crate::engine::{SimClock, SimEngine};
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
    /// The contracts the run deploys (the build loaded and checked against its adapter).
    pub market_build: MarketBuild,
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
    let pool_slots: usize = agents.iter().map(|a| a.pools_in(clock.ticks, clock.tick_seconds)).sum();
    for agent in &agents {
        agent.build(clock.tick_seconds, netlist.sim.seed).with_context(|| format!("{}", file.display()))?;
        for target in agent.references() {
            if !names.contains(&target) {
                bail!(
                    "{}: agent {:?} refers to agent {target:?}, which the netlist does not define",
                    file.display(),
                    agent.name
                );
            }
        }
        if let Some(index) = agent.max_pool_reference() {
            if index >= pool_slots {
                bail!(
                    "{}: agent {:?} refers to pool {index}, but the publishers create at most {pool_slots} pools",
                    file.display(),
                    agent.name
                );
            }
        }
    }
    let market_build = market_build(file, &netlist.contracts)?;
    Ok(LoadedNetlist { file: file.to_path_buf(), netlist, agents, market_build })
}

/// Load `[contracts]`: the own build, or a build path checked against its adapter.
fn market_build(file: &Path, contracts: &ContractsConfig) -> anyhow::Result<MarketBuild> {
    if contracts.build == "own" {
        return Ok(MarketBuild::Own(contracts.design));
    }
    let at = file.display();
    let near_netlist = |path: &str| file.parent().unwrap_or(Path::new(".")).join(path);
    let build = Build::open(near_netlist(&contracts.build))
        .map_err(|e| anyhow::anyhow!("{at}: [contracts] build = {:?}: {e}", contracts.build))?;
    let adapter_name = match &contracts.adapter {
        Some(name) if near_netlist(name).is_file() => near_netlist(name).to_string_lossy().into_owned(),
        Some(name) => name.clone(),
        None => Adapter::default_for(&build, contracts.design).to_string(),
    };
    let adapter = Adapter::load(&adapter_name, &build, &contracts.roles)
        .with_context(|| format!("{at}: [contracts]"))?;
    if adapter.design != contracts.design {
        bail!(
            "{at}: [contracts] design = {:?}, but adapter {} drives a {:?} build",
            contracts.design,
            adapter.name,
            adapter.design
        );
    }
    Ok(MarketBuild::Adapted(std::sync::Arc::new(adapter)))
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
        let world = World::new(self.netlist.sim.seed, clock.tick_seconds, &self.market_build, record, chain)?;
        let mut agents = Vec::with_capacity(self.agents.len());
        let mut pool_slots = 0;
        for spec in &self.agents {
            agents.push(spec.build(clock.tick_seconds, self.netlist.sim.seed)?);
            pool_slots += spec.pools_in(clock.ticks, clock.tick_seconds);
        }
        let extra = (0..pool_slots).flat_map(PoolAgent::columns).collect();
        Ok(SimEngine::new(clock, world, agents, extra, self.netlist.criteria.clone()))
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
