//! [`Publisher`]: creates a datatoken and a 70/30 OCEAN/DT pool on a
//! schedule (Ocean V3), seeding it with OCEAN and datatokens; optionally
//! stakes, unstakes and sells on schedules of its own. The malicious
//! publisher is the same agent with `rug_after` set: that long after
//! creating a pool it pulls its stake and dumps its datatokens (a rug pull),
//! and the pool is marked rugged so other agents avoid it.

use super::AssetSpec;
use super::OceanWorld;
use super::{
    check_amount, check_fraction, check_period, fund, wallet_columns, wallet_sample, Agent, PoolAgent,
    PoolInfo, Schedule, SimDuration, World,
};
use crate::wallet::{from_base18, to_base18, AgentWallet};
use alloy_primitives::Address;
use serde::Deserialize;
use std::collections::BTreeSet;

/// The publisher's keys that reach the market only as `create_asset`
/// variables: `(key in the netlist, $variable)`. A build whose
/// `create_asset` never reads the variable ignores the key.
pub const ASSET_KEYS: &[(&str, &str)] = &[
    ("dt_cap", "cap"),
    ("dt_mint", "dt_mint"),
    ("dt_in_pool", "dt_in_pool"),
    ("ocean_in_pool", "ocean_in_pool"),
    ("dt_weight", "dt_weight"),
    ("ocean_weight", "ocean_weight"),
    ("swap_fee", "swap_fee"),
    ("rate", "rate"),
    ("vesting_amount", "vesting_amount"),
    ("vesting_blocks", "vesting_blocks"),
    ("publish_market_fee", "publish_market_fee"),
    ("dt_start_weight", "dt_start_weight"),
    ("ocean_start_weight", "ocean_start_weight"),
    ("burn_in", "burn_in_seconds"),
    ("soft_cap", "soft_cap"),
    ("fee_slope", "fee_slope"),
    ("volume_half_life", "volume_half_life_seconds"),
];

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
    /// Stake `stake_amount` OCEAN into its latest pool this often.
    pub stake_every: Option<SimDuration>,
    /// OCEAN per scheduled stake.
    #[serde(default)]
    pub stake_amount: f64,
    /// Redeem `unstake_fraction` of its shares in its latest pool this often.
    pub unstake_every: Option<SimDuration>,
    /// Fraction of shares per scheduled unstake (at most 1/3 of the OCEAN can leave per exit).
    #[serde(default = "defaults::fraction")]
    pub unstake_fraction: f64,
    /// Sell `sell_fraction` of its datatokens of its latest pool this often.
    pub sell_every: Option<SimDuration>,
    /// Fraction of held datatokens per scheduled sale.
    #[serde(default = "defaults::fraction")]
    pub sell_fraction: f64,
    /// Malicious publisher: rug pull this long after creating each pool.
    pub rug_after: Option<SimDuration>,
    /// V4: datatokens per OCEAN the bot seeds the pool with.
    #[serde(default = "defaults::rate")]
    pub rate: f64,
    /// V4.1 vested premine: datatokens vesting to the publisher.
    #[serde(default)]
    pub vesting_amount: f64,
    /// V4.1: blocks (ticks) over which the premine vests.
    #[serde(default)]
    pub vesting_blocks: u64,
    /// V4.1: claim vested datatokens this often.
    pub claim_every: Option<SimDuration>,
    /// V4.1 Dutch:Pool: datatoken start weight (default: `dt_weight`, no burn-in).
    pub dt_start_weight: Option<f64>,
    /// V4.1 Dutch:Pool: OCEAN start weight (default: `ocean_weight`).
    pub ocean_start_weight: Option<f64>,
    /// V4.1 Dutch:Pool: how long the weights take to reach `dt_weight`:`ocean_weight`.
    #[serde(default = "defaults::zero")]
    pub burn_in: SimDuration,
    /// V4.1 soft cap on trailing swap:consume volume (0 = off).
    #[serde(default)]
    pub soft_cap: f64,
    /// V4.1: how fast the fee rises above the soft cap.
    #[serde(default)]
    pub fee_slope: f64,
    /// V4.1: half-life of the trailing volumes.
    #[serde(default = "defaults::half_life")]
    pub volume_half_life: SimDuration,
    /// V4: publish-market swap fee (fraction).
    #[serde(default)]
    pub publish_market_fee: f64,
    /// The keys the netlist wrote (the others took their defaults).
    #[serde(skip)]
    pub written: BTreeSet<String>,
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
    pub(super) fn fraction() -> f64 {
        0.1
    }
    pub(super) fn rate() -> f64 {
        10.0
    }
    pub(super) fn zero() -> SimDuration {
        SimDuration(0)
    }
    pub(super) fn half_life() -> SimDuration {
        SimDuration(7 * 86_400)
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
            ("stake_amount", self.stake_amount),
            ("rate", self.rate),
            ("vesting_amount", self.vesting_amount),
            ("dt_start_weight", self.dt_start_weight.unwrap_or(0.0)),
            ("ocean_start_weight", self.ocean_start_weight.unwrap_or(0.0)),
            ("soft_cap", self.soft_cap),
            ("fee_slope", self.fee_slope),
            ("publish_market_fee", self.publish_market_fee),
        ] {
            check_amount(name, key, value)?;
        }
        check_fraction(name, "unstake_fraction", self.unstake_fraction)?;
        check_fraction(name, "sell_fraction", self.sell_fraction)?;
        check_period(name, "every", self.every)?;
        let optional = |key, every: Option<SimDuration>| every.map_or(Ok(()), |e| check_period(name, key, e));
        optional("stake_every", self.stake_every)?;
        optional("unstake_every", self.unstake_every)?;
        optional("sell_every", self.sell_every)?;
        optional("rug_after", self.rug_after)?;
        optional("claim_every", self.claim_every)?;
        if self.dt_in_pool > self.dt_mint || self.dt_mint > self.dt_cap {
            anyhow::bail!("agent {name}: needs dt_in_pool ≤ dt_mint ≤ dt_cap");
        }
        Ok(Publisher {
            wallet: AgentWallet::new(name, 0.0),
            config: self.clone(),
            schedule: Schedule::new(self.every, tick_seconds),
            stake: self.stake_every.map(|e| Schedule::new(e, tick_seconds)),
            unstake: self.unstake_every.map(|e| Schedule::new(e, tick_seconds)),
            sell: self.sell_every.map(|e| Schedule::new(e, tick_seconds)),
            rug_after_ticks: self.rug_after.map(|d| d.seconds() / tick_seconds.max(1)),
            claim: self.claim_every.map(|e| Schedule::new(e, tick_seconds)),
            funded: false,
            published: 0,
            own_pools: Vec::new(),
        })
    }

    /// What publication number `n` puts into its asset.
    pub fn asset_spec(&self, name: &str, n: usize) -> AssetSpec {
        AssetSpec {
            name: format!("{name} dataset {n}"),
            symbol: format!("DT{n}"),
            cap: self.dt_cap,
            ocean_in_pool: self.ocean_in_pool,
            swap_fee: self.swap_fee,
            dt_mint: self.dt_mint,
            dt_in_pool: self.dt_in_pool,
            dt_weight: self.dt_weight,
            ocean_weight: self.ocean_weight,
            rate: self.rate,
            vesting_amount: self.vesting_amount,
            vesting_blocks: self.vesting_blocks,
            dt_start_weight: self.dt_start_weight.unwrap_or(self.dt_weight),
            ocean_start_weight: self.ocean_start_weight.unwrap_or(self.ocean_weight),
            burn_in_seconds: self.burn_in.seconds(),
            soft_cap: self.soft_cap,
            fee_slope: self.fee_slope,
            volume_half_life_seconds: self.volume_half_life.seconds(),
            publish_market_fee: self.publish_market_fee,
        }
    }

    /// Pools this publisher creates in a run of `ticks` ticks.
    pub fn pools_in(&self, ticks: u64, tick_seconds: u64) -> usize {
        let every = Schedule::new(self.every, tick_seconds).every_ticks();
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
    stake: Option<Schedule>,
    unstake: Option<Schedule>,
    sell: Option<Schedule>,
    rug_after_ticks: Option<u64>,
    claim: Option<Schedule>,
    funded: bool,
    published: usize,
    /// Indices (in the world's pool list) of the pools it created.
    own_pools: Vec<usize>,
}

impl Publisher {
    fn publish(&mut self, world: &mut World) -> anyhow::Result<()> {
        let spec = self.config.asset_spec(&self.wallet.name, self.published);
        let name = self.wallet.name.clone();
        let market = world.ocean().market.clone();
        let created = market.create_asset(&mut world.chain, &self.wallet, &spec)?;
        let Some((datatoken, address)) = world.attempt(&name, "create datatoken and pool", created)? else {
            return Ok(());
        };
        let c = &self.config;
        let info = PoolInfo {
            index: world.ocean().pools.len(),
            address,
            datatoken,
            creator: name,
            created_tick: world.tick,
            rugged: false,
            swap_fee: c.swap_fee,
            swap_volume_ocean: 0.0,
            consumes: 0,
            opening_price: 0.0,
        };
        self.own_pools.push(info.index);
        world.add_pool(info.clone());
        let opening = world.dt_price(&info)?;
        world.ocean_mut().pools[info.index].opening_price = opening;
        world.spawned.push(Box::new(PoolAgent::new(info)));
        self.published += 1;
        Ok(())
    }
}

impl Publisher {
    fn scheduled_actions(&mut self, world: &mut World) -> anyhow::Result<()> {
        let Some(&latest) = self.own_pools.last() else { return Ok(()) };
        let pool = world.ocean().pools[latest].clone();
        if pool.rugged {
            return Ok(());
        }
        let market = world.ocean().market.clone();
        let name = self.wallet.name.clone();
        let tick = world.tick;
        if self.claim.is_some_and(|s| s.due(tick)) {
            for index in self.own_pools.clone() {
                let pool = world.ocean().pools[index].clone();
                let claimed = market.claim_vesting(&mut world.chain, &self.wallet, &pool);
                world.attempt(&name, "claim vested datatokens", claimed)?;
            }
        }
        if self.stake.is_some_and(|s| s.due(tick)) && self.config.stake_amount > 0.0 {
            let result =
                market.stake(&mut world.chain, &self.wallet, &pool, to_base18(self.config.stake_amount)?);
            world.attempt(&name, "stake", result)?;
        }
        if self.unstake.is_some_and(|s| s.due(tick)) {
            let shares = world.balance(pool.address, self.wallet.address)? * self.config.unstake_fraction;
            if shares > 0.0 {
                let result = market.unstake(&mut world.chain, &self.wallet, &pool, to_base18(shares)?);
                world.attempt(&name, "unstake", result)?;
            }
        }
        if self.sell.is_some_and(|s| s.due(tick)) {
            let dt = world.balance(pool.datatoken, self.wallet.address)? * self.config.sell_fraction;
            if dt > 0.0 {
                let result = market.sell_dt(&mut world.chain, &self.wallet, &pool, to_base18(dt)?);
                if let Some(out) = world.attempt(&name, "sell DT", result)? {
                    world.record_swap(pool.index, from_base18(out));
                }
            }
        }
        Ok(())
    }

    /// Pull the stake (single-sided exits of a quarter of the shares, repeated
    /// while the pool's ratio limits allow) and dump every datatoken held.
    fn rug_pull(&mut self, world: &mut World, index: usize) -> anyhow::Result<()> {
        let pool = world.ocean().pools[index].clone();
        let excluded: Vec<Address> =
            std::iter::once(self.wallet.address).chain(world.ocean().market.bot()).collect();
        let before = world.others_share_value(&pool, &excluded)?;
        let market = world.ocean().market.clone();
        let name = self.wallet.name.clone();
        for _ in 0..RUG_EXITS {
            let shares = world.balance(pool.address, self.wallet.address)?;
            if shares <= 0.0 {
                break;
            }
            let result = market.unstake(&mut world.chain, &self.wallet, &pool, to_base18(shares * 0.25)?);
            if world.attempt(&name, "rug pull: unstake", result)?.is_none() {
                break;
            }
        }
        for _ in 0..RUG_EXITS {
            let held = world.balance_units(pool.datatoken, self.wallet.address)?;
            let (_, dt_reserve, _) = world.pool_reserves(&pool)?;
            // At most half the pool's DT balance may go in per swap, and never
            // more than held: a balance read as a float and converted back
            // can round up by a few hundred wei, and that sale reverts.
            let amount = from_base18(held).min(dt_reserve * 0.49);
            if amount <= 0.0 {
                break;
            }
            let result = market.sell_dt(&mut world.chain, &self.wallet, &pool, to_base18(amount)?.min(held));
            match world.attempt(&name, "rug pull: dump DT", result)? {
                Some(out) => world.record_swap(index, from_base18(out)),
                None => break,
            }
        }
        let after = world.others_share_value(&pool, &excluded)?;
        world.ocean_mut().counters.rug_staker_value_before += before;
        world.ocean_mut().counters.rug_staker_value_after += after;
        world.ocean_mut().pools[index].rugged = true;
        Ok(())
    }
}

/// How many exits / sales a rug pull makes at most in one tick.
const RUG_EXITS: usize = 12;

impl Agent for Publisher {
    fn name(&self) -> &str {
        &self.wallet.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if !self.funded {
            fund(world, &self.wallet, self.config.ocean)?;
            self.funded = true;
            world.ocean_mut().publishers.push(super::super::state::PublisherRecord {
                address: self.wallet.address,
                start_ocean: self.config.ocean,
                malicious: self.rug_after_ticks.is_some(),
            });
        }
        let room = self.config.max_pools.is_none_or(|max| self.published < max);
        if room && self.schedule.due(world.tick) {
            self.publish(world)?;
        }
        self.scheduled_actions(world)?;
        if let Some(after) = self.rug_after_ticks {
            for index in self.own_pools.clone() {
                let pool = &world.ocean().pools[index];
                if !pool.rugged && world.tick >= pool.created_tick + after {
                    self.rug_pull(world, index)?;
                }
            }
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
