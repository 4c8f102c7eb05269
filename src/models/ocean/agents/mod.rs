//! The Ocean model's agents: the controllable pool agent, and uncontrollable
//! ones holding an EOA (publisher and malicious publisher, consumer,
//! speculator, staker, staker-speculator, vesting funder and beneficiary,
//! scripted) or none at all (grant giver and taker). Each trades through the
//! one [`super::market::Market`] interface, so it works on every design.

mod grants;
mod pool;
mod publisher;
mod traders;
mod vesting;

pub use grants::{GrantGiver, GrantGiverConfig, GrantTaker, GrantTakerConfig};
pub use pool::PoolAgent;
pub use publisher::{Publisher, PublisherConfig, ASSET_KEYS};
pub use traders::{
    Consumer, ConsumerConfig, Speculator, SpeculatorConfig, Staker, StakerConfig, StakerSpeculator,
    StakerSpeculatorConfig,
};
pub use vesting::{
    VestingBeneficiary, VestingBeneficiaryConfig, VestingFunder, VestingFunderConfig, VestingInfo,
};

use super::market::AssetSpec;
use super::state::{OceanWorld, PoolInfo};
use crate::agents::{check_amount, check_fraction, check_period, Agent, Schedule, SimDuration, SimRng};
use crate::wallet::{to_base18, AgentWallet};
use crate::world::World;

/// The KPI quantities every wallet-holding agent reports.
const WALLET_KPIS: [&str; 5] = ["ocean", "usd", "dt", "holdings_ocean", "net_worth_ocean"];

/// The wallet KPIs of any agent's EOA (a generic agent's too).
#[derive(Debug)]
pub struct WalletKpis {
    /// The agent's name.
    pub name: String,
    /// Its EOA.
    pub address: alloy_primitives::Address,
}

impl crate::agents::AgentKpis for WalletKpis {
    fn columns(&self) -> Vec<String> {
        wallet_columns(&self.name)
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        let held = world.holdings(self.address)?;
        Ok(vec![held.ocean, 0.0, held.datatokens, held.value, held.ocean + held.value])
    }
}

fn wallet_columns(name: &str) -> Vec<String> {
    WALLET_KPIS.iter().map(|q| format!("agent.{name}.{q}")).collect()
}

fn wallet_sample(wallet: &AgentWallet, world: &mut World) -> anyhow::Result<Vec<f64>> {
    let held = world.holdings(wallet.address)?;
    Ok(vec![held.ocean, wallet.usd, held.datatokens, held.value, held.ocean + held.value])
}

/// Give a new wallet its starting OCEAN (minted by the deployer).
fn fund(world: &mut World, wallet: &AgentWallet, ocean: f64) -> anyhow::Result<()> {
    if ocean > 0.0 {
        let token = world.ocean().market.ocean();
        token.mint(&mut world.chain, wallet.address, to_base18(ocean)?)?;
    }
    Ok(())
}

/// The parsed config of one of the Ocean model's agent types.
#[derive(Debug, Clone)]
pub enum OceanAgentConfig {
    /// `publisher`, or `malicious_publisher` (with `rug_after`).
    Publisher(Box<PublisherConfig>),
    /// `consumer`.
    Consumer(ConsumerConfig),
    /// `speculator`.
    Speculator(SpeculatorConfig),
    /// `staker`.
    Staker(StakerConfig),
    /// `grant_giver`.
    GrantGiver(GrantGiverConfig),
    /// `grant_taker`.
    GrantTaker(GrantTakerConfig),
    /// `staker_speculator`.
    StakerSpeculator(StakerSpeculatorConfig),
    /// `vesting_funder`.
    VestingFunder(VestingFunderConfig),
    /// `vesting_beneficiary`.
    VestingBeneficiary(VestingBeneficiaryConfig),
}

impl OceanAgentConfig {
    /// Pools this agent may create in a run (KPI slots to reserve).
    pub fn pools_in(&self, ticks: u64, tick_seconds: u64) -> usize {
        match self {
            Self::Publisher(c) => c.pools_in(ticks, tick_seconds),
            _ => 0,
        }
    }
}

impl crate::agents::AgentConfig for OceanAgentConfig {
    fn build(&self, name: &str, tick_seconds: u64, seed: u64) -> anyhow::Result<Box<dyn Agent>> {
        Ok(match self {
            Self::Publisher(c) => Box::new(c.build(name, tick_seconds)?),
            Self::Consumer(c) => Box::new(c.build(name, tick_seconds, seed)?),
            Self::Speculator(c) => Box::new(c.build(name, tick_seconds, seed)?),
            Self::Staker(c) => Box::new(c.build(name, tick_seconds, seed)?),
            Self::GrantGiver(c) => Box::new(c.build(name, tick_seconds)?),
            Self::GrantTaker(c) => Box::new(c.build(name, tick_seconds)?),
            Self::StakerSpeculator(c) => Box::new(c.build(name, tick_seconds, seed)?),
            Self::VestingFunder(c) => Box::new(c.build(name)?),
            Self::VestingBeneficiary(c) => Box::new(c.build(name, tick_seconds)?),
        })
    }

    fn references(&self) -> Vec<&str> {
        match self {
            Self::GrantGiver(c) => vec![c.to.as_str()],
            Self::VestingFunder(c) => vec![c.beneficiary.as_str()],
            _ => Vec::new(),
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Deserialise an agent's parameters; the error quotes the offending key's line.
fn params<T: serde::de::DeserializeOwned>(rest: toml::Table) -> Result<T, String> {
    let text = toml::to_string(&rest).map_err(|e| e.to_string())?;
    toml::from_str(&text).map_err(|e| {
        let shown = e.to_string();
        // Drop toml's "parse error at line N" header: N counts within this agent only.
        shown.lines().skip(1).map(str::trim_end).collect::<Vec<_>>().join(" ").trim().to_string()
    })
}

/// Parse the parameters of an agent of type `kind`.
pub(super) fn parse(
    kind: &str,
    rest: toml::Table,
) -> Result<std::sync::Arc<dyn crate::agents::AgentConfig>, String> {
    let config = match kind {
        "publisher" | "malicious_publisher" => {
            let written = rest.keys().cloned().collect();
            let config = PublisherConfig { written, ..params(rest)? };
            if kind == "malicious_publisher" && config.rug_after.is_none() {
                return Err("a malicious_publisher needs `rug_after` (e.g. \"10d\")".to_string());
            }
            OceanAgentConfig::Publisher(Box::new(config))
        }
        "staker_speculator" => OceanAgentConfig::StakerSpeculator(params(rest)?),
        "vesting_funder" => OceanAgentConfig::VestingFunder(params(rest)?),
        "vesting_beneficiary" => OceanAgentConfig::VestingBeneficiary(params(rest)?),
        "consumer" => OceanAgentConfig::Consumer(params(rest)?),
        "speculator" => OceanAgentConfig::Speculator(params(rest)?),
        "staker" => OceanAgentConfig::Staker(params(rest)?),
        "grant_giver" => OceanAgentConfig::GrantGiver(params(rest)?),
        "grant_taker" => OceanAgentConfig::GrantTaker(params(rest)?),
        other => return Err(format!("the Ocean model has no agent type {other:?}")),
    };
    Ok(std::sync::Arc::new(config))
}
