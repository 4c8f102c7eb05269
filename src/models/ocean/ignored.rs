//! Netlist parameters the market build ignores: a publisher key whose
//! `create_asset` variable no call of the build's adapter reads (pool
//! weights on a 50/50 or constant-product pool, a fee the build does not
//! charge), or a claim schedule on a build without `claim_vesting`. Which
//! variables a build reads is inferred from its adapter's steps, so there is
//! no list to keep in sync; the typed own build reads what `own-v3` and
//! `own-v4` read (they make the same calls).
//!
//! These are warnings, not errors: the run is still meaningful, only not
//! what the netlist says. Only keys the netlist writes are reported.

use super::adapter::Adapter;
use super::market::MarketBuild;
use super::{Design, OceanAgentConfig, ASSET_KEYS};
use crate::models::AgentSpec;
use std::collections::BTreeMap;

/// One warning per ignored key, naming the agents that set it and the build.
pub(super) fn warnings(build: &MarketBuild, agents: &[AgentSpec]) -> Vec<String> {
    let (what, variables) = match build {
        MarketBuild::Own(design) => {
            let name = match design {
                Design::V3 => "own-v3",
                Design::V4 => "own-v4",
            };
            let Ok(variables) = Adapter::variables_of(name) else { return Vec::new() };
            (format!("the own {} build (as adapter {name})", name.trim_start_matches("own-")), variables)
        }
        MarketBuild::Adapted(adapter) => {
            (format!("adapter {} on build {}", adapter.name, adapter.build), adapter.variables().clone())
        }
    };
    let reads = |op: &str, var: &str| variables.get(op).is_some_and(|vars| vars.contains(var));
    // key -> (why it is ignored, agents that set it)
    let mut ignored: BTreeMap<&str, (String, Vec<&str>)> = BTreeMap::new();
    for agent in agents {
        let Some(OceanAgentConfig::Publisher(config)) = agent.config.as_any().downcast_ref() else {
            continue;
        };
        let mut note = |key: &'static str, why: String| {
            ignored.entry(key).or_insert_with(|| (why, Vec::new())).1.push(agent.name.as_str());
        };
        for (key, var) in ASSET_KEYS.iter().filter(|(key, _)| config.written.contains(*key)) {
            if !reads("create_asset", var) {
                note(key, format!("its create_asset does not use ${var}"));
            }
        }
        if config.written.contains("claim_every") && !variables.contains_key("claim_vesting") {
            note("claim_every", "it has no claim_vesting operation".to_string());
        }
    }
    ignored
        .into_iter()
        .map(|(key, (why, names))| {
            let agents = if names.len() == 1 { "agent" } else { "agents" };
            let mut shown: Vec<String> = names.iter().take(5).map(|n| format!("{n:?}")).collect();
            if names.len() > 5 {
                shown.push(format!("and {} more", names.len() - 5));
            }
            format!("{key} of {agents} {} is ignored: {what}: {why}", shown.join(", "))
        })
        .collect()
}
