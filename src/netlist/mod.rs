//! Netlists: the TOML schema, its loader and validation, `--set key=value`
//! overrides, and `build()` into a ready [`SimEngine`].
//!
//! A netlist has `[sim]` (name, description, tick, duration, seed,
//! log_every, shuffle), optional `[contracts]` (build, adapter, roles),
//! `[[contract]]` tables (artifacts deployed by name, with set-up calls),
//! `[[series]]` (exogenous inputs), `[script] functions`, `[[agent]]`
//! tables (type, name, count, then the type's parameters), `[[kpi]]` and
//! `[[invariant]]` expressions, a model's table (`[ocean]`), optional
//! `[kpis]` (include patterns) and `[[chart]]` tables.
//!
//! # Errors
//! Syntax errors, unknown keys, wrong types, unknown agent types, bad
//! durations, amounts that are negative, non-finite or beyond 256-bit base
//! units, dangling references, more than [`MAX_TICKS`] ticks or
//! [`MAX_AGENTS`] agents, names longer than [`MAX_NAME_LEN`], and a netlist
//! or include that is not a regular file (a FIFO, `/dev/zero`) are
//! [`anyhow`] errors naming the file (the included one for its tables), the
//! line when known, and what was expected. Nothing panics. Steps timed after
//! the end of the run are warnings ([`LoadedNetlist::warnings`]). Loading is
//! linear in the number of agents.

mod agents;
mod overrides;
mod parts;
mod schema;
mod setup;

pub use crate::models::AgentSpec;
pub use agents::{MAX_AGENTS, MAX_NAME_LEN};
pub use overrides::check_text as check_set_text;
pub use parts::{CallTable, ContractPlan, ContractTable, InvariantTable, KpiTable, ScriptTable};
pub use schema::read_text as read_netlist_text;
pub use schema::{
    agent_types, AgentTable, ChartConfig, ContractsConfig, KpisConfig, Netlist, SimConfig, CORE_AGENT_TYPES,
    MAX_TICKS,
};

use crate::agents::GenericConfig;
use crate::chain::address_for;
use crate::engine::{Invariant, Kpi, Observers, SimClock, SimEngine};
use crate::models::{model_named, model_of_agent_type, ActiveModel, Model, ModelSetting};
use crate::script::{Library, Origin, Script};
use crate::world::{EntryKind, Series, World};
use anyhow::{bail, Context};
use std::collections::BTreeSet;
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
    /// `[script] functions`, compiled.
    pub library: Option<Library>,
    /// `[[contract]]`s ready to deploy.
    pub contracts: Vec<ContractPlan>,
    /// `[[series]]`, computed.
    pub series: Series,
    /// `[[kpi]]` columns.
    pub kpis: Vec<Kpi>,
    /// `[[invariant]]`s.
    pub invariants: Vec<Invariant>,
}

/// Read, override (`key=value`, e.g. `sim.seed=7`, `agent.alice.ocean=5`)
/// and validate a netlist: every table parsed, every expression compiled,
/// every artifact loaded.
pub fn load(file: &Path, overrides: &[String]) -> anyhow::Result<LoadedNetlist> {
    let shown = file.display().to_string();
    let text = schema::read_text(file).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    let mut document: toml::Table =
        text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{shown}: {e}"))?;
    let assignments = overrides.iter().map(|o| overrides::parse(o)).collect::<anyhow::Result<Vec<_>>>()?;
    let (on_agents, on_document): (Vec<_>, Vec<_>) = assignments.iter().partition(|a| a.keys[0] == "agent");
    for assignment in on_document.iter().copied() {
        overrides::apply(&mut document, assignment, &shown)?;
    }
    let mut netlist = schema::parse(file, &text, document, !on_document.is_empty())?;
    for assignment in on_agents.iter().copied() {
        set_agent(&mut netlist.agent_tables, assignment, &shown)?;
    }
    netlist.sim.validate(file)?;
    if let Some(sources) = netlist.contracts.sources.clone() {
        let note = overrides::note(&assignments, &["contracts"]);
        let built =
            overrides::noted(parts::compile_sources(file, &netlist.contracts.build, &sources), &note)?;
        netlist.contracts.build = built.display().to_string();
    }
    let clock = netlist.sim.clock()?;
    let library = match netlist.script.functions.trim() {
        "" => None,
        source => {
            let what = format!("[script] functions{}", overrides::note(&assignments, &["script"]));
            Some(Library::new(source, Origin::new(&shown, 0, what))?)
        }
    };
    let contracts = parts::compile_contracts(
        file,
        &netlist.contracts.build,
        &netlist.contract_tables,
        library.as_ref(),
        &assignments,
    )?;
    let abis = parts::contract_abis(&contracts);
    let setting = agents::AgentSetting {
        tick_seconds: clock.tick_seconds,
        seed: netlist.sim.seed,
        library: library.as_ref(),
        abis: &abis,
        sets: &assignments,
        max_agents: netlist.sim.max_agents.unwrap_or(MAX_AGENTS),
    };
    let agents = agents::expand(&shown, &netlist.agent_tables, &setting)?;
    let series = overrides::noted(
        Series::build(&netlist.series, file, clock.ticks, clock.tick_seconds, netlist.sim.seed),
        &overrides::note(&assignments, &["series"]),
    )?;
    let kpis = parts::compile_kpis(file, &netlist.kpi_tables, library.as_ref(), &assignments)?;
    let invariants =
        parts::compile_invariants(file, &netlist.invariant_tables, library.as_ref(), &assignments)?;
    let models = configure_models(file, &netlist, &agents, &assignments)?;
    for (model, config) in &models {
        let checked = config.check(&agents, clock.ticks, clock.tick_seconds).with_context(|| shown.clone());
        overrides::noted(checked, &overrides::note(&assignments, &[model.name()]))?;
    }
    Ok(LoadedNetlist {
        file: file.to_path_buf(),
        netlist,
        agents,
        models,
        library,
        contracts,
        series,
        kpis,
        invariants,
    })
}

/// Apply `agent.<name>.<key>...` to the agent table called `<name>`.
fn set_agent(
    tables: &mut [AgentTable],
    assignment: &overrides::Assignment,
    file: &str,
) -> anyhow::Result<()> {
    let at = || format!("{file}: --set {}", assignment.text);
    let Some(name) = assignment.keys.get(1) else { bail!("{}: name the agent: agent.<name>.<key>", at()) };
    if assignment.keys.len() < 3 {
        bail!("{}: name a key of agent {name:?}: agent.{name}.<key>", at());
    }
    let named = |t: &AgentTable| t.table.get("name").and_then(|n| n.as_str()).map(str::to_string);
    let Some(agent) = tables.iter_mut().find(|t| named(t).as_deref() == Some(name.as_str())) else {
        let names: Vec<String> = tables.iter().filter_map(named).collect();
        bail!(
            "{}: no [[agent]] named {name:?} (agents: {}; `count` copies share their table's name)",
            at(),
            names.join(", ")
        );
    };
    overrides::apply_to_table(&mut agent.table, &assignment.keys[2..], assignment.value.clone())
        .map_err(|e| anyhow::anyhow!("{}: {e}", at()))
}

/// The active models, configured from their tables and `[contracts]`.
fn configure_models(
    file: &Path,
    netlist: &Netlist,
    agents: &[AgentSpec],
    sets: &[overrides::Assignment],
) -> anyhow::Result<Vec<ActiveModel>> {
    let mut active: Vec<&'static dyn Model> = Vec::new();
    for model in crate::models::MODELS {
        let typed =
            agents.iter().any(|a| model_of_agent_type(&a.kind).is_some_and(|m| m.name() == model.name()));
        let acting = agents.iter().any(|a| {
            a.config
                .as_any()
                .downcast_ref::<GenericConfig>()
                .is_some_and(|g| g.models().contains(&model.name()))
        });
        let used = typed || acting;
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
            let note = overrides::notes(sets, &[&[model.name()], &["contracts"]]);
            Ok((model, overrides::noted(model.configure(&setting), &note)?))
        })
        .collect()
}

impl LoadedNetlist {
    /// What the netlist sets that its models' builds ignore, one line each,
    /// naming the file (printed as warnings before checking or running).
    pub fn warnings(&self) -> Vec<String> {
        let file = self.file.display();
        let lines = self.models.iter().flat_map(|(_, config)| config.warnings(&self.agents));
        let mut warnings: Vec<String> = lines.map(|line| format!("{file}: {line}")).collect();
        warnings.extend(self.late_steps());
        warnings
    }

    /// `file:line` of the `[[agent]]` table agent `name` comes from (an
    /// included file's own name), or the netlist's file.
    fn agent_place(&self, name: &str) -> String {
        let own = |table: &schema::AgentTable| {
            table.table.get("name").and_then(toml::Value::as_str).map(str::to_string)
        };
        let tables = &self.netlist.agent_tables;
        let exact = tables.iter().find(|t| own(t).as_deref() == Some(name));
        // `count` copies are named by their table's name and a number.
        let copy = || {
            tables.iter().find(|t| {
                own(t).is_some_and(|own| {
                    name.strip_prefix(own.as_str()).is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
                })
            })
        };
        match exact.or_else(copy) {
            Some(table) => format!("{}:{}", table.origin, table.line),
            None => self.file.display().to_string(),
        }
    }

    /// Steps timed `at` or after the end of the run (they never act), one
    /// line per agent table: a warning, not an error, so that a shorter
    /// `--set sim.duration` still runs the rest of a netlist.
    fn late_steps(&self) -> Vec<String> {
        let Ok(clock) = self.netlist.sim.clock() else { return Vec::new() };
        let mut seen = std::collections::HashSet::new();
        let mut lines = Vec::new();
        for spec in &self.agents {
            let Some(generic) = spec.config.as_any().downcast_ref::<GenericConfig>() else { continue };
            // `count` copies share one parsed config: warn once for it.
            if !seen.insert(std::sync::Arc::as_ptr(&spec.config).cast::<()>()) {
                continue;
            }
            for step in generic.steps() {
                if let crate::agents::action::Trigger::At(at) = step.trigger {
                    if at >= clock.ticks {
                        lines.push(format!(
                            "{}: agent {:?}, {}: at tick {at}, after the run's last tick ({}): it never acts",
                            self.agent_place(&spec.name),
                            spec.name,
                            step.label,
                            clock.ticks.saturating_sub(1)
                        ));
                    }
                }
            }
        }
        lines
    }

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
        let world = self.set_up(chain, record)?;
        self.start(world)
    }

    /// The world before the first tick: models set up, agents named,
    /// `[[contract]]`s deployed. Runs that share
    /// [`LoadedNetlist::setup_key`] may each start from a fork of one such
    /// world ([`World::fork`]) instead of deploying again.
    pub fn set_up(&self, chain: crate::chain::SimChain, record: bool) -> anyhow::Result<World> {
        let clock = self.netlist.sim.clock()?;
        let shown = self.file.display().to_string();
        let mut world = World::new(self.netlist.sim.seed, clock.tick_seconds, chain, record);
        world.series = self.series.clone();
        for (model, config) in &self.models {
            config
                .setup(&mut world)
                .with_context(|| format!("{shown}: setting up model {}", model.name()))?;
        }
        world.finish_setup()?;
        for spec in &self.agents {
            if let Err(taken) = world.book.insert(&spec.name, address_for(&spec.name), EntryKind::Agent, None)
            {
                bail!("{shown}: agent {:?} has the name of a contract ({taken})", spec.name);
            }
        }
        setup::deploy_contracts(&mut world, &self.contracts)?;
        Ok(world)
    }

    /// What [`LoadedNetlist::set_up`] depends on: the contracts, the models'
    /// configuration and the agents' names — not the clock or the agents'
    /// parameters, nor the seed unless a set-up call reads a series.
    /// Equal keys, equal set-up worlds.
    pub fn setup_key(&self) -> String {
        let names: Vec<&str> = self.agents.iter().map(|a| a.name.as_str()).collect();
        let reads_series =
            self.contracts.iter().flat_map(ContractPlan::scripts).any(|s| s.source().contains("series"));
        let series = reads_series.then(|| serde_json::json!([self.netlist.sim.seed, self.netlist.series]));
        let models: Vec<serde_json::Value> = self.models.iter().map(|(_, c)| c.manifest()).collect();
        let material = serde_json::json!({
            "contracts": self.netlist.contracts,
            "contract": self.netlist.contract_tables.iter().map(|(_, t)| t).collect::<Vec<_>>(),
            "models": models,
            "tables": self.netlist.models,
            "agents": names,
            "file": self.file,
            "tick": self.netlist.sim.tick.seconds(),
            "script": self.netlist.script.functions,
            "series": series,
        });
        alloy_primitives::keccak256(material.to_string()).to_string()
    }

    /// An engine on `world`, fresh from [`LoadedNetlist::set_up`] or forked
    /// from one: the seed and series of this netlist, the models' hooks, the
    /// agents built.
    pub fn start(&self, world: World) -> anyhow::Result<SimEngine> {
        self.start_seeded(world, self.netlist.sim.seed)
    }

    /// [`LoadedNetlist::start`] with another seed than the netlist's (a
    /// caller resetting a run to a new episode).
    pub fn start_seeded(&self, mut world: World, seed: u64) -> anyhow::Result<SimEngine> {
        let clock = self.netlist.sim.clock()?;
        world.seed = seed;
        world.series = self.series.clone();
        self.check_names(&mut world, &clock)?;
        let runs: Vec<_> = self.models.iter().map(|(_, config)| config.hooks()).collect();
        let mut agents = Vec::with_capacity(self.agents.len());
        for spec in &self.agents {
            let mut agent = spec.config.build(&spec.name, clock.tick_seconds, seed)?;
            if let Some(address) = agent.address() {
                for run in &runs {
                    if let Some(kpis) = run.agent_kpis(&spec.name, address) {
                        agent.attach(kpis);
                    }
                }
            }
            agents.push(agent);
        }
        let later = self
            .models
            .iter()
            .flat_map(|(_, config)| config.later_columns(&self.agents, clock.ticks, clock.tick_seconds))
            .collect();
        let observers = Observers::new(self.kpis.clone(), self.invariants.clone());
        Ok(SimEngine::new(clock, world, agents, runs, later, observers))
    }

    /// Every `@name` of the netlist's expressions is in `world`'s book or
    /// made later by a model; events are kept when an expression reads them.
    /// Done at start, not set-up: a forked world meets this netlist's scripts.
    fn check_names(&self, world: &mut World, clock: &crate::engine::SimClock) -> anyhow::Result<()> {
        let shown = self.file.display().to_string();
        let scripts = self.scripts();
        let later: BTreeSet<String> = self
            .models
            .iter()
            .flat_map(|(_, config)| config.later_names(&self.agents, clock.ticks, clock.tick_seconds))
            .collect();
        setup::check_names(world, &later, scripts.iter().copied())?;
        for spec in &self.agents {
            let Some(generic) = spec.config.as_any().downcast_ref::<GenericConfig>() else { continue };
            for step in generic.steps() {
                if let crate::agents::action::Action::Call(call) = &step.action {
                    setup::check_target(world, &call.to)?;
                }
            }
        }
        if let Some(library) = &self.library {
            for name in library.names() {
                if world.book.address(name).is_none() && !later.contains(name) {
                    bail!("{shown}: [script] functions: unknown name @{name}");
                }
            }
        }
        let library_events = self.netlist.script.functions.contains("event");
        if library_events || setup::uses_events(scripts.iter().copied()) {
            world.events.keep_history();
        }
        Ok(())
    }

    /// Add a KPI column `name` computed by the expression `expr` (as a
    /// `[[kpi]]` table would; `origin` names who asked, for messages).
    pub fn add_kpi(&mut self, name: &str, expr: &str, origin: &str) -> anyhow::Result<()> {
        let table = parts::KpiTable {
            name: name.to_string(),
            expr: expr.to_string(),
            decimals: 18,
            label: None,
            unit: None,
        };
        let compiled = parts::compile_kpis(Path::new(origin), &[(0, table)], self.library.as_ref(), &[])?;
        if self.kpis.iter().any(|k| k.column == name) {
            bail!("{origin}: KPI {name:?} is already a column of the netlist");
        }
        self.kpis.extend(compiled);
        Ok(())
    }

    /// Every expression of the netlist (agents', contracts', KPIs', invariants').
    pub fn scripts(&self) -> Vec<&Script> {
        let mut scripts: Vec<&Script> = Vec::new();
        for agent in &self.agents {
            if let Some(generic) = agent.config.as_any().downcast_ref::<GenericConfig>() {
                scripts.extend(generic.scripts());
            }
        }
        scripts.extend(self.contracts.iter().flat_map(ContractPlan::scripts));
        scripts.extend(self.kpis.iter().map(|k| &k.script));
        for invariant in &self.invariants {
            scripts.push(&invariant.script);
            scripts.extend(&invariant.update);
            scripts.extend(invariant.sides.iter().flat_map(|(l, r)| [l, r]));
        }
        scripts
    }

    /// Labels and units of the `[[kpi]]` columns that give a `unit`, for charts.
    pub fn column_units(&self) -> crate::plot::units::Registry {
        crate::plot::units::Registry::new(
            self.netlist
                .kpi_tables
                .iter()
                .filter_map(|(_, kpi)| Some((kpi.name.clone(), kpi.label.clone(), kpi.unit.clone()?))),
        )
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
