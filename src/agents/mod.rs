//! The agent library: the [`Agent`] trait, the [`World`] agents act on, and
//! the agents themselves — controllable ones that wrap contracts (the pool
//! agent) and uncontrollable ones holding an EOA (publisher and malicious
//! publisher, consumer, speculator, staker, staker-speculator, vesting
//! funder and beneficiary, scripted) or none at all (grant giver and taker).
//!
//! Every agent type has a config struct (deserialised from a netlist's
//! `[[agent]]` table, unknown keys rejected) whose `build` returns the live
//! agent. A reverted action is recorded in the [`World`] and the run goes on.

mod grants;
mod market;
mod pool;
mod publisher;
pub mod rng;
mod scripted;
pub mod time;
mod traders;
mod vesting;
mod world;

pub use grants::{GrantGiver, GrantGiverConfig, GrantTaker, GrantTakerConfig};
pub use market::{AssetSpec, Design, Market, MarketBuild};
pub use pool::PoolAgent;
pub use publisher::{Publisher, PublisherConfig};
pub use rng::SimRng;
pub use scripted::{ScriptAction, Scripted, ScriptedConfig};
pub use time::SimDuration;
pub use traders::{
    Consumer, ConsumerConfig, Speculator, SpeculatorConfig, Staker, StakerConfig, StakerSpeculator,
    StakerSpeculatorConfig,
};
pub use vesting::{
    VestingBeneficiary, VestingBeneficiaryConfig, VestingFunder, VestingFunderConfig, VestingInfo,
};
pub use world::{Counters, Holdings, PoolInfo, PoolState, PublisherRecord, RevertRecord, World};

use crate::wallet::{to_base18, AgentWallet};

/// One actor of a simulation.
pub trait Agent: std::fmt::Debug {
    /// Unique name (KPI columns `agent.<name>.*`).
    fn name(&self) -> &str;
    /// Act once; called every tick in the engine's (shuffled) order.
    fn step(&mut self, world: &mut World) -> anyhow::Result<()>;
    /// KPI columns this agent reports, full names (`agent.<name>.ocean`, ...);
    /// fixed for the agent's life (the engine looks them up once).
    fn kpi_columns(&self) -> Vec<String> {
        Vec::new()
    }
    /// Current values of [`Agent::kpi_columns`], in the same order.
    fn sample(&self, _world: &mut World) -> anyhow::Result<Vec<f64>> {
        Ok(Vec::new())
    }
}

/// Acts every `every` of simulated time, starting at tick 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    every_ticks: u64,
}

impl Schedule {
    /// A schedule of period `every` on a clock of `tick_seconds` ticks
    /// (at least one tick).
    pub fn new(every: SimDuration, tick_seconds: u64) -> Self {
        Self { every_ticks: (every.seconds() / tick_seconds.max(1)).max(1) }
    }

    /// Whether the agent acts this tick.
    pub fn due(&self, tick: u64) -> bool {
        tick % self.every_ticks == 0
    }
}

/// The KPI quantities every wallet-holding agent reports.
const WALLET_KPIS: [&str; 5] = ["ocean", "usd", "dt", "holdings_ocean", "net_worth_ocean"];

fn wallet_columns(name: &str) -> Vec<String> {
    WALLET_KPIS.iter().map(|q| format!("agent.{name}.{q}")).collect()
}

fn wallet_sample(wallet: &AgentWallet, world: &mut World) -> anyhow::Result<Vec<f64>> {
    let held = world.holdings(wallet.address)?;
    Ok(vec![held.ocean, wallet.usd, held.datatokens, held.value, held.ocean + held.value])
}

/// Give a new wallet its starting OCEAN (minted by GOD).
fn fund(world: &mut World, wallet: &AgentWallet, ocean: f64) -> anyhow::Result<()> {
    if ocean > 0.0 {
        world.market.ocean().mint(&mut world.chain, wallet.address, to_base18(ocean)?)?;
    }
    Ok(())
}

/// Check a config number: finite and ≥ 0 (amounts), with a clear message.
pub(crate) fn check_amount(agent: &str, key: &str, value: f64) -> anyhow::Result<()> {
    if !value.is_finite() || value < 0.0 {
        anyhow::bail!("agent {agent}: {key} = {value} must be a finite number ≥ 0");
    }
    Ok(())
}

/// Check a probability or fraction: within [0, 1].
pub(crate) fn check_fraction(agent: &str, key: &str, value: f64) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&value) {
        anyhow::bail!("agent {agent}: {key} = {value} must be between 0 and 1");
    }
    Ok(())
}

/// Check a period: positive.
pub(crate) fn check_period(agent: &str, key: &str, value: SimDuration) -> anyhow::Result<()> {
    if value.seconds() == 0 {
        anyhow::bail!("agent {agent}: {key} must be longer than 0s");
    }
    Ok(())
}
