//! [`World`]: what agents see and act on during a tick — the chain, the
//! market's system contracts, the registry of pools, and the run's counters.

use super::Agent;
use crate::chain::{Backend, Chain, ChainError, RevertReason};
use crate::contracts::v3::WeightedPool;
use crate::contracts::OceanV3;
use crate::wallet::from_base18;
use alloy_primitives::{Address, U256};
use std::collections::BTreeMap;

/// A pool the run knows about.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolInfo {
    /// Its index: KPI columns `pool.<index>.*`.
    pub index: usize,
    /// The pool contract.
    pub address: Address,
    /// Its datatoken.
    pub datatoken: Address,
    /// The agent that created it.
    pub creator: String,
    /// The tick it was created in.
    pub created_tick: u64,
    /// Whether its creator pulled out (a rug pull); others avoid it.
    pub rugged: bool,
    /// Swap fee as a fraction.
    pub swap_fee: f64,
    /// OCEAN swapped through it so far (in and out).
    pub swap_volume_ocean: f64,
}

/// One reverted action.
#[derive(Debug, Clone, PartialEq)]
pub struct RevertRecord {
    /// Tick of the action.
    pub tick: u64,
    /// The agent that acted.
    pub agent: String,
    /// What it tried.
    pub action: String,
    /// The decoded reason.
    pub reason: RevertReason,
}

/// Counters the engine samples as `global.*` KPIs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Datatokens consumed (startOrder calls).
    pub consumes: u64,
    /// Reverted actions, by reason label.
    pub reverts: BTreeMap<String, u64>,
    /// OCEAN swapped in or out of pools (both directions, in OCEAN).
    pub swap_volume_ocean: f64,
    /// OCEAN paid for consumed datatokens, at the price paid.
    pub consume_volume_ocean: f64,
    /// USD granted by grant givers.
    pub grants_usd: f64,
}

/// The state shared by all agents of a run.
#[derive(Debug)]
pub struct World {
    /// The embedded EVM.
    pub chain: Chain,
    /// OCEAN, factories and fee collector.
    pub market: OceanV3,
    /// Every pool created so far, in creation order.
    pub pools: Vec<PoolInfo>,
    /// Running counters.
    pub counters: Counters,
    /// Every reverted action, in order.
    pub reverts: Vec<RevertRecord>,
    /// Current tick (0-based).
    pub tick: u64,
    /// Seconds per tick.
    pub tick_seconds: u64,
    /// The run seed (agents derive their streams from it).
    pub seed: u64,
    /// Agents created during the current tick; the engine adds them after it.
    pub spawned: Vec<Box<dyn Agent>>,
    /// Named off-chain USD transfers waiting for their recipient (grants).
    pub usd_inbox: BTreeMap<String, f64>,
    /// Vesting contracts, in creation order.
    pub vestings: Vec<super::vesting::VestingInfo>,
}

impl World {
    /// A world with the V3 market deployed on a fresh chain.
    pub fn new(seed: u64, tick_seconds: u64) -> anyhow::Result<Self> {
        let mut chain = Chain::new();
        let market = OceanV3::deploy(&mut chain)?;
        Ok(Self {
            chain,
            market,
            pools: Vec::new(),
            counters: Counters::default(),
            reverts: Vec::new(),
            tick: 0,
            tick_seconds,
            seed,
            spawned: Vec::new(),
            usd_inbox: BTreeMap::new(),
            vestings: Vec::new(),
        })
    }

    /// Days of simulated time since the start.
    pub fn days(&self) -> f64 {
        (self.tick * self.tick_seconds) as f64 / 86_400.0
    }

    /// The outcome of an agent's action: a revert is recorded (agent, tick,
    /// reason) and gives `Ok(None)`; any other chain failure is an error.
    pub fn attempt<T>(
        &mut self,
        agent: &str,
        action: &str,
        result: crate::chain::Result<T>,
    ) -> anyhow::Result<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(ChainError::Reverted { reason, .. }) => {
                *self.counters.reverts.entry(reason.label()).or_default() += 1;
                self.reverts.push(RevertRecord {
                    tick: self.tick,
                    agent: agent.to_string(),
                    action: action.to_string(),
                    reason,
                });
                Ok(None)
            }
            Err(other) => Err(anyhow::anyhow!("agent {agent}, tick {}: {action}: {other}", self.tick)),
        }
    }

    /// Pools that are not rugged.
    pub fn live_pools(&self) -> Vec<PoolInfo> {
        self.pools.iter().filter(|p| !p.rugged).cloned().collect()
    }

    /// Balance of `token` held by `who`, in tokens.
    pub fn balance(&mut self, token: Address, who: Address) -> anyhow::Result<f64> {
        let raw: U256 = self.chain.view(token, &crate::wallet::Erc20::balanceOfCall { who })?;
        Ok(from_base18(raw))
    }

    /// Spot price of a pool's datatoken in OCEAN, without the swap fee.
    pub fn dt_price(&mut self, pool: &PoolInfo) -> anyhow::Result<f64> {
        let call = WeightedPool::getSpotPriceSansFeeCall {
            tokenIn: self.market.ocean.address,
            tokenOut: pool.datatoken,
        };
        Ok(from_base18(self.chain.view(pool.address, &call)?))
    }

    /// A pool's OCEAN and datatoken balances and share supply, in tokens.
    pub fn pool_reserves(&mut self, pool: &PoolInfo) -> anyhow::Result<(f64, f64, f64)> {
        let ocean = self.balance(self.market.ocean.address, pool.address)?;
        let dt = self.balance(pool.datatoken, pool.address)?;
        let supply: U256 = self.chain.view(pool.address, &WeightedPool::totalSupplyCall {})?;
        Ok((ocean, dt, from_base18(supply)))
    }

    /// Count a swap of `ocean` OCEAN through pool `index` in the volume KPIs.
    pub fn record_swap(&mut self, index: usize, ocean: f64) {
        self.counters.swap_volume_ocean += ocean;
        if let Some(pool) = self.pools.get_mut(index) {
            pool.swap_volume_ocean += ocean;
        }
    }

    /// Datatokens held by `who` over all pools, and the value in OCEAN of
    /// its datatokens and pool shares at spot prices (without fee).
    pub fn holdings(&mut self, who: Address) -> anyhow::Result<(f64, f64)> {
        let mut value = 0.0;
        let mut datatokens = 0.0;
        for pool in self.pools.clone() {
            let dt = self.balance(pool.datatoken, who)?;
            let shares = self.balance(pool.address, who)?;
            if dt == 0.0 && shares == 0.0 {
                continue;
            }
            let price = self.dt_price(&pool)?;
            let (ocean_reserve, dt_reserve, supply) = self.pool_reserves(&pool)?;
            let share_value =
                if supply > 0.0 { shares / supply * dt_reserve.mul_add(price, ocean_reserve) } else { 0.0 };
            value += dt.mul_add(price, share_value);
            datatokens += dt;
        }
        Ok((datatokens, value))
    }
}
