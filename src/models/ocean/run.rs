//! The Ocean model in a netlist and in a run: its `[ocean]` table, the
//! market build it resolves, the checks on its agents, set-up (system
//! contracts deployed and named), and the market KPIs sampled every row.

use super::agents::OceanAgentConfig;
use super::criteria::{CriteriaConfig, CriteriaTracker, CRITERIA_COLUMNS};
use super::market::{Market, MarketBuild};
use super::state::{OceanState, OceanWorld};
use super::{adapter::Adapter, Design, OceanAction, PoolAgent, WalletKpis};
use crate::agents::action::Action;
use crate::agents::GenericConfig;
use crate::artifacts::{own_artifact, Build};
use crate::models::{AgentSpec, ModelConfig, ModelRun, ModelSetting};
use crate::world::{EntryKind, World};
use alloy_json_abi::JsonAbi;
use alloy_primitives::B256;
use anyhow::{bail, Context};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The market's KPI columns, sampled from the world's counters (the core's
/// `global.reverts` and `global.gas_used` placed among them).
pub const GLOBAL_COLUMNS: [&str; 8] = [
    "global.pools",
    "global.rugged_pools",
    "global.consumes",
    "global.reverts",
    "global.gas_used",
    "global.swap_volume_ocean",
    "global.consume_volume_ocean",
    "global.grants_usd",
];

/// `[ocean]`.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct OceanTable {
    /// Which market design: `"v3"` (default) or `"v4"` (V4 as deployed, or
    /// V4.1 when the publishers set its parameters).
    #[serde(default = "v3")]
    pub design: Design,
    /// A label for reports, e.g. `"v41"` (default: the design).
    pub label: Option<String>,
    /// How the criteria are measured.
    #[serde(default)]
    pub criteria: CriteriaConfig,
}

fn v3() -> Design {
    Design::V3
}

impl Default for OceanTable {
    fn default() -> Self {
        Self { design: Design::V3, label: None, criteria: CriteriaConfig::default() }
    }
}

/// The Ocean model as a netlist configures it.
#[derive(Debug, Clone)]
pub struct OceanConfig {
    /// `[ocean]`.
    pub table: OceanTable,
    /// The contracts the market runs on.
    pub build: MarketBuild,
    /// `[contracts] build` as written (for run.json).
    build_path: String,
}

impl OceanConfig {
    /// Read `[ocean]` and resolve the market build from `[contracts]`.
    pub fn read(setting: &ModelSetting<'_>) -> anyhow::Result<Self> {
        let at = setting.file.display();
        let table: OceanTable = match setting.table {
            None => OceanTable::default(),
            Some(value) => value
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| anyhow::anyhow!("{at}: [ocean]: {}", e.message()))?,
        };
        let fraction = table.criteria.probe_stake_fraction;
        if fraction.is_nan() || fraction <= 0.0 || fraction > 1.0 {
            bail!("{at}: [ocean.criteria] probe_stake_fraction = {fraction} must be in (0, 1]: a fraction of the pool's OCEAN, more than 0 and at most 1");
        }
        let build = market_build(setting, table.design)?;
        // Absolute, so a report can open the build whatever its working directory.
        let near_netlist = setting.file.parent().unwrap_or(Path::new(".")).join(setting.build);
        let build_path = match &build {
            MarketBuild::Own(_) => setting.build.to_string(),
            MarketBuild::Adapted(_) => std::path::absolute(&near_netlist)
                .map_or_else(|_| setting.build.to_string(), |p| p.display().to_string()),
        };
        Ok(Self { table, build, build_path })
    }

    /// The design's label for reports (`label`, else `v3` / `v4`).
    pub fn design_label(&self) -> String {
        self.table.label.clone().unwrap_or_else(|| match self.table.design {
            Design::V3 => "v3".to_string(),
            Design::V4 => "v4".to_string(),
        })
    }

    /// The ABI of system contract `name` (`contract` in the build): the
    /// project's artifact, or for an adapted build its role's (the run's
    /// OCEAN is always the project's `OceanToken`).
    fn system_abi(&self, name: &str, contract: &str) -> Option<Arc<JsonAbi>> {
        let own = |contract: &str| own_artifact(contract).ok().map(|a| Arc::new(a.abi));
        match &self.build {
            MarketBuild::Own(_) => own(contract),
            MarketBuild::Adapted(adapter) => match adapter.role_abi(name) {
                Some(abi) => Some(Arc::clone(abi)),
                None if name == "ocean" => own("OceanToken"),
                None => None,
            },
        }
    }

    fn ocean_agents(agents: &[AgentSpec]) -> impl Iterator<Item = (&str, &OceanAgentConfig)> {
        agents.iter().filter_map(|a| a.config.as_any().downcast_ref().map(|c| (a.name.as_str(), c)))
    }

    /// Pools the publishers may create in a run of `ticks`.
    fn pool_slots(agents: &[AgentSpec], ticks: u64, tick_seconds: u64) -> usize {
        Self::ocean_agents(agents).map(|(_, c)| c.pools_in(ticks, tick_seconds)).sum()
    }
}

/// Most pools a run may plan for: each is an agent and six KPI columns,
/// named before the run starts.
const MAX_POOLS: usize = 100_000;

/// Load `[contracts]`: the own build, or a build path checked against its adapter.
fn market_build(setting: &ModelSetting<'_>, design: Design) -> anyhow::Result<MarketBuild> {
    let at = setting.file.display();
    if setting.build == "own" {
        if setting.adapter.is_some() || !setting.roles.is_empty() {
            bail!("{at}: [contracts] adapter and roles apply to a build path; build = \"own\" uses the typed bindings");
        }
        return Ok(MarketBuild::Own(design));
    }
    let near_netlist = |path: &str| setting.file.parent().unwrap_or(Path::new(".")).join(path);
    let build = Build::open(near_netlist(setting.build))
        .map_err(|e| anyhow::anyhow!("{at}: [contracts] build = {:?}: {e}", setting.build))?;
    let adapter_name = match setting.adapter {
        Some(name) if near_netlist(name).is_file() => near_netlist(name).to_string_lossy().into_owned(),
        Some(name) => name.to_string(),
        None => Adapter::default_for(&build, design).to_string(),
    };
    let adapter =
        Adapter::load(&adapter_name, &build, setting.roles).with_context(|| format!("{at}: [contracts]"))?;
    if adapter.design != design {
        bail!(
            "{at}: [ocean] design = {:?}, but adapter {} drives a {:?} build",
            design,
            adapter.name,
            adapter.design
        );
    }
    Ok(MarketBuild::Adapted(Arc::new(adapter)))
}

impl ModelConfig for OceanConfig {
    fn check(&self, agents: &[AgentSpec], ticks: u64, tick_seconds: u64) -> anyhow::Result<()> {
        let slots = Self::pool_slots(agents, ticks, tick_seconds);
        if slots > MAX_POOLS {
            bail!(
                "the publishers may create up to {slots} pools in this run of {ticks} ticks; at most \
                 {MAX_POOLS} are supported (each pool is an agent with its own KPI columns): give the \
                 publishers max_pools or a longer `every`, or shorten the run"
            );
        }
        for agent in agents {
            let Some(generic) = agent.config.as_any().downcast_ref::<GenericConfig>() else { continue };
            for step in generic.steps() {
                let Action::Model(action) = &step.action else { continue };
                let Some(action) = action.as_any().downcast_ref::<OceanAction>() else { continue };
                if action.pool >= slots {
                    bail!(
                        "agent {:?}, {}: refers to pool {}, but the publishers create at most {slots} pools",
                        agent.name,
                        step.label,
                        action.pool
                    );
                }
            }
        }
        Ok(())
    }

    fn later_columns(&self, agents: &[AgentSpec], ticks: u64, tick_seconds: u64) -> Vec<String> {
        (0..Self::pool_slots(agents, ticks, tick_seconds)).flat_map(PoolAgent::columns).collect()
    }

    fn later_names(&self, agents: &[AgentSpec], ticks: u64, tick_seconds: u64) -> Vec<String> {
        (0..Self::pool_slots(agents, ticks, tick_seconds))
            .flat_map(|i| [format!("pool{i}"), format!("datatoken{i}")])
            .collect()
    }

    fn setup(&self, world: &mut World) -> anyhow::Result<()> {
        let market = Market::deploy(&mut world.chain, &self.build)?;
        for (name, contract, address) in market.system_contracts() {
            let abi = self.system_abi(&name, &contract);
            // Registered under the name the book gives as its artifact, so
            // decoding a call to it prefers its ABI.
            if let Some(abi) = &abi {
                world.abis.add(&contract, abi);
            }
            let artifact = Some(contract);
            if let Err(taken) = world.book.insert(&name, address, EntryKind::Contract { artifact }, abi) {
                bail!("the Ocean model names its contract {name:?}, but {name:?} is already {taken}");
            }
        }
        let transfers = world.events.reader();
        world.extensions.insert(OceanState::new(market, transfers));
        Ok(())
    }

    fn hooks(&self) -> Box<dyn ModelRun> {
        Box::new(OceanRun { criteria: CriteriaTracker::new(self.table.criteria.clone()) })
    }

    fn manifest(&self) -> serde_json::Value {
        let build = match &self.build {
            MarketBuild::Own(_) => json!("own"),
            MarketBuild::Adapted(adapter) => json!({
                "path": self.build_path,
                "build": adapter.build,
                "adapter": adapter.name,
                "roles": adapter.roles,
            }),
        };
        json!({ "design": self.design_label(), "build": build, "table": self.table })
    }

    fn label(&self) -> Option<String> {
        Some(self.design_label())
    }

    fn warnings(&self, agents: &[AgentSpec]) -> Vec<String> {
        super::ignored::warnings(&self.build, agents)
    }

    fn describe(&self) -> Option<String> {
        match &self.build {
            MarketBuild::Own(_) => None,
            MarketBuild::Adapted(adapter) => {
                Some(format!("contracts: {} through adapter {}", adapter.build, adapter.name))
            }
        }
    }
}

/// The Ocean model's hooks in a run: the criteria it measures as it goes.
#[derive(Debug)]
struct OceanRun {
    criteria: CriteriaTracker,
}

impl ModelRun for OceanRun {
    fn columns(&self) -> Vec<String> {
        GLOBAL_COLUMNS.iter().chain(&CRITERIA_COLUMNS).map(|c| c.to_string()).collect()
    }

    fn after_tick(&mut self, world: &mut World) -> anyhow::Result<()> {
        world.index_transfers();
        self.criteria.after_tick(world)
    }

    fn sample(&mut self, world: &mut World, out: &mut [f64]) -> anyhow::Result<()> {
        let gas = crate::chain::SimChain::gas_used_total(&world.chain) as f64;
        let reverts = world.revert_count() as f64;
        let state = world.ocean();
        let counters = &state.counters;
        let globals = [
            state.pools.len() as f64,
            state.pools.iter().filter(|p| p.rugged).count() as f64,
            counters.consumes as f64,
            reverts,
            gas,
            counters.swap_volume_ocean,
            counters.consume_volume_ocean,
            counters.grants_usd,
        ];
        out[..globals.len()].copy_from_slice(&globals);
        let criteria = self.criteria.sample(world)?;
        out[globals.len()..globals.len() + criteria.len()].copy_from_slice(&criteria);
        Ok(())
    }

    fn agent_kpis(
        &self,
        name: &str,
        address: alloy_primitives::Address,
    ) -> Option<Box<dyn crate::agents::AgentKpis>> {
        Some(Box::new(WalletKpis { name: name.to_string(), address }))
    }

    fn summary(&self, world: &World) -> Vec<(&'static str, u64)> {
        vec![("pools", world.ocean().pools.len() as u64)]
    }

    fn code_hashes(&self, world: &mut World) -> anyhow::Result<BTreeMap<String, B256>> {
        let market = world.ocean().market.clone();
        Ok(market.code_hashes(&mut world.chain)?)
    }
}
