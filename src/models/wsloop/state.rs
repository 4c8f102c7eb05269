//! What the wsloop model keeps in the [`World`]: the OCEAN token on chain,
//! the valuation and price, the USD each agent has been sent and not yet
//! taken, and the flows of the current tick (revenue, R&D, minted, burned,
//! DAO income) with those of the tick before (the growth reads them).
//!
//! # State
//! OCEAN lives on chain in the project's `OceanToken`: the deployer is its
//! minter and holds the initial supply, standing for every holder outside
//! the loop (the market the router buys from and the DAO sells to). USD is
//! off chain, in the agents and in [`WsloopState::usd_inbox`].
//!
//! # Errors
//! A chain failure other than a revert is an error; a revert (say the
//! market holds too little OCEAN to sell) is recorded by [`World::attempt`]
//! and the flow it would have made stays zero.

use super::schedule::ScheduleParams;
use super::table::WsloopTable;
use crate::chain::{Backend, GOD};
use crate::models::ocean::contracts::{Ocean, OceanToken};
use crate::wallet::{from_base18, to_base18};
use crate::world::World;
use alloy_primitives::{Address, U256};
use std::collections::BTreeMap;

/// Seconds in the model's month (a twelfth of a 365-day year).
pub(super) const MONTH_SECONDS: f64 = 2_628_000.0;
/// Seconds in the model's year.
pub(super) const YEAR_SECONDS: f64 = 31_536_000.0;

/// The flows of one tick (a month in the shipped netlist).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Flows {
    /// Marketplaces' revenue, USD.
    pub marketplaces_revenue_usd: f64,
    /// The network's toll on it (Ocean's revenue, the "sales"), USD.
    pub network_revenue_usd: f64,
    /// What the grant takers spent (the R&D), USD.
    pub rnd_usd: f64,
    /// The R&D / sales ratio the marketplaces grew by (last tick's flows).
    pub rnd_sales_ratio: f64,
    /// The annual revenue growth that ratio gives.
    pub growth_rate: f64,
    /// OCEAN minted for the DAO.
    pub minted_ocean: f64,
    /// OCEAN bought and burned.
    pub burned_ocean: f64,
    /// The DAO's income: USD received plus the OCEAN it received, at the price it sold at.
    pub dao_income_usd: f64,
}

/// The model's state in the world.
#[derive(Debug, Clone)]
pub struct WsloopState {
    /// The OCEAN token.
    pub ocean: Ocean,
    /// The 51% schedule.
    pub schedule: ScheduleParams,
    /// OCEAN the schedule mints in all (the 51%).
    pub allocation_ocean: f64,
    /// Price-to-sales multiple of the fundamental valuation.
    pub ps_ratio: f64,
    /// Annual growth of the speculative valuation.
    pub speculative_growth: f64,
    /// The speculative valuation now, USD.
    pub speculative_usd: f64,
    /// The fundamental valuation now, USD.
    pub fundamental_usd: f64,
    /// OCEAN supply at the last valuation.
    pub supply_ocean: f64,
    /// USD per OCEAN at the last valuation (what the router and DAO trade at).
    pub price_usd: f64,
    /// OCEAN minted since the start.
    pub minted_total_ocean: f64,
    /// USD sent to an agent (by name) that it has not taken yet.
    pub usd_inbox: BTreeMap<String, f64>,
    /// The tick [`WsloopState::current`] belongs to.
    tick: u64,
    /// This tick's flows.
    current: Flows,
    /// The previous tick's flows.
    previous: Flows,
}

impl WsloopState {
    /// A state with no flows yet; the price is the speculative valuation
    /// over the initial supply.
    pub fn new(ocean: Ocean, table: &WsloopTable) -> Self {
        let initial_supply = table.initial_supply();
        Self {
            ocean,
            schedule: table.schedule(),
            allocation_ocean: table.allocation_ocean(),
            ps_ratio: table.ps_ratio,
            speculative_growth: table.speculative_growth,
            speculative_usd: table.speculative_usd,
            fundamental_usd: 0.0,
            supply_ocean: initial_supply,
            price_usd: table.speculative_usd / initial_supply,
            minted_total_ocean: 0.0,
            usd_inbox: BTreeMap::new(),
            tick: 0,
            current: Flows::default(),
            previous: Flows::default(),
        }
    }

    /// This tick's flows, for writing (a new tick starts from zero, and
    /// what was current becomes the previous tick's).
    pub fn flows_mut(&mut self, tick: u64) -> &mut Flows {
        if tick != self.tick {
            self.previous = if tick == self.tick + 1 { self.current } else { Flows::default() };
            self.current = Flows::default();
            self.tick = tick;
        }
        &mut self.current
    }

    /// The flows of `tick` so far (zero if nothing flowed yet).
    pub fn flows(&self, tick: u64) -> Flows {
        if tick == self.tick {
            self.current
        } else {
            Flows::default()
        }
    }

    /// The flows of the tick before `tick`.
    pub fn previous(&mut self, tick: u64) -> Flows {
        self.flows_mut(tick);
        self.previous
    }

    /// Take the USD waiting for `name`.
    pub fn take_usd(&mut self, name: &str) -> f64 {
        self.usd_inbox.remove(name).unwrap_or(0.0)
    }

    /// Send `usd` to `name`.
    pub fn send_usd(&mut self, name: &str, usd: f64) {
        *self.usd_inbox.entry(name.to_string()).or_default() += usd;
    }

    /// The valuation now: fundamentals plus speculation, USD.
    pub fn valuation_usd(&self) -> f64 {
        self.fundamental_usd + self.speculative_usd
    }
}

/// The model's state; an error if the model was not set up in this world.
pub(super) fn state(world: &World) -> anyhow::Result<&WsloopState> {
    world.extensions.get().ok_or_else(not_set_up)
}

/// The model's state, mutably.
pub(super) fn state_mut(world: &mut World) -> anyhow::Result<&mut WsloopState> {
    world.extensions.get_mut().ok_or_else(not_set_up)
}

fn not_set_up() -> anyhow::Error {
    anyhow::anyhow!("the wsloop model is not set up in this world")
}

/// OCEAN amounts of the model as base units (checked).
pub(super) fn base_units(agent: &str, what: &str, ocean: f64) -> anyhow::Result<U256> {
    to_base18(ocean).map_err(|e| anyhow::anyhow!("agent {agent}: {what} of {ocean} OCEAN: {e}"))
}

/// Move `amount` OCEAN base units from `from` to `to` on chain; `false`
/// (the revert recorded) if the token refused.
pub(super) fn transfer(
    world: &mut World,
    agent: &str,
    from: Address,
    to: Address,
    amount: U256,
) -> anyhow::Result<bool> {
    let token = state(world)?.ocean.address;
    let sent = world.chain.send(from, token, &OceanToken::transferCall { to, amount });
    Ok(world.attempt(agent, "transfer OCEAN", sent)?.is_some())
}

/// Buy `amount` OCEAN base units from the market (the deployer) for
/// `buyer` and burn them; `false` (the revert recorded) if either step failed.
pub(super) fn buy_and_burn(
    world: &mut World,
    agent: &str,
    buyer: Address,
    amount: U256,
) -> anyhow::Result<bool> {
    if !transfer(world, agent, GOD, buyer, amount)? {
        return Ok(false);
    }
    let token = state(world)?.ocean.address;
    let burned = world.chain.send(buyer, token, &OceanToken::burnCall { amount });
    Ok(world.attempt(agent, "burn OCEAN", burned)?.is_some())
}

/// `who`'s OCEAN balance in base units.
pub(super) fn balance(world: &mut World, who: Address) -> anyhow::Result<U256> {
    let ocean = state(world)?.ocean;
    Ok(ocean.balance_of(&mut world.chain, who)?)
}

/// The OCEAN supply on chain, in tokens.
pub(super) fn supply(world: &mut World) -> anyhow::Result<f64> {
    let ocean = state(world)?.ocean;
    Ok(from_base18(ocean.total_supply(&mut world.chain)?))
}
