//! [`OceanState`]: what the Ocean model keeps in the world — the market's
//! system contracts, the registry of pools, publishers and vesting contracts,
//! and the market's counters — and [`OceanWorld`], the market reads and
//! bookkeeping agents use on the [`World`].

use super::market::Market;
use crate::chain::{Backend, SimChain, ViewStamp};
use crate::wallet::{from_base18, Erc20};
use crate::world::{first_word, ReaderId, World};
use alloy_primitives::{Address, Bytes};
use alloy_sol_types::SolCall;
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// The market's counters, sampled as `global.*` KPIs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Datatokens consumed (startOrder calls).
    pub consumes: u64,
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

/// The Ocean model's state in a run's world.
#[derive(Debug, Clone)]
pub struct OceanState {
    /// The design's system contracts (OCEAN, factories, fee collector, bot).
    pub market: Market,
    /// Every pool created so far, in creation order.
    pub pools: Vec<PoolInfo>,
    /// Running counters.
    pub counters: Counters,
    /// Named off-chain USD transfers waiting for their recipient (grants).
    pub usd_inbox: BTreeMap<String, f64>,
    /// Vesting contracts, in creation order.
    pub vestings: Vec<super::agents::VestingInfo>,
    /// Publishers, in the order they first acted.
    pub publishers: Vec<PublisherRecord>,
    /// Pool states at a given chain state (block, gas used so far).
    pool_cache: Option<(ChainState, Arc<[PoolState]>)>,
    /// By pool index: its state as last read on the embedded chain, with the
    /// stamp saying while it holds (a pool no transaction touched since is
    /// not read again).
    pool_memo: Vec<Option<(PoolState, ViewStamp)>>,
    /// The ABIs of the pool and datatoken contracts, once the first pool
    /// named them (every pool shares them).
    pool_abis: Option<[Option<Arc<alloy_json_abi::JsonAbi>>; 2]>,
    /// Pool index of each pool's datatoken and share token.
    token_pool: BTreeMap<Address, usize>,
    /// For each address, the pools whose datatokens or shares it may hold
    /// (from `Transfer` events; pruned when both balances read zero), each
    /// with both balances as last read on the embedded chain while they hold.
    held: BTreeMap<Address, BTreeMap<usize, Option<HeldBalances>>>,
    /// Its cursor in the world's event log.
    transfers: ReaderId,
}

impl OceanState {
    /// The state of a fresh market whose `Transfer` events are read through `transfers`.
    pub fn new(market: Market, transfers: ReaderId) -> Self {
        Self {
            market,
            pools: Vec::new(),
            counters: Counters::default(),
            usd_inbox: BTreeMap::new(),
            vestings: Vec::new(),
            publishers: Vec::new(),
            pool_cache: None,
            pool_memo: Vec::new(),
            pool_abis: None,
            token_pool: BTreeMap::new(),
            held: BTreeMap::new(),
            transfers,
        }
    }
}

/// An address's datatokens and shares of one pool, in tokens, and the stamp
/// saying while both balances hold.
#[derive(Debug, Clone)]
struct HeldBalances {
    dt: f64,
    shares: f64,
    stamp: ViewStamp,
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

/// The Ocean market's reads and bookkeeping on a [`World`] whose Ocean
/// model is set up (its [`OceanState`] is in the world's extensions).
pub trait OceanWorld {
    /// The Ocean state. Panics when the Ocean model was not set up: the
    /// model inserts it before any of its agents or hooks can run.
    fn ocean(&self) -> &OceanState;
    /// The Ocean state, mutably.
    fn ocean_mut(&mut self) -> &mut OceanState;
    /// Pools that are not rugged.
    fn live_pools(&self) -> Vec<PoolInfo>;
    /// A live pool picked by `pick(number of live pools)` (an index below
    /// it), or `None` without drawing when no pool is live.
    fn random_live_pool(&self, pick: impl FnOnce(usize) -> usize) -> Option<PoolInfo>;
    /// Spot price of a pool's datatoken in OCEAN, without the swap fee.
    fn dt_price(&mut self, pool: &PoolInfo) -> anyhow::Result<f64>;
    /// The state of every pool, read once per chain state (cached until a
    /// transaction commits or a block is mined).
    fn pool_states(&mut self) -> anyhow::Result<Arc<[PoolState]>>;
    /// One pool's state: from the states of every pool when they are read
    /// at this chain state already, else read alone (an agent's one pool
    /// costs the same however many pools there are).
    fn pool_state(&mut self, index: usize) -> anyhow::Result<PoolState>;
    /// A pool's OCEAN and datatoken balances and share supply, in tokens.
    fn pool_reserves(&mut self, pool: &PoolInfo) -> anyhow::Result<(f64, f64, f64)>;
    /// Count a swap of `ocean` OCEAN through pool `index` in the volume KPIs.
    fn record_swap(&mut self, index: usize, ocean: f64);
    /// Value in OCEAN of the shares of `pool` held by everyone but `excluded`
    /// (the publisher and the staking bot), at spot price without fee.
    fn others_share_value(&mut self, pool: &PoolInfo, excluded: &[Address]) -> anyhow::Result<f64>;
    /// Count one consumed datatoken of pool `index`, paid `ocean` OCEAN.
    fn record_consume(&mut self, index: usize, ocean: f64);
    /// Register a new pool (its index is its position).
    fn add_pool(&mut self, pool: PoolInfo);
    /// Note every recipient of a pool's datatoken or shares since the last call.
    fn index_transfers(&mut self);
    /// `who`'s OCEAN, its datatokens over all pools, and the value in OCEAN
    /// of its datatokens and pool shares at spot prices (without fee),
    /// reading only the pools whose tokens `who` has received.
    fn holdings(&mut self, who: Address) -> anyhow::Result<Holdings>;
}

/// A chain state as pool states are cached by: block and gas used so far.
type ChainState = (u64, u64);

/// The chain state pool states are read at.
fn pool_cache_key(world: &World) -> ChainState {
    (world.chain.block_number(), world.chain.gas_used_total())
}

/// The calls that read a pool's state: its OCEAN and DT balances, share
/// supply and spot price, as the market's build spells them.
fn pool_calls(state: &OceanState, pool: &PoolInfo) -> [(Address, Bytes); 4] {
    let ocean = state.market.ocean().address;
    [
        state.market.pool_balance_call(pool, ocean),
        state.market.pool_balance_call(pool, pool.datatoken),
        (pool.address, Erc20::totalSupplyCall {}.abi_encode().into()),
        state.market.spot_price_call(pool),
    ]
}

fn decode_pool_state(results: &[Bytes]) -> PoolState {
    PoolState {
        ocean: first_word(&results[0]),
        dt: first_word(&results[1]),
        shares: first_word(&results[2]),
        price: first_word(&results[3]),
    }
}

/// The state of each pool of `indices` (none when some index is past the
/// last pool). On a node, read as one batch; on the embedded chain, pool by
/// pool, and only the pools whose last read no longer holds.
fn read_pool_states(world: &mut World, indices: std::ops::Range<usize>) -> anyhow::Result<Vec<PoolState>> {
    let state = world.ocean();
    let Some(pools) = state.pools.get(indices.clone()) else { return Ok(Vec::new()) };
    if matches!(world.chain, SimChain::Rpc(_)) {
        let calls: Vec<(Address, Bytes)> = pools.iter().flat_map(|pool| pool_calls(state, pool)).collect();
        let results = world.read_all(calls.into_iter())?;
        return Ok(results.chunks(4).map(decode_pool_state).collect());
    }
    let mut states = Vec::with_capacity(indices.len());
    for index in indices {
        let state = world.ocean();
        if let Some((known, stamp)) = state.pool_memo.get(index).and_then(Option::as_ref) {
            if world.chain.holds(stamp) {
                states.push(*known);
                continue;
            }
        }
        let calls = pool_calls(state, &state.pools[index]);
        let (results, stamp) = world.read_stamped(calls.into_iter())?;
        let read = decode_pool_state(&results);
        if let Some(stamp) = stamp {
            let memo = &mut world.ocean_mut().pool_memo;
            if memo.len() <= index {
                memo.resize(index + 1, None);
            }
            memo[index] = Some((read, stamp));
        }
        states.push(read);
    }
    Ok(states)
}

/// `who`'s datatokens and shares of pool `index`, read on the embedded
/// chain and kept while they hold.
fn read_held(world: &mut World, who: Address, index: usize) -> anyhow::Result<(f64, f64)> {
    let pool = &world.ocean().pools[index];
    let calls = [pool.datatoken, pool.address]
        .map(|token| (token, Bytes::from(Erc20::balanceOfCall { who }.abi_encode())));
    let (results, stamp) = world.read_stamped(calls.into_iter())?;
    let (dt, shares) = (first_word(&results[0]), first_word(&results[1]));
    if let Some(stamp) = stamp {
        let held = world.ocean_mut().held.get_mut(&who).and_then(|pools| pools.get_mut(&index));
        if let Some(memo) = held {
            *memo = Some(HeldBalances { dt, shares, stamp });
        }
    }
    Ok((dt, shares))
}

impl OceanWorld for World {
    fn ocean(&self) -> &OceanState {
        self.extensions.get::<OceanState>().expect("the Ocean model sets up its state before its agents run")
    }

    fn ocean_mut(&mut self) -> &mut OceanState {
        self.extensions
            .get_mut::<OceanState>()
            .expect("the Ocean model sets up its state before its agents run")
    }

    fn live_pools(&self) -> Vec<PoolInfo> {
        self.ocean().pools.iter().filter(|p| !p.rugged).cloned().collect()
    }

    fn random_live_pool(&self, pick: impl FnOnce(usize) -> usize) -> Option<PoolInfo> {
        let pools = &self.ocean().pools;
        let live = pools.iter().filter(|p| !p.rugged).count();
        if live == 0 {
            return None;
        }
        pools.iter().filter(|p| !p.rugged).nth(pick(live)).cloned()
    }

    fn dt_price(&mut self, pool: &PoolInfo) -> anyhow::Result<f64> {
        let market = self.ocean().market.clone();
        Ok(from_base18(market.spot_price(&mut self.chain, pool)?))
    }

    fn pool_states(&mut self) -> anyhow::Result<Arc<[PoolState]>> {
        let key = pool_cache_key(self);
        let state = self.ocean();
        if let Some((cached, states)) = &state.pool_cache {
            if *cached == key && states.len() == state.pools.len() {
                return Ok(Arc::clone(states));
            }
        }
        let states: Arc<[PoolState]> = read_pool_states(self, 0..state.pools.len())?.into();
        self.ocean_mut().pool_cache = Some((key, Arc::clone(&states)));
        Ok(states)
    }

    fn pool_state(&mut self, index: usize) -> anyhow::Result<PoolState> {
        let key = pool_cache_key(self);
        if let Some((cached, states)) = &self.ocean().pool_cache {
            if *cached == key {
                if let Some(state) = states.get(index) {
                    return Ok(*state);
                }
            }
        }
        let read = read_pool_states(self, index..index + 1)?;
        read.first().copied().ok_or_else(|| anyhow::anyhow!("pool {index} does not exist"))
    }

    fn pool_reserves(&mut self, pool: &PoolInfo) -> anyhow::Result<(f64, f64, f64)> {
        let state = self.pool_state(pool.index)?;
        Ok((state.ocean, state.dt, state.shares))
    }

    fn record_swap(&mut self, index: usize, ocean: f64) {
        let state = self.ocean_mut();
        state.counters.swap_volume_ocean += ocean;
        if let Some(pool) = state.pools.get_mut(index) {
            pool.swap_volume_ocean += ocean;
        }
    }

    fn others_share_value(&mut self, pool: &PoolInfo, excluded: &[Address]) -> anyhow::Result<f64> {
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

    fn record_consume(&mut self, index: usize, ocean: f64) {
        let state = self.ocean_mut();
        state.counters.consumes += 1;
        state.counters.consume_volume_ocean += ocean;
        if let Some(pool) = state.pools.get_mut(index) {
            pool.consumes += 1;
        }
    }

    fn add_pool(&mut self, pool: PoolInfo) {
        // Name the pool and its datatoken (`@pool0`, `@datatoken0`) with the ABIs of their contracts.
        let (pool_contract, token_contract) = self.ocean().market.pool_contracts();
        let abis = match &self.ocean().pool_abis {
            Some(abis) => abis.clone(),
            None => {
                let abis = [pool_contract, token_contract]
                    .map(|c| c.and_then(|c| crate::artifacts::own_artifact(c).ok()).map(|a| Arc::new(a.abi)));
                for (contract, abi) in [pool_contract, token_contract].into_iter().zip(&abis) {
                    if let (Some(contract), Some(abi)) = (contract, abi) {
                        self.abis.add(contract, abi);
                    }
                }
                self.ocean_mut().pool_abis = Some(abis.clone());
                abis
            }
        };
        let [pool_abi, token_abi] = abis;
        for (name, address, contract, abi) in [
            (format!("pool{}", pool.index), pool.address, pool_contract, pool_abi),
            (format!("datatoken{}", pool.index), pool.datatoken, token_contract, token_abi),
        ] {
            let kind = crate::world::EntryKind::Contract { artifact: contract.map(str::to_string) };
            // A name already taken (a netlist contract called pool0) keeps its first address.
            let _ = self.book.insert(&name, address, kind, abi);
        }
        let state = self.ocean_mut();
        state.token_pool.insert(pool.datatoken, pool.index);
        state.token_pool.insert(pool.address, pool.index);
        state.pools.push(pool);
    }

    fn index_transfers(&mut self) {
        let transfer =
            alloy_primitives::b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
        self.sync_events();
        let state = self.extensions.get_mut::<OceanState>().expect("the Ocean model is set up");
        for entry in self.events.unread(state.transfers) {
            let topics = entry.log.data.topics();
            if topics.len() == 3 && topics[0] == transfer {
                if let Some(&index) = state.token_pool.get(&entry.log.address) {
                    let to = Address::from_word(topics[2]);
                    state.held.entry(to).or_default().entry(index).or_insert(None);
                }
            }
        }
    }

    fn holdings(&mut self, who: Address) -> anyhow::Result<Holdings> {
        self.index_transfers();
        let state = self.ocean();
        // Each pool with `who`'s balances in it where their last read still holds.
        let candidates: Vec<(usize, Option<(f64, f64)>)> =
            state.held.get(&who).map_or_else(Vec::new, |pools| {
                let known =
                    |memo: &HeldBalances| self.chain.holds(&memo.stamp).then_some((memo.dt, memo.shares));
                pools.iter().map(|(&index, memo)| (index, memo.as_ref().and_then(known))).collect()
            });
        let mut pairs = vec![(state.market.ocean().address, who)];
        // A node reads everything in one batch; the embedded chain what changed, pool by pool.
        let node = matches!(self.chain, SimChain::Rpc(_));
        if node {
            pairs.extend(
                candidates
                    .iter()
                    .flat_map(|&(i, _)| [(state.pools[i].datatoken, who), (state.pools[i].address, who)]),
            );
        }
        let held = self.balances(&pairs)?;
        let ocean = held[0];
        if candidates.is_empty() {
            return Ok(Holdings { ocean, datatokens: 0.0, value: 0.0 });
        }
        let mut batch = held[1..].chunks(2);
        let (mut datatokens, mut value) = (0.0, 0.0);
        for (index, known) in candidates {
            let (dt, shares) = match (known, batch.next()) {
                (Some(pair), _) => pair,
                (None, Some(pair)) => (pair[0], pair[1]),
                (None, None) => read_held(self, who, index)?,
            };
            let state = &self.pool_state(index)?;
            if dt == 0.0 && shares == 0.0 {
                if let Some(set) = self.ocean_mut().held.get_mut(&who) {
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
