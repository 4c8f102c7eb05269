//! [`World`]: what agents see and act on during a tick — the chain, the
//! market's system contracts, the registry of pools, and the run's counters.

use super::market::{Market, MarketBuild};
use super::Agent;
use crate::chain::{Backend, ChainError, RevertReason, SimChain};
use crate::contracts::tools::BalanceReader;
use crate::wallet::from_base18;
use crate::wallet::Erc20;
use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
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
    /// Datatokens of it consumed so far.
    pub consumes: u64,
    /// Spot price (OCEAN per DT, without fee) right after it was set up.
    pub opening_price: f64,
}

/// A publisher, for the publisher-incentive criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct PublisherRecord {
    /// Its EOA.
    pub address: Address,
    /// OCEAN it started with.
    pub start_ocean: f64,
    /// Whether it plans a rug pull.
    pub malicious: bool,
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
    /// Value (OCEAN) of other stakers' shares just before each rug pull, summed.
    pub rug_staker_value_before: f64,
    /// Value (OCEAN) of the same shares just after each rug pull, summed.
    pub rug_staker_value_after: f64,
}

/// The state shared by all agents of a run.
#[derive(Debug)]
pub struct World {
    /// The embedded EVM.
    pub chain: SimChain,
    /// The design's system contracts (OCEAN, factories, fee collector, bot).
    pub market: Market,
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
    /// Publishers, in the order they first acted.
    pub publishers: Vec<PublisherRecord>,
    /// The `BalanceReader` used on a node to sample many values in one call.
    reader: Address,
    /// Pool states at a given chain state (block, gas used so far).
    pool_cache: Option<((u64, u64), Vec<PoolState>)>,
    /// Pool index of each pool's datatoken and share token.
    token_pool: BTreeMap<Address, usize>,
    /// For each address, the pools whose datatokens or shares it may hold
    /// (from `Transfer` events; pruned when both balances read zero).
    held: BTreeMap<Address, std::collections::BTreeSet<usize>>,
}

/// What an address holds, in tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Holdings {
    /// OCEAN.
    pub ocean: f64,
    /// Datatokens, summed over all pools.
    pub datatokens: f64,
    /// Value in OCEAN of its datatokens and pool shares at spot prices.
    pub value: f64,
}

/// A pool's state in tokens: OCEAN and DT balances, share supply, spot price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolState {
    /// OCEAN balance.
    pub ocean: f64,
    /// Datatoken balance.
    pub dt: f64,
    /// Share supply.
    pub shares: f64,
    /// OCEAN per DT, without fee.
    pub price: f64,
}

impl World {
    /// A world with `design`'s market deployed on a fresh chain.
    /// With `record`, the chain records every EVM execution (for
    /// replays in benchmarks). `chain` is fresh: the embedded EVM or a node.
    pub fn new(
        seed: u64,
        tick_seconds: u64,
        build: &MarketBuild,
        record: bool,
        mut chain: SimChain,
    ) -> anyhow::Result<Self> {
        if record {
            chain.start_recording();
        }
        let market = Market::deploy(&mut chain, build)?;
        let reader = crate::contracts::deploy_own(&mut chain, "BalanceReader", &[])?;
        chain.keep_logs(true);
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
            publishers: Vec::new(),
            reader,
            pool_cache: None,
            token_pool: BTreeMap::new(),
            held: BTreeMap::new(),
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

    /// A live pool picked by `pick(number of live pools)` (an index below
    /// it), or `None` without drawing when no pool is live.
    pub fn random_live_pool(&self, pick: impl FnOnce(usize) -> usize) -> Option<PoolInfo> {
        let live = self.pools.iter().filter(|p| !p.rugged).count();
        if live == 0 {
            return None;
        }
        self.pools.iter().filter(|p| !p.rugged).nth(pick(live)).cloned()
    }

    /// Balance of `token` held by `who`, in tokens.
    pub fn balance(&mut self, token: Address, who: Address) -> anyhow::Result<f64> {
        let raw: U256 = self.chain.view(token, &crate::wallet::Erc20::balanceOfCall { who })?;
        Ok(from_base18(raw))
    }

    /// Spot price of a pool's datatoken in OCEAN, without the swap fee.
    pub fn dt_price(&mut self, pool: &PoolInfo) -> anyhow::Result<f64> {
        Ok(from_base18(self.market.spot_price(&mut self.chain, pool)?))
    }

    /// Balances of many `(token, holder)` pairs, in tokens (0 where
    /// `balanceOf` fails).
    pub fn balances(&mut self, pairs: &[(Address, Address)]) -> anyhow::Result<Vec<f64>> {
        let calls =
            pairs.iter().map(|&(token, who)| (token, Erc20::balanceOfCall { who }.abi_encode().into()));
        Ok(self.read_all(calls)?.iter().map(first_word).collect())
    }

    /// The return data of read-only calls (empty where a call fails), as the
    /// `BalanceReader`'s `aggregate` gives them: on the embedded chain one
    /// call each, so its view cache answers those whose state is unchanged;
    /// on a node one batched call, since every call is a round trip.
    fn read_all(&mut self, calls: impl Iterator<Item = (Address, Bytes)>) -> anyhow::Result<Vec<Bytes>> {
        if let SimChain::Embedded(_) = self.chain {
            let mut results = Vec::with_capacity(calls.size_hint().0);
            for (target, data) in calls {
                results.push(self.chain.call(Address::ZERO, target, data)?.into_output().unwrap_or_default());
            }
            return Ok(results);
        }
        let (targets, data) = calls.unzip();
        Ok(self.chain.view(self.reader, &BalanceReader::aggregateCall { targets, data })?)
    }

    /// The state of every pool, read once per chain state (cached until a
    /// transaction commits or a block is mined).
    pub fn pool_states(&mut self) -> anyhow::Result<Vec<PoolState>> {
        let key = (self.chain.block_number(), self.chain.gas_used_total());
        if let Some((cached, states)) = &self.pool_cache {
            if *cached == key && states.len() == self.pools.len() {
                return Ok(states.clone());
            }
        }
        // Per pool its OCEAN and DT balances, share supply and spot price
        // (calls as the market's build spells them), read as one batch.
        let ocean = self.market.ocean().address;
        let mut calls = Vec::with_capacity(self.pools.len() * 4);
        for pool in &self.pools {
            calls.extend([
                self.market.pool_balance_call(pool, ocean),
                self.market.pool_balance_call(pool, pool.datatoken),
                (pool.address, Erc20::totalSupplyCall {}.abi_encode().into()),
                self.market.spot_price_call(pool),
            ]);
        }
        let results = self.read_all(calls.into_iter())?;
        let states: Vec<PoolState> = results
            .chunks(4)
            .map(|r| PoolState {
                ocean: first_word(&r[0]),
                dt: first_word(&r[1]),
                shares: first_word(&r[2]),
                price: first_word(&r[3]),
            })
            .collect();
        self.pool_cache = Some((key, states.clone()));
        Ok(states)
    }

    /// A pool's OCEAN and datatoken balances and share supply, in tokens.
    pub fn pool_reserves(&mut self, pool: &PoolInfo) -> anyhow::Result<(f64, f64, f64)> {
        let state = self.pool_states()?[pool.index];
        Ok((state.ocean, state.dt, state.shares))
    }

    /// Count a swap of `ocean` OCEAN through pool `index` in the volume KPIs.
    pub fn record_swap(&mut self, index: usize, ocean: f64) {
        self.counters.swap_volume_ocean += ocean;
        if let Some(pool) = self.pools.get_mut(index) {
            pool.swap_volume_ocean += ocean;
        }
    }

    /// Value in OCEAN of the shares of `pool` held by everyone but `excluded`
    /// (the publisher and the staking bot), at spot price without fee.
    pub fn others_share_value(&mut self, pool: &PoolInfo, excluded: &[Address]) -> anyhow::Result<f64> {
        let (ocean, dt, supply) = self.pool_reserves(pool)?;
        if supply <= 0.0 {
            return Ok(0.0);
        }
        let mut others = supply;
        for who in excluded {
            others -= self.balance(pool.address, *who)?;
        }
        let price = self.dt_price(pool)?;
        Ok(others.max(0.0) / supply * dt.mul_add(price, ocean))
    }

    /// Count one consumed datatoken of pool `index`, paid `ocean` OCEAN.
    pub fn record_consume(&mut self, index: usize, ocean: f64) {
        self.counters.consumes += 1;
        self.counters.consume_volume_ocean += ocean;
        if let Some(pool) = self.pools.get_mut(index) {
            pool.consumes += 1;
        }
    }

    /// Register a new pool (its index is its position) and its spawned agent.
    pub fn add_pool(&mut self, pool: PoolInfo) {
        self.token_pool.insert(pool.datatoken, pool.index);
        self.token_pool.insert(pool.address, pool.index);
        self.pools.push(pool);
    }

    /// Note every recipient of a pool's datatoken or shares since the last
    /// call (the engine calls it every tick, so the chain's log buffer stays small).
    pub fn index_transfers(&mut self) {
        let transfer =
            alloy_primitives::b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
        for log in self.chain.take_logs() {
            let topics = log.data.topics();
            if topics.len() == 3 && topics[0] == transfer {
                if let Some(&index) = self.token_pool.get(&log.address) {
                    let to = Address::from_word(topics[2]);
                    self.held.entry(to).or_default().insert(index);
                }
            }
        }
    }

    /// `who`'s OCEAN, its datatokens over all pools, and the value in OCEAN
    /// of its datatokens and pool shares at spot prices (without fee) — in
    /// one EVM call, reading only the pools whose tokens `who` has received.
    pub fn holdings(&mut self, who: Address) -> anyhow::Result<Holdings> {
        self.index_transfers();
        let candidates: Vec<usize> =
            self.held.get(&who).map(|set| set.iter().copied().collect()).unwrap_or_default();
        let mut pairs = vec![(self.market.ocean().address, who)];
        pairs.extend(
            candidates.iter().flat_map(|&i| [(self.pools[i].datatoken, who), (self.pools[i].address, who)]),
        );
        let held = self.balances(&pairs)?;
        let ocean = held[0];
        if candidates.is_empty() {
            return Ok(Holdings { ocean, datatokens: 0.0, value: 0.0 });
        }
        let states = self.pool_states()?;
        let (mut datatokens, mut value) = (0.0, 0.0);
        for (&index, pair) in candidates.iter().zip(held[1..].chunks(2)) {
            let state = &states[index];
            let (dt, shares) = (pair[0], pair[1]);
            if dt == 0.0 && shares == 0.0 {
                if let Some(set) = self.held.get_mut(&who) {
                    set.remove(&index);
                }
                continue;
            }
            let share_value = if state.shares > 0.0 {
                shares / state.shares * state.dt.mul_add(state.price, state.ocean)
            } else {
                0.0
            };
            value += dt.mul_add(state.price, share_value);
            datatokens += dt;
        }
        Ok(Holdings { ocean, datatokens, value })
    }
}

/// The first 32-byte word of a call's return data as a base-18 amount, in
/// tokens (0 for shorter data, such as a failed call's).
fn first_word(out: &Bytes) -> f64 {
    from_base18(out.get(..32).map_or(U256::ZERO, U256::from_be_slice))
}
