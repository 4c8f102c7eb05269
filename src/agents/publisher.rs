//! [`Publisher`]: creates a datatoken and a 70/30 OCEAN/DT pool on a
//! schedule (Ocean V3), seeding it with OCEAN and datatokens.

use super::{
    check_amount, check_period, fund, wallet_columns, wallet_sample, Agent, PoolAgent, PoolInfo, Schedule,
    SimDuration, World,
};
use crate::wallet::{to_base18, AgentWallet, PoolSeed};
use serde::Deserialize;

/// `type = "publisher"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PublisherConfig {
    /// Starting OCEAN.
    #[serde(default = "defaults::ocean")]
    pub ocean: f64,
    /// Period between two publications.
    #[serde(default = "defaults::every")]
    pub every: SimDuration,
    /// At most this many pools (default: no limit).
    pub max_pools: Option<usize>,
    /// Datatoken cap.
    #[serde(default = "defaults::cap")]
    pub dt_cap: f64,
    /// Datatokens minted per publication.
    #[serde(default = "defaults::mint")]
    pub dt_mint: f64,
    /// Datatokens put into the pool.
    #[serde(default = "defaults::dt_in_pool")]
    pub dt_in_pool: f64,
    /// OCEAN put into the pool.
    #[serde(default = "defaults::ocean_in_pool")]
    pub ocean_in_pool: f64,
    /// Denormalised datatoken weight (Ocean Market: 3).
    #[serde(default = "defaults::dt_weight")]
    pub dt_weight: f64,
    /// Denormalised OCEAN weight (Ocean Market: 7).
    #[serde(default = "defaults::ocean_weight")]
    pub ocean_weight: f64,
    /// Swap fee as a fraction (0.001 = 0.1%).
    #[serde(default = "defaults::swap_fee")]
    pub swap_fee: f64,
}

mod defaults {
    use super::SimDuration;
    pub(super) fn ocean() -> f64 {
        10_000.0
    }
    pub(super) fn every() -> SimDuration {
        SimDuration(7 * 86_400)
    }
    pub(super) fn cap() -> f64 {
        1_000_000.0
    }
    pub(super) fn mint() -> f64 {
        1_000.0
    }
    pub(super) fn dt_in_pool() -> f64 {
        100.0
    }
    pub(super) fn ocean_in_pool() -> f64 {
        1_000.0
    }
    pub(super) fn dt_weight() -> f64 {
        3.0
    }
    pub(super) fn ocean_weight() -> f64 {
        7.0
    }
    pub(super) fn swap_fee() -> f64 {
        0.001
    }
}

impl PublisherConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str, tick_seconds: u64) -> anyhow::Result<Publisher> {
        for (key, value) in [
            ("ocean", self.ocean),
            ("dt_cap", self.dt_cap),
            ("dt_mint", self.dt_mint),
            ("dt_in_pool", self.dt_in_pool),
            ("ocean_in_pool", self.ocean_in_pool),
            ("dt_weight", self.dt_weight),
            ("ocean_weight", self.ocean_weight),
            ("swap_fee", self.swap_fee),
        ] {
            check_amount(name, key, value)?;
        }
        check_period(name, "every", self.every)?;
        if self.dt_in_pool > self.dt_mint || self.dt_mint > self.dt_cap {
            anyhow::bail!("agent {name}: needs dt_in_pool ≤ dt_mint ≤ dt_cap");
        }
        Ok(Publisher {
            wallet: AgentWallet::new(name, 0.0),
            config: self.clone(),
            schedule: Schedule::new(self.every, tick_seconds),
            funded: false,
            published: 0,
        })
    }

    /// Pools this publisher creates in a run of `ticks` ticks.
    pub fn pools_in(&self, ticks: u64, tick_seconds: u64) -> usize {
        let every = Schedule::new(self.every, tick_seconds).every_ticks;
        let scheduled = ticks.div_ceil(every) as usize;
        self.max_pools.map_or(scheduled, |max| max.min(scheduled))
    }
}

/// A publisher of datasets on Ocean V3.
#[derive(Debug)]
pub struct Publisher {
    wallet: AgentWallet,
    config: PublisherConfig,
    schedule: Schedule,
    funded: bool,
    published: usize,
}

impl Publisher {
    fn publish(&mut self, world: &mut World) -> anyhow::Result<()> {
        let c = &self.config;
        let n = self.published;
        let name = &self.wallet.name;
        let market = world.market;
        let created = self.wallet.create_datatoken(
            &mut world.chain,
            &market,
            &format!("{name} dataset {n}"),
            &format!("DT{n}"),
            to_base18(c.dt_cap)?,
        );
        let Some(datatoken) = world.attempt(name, "create datatoken", created)? else { return Ok(()) };
        let minted = self.wallet.mint_datatoken(
            &mut world.chain,
            datatoken,
            self.wallet.address,
            to_base18(c.dt_mint)?,
        );
        if world.attempt(name, "mint datatokens", minted)?.is_none() {
            return Ok(());
        }
        let seed = PoolSeed {
            datatoken_amount: to_base18(c.dt_in_pool)?,
            datatoken_weight: to_base18(c.dt_weight)?,
            ocean_amount: to_base18(c.ocean_in_pool)?,
            ocean_weight: to_base18(c.ocean_weight)?,
            swap_fee: to_base18(c.swap_fee)?,
        };
        let pool = self.wallet.create_pool(&mut world.chain, &market, datatoken, &seed);
        let Some(address) = world.attempt(name, "create pool", pool)? else { return Ok(()) };
        let info = PoolInfo {
            index: world.pools.len(),
            address,
            datatoken,
            creator: name.clone(),
            created_tick: world.tick,
            rugged: false,
        };
        world.pools.push(info.clone());
        world.spawned.push(Box::new(PoolAgent::new(info)));
        self.published += 1;
        Ok(())
    }
}

impl Agent for Publisher {
    fn name(&self) -> &str {
        &self.wallet.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if !self.funded {
            fund(world, &self.wallet, self.config.ocean)?;
            self.funded = true;
        }
        let room = self.config.max_pools.is_none_or(|max| self.published < max);
        if room && self.schedule.due(world.tick) {
            self.publish(world)?;
        }
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        wallet_columns(&self.wallet.name)
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        wallet_sample(&self.wallet, world)
    }
}
