//! The criteria KPIs of the V3-vs-V4.1 comparison (ocean.md's table), each
//! measured by the run itself:
//!
//! - `criteria.stake_price_move_pct`: mean over the (up to [`PROBED_POOLS`])
//!   newest live pools of |Δp|/p (%) when a probe stakes
//!   `probe_stake_fraction` of the pool's OCEAN — done in a
//!   what-if ([`crate::chain::Chain::what_if`]) that leaves the run untouched;
//! - `criteria.opening_spike`: mean over pools whose first `spike_window` has
//!   passed of (highest price seen in that window, checked every tick) /
//!   (price right after set-up);
//! - `criteria.equilibrium_volatility`: standard deviation of the log returns
//!   between samples of live pools older than `equilibrium_after`;
//! - `criteria.rug_staker_loss_pct`: other stakers' loss in rug pulls, % of
//!   their shares' value just before (summed over rugs);
//! - `criteria.publisher_net_worth_change_ocean`: honest publishers' net
//!   worth (OCEAN + DTs and shares at spot) minus their starting OCEAN;
//! - `criteria.swap_consume_ratio`: swap volume / consume volume (OCEAN);
//! - `criteria.price_consume_correlation`: Pearson correlation, across live
//!   pools, of ln(price) and ln(1 + consumes).
//!
//! NaN means "not measurable yet" (no pools, no rug pull, no consumes).

use super::state::{OceanWorld, PoolInfo};
use crate::agents::SimDuration;
use crate::chain::{KeptWhatIf, SimChain};
use crate::wallet::{from_base18, to_base18, AgentWallet};
use crate::world::World;
use alloy_primitives::U256;

/// At most this many pools (the newest live ones) get a probe stake per sample.
pub const PROBED_POOLS: usize = 10;

/// Criteria columns, in CSV order.
pub const CRITERIA_COLUMNS: [&str; 7] = [
    "criteria.stake_price_move_pct",
    "criteria.opening_spike",
    "criteria.equilibrium_volatility",
    "criteria.rug_staker_loss_pct",
    "criteria.publisher_net_worth_change_ocean",
    "criteria.swap_consume_ratio",
    "criteria.price_consume_correlation",
];

/// How the criteria are measured (netlist `[criteria]`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CriteriaConfig {
    /// The probe stake, as a fraction of the pool's OCEAN.
    #[serde(default = "tenth")]
    pub probe_stake_fraction: f64,
    /// How long after creation a price spike counts as an opening spike.
    #[serde(default = "three_days")]
    pub spike_window: SimDuration,
    /// Pool age from which its prices count as equilibrium.
    #[serde(default = "two_weeks")]
    pub equilibrium_after: SimDuration,
}

fn tenth() -> f64 {
    0.1
}
fn three_days() -> SimDuration {
    SimDuration(3 * 86_400)
}
fn two_weeks() -> SimDuration {
    SimDuration(14 * 86_400)
}

impl Default for CriteriaConfig {
    fn default() -> Self {
        Self { probe_stake_fraction: tenth(), spike_window: three_days(), equilibrium_after: two_weeks() }
    }
}

#[derive(Debug, Clone, Default)]
struct PoolTrack {
    max_early: f64,
    last_equilibrium_price: Option<f64>,
    /// The last probe stake of this pool: its amount and the spot price
    /// after it (`None`: the stake failed), kept while the state it read holds.
    probe: Option<(U256, KeptWhatIf<Option<f64>>)>,
}

/// Running state of the criteria KPIs.
#[derive(Debug)]
pub struct CriteriaTracker {
    config: CriteriaConfig,
    pools: Vec<PoolTrack>,
    returns: Welford,
    probe: AgentWallet,
}

/// Running mean and variance.
#[derive(Debug, Default, Clone, Copy)]
struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 = delta.mul_add(x - self.mean, self.m2);
    }

    fn std(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
}

impl CriteriaTracker {
    /// A tracker measuring as `config` says.
    pub fn new(config: CriteriaConfig) -> Self {
        Self {
            config,
            pools: Vec::new(),
            returns: Welford::default(),
            probe: AgentWallet::new("criteria-probe", 0.0),
        }
    }

    fn age_seconds(world: &World, pool: &PoolInfo) -> u64 {
        (world.tick - pool.created_tick) * world.tick_seconds
    }

    /// After every tick: follow the prices of pools still in their spike window.
    pub fn after_tick(&mut self, world: &mut World) -> anyhow::Result<()> {
        while self.pools.len() < world.ocean().pools.len() {
            let opening = world.ocean().pools[self.pools.len()].opening_price;
            self.pools.push(PoolTrack { max_early: opening, last_equilibrium_price: None, probe: None });
        }
        for index in 0..world.ocean().pools.len() {
            let pool = &world.ocean().pools[index];
            if Self::age_seconds(world, pool) <= self.config.spike_window.seconds() && !pool.rugged {
                let pool = pool.clone();
                let price = world.dt_price(&pool)?;
                let track = &mut self.pools[pool.index];
                track.max_early = track.max_early.max(price);
            }
        }
        Ok(())
    }

    /// The criteria values now, in [`CRITERIA_COLUMNS`] order.
    pub fn sample(&mut self, world: &mut World) -> anyhow::Result<[f64; 7]> {
        let live = world.live_pools();
        let mut prices = Vec::with_capacity(live.len());
        for pool in &live {
            prices.push(world.dt_price(pool)?);
        }
        // Equilibrium returns.
        for (pool, &price) in live.iter().zip(&prices) {
            if Self::age_seconds(world, pool) >= self.config.equilibrium_after.seconds() && price > 0.0 {
                let track = &mut self.pools[pool.index];
                if let Some(last) = track.last_equilibrium_price {
                    self.returns.push((price / last).ln());
                }
                track.last_equilibrium_price = Some(price);
            }
        }
        let spikes: Vec<f64> = world
            .ocean()
            .pools
            .iter()
            .filter(|p| {
                Self::age_seconds(world, p) > self.config.spike_window.seconds() && p.opening_price > 0.0
            })
            .map(|p| self.pools[p.index].max_early / p.opening_price)
            .collect();
        let counters = &world.ocean().counters;
        let rug_loss = if counters.rug_staker_value_before > 0.0 {
            (1.0 - counters.rug_staker_value_after / counters.rug_staker_value_before) * 100.0
        } else {
            f64::NAN
        };
        let ratio = if counters.consume_volume_ocean > 0.0 {
            counters.swap_volume_ocean / counters.consume_volume_ocean
        } else {
            f64::NAN
        };
        let consumes: Vec<f64> = live.iter().map(|p| (p.consumes as f64).ln_1p()).collect();
        let log_prices: Vec<f64> = prices.iter().map(|p| p.max(f64::MIN_POSITIVE).ln()).collect();
        Ok([
            self.stake_price_move(world, &live, &prices)?,
            mean(&spikes),
            self.returns.std(),
            rug_loss,
            publisher_net_worth_change(world)?,
            ratio,
            correlation(&log_prices, &consumes),
        ])
    }

    /// Mean |Δp|/p in % for a probe stake in each of the newest live pools,
    /// each in its own what-if on the embedded chain, where a pool whose last
    /// probe read nothing that has changed since is not probed again
    /// ([`crate::chain::SimChain::what_if_kept`]); in one what-if for all on
    /// a node, which keeps nothing and pays a snapshot per what-if.
    fn stake_price_move(
        &mut self,
        world: &mut World,
        live: &[PoolInfo],
        prices: &[f64],
    ) -> anyhow::Result<f64> {
        if live.is_empty() {
            return Ok(f64::NAN);
        }
        let states = world.pool_states()?;
        let market = world.ocean().market.clone();
        let probe = &self.probe;
        let newest = live.len().saturating_sub(PROBED_POOLS);
        let mut probed = Vec::with_capacity(PROBED_POOLS);
        for (pool, &before) in
            live[newest..].iter().zip(&prices[newest..]).filter(|(_, &before)| before > 0.0)
        {
            probed.push((
                pool,
                before,
                to_base18(states[pool.index].ocean * self.config.probe_stake_fraction)?,
            ));
        }
        let fund = |chain: &mut SimChain, stake| -> anyhow::Result<()> {
            Ok(market.ocean().mint(chain, probe.address, stake)?)
        };
        let stake_in = |chain: &mut SimChain, pool, stake| -> anyhow::Result<Option<f64>> {
            if market.stake(chain, probe, pool, stake).is_err() {
                return Ok(None);
            }
            Ok(Some(from_base18(market.spot_price(chain, pool)?)))
        };
        let afters = if matches!(world.chain, SimChain::Embedded(_)) {
            let mut afters = Vec::with_capacity(probed.len());
            for &(pool, _, stake) in &probed {
                let track = &mut self.pools[pool.index];
                let mut kept =
                    track.probe.take().filter(|(amount, _)| *amount == stake).map(|(_, kept)| kept);
                afters.push(world.chain.what_if_kept(
                    &mut kept,
                    |chain| fund(chain, stake),
                    |chain| stake_in(chain, pool, stake),
                )?);
                track.probe = kept.map(|kept| (stake, kept));
            }
            afters
        } else {
            world.chain.what_if(|chain| {
                probed
                    .iter()
                    .map(|&(pool, _, stake)| fund(chain, stake).and_then(|()| stake_in(chain, pool, stake)))
                    .collect::<anyhow::Result<Vec<_>>>()
            })??
        };
        let moves: Vec<f64> = probed
            .iter()
            .zip(afters)
            .filter_map(|(&(_, before, _), after)| Some(((after? - before) / before).abs() * 100.0))
            .collect();
        Ok(mean(&moves))
    }
}

fn publisher_net_worth_change(world: &mut World) -> anyhow::Result<f64> {
    let honest: Vec<_> = world.ocean().publishers.iter().filter(|p| !p.malicious).cloned().collect();
    if honest.is_empty() {
        return Ok(f64::NAN);
    }
    let mut change = 0.0;
    for publisher in honest {
        let held = world.holdings(publisher.address)?;
        change += held.ocean + held.value - publisher.start_ocean;
    }
    Ok(change)
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        f64::NAN
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Pearson correlation; NaN with fewer than 3 points or no variance.
fn correlation(x: &[f64], y: &[f64]) -> f64 {
    if x.len() < 3 || x.len() != y.len() {
        return f64::NAN;
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy = (a - mx).mul_add(b - my, sxy);
        sxx = (a - mx).mul_add(a - mx, sxx);
        syy = (b - my).mul_add(b - my, syy);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        f64::NAN
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_match_hand_computed_values() {
        let mut w = Welford::default();
        for x in [1.0, 2.0, 3.0, 4.0] {
            w.push(x);
        }
        assert!((w.std() - 1.290_994_448_735_805_6).abs() < 1e-12);
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-12);
        assert!((correlation(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(correlation(&[1.0, 2.0], &[1.0, 2.0]).is_nan());
        assert!(mean(&[]).is_nan());
    }
}
