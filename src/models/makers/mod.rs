//! The two_makers model: the two-market-maker game of "Market Based
//! Mechanisms for Incentivising Exchange Liquidity Provision" (section 4).
//! Two makers stake liquidity in one market whose fee falls when both add
//! and rises when both withdraw; each step both move their stake by -m, 0
//! or +m, playing the equilibrium policies that backward induction on a grid
//! finds when the netlist loads ([`game`]). Stakes, fee and the rules of a
//! move are the `TwoMakerMarket` contract's; volumes and gains are computed
//! from its state.
//!
//! A netlist uses it through the `[two_makers]` table ([`MakersTable`]) and
//! two agents of type `equilibrium_maker`; see `docs/models.md` and
//! `netlists/two_market_makers.toml`.

pub mod game;
mod run;
mod table;

pub use run::{MakerConfig, MakersConfig, MakersState, COLUMNS, MAKER_TYPE};
pub use table::MakersTable;

use super::{ModelConfig, ModelSetting};
use crate::agents::AgentConfig;
use std::sync::Arc;

/// The two_makers model.
#[derive(Debug)]
pub struct MakersModel;

/// Labels and units of its KPI columns.
const COLUMN_UNITS: &[(&str, &str, &str)] = &[
    ("market.step", "steps played", "count"),
    ("market.fee", "market fee", "fraction of volume"),
    ("market.total_stake", "total stake", "stake units"),
    ("maker.*.stake", "stake", "stake units"),
    ("maker.*.volume", "volume", "per unit of time"),
    ("maker.*.gain", "running gain", "gain units"),
    ("maker.*.value", "value of the game", "gain units"),
];

impl super::Model for MakersModel {
    fn name(&self) -> &'static str {
        "two_makers"
    }

    fn agent_types(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            MAKER_TYPE,
            "a market maker of [two_makers] that moves its stake by the game's equilibrium policy",
        )]
    }

    fn parse_agent(&self, kind: &str, params: toml::Table) -> Result<Arc<dyn AgentConfig>, String> {
        if kind != MAKER_TYPE {
            return Err(format!("the two_makers model has no agent type {kind:?}"));
        }
        let config: MakerConfig = toml::Value::Table(params)
            .try_into()
            .map_err(|e: toml::de::Error| format!("{} (an {MAKER_TYPE} takes no parameters)", e.message()))?;
        Ok(Arc::new(config))
    }

    fn configure(&self, setting: &ModelSetting<'_>) -> anyhow::Result<Arc<dyn ModelConfig>> {
        let table = MakersTable::read(setting.table)
            .map_err(|e| anyhow::anyhow!("{}: {e}", setting.file.display()))?;
        Ok(Arc::new(MakersConfig::new(table)))
    }

    fn column_units(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        COLUMN_UNITS
    }
}
