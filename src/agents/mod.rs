//! The agent library's core: the [`Agent`] trait every actor implements,
//! [`AgentConfig`] (a parsed `[[agent]]` table that builds the live agent),
//! schedules, the seeded streams and simulated durations. Models add their
//! own agent types (`crate::models`); the generic ones live here.
//!
//! Every agent type has a config (deserialised from a netlist's `[[agent]]`
//! table, unknown keys rejected) whose `build` returns the live agent. A
//! reverted action is recorded in the [`World`] and the run goes on.

mod acting;
pub mod action;
pub mod call;
pub mod external;
mod generic;
pub mod rng;
pub mod time;

pub use crate::world::World;
pub use acting::{ActionAgent, AgentKpis, Funding};
pub use generic::{ActionParser, GenericConfig, GenericKind, ParseContext};
pub use rng::SimRng;
pub use time::SimDuration;

/// A parsed `[[agent]]` table: validated parameters that build the live agent.
pub trait AgentConfig: std::fmt::Debug + Send + Sync {
    /// Build the live agent called `name` for a run of `tick_seconds` ticks seeded by `seed`.
    fn build(&self, name: &str, tick_seconds: u64, seed: u64) -> anyhow::Result<Box<dyn Agent>>;
    /// Other agents this one names (checked to exist when the netlist loads).
    fn references(&self) -> Vec<&str> {
        Vec::new()
    }
    /// The config as `Any`, so the model that made it can read it back.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// One actor of a simulation.
pub trait Agent: std::fmt::Debug {
    /// Unique name (KPI columns `agent.<name>.*`).
    fn name(&self) -> &str;
    /// Act once; called every tick in the engine's (shuffled) order.
    fn step(&mut self, world: &mut World) -> anyhow::Result<()>;
    /// KPI columns this agent reports, full names (`agent.<name>.<quantity>`);
    /// fixed for the agent's life (the engine looks them up once).
    fn kpi_columns(&self) -> Vec<String> {
        Vec::new()
    }
    /// Current values of [`Agent::kpi_columns`], in the same order.
    fn sample(&self, _world: &mut World) -> anyhow::Result<Vec<f64>> {
        Ok(Vec::new())
    }
    /// Its EOA, if it has one.
    fn address(&self) -> Option<alloy_primitives::Address> {
        None
    }
    /// Take KPI columns a model adds to every generic agent (others ignore them).
    fn attach(&mut self, _kpis: Box<dyn AgentKpis>) {}
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

    /// The period in ticks (at least 1).
    pub fn every_ticks(&self) -> u64 {
        self.every_ticks
    }

    /// Whether the agent acts this tick.
    pub fn due(&self, tick: u64) -> bool {
        tick.is_multiple_of(self.every_ticks)
    }
}

/// Check a config number: finite, ≥ 0 and at most [`crate::wallet::max_tokens`]
/// (amounts become base-18 integers), with a clear message.
pub fn check_amount(agent: &str, key: &str, value: f64) -> anyhow::Result<()> {
    if !value.is_finite() || value < 0.0 {
        anyhow::bail!("agent {agent}: {key} = {value} must be a finite number ≥ 0");
    }
    if crate::wallet::to_base18(value).is_err() {
        anyhow::bail!(
            "agent {agent}: {key} = {value:e} is too large: an amount is at most {:e} (2^256 - 1 units of 10^-18)",
            crate::wallet::max_tokens()
        );
    }
    Ok(())
}

/// Check a probability or fraction: within [0, 1].
pub fn check_fraction(agent: &str, key: &str, value: f64) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&value) {
        anyhow::bail!("agent {agent}: {key} = {value} must be between 0 and 1");
    }
    Ok(())
}

/// Check a period: positive.
pub fn check_period(agent: &str, key: &str, value: SimDuration) -> anyhow::Result<()> {
    if value.seconds() == 0 {
        anyhow::bail!("agent {agent}: {key} must be longer than 0s");
    }
    Ok(())
}
