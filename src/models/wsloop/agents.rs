//! The loop's pure agents (no EOA of their own beyond the address book's):
//! marketplaces earn and pay the network's toll to a router; the router
//! buys and burns OCEAN with a share and sends the rest to the DAO; the
//! minter mints the 51% schedule to the DAO; treasuries pay the DAO
//! uniformly over some months; the DAO sells its OCEAN and funds the grant
//! takers, whose spend is the R&D that grows the marketplaces.
//!
//! Every config is read strictly and checked by `build`, each error naming
//! the agent, the key and the allowed range. An agent's order in a tick is
//! the netlist's: run the loop with `shuffle = false`, in the order above,
//! so that a month's money reaches its end in the same month.

use super::growth::{rnd_sales_ratio, GrowthParams};
use super::state::{self, base_units, state_mut, MONTH_SECONDS, YEAR_SECONDS};
use crate::agents::{check_amount, check_fraction, Agent};
use crate::chain::{address_for, GOD};
use crate::wallet::from_base18;
use crate::world::World;
use alloy_primitives::{Address, U256};
use serde::Deserialize;

/// The agent types, with a line each.
pub(super) const AGENT_TYPES: &[(&str, &str)] = &[
    (
        "wsloop_marketplaces",
        "marketplaces whose revenue grows with the R&D / sales ratio; pay a toll to a router",
    ),
    ("wsloop_router", "splits network revenue: a share buys and burns OCEAN, the rest goes to the DAO"),
    ("wsloop_minter", "mints the 51% supply schedule of [wsloop] to the DAO"),
    ("wsloop_treasury", "pays its USD and OCEAN to the DAO uniformly over some months"),
    ("wsloop_dao", "sells the OCEAN it receives and funds its grant takers with the USD"),
    ("wsloop_grant_taker", "spends the grants it receives on R&D"),
];

fn dao() -> String {
    "dao".to_string()
}
fn one() -> f64 {
    1.0
}

/// `type = "wsloop_marketplaces"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MarketplacesConfig {
    /// Marketplaces at the start.
    pub marketplaces: f64,
    /// Revenue of one marketplace per month at the start, USD.
    pub revenue_per_marketplace_usd: f64,
    /// Share of the revenue paid to the network.
    pub toll: f64,
    /// The router the toll goes to.
    pub router: String,
    /// Annual growth of each component with no R&D.
    #[serde(default = "seed_g0")]
    pub growth_if_0_sales: f64,
    /// Annual growth of each component at an unlimited R&D / sales ratio.
    #[serde(default = "seed_gmax")]
    pub max_growth: f64,
    /// The ratio giving half of the growth range.
    #[serde(default = "seed_tau")]
    pub tau: f64,
}

fn seed_g0() -> f64 {
    GrowthParams::SEED.growth_if_0_sales
}
fn seed_gmax() -> f64 {
    GrowthParams::SEED.max_growth
}
fn seed_tau() -> f64 {
    GrowthParams::SEED.tau
}

impl MarketplacesConfig {
    fn growth(&self) -> GrowthParams {
        GrowthParams { growth_if_0_sales: self.growth_if_0_sales, max_growth: self.max_growth, tau: self.tau }
    }

    fn build(&self, name: &str, tick_seconds: u64) -> anyhow::Result<Marketplaces> {
        check_amount(name, "marketplaces", self.marketplaces)?;
        check_amount(name, "revenue_per_marketplace_usd", self.revenue_per_marketplace_usd)?;
        check_fraction(name, "toll", self.toll)?;
        self.growth().check().map_err(|e| anyhow::anyhow!("agent {name}: {e}"))?;
        Ok(Marketplaces {
            name: name.to_string(),
            config: self.clone(),
            marketplaces: self.marketplaces,
            revenue_per_marketplace_usd: self.revenue_per_marketplace_usd,
            months: tick_seconds as f64 / MONTH_SECONDS,
            years: tick_seconds as f64 / YEAR_SECONDS,
        })
    }
}

/// Earns each tick, pays the toll, then grows both its count and the
/// revenue per marketplace by last tick's R&D / sales ratio.
#[derive(Debug)]
pub(super) struct Marketplaces {
    name: String,
    config: MarketplacesConfig,
    marketplaces: f64,
    revenue_per_marketplace_usd: f64,
    months: f64,
    years: f64,
}

impl Agent for Marketplaces {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        let tick = world.tick;
        let state = state_mut(world)?;
        let last = state.previous(tick);
        let ratio = rnd_sales_ratio(last.rnd_usd, last.network_revenue_usd);
        let growth = self.config.growth();
        let revenue = self.marketplaces * self.revenue_per_marketplace_usd * self.months;
        let toll = revenue * self.config.toll;
        state.send_usd(&self.config.router, toll);
        let flows = state.flows_mut(tick);
        flows.marketplaces_revenue_usd += revenue;
        flows.rnd_sales_ratio = ratio;
        flows.growth_rate = growth.total(ratio);
        let factor = (1.0 + growth.component(ratio)).powf(self.years);
        self.marketplaces *= factor;
        self.revenue_per_marketplace_usd *= factor;
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        ["marketplaces", "revenue_per_marketplace_usd"]
            .iter()
            .map(|q| format!("agent.{}.{q}", self.name))
            .collect()
    }

    fn sample(&self, _world: &mut World) -> anyhow::Result<Vec<f64>> {
        Ok(vec![self.marketplaces, self.revenue_per_marketplace_usd])
    }
}

/// `type = "wsloop_router"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// Share of network revenue that buys and burns OCEAN.
    #[serde(default = "seed_burn")]
    pub burn_fraction: f64,
    /// The DAO the rest goes to.
    #[serde(default = "dao")]
    pub to: String,
}

fn seed_burn() -> f64 {
    0.05
}

/// Takes the toll sent to it; buys OCEAN from the market with
/// `burn_fraction` of it at the current price and burns it on chain.
#[derive(Debug)]
pub(super) struct Router {
    name: String,
    address: Address,
    config: RouterConfig,
}

impl Agent for Router {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        let tick = world.tick;
        let state = state_mut(world)?;
        let revenue = state.take_usd(&self.name);
        let burn_usd = revenue * self.config.burn_fraction;
        state.send_usd(&self.config.to, revenue - burn_usd);
        let price = state.price_usd;
        state.flows_mut(tick).network_revenue_usd += revenue;
        if burn_usd <= 0.0 || price <= 0.0 {
            return Ok(());
        }
        let ocean = burn_usd / price;
        let amount = base_units(&self.name, "buy and burn", ocean)?;
        if state::buy_and_burn(world, &self.name, self.address, amount)? {
            state_mut(world)?.flows_mut(tick).burned_ocean += from_base18(amount);
        }
        Ok(())
    }
}

/// `type = "wsloop_minter"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct MinterConfig {
    /// The DAO it mints to.
    #[serde(default = "dao")]
    pub to: String,
}

/// Mints, each tick, the allocation times the schedule's growth over the tick.
#[derive(Debug)]
pub(super) struct Minter {
    name: String,
    to: Address,
}

impl Agent for Minter {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        let (tick, tick_seconds) = (world.tick, world.tick_seconds);
        let years = |tick: u64| (tick * tick_seconds) as f64 / YEAR_SECONDS;
        let state = state_mut(world)?;
        let schedule = &state.schedule;
        let fraction = schedule.minted_fraction(years(tick + 1)) - schedule.minted_fraction(years(tick));
        let ocean = state.allocation_ocean * fraction;
        if ocean <= 0.0 {
            return Ok(());
        }
        let amount = base_units(&self.name, "mint", ocean)?;
        let token = state.ocean;
        let minted = token.mint(&mut world.chain, self.to, amount);
        if world.attempt(&self.name, "mint OCEAN", minted)?.is_some() {
            let state = state_mut(world)?;
            state.flows_mut(tick).minted_ocean += ocean;
            state.minted_total_ocean += ocean;
        }
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        vec![format!("agent.{}.minted_total_ocean", self.name)]
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        Ok(vec![state::state(world)?.minted_total_ocean])
    }
}

/// `type = "wsloop_treasury"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TreasuryConfig {
    /// USD it pays out.
    #[serde(default)]
    pub usd: f64,
    /// OCEAN it pays out (taken from the initial supply at its first step).
    #[serde(default)]
    pub ocean: f64,
    /// Months it pays over (uniformly).
    pub months: f64,
    /// The DAO it pays.
    #[serde(default = "dao")]
    pub to: String,
}

impl TreasuryConfig {
    fn build(&self, name: &str, tick_seconds: u64) -> anyhow::Result<Treasury> {
        check_amount(name, "usd", self.usd)?;
        check_amount(name, "ocean", self.ocean)?;
        if !self.months.is_finite() || self.months <= 0.0 || self.months > 12_000.0 {
            anyhow::bail!("agent {name}: months = {} must be more than 0 and at most 12000", self.months);
        }
        // Payments: the ticks the months span, rounded up.
        let payments = (self.months * MONTH_SECONDS / tick_seconds as f64 - 1e-9).ceil().max(1.0) as u64;
        Ok(Treasury {
            name: name.to_string(),
            address: address_for(name),
            to: self.to.clone(),
            to_address: address_for(&self.to),
            usd: self.usd,
            ocean: base_units(name, "ocean", self.ocean)?,
            payments,
            paid: 0,
        })
    }
}

/// Pays `1/payments` of its USD and OCEAN to the DAO each tick until done.
#[derive(Debug)]
pub(super) struct Treasury {
    name: String,
    address: Address,
    to: String,
    to_address: Address,
    usd: f64,
    ocean: U256,
    payments: u64,
    paid: u64,
}

impl Treasury {
    /// The share of `total` paid after `k` payments: `total * k / payments`, exact in base units.
    fn ocean_after(&self, k: u64) -> U256 {
        self.ocean * U256::from(k.min(self.payments)) / U256::from(self.payments)
    }
}

impl Agent for Treasury {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if self.paid >= self.payments {
            return Ok(());
        }
        if self.paid == 0
            && !self.ocean.is_zero()
            && !state::transfer(world, &self.name, GOD, self.address, self.ocean)?
        {
            anyhow::bail!(
                "agent {}: the initial supply holds less than its {} OCEAN",
                self.name,
                from_base18(self.ocean)
            );
        }
        let ocean = self.ocean_after(self.paid + 1) - self.ocean_after(self.paid);
        let usd = self.usd / self.payments as f64;
        self.paid += 1;
        if !ocean.is_zero() {
            state::transfer(world, &self.name, self.address, self.to_address, ocean)?;
        }
        state_mut(world)?.send_usd(&self.to, usd);
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        vec![format!("agent.{}.usd", self.name), format!("agent.{}.ocean", self.name)]
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        let left = self.usd * (self.payments - self.paid) as f64 / self.payments as f64;
        Ok(vec![left, from_base18(state::balance(world, self.address)?)])
    }
}

/// `type = "wsloop_dao"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DaoConfig {
    /// The grant takers it funds, in equal shares.
    pub grant_takers: Vec<String>,
    /// Share of its USD it pays out each tick.
    #[serde(default = "one")]
    pub payout_fraction: f64,
}

/// Sells all the OCEAN it holds to the market at the current price, then
/// pays `payout_fraction` of its USD to its grant takers.
#[derive(Debug)]
pub(super) struct Dao {
    name: String,
    address: Address,
    config: DaoConfig,
    usd: f64,
}

impl Agent for Dao {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        let tick = world.tick;
        let held = state::balance(world, self.address)?;
        let sold = !held.is_zero() && state::transfer(world, &self.name, self.address, GOD, held)?;
        let state = state_mut(world)?;
        let sales_usd = if sold { from_base18(held) * state.price_usd } else { 0.0 };
        let received = state.take_usd(&self.name) + sales_usd;
        state.flows_mut(tick).dao_income_usd += received;
        self.usd += received;
        let payout = self.usd * self.config.payout_fraction;
        self.usd -= payout;
        let share = payout / self.config.grant_takers.len() as f64;
        for taker in &self.config.grant_takers {
            state.send_usd(taker, share);
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

/// `type = "wsloop_grant_taker"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrantTakerConfig {
    /// USD at the start.
    #[serde(default)]
    pub usd: f64,
    /// Share of its USD it spends on R&D each tick.
    #[serde(default = "one")]
    pub spend_fraction: f64,
}

/// Spends `spend_fraction` of what it holds each tick: the R&D.
#[derive(Debug)]
pub(super) struct GrantTaker {
    name: String,
    usd: f64,
    spend_fraction: f64,
}

impl Agent for GrantTaker {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        let tick = world.tick;
        let state = state_mut(world)?;
        self.usd += state.take_usd(&self.name);
        let spend = self.usd * self.spend_fraction;
        self.usd -= spend;
        state.flows_mut(tick).rnd_usd += spend;
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        vec![format!("agent.{}.usd", self.name)]
    }

    fn sample(&self, _world: &mut World) -> anyhow::Result<Vec<f64>> {
        Ok(vec![self.usd])
    }
}

/// One of the model's parsed agent tables.
#[derive(Debug, Clone)]
pub enum WsloopAgentConfig {
    /// `wsloop_marketplaces`.
    Marketplaces(MarketplacesConfig),
    /// `wsloop_router`.
    Router(RouterConfig),
    /// `wsloop_minter`.
    Minter(MinterConfig),
    /// `wsloop_treasury`.
    Treasury(TreasuryConfig),
    /// `wsloop_dao`.
    Dao(DaoConfig),
    /// `wsloop_grant_taker`.
    GrantTaker(GrantTakerConfig),
}

impl WsloopAgentConfig {
    /// Parse the parameters of an agent of type `kind`.
    pub fn parse(kind: &str, rest: toml::Table) -> Result<Self, String> {
        Ok(match kind {
            "wsloop_marketplaces" => Self::Marketplaces(params(rest)?),
            "wsloop_router" => Self::Router(params(rest)?),
            "wsloop_minter" => Self::Minter(params(rest)?),
            "wsloop_treasury" => Self::Treasury(params(rest)?),
            "wsloop_dao" => Self::Dao(params(rest)?),
            "wsloop_grant_taker" => Self::GrantTaker(params(rest)?),
            other => return Err(format!("the wsloop model has no agent type {other:?}")),
        })
    }

    /// The agents this one sends to, each with the type it must have.
    pub fn targets(&self) -> Vec<(&str, &'static str)> {
        match self {
            Self::Marketplaces(c) => vec![(c.router.as_str(), "wsloop_router")],
            Self::Router(RouterConfig { to, .. })
            | Self::Minter(MinterConfig { to })
            | Self::Treasury(TreasuryConfig { to, .. }) => {
                vec![(to.as_str(), "wsloop_dao")]
            }
            Self::Dao(c) => c.grant_takers.iter().map(|t| (t.as_str(), "wsloop_grant_taker")).collect(),
            Self::GrantTaker(_) => Vec::new(),
        }
    }
}

impl crate::agents::AgentConfig for WsloopAgentConfig {
    fn build(&self, name: &str, tick_seconds: u64, _seed: u64) -> anyhow::Result<Box<dyn Agent>> {
        let name_s = name.to_string();
        Ok(match self {
            Self::Marketplaces(c) => Box::new(c.build(name, tick_seconds)?),
            Self::Router(c) => {
                check_fraction(name, "burn_fraction", c.burn_fraction)?;
                Box::new(Router { name: name_s, address: address_for(name), config: c.clone() })
            }
            Self::Minter(c) => Box::new(Minter { name: name_s, to: address_for(&c.to) }),
            Self::Treasury(c) => Box::new(c.build(name, tick_seconds)?),
            Self::Dao(c) => {
                check_fraction(name, "payout_fraction", c.payout_fraction)?;
                if c.grant_takers.is_empty() {
                    anyhow::bail!(
                        "agent {name}: grant_takers is empty; name at least one wsloop_grant_taker"
                    );
                }
                Box::new(Dao { name: name_s, address: address_for(name), config: c.clone(), usd: 0.0 })
            }
            Self::GrantTaker(c) => {
                check_amount(name, "usd", c.usd)?;
                check_fraction(name, "spend_fraction", c.spend_fraction)?;
                Box::new(GrantTaker { name: name_s, usd: c.usd, spend_fraction: c.spend_fraction })
            }
        })
    }

    fn references(&self) -> Vec<&str> {
        self.targets().into_iter().map(|(name, _)| name).collect()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Deserialise an agent's parameters; the error is toml's, without its line header.
fn params<T: serde::de::DeserializeOwned>(rest: toml::Table) -> Result<T, String> {
    toml::Value::Table(rest).try_into().map_err(|e: toml::de::Error| e.message().to_string())
}
