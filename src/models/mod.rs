//! Models: protocol packs on top of the protocol-agnostic core. A model
//! brings its agent types, its system contracts (deployed at set-up), the
//! state it keeps in the [`World`], its KPI columns and its criteria; the
//! netlist, engine and world only see the traits below.
//!
//! A model is active in a netlist when the netlist has its table (`[ocean]`)
//! or uses one of its agent types. [`MODELS`] lists every model; names of
//! models and of their agent types are unique (checked by a test).

pub mod criteria;
pub mod makers;
pub mod ocean;
pub mod wsloop;

use crate::agents::AgentConfig;
use crate::world::World;
use alloy_primitives::B256;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Every model the simulator knows.
pub static MODELS: &[&dyn Model] = &[&ocean::OceanModel, &wsloop::WsloopModel, &makers::MakersModel];

/// A protocol pack.
pub trait Model: std::fmt::Debug + Sync {
    /// Its name, also the name of its netlist table (`[ocean]`).
    fn name(&self) -> &'static str;
    /// Its agent types: `(type, one line on what it does)`.
    fn agent_types(&self) -> &'static [(&'static str, &'static str)];
    /// Parse an `[[agent]]` table of one of its types (without `type`,
    /// `name` and `count`); the error says what is wrong, the caller adds
    /// the file, line and agent.
    fn parse_agent(&self, kind: &str, params: toml::Table) -> Result<Arc<dyn AgentConfig>, String>;
    /// Read its netlist table (when present) and the netlist's `[contracts]`.
    fn configure(&self, setting: &ModelSetting<'_>) -> anyhow::Result<Arc<dyn ModelConfig>>;
    /// Parse one of its operations named by a generic agent's `do` (taking
    /// its keys out of `table`); `None` when it has no operation `kind`.
    fn parse_action(
        &self,
        _kind: &str,
        _table: &mut toml::Table,
        _compiler: crate::agents::call::Compiler<'_>,
    ) -> Option<anyhow::Result<Arc<dyn crate::agents::action::ModelAction>>> {
        None
    }

    /// Labels and units of its KPI columns for charts: `(pattern over the
    /// whole column name, label, unit)`, e.g. `("pool.*.spot_price", "DT
    /// price", "OCEAN per DT")`.
    fn column_units(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[]
    }

    /// Units of column quantities by suffix (`_ocean` → OCEAN), for columns
    /// no pattern names.
    fn unit_suffixes(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// The criteria `tsp compare` scores its runs against, if it has any.
    fn criteria(&self) -> Option<&'static criteria::CriteriaSet> {
        None
    }

    /// What a revert reason raised by its contracts (as counted in run.json's
    /// `reverts_by_reason`: `ERR_LIMIT_IN`) means, in plain words, and why
    /// its agents hit it; `None` when the reason is not its own.
    fn explain_revert(&self, _reason: &str) -> Option<&'static str> {
        None
    }

    /// Its default attack for `tsp attack` (an [`crate::attack::AttackSpec`]
    /// as TOML: the attacker's operations, capital and valuation), if any.
    fn attack_spec(&self) -> Option<&'static str> {
        None
    }
}

/// What a model's configuration sees of the netlist.
#[derive(Debug)]
pub struct ModelSetting<'a> {
    /// The netlist file (paths in it are relative to it; messages name it).
    pub file: &'a Path,
    /// The model's own table, if the netlist has one.
    pub table: Option<&'a toml::Value>,
    /// `[contracts] build` (`"own"` or a path relative to the netlist).
    pub build: &'a str,
    /// `[contracts] adapter`.
    pub adapter: Option<&'a str>,
    /// `[contracts] roles`.
    pub roles: &'a BTreeMap<String, String>,
}

/// A model in use in a netlist, with its configuration.
pub type ActiveModel = (&'static dyn Model, Arc<dyn ModelConfig>);

/// One agent of a netlist, after `count` expansion.
#[derive(Debug, Clone)]
pub struct AgentSpec {
    /// Unique name.
    pub name: String,
    /// Its type, as written in the netlist.
    pub kind: String,
    /// Its parsed parameters.
    pub config: Arc<dyn AgentConfig>,
}

/// A model configured by a netlist: checks, set-up and what run.json records.
pub trait ModelConfig: std::fmt::Debug + Send + Sync {
    /// Check the agents against the model (what they refer to exists, ...).
    fn check(&self, agents: &[AgentSpec], ticks: u64, tick_seconds: u64) -> anyhow::Result<()>;
    /// KPI columns of things the run creates later (after the agents' columns);
    /// none unless the model creates things as it runs.
    fn later_columns(&self, _agents: &[AgentSpec], _ticks: u64, _tick_seconds: u64) -> Vec<String> {
        Vec::new()
    }
    /// Address-book names the run will create later (checked references may use them).
    fn later_names(&self, _agents: &[AgentSpec], _ticks: u64, _tick_seconds: u64) -> Vec<String> {
        Vec::new()
    }
    /// Deploy the system contracts, name them in the address book, keep the
    /// model's state in the world.
    fn setup(&self, world: &mut World) -> anyhow::Result<()>;
    /// Fresh hooks for a run of a world this model has set up (or a fork of one).
    fn hooks(&self) -> Box<dyn ModelRun>;
    /// What run.json records about the model.
    fn manifest(&self) -> serde_json::Value;
    /// A short label of the design for reports (`v41`), if the model has designs.
    fn label(&self) -> Option<String>;
    /// A line `tsp run` prints before running (the build it runs on), if any.
    fn describe(&self) -> Option<String> {
        None
    }
    /// Parameters of the agents that the model's build ignores, one line
    /// each (`tsp check` and `tsp run` print them as warnings).
    fn warnings(&self, _agents: &[AgentSpec]) -> Vec<String> {
        Vec::new()
    }
}

/// A model's hooks during a run.
pub trait ModelRun: std::fmt::Debug {
    /// Its KPI columns, placed before the agents' columns. It may list the
    /// core's `global.reverts` and `global.gas_used` to place them in its block.
    fn columns(&self) -> Vec<String>;
    /// After every tick (the chain has mined the tick's block).
    fn after_tick(&mut self, world: &mut World) -> anyhow::Result<()>;
    /// Current values of [`ModelRun::columns`], in order.
    fn sample(&mut self, world: &mut World, out: &mut [f64]) -> anyhow::Result<()>;
    /// KPI columns it adds to every generic agent (`eoa`, `scripted`), if any.
    fn agent_kpis(
        &self,
        _name: &str,
        _address: alloy_primitives::Address,
    ) -> Option<Box<dyn crate::agents::AgentKpis>> {
        None
    }
    /// Counts for the run's summary and run.json (`pools`).
    fn summary(&self, world: &World) -> Vec<(&'static str, u64)>;
    /// keccak256 of the runtime code of its system contracts, by name.
    fn code_hashes(&self, world: &mut World) -> anyhow::Result<BTreeMap<String, B256>>;
}

/// The model providing agent type `kind`.
pub fn model_of_agent_type(kind: &str) -> Option<&'static dyn Model> {
    MODELS.iter().copied().find(|m| m.agent_types().iter().any(|(t, _)| *t == kind))
}

/// The criteria of the first of `models` (names, as in run.json) that has
/// any; [`criteria::CriteriaSet::NONE`] when none has.
pub fn criteria_for<S: AsRef<str>>(models: &[S]) -> &'static criteria::CriteriaSet {
    static NONE: criteria::CriteriaSet = criteria::CriteriaSet::NONE;
    models.iter().filter_map(|name| model_named(name.as_ref())).find_map(|m| m.criteria()).unwrap_or(&NONE)
}

/// The plain-words meaning of a revert `reason` from the first of `models`
/// (names, as in run.json) that knows it.
pub fn revert_explanation<S: AsRef<str>>(models: &[S], reason: &str) -> Option<&'static str> {
    models.iter().filter_map(|name| model_named(name.as_ref())).find_map(|m| m.explain_revert(reason))
}

/// The model called `name`.
pub fn model_named(name: &str) -> Option<&'static dyn Model> {
    MODELS.iter().copied().find(|m| m.name() == name)
}

#[cfg(test)]
mod tests {
    use super::MODELS;

    #[test]
    fn model_and_agent_type_names_are_unique() {
        let mut names: Vec<&str> = MODELS.iter().map(|m| m.name()).collect();
        names.extend(MODELS.iter().flat_map(|m| m.agent_types().iter().map(|(t, _)| *t)));
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "{names:?}");
    }
}
