//! The wsloop model: the Web3 sustainability loop, Ocean's 20-year system
//! model. Marketplaces pay a toll to the network; 5% of the network's
//! revenue buys and burns OCEAN, the rest funds the DAO, which also gets
//! the 51% supply schedule (minted on chain) and the OPF and BDB treasuries;
//! the DAO funds grant takers, whose R&D spend grows the marketplaces.
//! OCEAN's price is the network's valuation (fundamentals at a P/S multiple
//! plus speculation) over its supply. All agents are pure (no decisions on
//! chain); OCEAN itself is the project's `OceanToken`.
//!
//! A netlist uses it through its agent types (`wsloop_minter`, ...) and the
//! `[wsloop]` table ([`WsloopTable`]); see `docs/wsloop.md` and
//! `netlists/wsloop.toml`.

mod agents;
pub mod growth;
mod run;
pub mod schedule;
mod state;
mod table;

pub use agents::WsloopAgentConfig;
pub use run::{WsloopConfig, COLUMNS};
pub use state::{Flows, WsloopState};
pub use table::WsloopTable;

use super::{ModelConfig, ModelSetting};
use crate::agents::AgentConfig;
use std::sync::Arc;

/// The wsloop model.
#[derive(Debug)]
pub struct WsloopModel;

/// Labels and units of its KPI columns (monthly flows, then month-end state).
const COLUMN_UNITS: &[(&str, &str, &str)] = &[
    ("global.marketplaces_revenue_usd", "marketplaces revenue", "USD per month"),
    ("global.network_revenue_usd", "network revenue", "USD per month"),
    ("global.rnd_spend_usd", "R&D spend", "USD per month"),
    ("global.dao_income_usd", "DAO income", "USD per month"),
    ("global.rnd_sales_ratio", "R&D to sales ratio", "ratio"),
    ("global.growth_rate", "revenue growth", "fraction per year"),
    ("global.ocean_minted", "OCEAN minted", "OCEAN per month"),
    ("global.ocean_burned", "OCEAN burned", "OCEAN per month"),
    ("global.ocean_supply", "OCEAN supply", "OCEAN"),
    ("global.ocean_price_usd", "OCEAN price", "USD per OCEAN"),
    ("agent.*.marketplaces", "marketplaces", "count"),
];

impl super::Model for WsloopModel {
    fn name(&self) -> &'static str {
        "wsloop"
    }

    fn agent_types(&self) -> &'static [(&'static str, &'static str)] {
        agents::AGENT_TYPES
    }

    fn parse_agent(&self, kind: &str, params: toml::Table) -> Result<Arc<dyn AgentConfig>, String> {
        Ok(Arc::new(WsloopAgentConfig::parse(kind, params)?))
    }

    fn configure(&self, setting: &ModelSetting<'_>) -> anyhow::Result<Arc<dyn ModelConfig>> {
        let table = WsloopTable::read(setting.table)
            .map_err(|e| anyhow::anyhow!("{}: {e}", setting.file.display()))?;
        Ok(Arc::new(WsloopConfig { table }))
    }

    fn column_units(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        COLUMN_UNITS
    }
}

#[cfg(test)]
mod tests {
    use super::WsloopModel;
    use crate::models::Model;

    #[test]
    fn every_agent_type_parses_or_says_what_is_missing() {
        for (kind, _) in WsloopModel.agent_types() {
            if let Err(message) = WsloopModel.parse_agent(kind, toml::Table::new()) {
                assert!(message.contains('`'), "{kind}: {message}");
            }
        }
        let error =
            WsloopModel.parse_agent("wsloop_router", toml::from_str("burn = 0.1").unwrap()).unwrap_err();
        assert!(error.contains("burn"), "{error}");
    }
}
