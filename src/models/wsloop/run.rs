//! The wsloop model in a netlist and in a run: its configuration (the
//! `[wsloop]` table), the checks on its agents, set-up (OCEAN deployed and
//! the initial supply minted to the deployer), the valuation after every
//! tick, and the loop's KPI columns.
//!
//! # Errors
//! A wrong agent wiring (a router's `to` that is not a DAO, ...) is refused
//! at load, naming the agent and key; a failed deployment at set-up is an error.

use super::agents::WsloopAgentConfig;
use super::state::{self, base_units, state_mut, WsloopState, YEAR_SECONDS};
use super::table::WsloopTable;
use crate::artifacts::own_artifact;
use crate::chain::GOD;
use crate::models::ocean::contracts::Ocean;
use crate::models::{AgentSpec, ModelConfig, ModelRun};
use crate::world::{EntryKind, World};
use alloy_primitives::B256;
use anyhow::bail;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The loop's KPI columns, in [`ModelRun::sample`] order; the flows are per
/// tick (a month in the shipped netlist).
pub const COLUMNS: [&str; 14] = [
    "global.marketplaces_revenue_usd",
    "global.network_revenue_usd",
    "global.rnd_spend_usd",
    "global.rnd_sales_ratio",
    "global.growth_rate",
    "global.ocean_minted",
    "global.ocean_burned",
    "global.ocean_supply",
    "global.dao_income_usd",
    "global.fundamental_valuation_usd",
    "global.speculative_valuation_usd",
    "global.valuation_usd",
    "global.ocean_price_usd",
    "global.reverts",
];

/// The model as a netlist configures it.
#[derive(Debug, Clone)]
pub struct WsloopConfig {
    /// `[wsloop]`.
    pub table: WsloopTable,
}

impl ModelConfig for WsloopConfig {
    fn check(&self, agents: &[AgentSpec], _ticks: u64, _tick_seconds: u64) -> anyhow::Result<()> {
        let kind_of = |name: &str| agents.iter().find(|a| a.name == name).map(|a| a.kind.as_str());
        for agent in agents {
            let Some(config) = agent.config.as_any().downcast_ref::<WsloopAgentConfig>() else { continue };
            for (target, wanted) in config.targets() {
                match kind_of(target) {
                    Some(kind) if kind == wanted => {}
                    Some(kind) => bail!(
                        "agent {:?} ({}) sends to {target:?}, a {kind}; it must be a {wanted}",
                        agent.name,
                        agent.kind
                    ),
                    None => {
                        bail!("agent {:?} sends to {target:?}, which the netlist does not define", agent.name)
                    }
                }
            }
        }
        Ok(())
    }

    fn setup(&self, world: &mut World) -> anyhow::Result<()> {
        let ocean = Ocean::deploy(&mut world.chain)?;
        let initial = base_units("deployer", "initial supply", self.table.initial_supply())?;
        ocean.mint(&mut world.chain, GOD, initial)?;
        let abi = own_artifact("OceanToken").ok().map(|a| Arc::new(a.abi));
        if let Some(abi) = &abi {
            world.abis.add("OceanToken", abi);
        }
        let entry = EntryKind::Contract { artifact: Some("OceanToken".to_string()) };
        if let Err(taken) = world.book.insert("ocean", ocean.address, entry, abi) {
            bail!("the wsloop model names its OCEAN token \"ocean\", but \"ocean\" is already {taken}");
        }
        world.extensions.insert(WsloopState::new(ocean, &self.table));
        Ok(())
    }

    fn hooks(&self) -> Box<dyn ModelRun> {
        Box::new(WsloopRun)
    }

    fn manifest(&self) -> serde_json::Value {
        serde_json::json!({ "schedule": self.table.schedule.name(), "table": self.table })
    }

    fn label(&self) -> Option<String> {
        Some(self.table.schedule.name().to_string())
    }
}

/// The hooks of a run: the valuation after each tick, and the KPIs.
#[derive(Debug)]
struct WsloopRun;

impl ModelRun for WsloopRun {
    fn columns(&self) -> Vec<String> {
        COLUMNS.iter().map(|c| c.to_string()).collect()
    }

    /// Value the network on this tick's flows: fundamentals at `ps_ratio`
    /// times the annualised network revenue, plus the speculative valuation
    /// grown by one tick; the price is the valuation over the supply on chain.
    fn after_tick(&mut self, world: &mut World) -> anyhow::Result<()> {
        let (tick, years) = (world.tick, world.tick_seconds as f64 / YEAR_SECONDS);
        let supply = state::supply(world)?;
        let state = state_mut(world)?;
        let revenue = state.flows(tick).network_revenue_usd;
        state.fundamental_usd = state.ps_ratio * revenue / years;
        state.speculative_usd *= (1.0 + state.speculative_growth).powf(years);
        state.supply_ocean = supply;
        state.price_usd = if supply > 0.0 { state.valuation_usd() / supply } else { 0.0 };
        Ok(())
    }

    fn sample(&mut self, world: &mut World, out: &mut [f64]) -> anyhow::Result<()> {
        let reverts = world.revert_count() as f64;
        let state = state::state(world)?;
        let flows = state.flows(world.tick);
        let values = [
            flows.marketplaces_revenue_usd,
            flows.network_revenue_usd,
            flows.rnd_usd,
            flows.rnd_sales_ratio,
            flows.growth_rate,
            flows.minted_ocean,
            flows.burned_ocean,
            state.supply_ocean,
            flows.dao_income_usd,
            state.fundamental_usd,
            state.speculative_usd,
            state.valuation_usd(),
            state.price_usd,
            reverts,
        ];
        out[..values.len()].copy_from_slice(&values);
        Ok(())
    }

    fn summary(&self, _world: &World) -> Vec<(&'static str, u64)> {
        Vec::new()
    }

    fn code_hashes(&self, world: &mut World) -> anyhow::Result<BTreeMap<String, B256>> {
        let token = state::state(world)?.ocean.address;
        let code = world.chain.code(token)?;
        Ok(BTreeMap::from([("OceanToken".to_string(), alloy_primitives::keccak256(code))]))
    }
}
