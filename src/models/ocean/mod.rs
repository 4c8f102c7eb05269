//! The Ocean model: Ocean Market V3 (Balancer weighted pools), V4 (one-sided
//! staking bot) and V4.1 (Dutch:Pool burn-in, vested premine, soft cap) —
//! their contracts and adapters for third-party builds, the market's agents,
//! the pool and market KPIs, and the criteria of the V3-vs-V4.1 comparison.
//!
//! A netlist uses it through its agent types (`publisher`, `consumer`, ...)
//! or its table:
//! ```toml
//! [ocean]
//! design = "v4"        # "v3" (default) or "v4" (V4, or V4.1 when publishers set its parameters)
//! label = "v41"        # the design's name in reports (default: the design)
//! [ocean.criteria]     # how the criteria are measured (defaults shown in CriteriaConfig)
//! probe_stake_fraction = 0.1
//! ```
//! The market runs on the netlist's `[contracts] build` (the project's own
//! contracts by default), through `[contracts] adapter` and `roles` for a
//! build from disk.

mod actions;
pub mod adapter;
mod agents;
pub mod bench;
mod columns;
pub mod contracts;
mod criteria;
mod ignored;
mod market;
mod report;
#[cfg(test)]
mod report_tests;
mod reverts;
mod run;
mod state;
pub mod wallet;

pub use actions::OceanAction;
pub use agents::*;
pub use contracts::Design;
pub use criteria::{CriteriaConfig, CriteriaTracker, CRITERIA_COLUMNS, PROBED_POOLS};
pub use market::{AssetSpec, Market, MarketBuild};
pub use report::CRITERIA_SET;
pub use run::{OceanConfig, OceanTable, GLOBAL_COLUMNS};
pub use state::{Counters, Holdings, OceanState, OceanWorld, PoolInfo, PoolState, PublisherRecord};

use super::{ModelConfig, ModelSetting};
use crate::agents::AgentConfig;
use std::sync::Arc;

/// The Ocean model.
#[derive(Debug)]
pub struct OceanModel;

/// The Ocean model's agent types.
const AGENT_TYPES: &[(&str, &str)] = &[
    ("publisher", "creates a datatoken and its pool on a schedule; may stake, unstake and sell"),
    (
        "malicious_publisher",
        "a publisher that pulls its stake and dumps its datatokens `rug_after` a pool opens",
    ),
    ("consumer", "buys one datatoken of a random live pool and consumes it"),
    ("speculator", "buys or sells a random live pool's datatoken at random"),
    ("staker", "stakes OCEAN into random live pools and sometimes unstakes"),
    ("staker_speculator", "stakes like a staker and trades like a speculator"),
    ("grant_giver", "pays a grant taker USD on a schedule (no chain)"),
    ("grant_taker", "receives grants and spends at a steady rate (no chain)"),
    ("vesting_funder", "locks OCEAN in a linear vesting contract for a beneficiary"),
    ("vesting_beneficiary", "claims what has vested on a schedule"),
];

impl super::Model for OceanModel {
    fn name(&self) -> &'static str {
        "ocean"
    }

    fn agent_types(&self) -> &'static [(&'static str, &'static str)] {
        AGENT_TYPES
    }

    fn parse_agent(&self, kind: &str, params: toml::Table) -> Result<Arc<dyn AgentConfig>, String> {
        agents::parse(kind, params)
    }

    fn configure(&self, setting: &ModelSetting<'_>) -> anyhow::Result<Arc<dyn ModelConfig>> {
        Ok(Arc::new(OceanConfig::read(setting)?))
    }

    fn parse_action(
        &self,
        kind: &str,
        table: &mut toml::Table,
        compiler: crate::agents::call::Compiler<'_>,
    ) -> Option<anyhow::Result<Arc<dyn crate::agents::action::ModelAction>>> {
        actions::parse(kind, table, compiler)
    }

    fn criteria(&self) -> Option<&'static crate::models::criteria::CriteriaSet> {
        Some(&report::CRITERIA_SET)
    }

    fn column_units(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        columns::COLUMN_UNITS
    }

    fn unit_suffixes(&self) -> &'static [(&'static str, &'static str)] {
        columns::UNIT_SUFFIXES
    }

    fn explain_revert(&self, reason: &str) -> Option<&'static str> {
        reverts::explain(reason)
    }

    fn attack_spec(&self) -> Option<&'static str> {
        Some(include_str!("attack.toml"))
    }
}

#[cfg(test)]
mod tests {
    use super::OceanModel;
    use crate::models::Model;

    #[test]
    fn every_agent_type_parses_with_its_defaults_or_says_what_is_missing() {
        for (kind, _) in OceanModel.agent_types() {
            match OceanModel.parse_agent(kind, toml::Table::new()) {
                Ok(_) => {}
                Err(message) => assert!(message.contains('`'), "{kind}: {message}"),
            }
        }
        let error = OceanModel.parse_agent("consumer", toml::from_str("ocen = 1.0").unwrap()).unwrap_err();
        assert!(error.contains("ocen"), "{error}");
    }
}
