//! Agents that trade on pools with their own OCEAN: [`Consumer`] (buys one
//! datatoken and consumes it), [`Speculator`] (random buys and sells),
//! [`Staker`] (stakes OCEAN single-sided, sometimes unstakes) and
//! [`StakerSpeculator`] (both).

use super::OceanWorld;
use super::{
    check_amount, check_fraction, check_period, fund, wallet_columns, wallet_sample, Agent, Schedule,
    SimDuration, SimRng, World,
};
use crate::wallet::{from_base18, to_base18, AgentWallet};
use serde::Deserialize;

fn one_day() -> SimDuration {
    SimDuration(86_400)
}

/// State every trader shares: wallet, schedule, stream, funding.
#[derive(Debug)]
pub struct Trader {
    wallet: AgentWallet,
    schedule: Schedule,
    rng: SimRng,
    start_ocean: f64,
    funded: bool,
}

impl Trader {
    fn new(name: &str, ocean: f64, every: SimDuration, tick_seconds: u64, seed: u64) -> Self {
        Self {
            wallet: AgentWallet::new(name, 0.0),
            schedule: Schedule::new(every, tick_seconds),
            rng: SimRng::derive(seed, name),
            start_ocean: ocean,
            funded: false,
        }
    }

    /// Fund on the first step; then whether the agent acts this tick.
    fn ready(&mut self, world: &mut World) -> anyhow::Result<bool> {
        if !self.funded {
            fund(world, &self.wallet, self.start_ocean)?;
            self.funded = true;
        }
        Ok(self.schedule.due(world.tick))
    }

    fn ocean(&self, world: &mut World) -> anyhow::Result<f64> {
        Ok(from_base18(world.ocean().market.ocean().balance_of(&mut world.chain, self.wallet.address)?))
    }
}

/// What a trader does when its schedule comes due; implemented by each
/// trader type's config, so one [`TraderAgent`] serves them all.
pub trait Behaviour: std::fmt::Debug {
    /// Act once.
    fn act(&self, trader: &mut Trader, world: &mut World) -> anyhow::Result<()>;
}

/// A trader agent: shared state plus its behaviour.
#[derive(Debug)]
pub struct TraderAgent<B> {
    trader: Trader,
    behaviour: B,
}

impl<B: Behaviour> TraderAgent<B> {
    fn new(trader: Trader, behaviour: B) -> Self {
        Self { trader, behaviour }
    }
}

impl<B: Behaviour> Agent for TraderAgent<B> {
    fn name(&self) -> &str {
        &self.trader.wallet.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if self.trader.ready(world)? {
            self.behaviour.act(&mut self.trader, world)?;
        }
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        wallet_columns(&self.trader.wallet.name)
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        wallet_sample(&self.trader.wallet, world)
    }
}

/// Buys exactly one datatoken of a random live pool and consumes it.
pub type Consumer = TraderAgent<ConsumerConfig>;
/// Buys or sells a random live pool's datatoken at random.
pub type Speculator = TraderAgent<SpeculatorConfig>;
/// Stakes OCEAN into random live pools and sometimes unstakes.
pub type Staker = TraderAgent<StakerConfig>;
/// Stakes and speculates.
pub type StakerSpeculator = TraderAgent<StakerSpeculatorConfig>;

/// `type = "consumer"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsumerConfig {
    /// Starting OCEAN.
    #[serde(default = "consumer_ocean")]
    pub ocean: f64,
    /// Period between two consumes.
    #[serde(default = "one_day")]
    pub every: SimDuration,
    /// OCEAN the consumer is paid per consume (minted by GOD), so it can keep going.
    #[serde(default = "consumer_income")]
    pub income_per_consume: f64,
}

fn consumer_ocean() -> f64 {
    1_000.0
}
fn consumer_income() -> f64 {
    20.0
}

impl ConsumerConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str, tick_seconds: u64, seed: u64) -> anyhow::Result<Consumer> {
        check_amount(name, "ocean", self.ocean)?;
        check_amount(name, "income_per_consume", self.income_per_consume)?;
        check_period(name, "every", self.every)?;
        Ok(TraderAgent::new(Trader::new(name, self.ocean, self.every, tick_seconds, seed), self.clone()))
    }
}

impl Behaviour for ConsumerConfig {
    /// Buys exactly one datatoken of a random live pool and consumes it.
    fn act(&self, trader: &mut Trader, world: &mut World) -> anyhow::Result<()> {
        let Some(pool) = &world.random_live_pool(|live| trader.rng.below(live)) else {
            return Ok(());
        };
        let wallet = &trader.wallet;
        let name = wallet.name.clone();
        let market = world.ocean().market.clone();
        let budget = market.ocean().balance_of(&mut world.chain, wallet.address)?;
        let bought = market.buy_exact_dt(&mut world.chain, wallet, pool, to_base18(1.0)?, budget);
        let Some(paid) = world.attempt(&name, "buy 1 DT", bought)? else { return Ok(()) };
        world.record_swap(pool.index, from_base18(paid));
        let consumed = market.consume(&mut world.chain, wallet, pool);
        if world.attempt(&name, "consume", consumed)?.is_some() {
            world.record_consume(pool.index, from_base18(paid));
        }
        if self.income_per_consume > 0.0 {
            market.ocean().mint(&mut world.chain, wallet.address, to_base18(self.income_per_consume)?)?;
        }
        Ok(())
    }
}

/// `type = "speculator"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpeculatorConfig {
    /// Starting OCEAN.
    #[serde(default = "consumer_ocean")]
    pub ocean: f64,
    /// Period between two trading decisions.
    #[serde(default = "one_day")]
    pub every: SimDuration,
    /// Chance of trading at each decision.
    #[serde(default = "half")]
    pub trade_probability: f64,
    /// Fraction of OCEAN spent on a buy, or of the pool's DT held sold on a sell.
    #[serde(default = "tenth")]
    pub trade_fraction: f64,
}

fn half() -> f64 {
    0.5
}
fn tenth() -> f64 {
    0.1
}

impl SpeculatorConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str, tick_seconds: u64, seed: u64) -> anyhow::Result<Speculator> {
        check_amount(name, "ocean", self.ocean)?;
        check_fraction(name, "trade_probability", self.trade_probability)?;
        check_fraction(name, "trade_fraction", self.trade_fraction)?;
        check_period(name, "every", self.every)?;
        Ok(TraderAgent::new(Trader::new(name, self.ocean, self.every, tick_seconds, seed), self.clone()))
    }
}

impl Behaviour for SpeculatorConfig {
    fn act(&self, trader: &mut Trader, world: &mut World) -> anyhow::Result<()> {
        speculate(trader, world, self.trade_probability, self.trade_fraction)
    }
}

/// `type = "staker"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct StakerConfig {
    /// Starting OCEAN.
    #[serde(default = "consumer_ocean")]
    pub ocean: f64,
    /// Period between two decisions.
    #[serde(default = "one_day")]
    pub every: SimDuration,
    /// Fraction of its OCEAN staked at each decision.
    #[serde(default = "tenth")]
    pub stake_fraction: f64,
    /// Chance, at each decision, of unstaking all shares of one pool instead.
    #[serde(default = "tenth")]
    pub unstake_probability: f64,
}

impl StakerConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str, tick_seconds: u64, seed: u64) -> anyhow::Result<Staker> {
        check_amount(name, "ocean", self.ocean)?;
        check_fraction(name, "stake_fraction", self.stake_fraction)?;
        check_fraction(name, "unstake_probability", self.unstake_probability)?;
        check_period(name, "every", self.every)?;
        Ok(TraderAgent::new(Trader::new(name, self.ocean, self.every, tick_seconds, seed), self.clone()))
    }
}

impl Behaviour for StakerConfig {
    fn act(&self, trader: &mut Trader, world: &mut World) -> anyhow::Result<()> {
        stake_or_unstake(trader, world, self.stake_fraction, self.unstake_probability)
    }
}

/// Buy or sell (even odds) a random live pool's datatoken, with probability `probability`.
fn speculate(trader: &mut Trader, world: &mut World, probability: f64, fraction: f64) -> anyhow::Result<()> {
    if !trader.rng.chance(probability) {
        return Ok(());
    }
    let Some(pool) = &world.random_live_pool(|live| trader.rng.below(live)) else {
        return Ok(());
    };
    let buy = trader.rng.chance(0.5);
    let name = trader.wallet.name.clone();
    let market = world.ocean().market.clone();
    if buy {
        let ocean_in = trader.ocean(world)? * fraction;
        let result = market.buy_dt(&mut world.chain, &trader.wallet, pool, to_base18(ocean_in)?);
        if world.attempt(&name, "buy DT", result)?.is_some() {
            world.record_swap(pool.index, ocean_in);
        }
    } else {
        let held = world.balance(pool.datatoken, trader.wallet.address)?;
        if held <= 0.0 {
            return Ok(());
        }
        // Sell at least half of what is held, so positions do not linger.
        let dt_in = to_base18(held * fraction.max(0.5))?;
        let result = market.sell_dt(&mut world.chain, &trader.wallet, pool, dt_in);
        if let Some(out) = world.attempt(&name, "sell DT", result)? {
            world.record_swap(pool.index, from_base18(out));
        }
    }
    Ok(())
}

/// Stake `fraction` of the trader's OCEAN into a random live pool, or (with
/// probability `unstake_probability`) redeem a quarter of its shares in one.
fn stake_or_unstake(
    trader: &mut Trader,
    world: &mut World,
    fraction: f64,
    unstake_probability: f64,
) -> anyhow::Result<()> {
    let Some(pool) = &world.random_live_pool(|live| trader.rng.below(live)) else {
        return Ok(());
    };
    let unstake = trader.rng.chance(unstake_probability);
    let name = trader.wallet.name.clone();
    let market = world.ocean().market.clone();
    if unstake {
        let shares = world.balance(pool.address, trader.wallet.address)?;
        if shares > 0.0 {
            // Ratio limits allow at most a third of the OCEAN out per exit: redeem a quarter.
            let result = market.unstake(&mut world.chain, &trader.wallet, pool, to_base18(shares * 0.25)?);
            world.attempt(&name, "unstake", result)?;
        }
    } else {
        let ocean_in = trader.ocean(world)? * fraction;
        let result = market.stake(&mut world.chain, &trader.wallet, pool, to_base18(ocean_in)?);
        world.attempt(&name, "stake", result)?;
    }
    Ok(())
}

/// `type = "staker_speculator"`: stakes like a [`Staker`] and trades like a [`Speculator`].
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct StakerSpeculatorConfig {
    /// Starting OCEAN.
    #[serde(default = "consumer_ocean")]
    pub ocean: f64,
    /// Period between two decisions.
    #[serde(default = "one_day")]
    pub every: SimDuration,
    /// Fraction of its OCEAN staked at each decision.
    #[serde(default = "tenth")]
    pub stake_fraction: f64,
    /// Chance of unstaking instead of staking.
    #[serde(default = "tenth")]
    pub unstake_probability: f64,
    /// Chance of also trading at each decision.
    #[serde(default = "half")]
    pub trade_probability: f64,
    /// Fraction of OCEAN per buy / of DT per sell.
    #[serde(default = "tenth")]
    pub trade_fraction: f64,
}

impl StakerSpeculatorConfig {
    /// Validate and build the live agent.
    pub fn build(&self, name: &str, tick_seconds: u64, seed: u64) -> anyhow::Result<StakerSpeculator> {
        check_amount(name, "ocean", self.ocean)?;
        for (key, value) in [
            ("stake_fraction", self.stake_fraction),
            ("unstake_probability", self.unstake_probability),
            ("trade_probability", self.trade_probability),
            ("trade_fraction", self.trade_fraction),
        ] {
            check_fraction(name, key, value)?;
        }
        check_period(name, "every", self.every)?;
        Ok(TraderAgent::new(Trader::new(name, self.ocean, self.every, tick_seconds, seed), self.clone()))
    }
}

impl Behaviour for StakerSpeculatorConfig {
    fn act(&self, trader: &mut Trader, world: &mut World) -> anyhow::Result<()> {
        stake_or_unstake(trader, world, self.stake_fraction, self.unstake_probability)?;
        speculate(trader, world, self.trade_probability, self.trade_fraction)
    }
}
