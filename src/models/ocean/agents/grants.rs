//! Pure agents without contracts: a [`GrantGiver`] pays a [`GrantTaker`]
//! USD on a schedule until its budget runs out.

use super::OceanWorld;
use super::{check_amount, check_period, Agent, Schedule, SimDuration, World};
use serde::Deserialize;

/// `type = "grant_giver"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrantGiverConfig {
    /// Starting USD budget.
    pub usd: f64,
    /// Name of the receiving grant taker.
    pub to: String,
    /// USD per grant.
    pub amount: f64,
    /// Period between grants.
    pub every: SimDuration,
}

impl GrantGiverConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str, tick_seconds: u64) -> anyhow::Result<GrantGiver> {
        check_amount(name, "usd", self.usd)?;
        check_amount(name, "amount", self.amount)?;
        check_period(name, "every", self.every)?;
        if self.to == name {
            anyhow::bail!("agent {name}: to = {:?} is the grant giver itself; grants go to another agent (a grant_taker)", self.to);
        }
        Ok(GrantGiver {
            name: name.to_string(),
            usd: self.usd,
            to: self.to.clone(),
            amount: self.amount,
            schedule: Schedule::new(self.every, tick_seconds),
        })
    }
}

/// Pays `amount` USD to its taker every period while it has the budget.
#[derive(Debug)]
pub struct GrantGiver {
    name: String,
    usd: f64,
    to: String,
    amount: f64,
    schedule: Schedule,
}

impl Agent for GrantGiver {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if self.schedule.due(world.tick) && self.usd >= self.amount && self.amount > 0.0 {
            self.usd -= self.amount;
            *world.ocean_mut().usd_inbox.entry(self.to.clone()).or_default() += self.amount;
            world.ocean_mut().counters.grants_usd += self.amount;
        }
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        vec![format!("agent.{}.usd", self.name)]
    }

    fn sample(&self, _world: &mut World) -> anyhow::Result<Vec<f64>> {
        Ok(vec![self.usd])
    }
}

/// `type = "grant_taker"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrantTakerConfig {
    /// Starting USD.
    #[serde(default)]
    pub usd: f64,
    /// USD spent per day (running costs).
    #[serde(default)]
    pub spend_per_day: f64,
}

impl GrantTakerConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str, tick_seconds: u64) -> anyhow::Result<GrantTaker> {
        check_amount(name, "usd", self.usd)?;
        check_amount(name, "spend_per_day", self.spend_per_day)?;
        Ok(GrantTaker {
            name: name.to_string(),
            usd: self.usd,
            spend_per_tick: self.spend_per_day * tick_seconds as f64 / 86_400.0,
        })
    }
}

/// Receives grants and spends at a steady rate while it has money.
#[derive(Debug)]
pub struct GrantTaker {
    name: String,
    usd: f64,
    spend_per_tick: f64,
}

impl Agent for GrantTaker {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        self.usd += world.ocean_mut().usd_inbox.remove(&self.name).unwrap_or(0.0);
        self.usd = (self.usd - self.spend_per_tick).max(0.0);
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        vec![format!("agent.{}.usd", self.name)]
    }

    fn sample(&self, _world: &mut World) -> anyhow::Result<Vec<f64>> {
        Ok(vec![self.usd])
    }
}
