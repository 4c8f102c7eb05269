//! The two-market-maker game in a netlist and in a run: the configuration
//! (the `[two_makers]` table, solved by backward induction when the netlist
//! loads), the checks on the makers, set-up (`TwoMakerMarket` deployed as
//! `@market` with the starting point), the clock that advances the market
//! after both makers moved, the makers themselves, and the KPI columns.
//!
//! Timing: tick 0 records the starting point; step k of the game is played
//! at tick k + 1 (both makers call `moveStake`, then the model's clock calls
//! `advance`), so a run of `steps + 1` ticks plays the whole game and later
//! ticks change nothing.
//!
//! # State
//! Stakes, fee and step live on chain; [`MakersState`] in the world keeps
//! the market's address, the solved policies and each maker's running gain.
//!
//! # Errors
//! A maker named in `[two_makers] makers` that is not an `equilibrium_maker`
//! of the netlist is refused at load; a revert of a move or of `advance` is
//! recorded like any agent's revert (it never happens when the game is
//! played as set up).

use super::game::{GameParams, Solution, State};
use super::table::MakersTable;
use crate::agents::Agent;
use crate::artifacts::{deploy_own, own_artifact};
use crate::chain::{address_for, Backend, GOD};
use crate::models::{AgentSpec, ModelConfig, ModelRun};
use crate::wallet::{from_base18, to_base18};
use crate::world::{EntryKind, World};
use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::sol;
use anyhow::{bail, Context};
use std::collections::BTreeMap;
use std::sync::Arc;

sol!(
    #[allow(missing_docs)]
    #[derive(Debug)]
    TwoMakerMarket,
    "out/TwoMakerMarket.sol/TwoMakerMarket.json"
);

/// The agent type of the two makers.
pub const MAKER_TYPE: &str = "equilibrium_maker";

/// The model's KPI columns, in [`ModelRun::sample`] order.
pub const COLUMNS: [&str; 4] = ["market.step", "market.fee", "market.total_stake", "global.reverts"];

/// What the run keeps of the game besides the chain.
#[derive(Debug, Clone)]
pub struct MakersState {
    /// The `TwoMakerMarket` contract.
    pub market: Address,
    /// The makers' agent names: maker 0, maker 1.
    pub makers: [String; 2],
    /// The equilibrium policies.
    pub solution: Arc<Solution>,
    /// Each maker's gain so far: the sum over played steps of dt * gain_i(t_k, x_(k+1)).
    pub gains: [f64; 2],
}

fn makers_state(world: &World) -> anyhow::Result<&MakersState> {
    world.extensions.get::<MakersState>().context("the two_makers model was not set up")
}

/// The step played so far and the state, read from the contract.
fn read_market(world: &mut World) -> anyhow::Result<(usize, State)> {
    let market = makers_state(world)?.market;
    let chain = &mut world.chain;
    let step = chain.view(market, &TwoMakerMarket::stepCall {})?;
    let stake = |chain: &mut crate::chain::SimChain, i: u64| -> anyhow::Result<f64> {
        Ok(from_base18(chain.view(market, &TwoMakerMarket::stakeCall { i: U256::from(i) })?))
    };
    let stakes = [stake(chain, 0)?, stake(chain, 1)?];
    let fee = from_base18(chain.view(market, &TwoMakerMarket::feeCall {})?);
    Ok((usize::try_from(step).unwrap_or(usize::MAX), State { stakes, fee }))
}

/// The model as a netlist configures it: the table and its solution.
#[derive(Debug, Clone)]
pub struct MakersConfig {
    /// `[two_makers]`.
    pub table: MakersTable,
    /// The policies, solved when the netlist loads.
    pub solution: Arc<Solution>,
}

impl MakersConfig {
    /// Check the table and solve the game.
    pub fn new(table: MakersTable) -> Self {
        let solution = Arc::new(Solution::solve(&table.game));
        Self { table, solution }
    }
}

fn wad(what: &str, value: f64) -> anyhow::Result<String> {
    Ok(to_base18(value).map_err(|e| anyhow::anyhow!("[two_makers] {what} = {value}: {e}"))?.to_string())
}

impl ModelConfig for MakersConfig {
    fn check(&self, agents: &[AgentSpec], _ticks: u64, _tick_seconds: u64) -> anyhow::Result<()> {
        for maker in &self.table.makers {
            match agents.iter().find(|a| &a.name == maker) {
                Some(agent) if agent.kind == MAKER_TYPE => {}
                Some(agent) => bail!(
                    "[two_makers] makers names {maker:?}, a {}; it must be an agent of type {MAKER_TYPE}",
                    agent.kind
                ),
                None => bail!(
                    "[two_makers] makers names {maker:?}, which the netlist does not define (add an [[agent]] of type {MAKER_TYPE})"
                ),
            }
        }
        if let Some(extra) =
            agents.iter().find(|a| a.kind == MAKER_TYPE && !self.table.makers.contains(&a.name))
        {
            bail!(
                "agent {:?} is an {MAKER_TYPE} but not one of [two_makers] makers = {:?}",
                extra.name,
                self.table.makers
            );
        }
        Ok(())
    }

    fn setup(&self, world: &mut World) -> anyhow::Result<()> {
        let t = &self.table;
        let [maker0, maker1] = t.makers.clone().map(|name| address_for(&name).to_string());
        let args = [
            maker0,
            maker1,
            GOD.to_string(),
            wad("m", t.game.m)?,
            wad("gamma", t.game.gamma)?,
            wad("max_stake", t.game.max_stake)?,
            t.game.steps.to_string(),
            wad("start_stakes", t.start_stakes[0])?,
            wad("start_stakes", t.start_stakes[1])?,
            wad("start_fee", t.start_fee)?,
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let market = deploy_own(&mut world.chain, "TwoMakerMarket", &args)?;
        let abi = own_artifact("TwoMakerMarket").ok().map(|a| Arc::new(a.abi));
        if let Some(abi) = &abi {
            world.abis.add("TwoMakerMarket", abi);
        }
        let entry = EntryKind::Contract { artifact: Some("TwoMakerMarket".to_string()) };
        if let Err(taken) = world.book.insert("market", market, entry, abi) {
            bail!("the two_makers model names its market \"market\", but \"market\" is already {taken}");
        }
        world.extensions.insert(MakersState {
            market,
            makers: t.makers.clone(),
            solution: Arc::clone(&self.solution),
            gains: [0.0; 2],
        });
        Ok(())
    }

    fn hooks(&self) -> Box<dyn ModelRun> {
        Box::new(MakersRun)
    }

    fn manifest(&self) -> serde_json::Value {
        serde_json::json!({ "table": self.table, "grid_states_without_pure_equilibrium": self.solution.fallbacks })
    }

    fn label(&self) -> Option<String> {
        None
    }
}

/// The clock of a run: advances the market after each tick from tick 1, and the market's KPIs.
#[derive(Debug)]
struct MakersRun;

impl ModelRun for MakersRun {
    fn columns(&self) -> Vec<String> {
        COLUMNS.iter().map(|c| c.to_string()).collect()
    }

    /// From tick 1, while the game lasts: advance the market (both makers'
    /// moves take effect) and add each maker's gain of the step.
    fn after_tick(&mut self, world: &mut World) -> anyhow::Result<()> {
        let (k, _) = read_market(world)?;
        let (market, params) = {
            let state = makers_state(world)?;
            (state.market, state.solution.params.clone())
        };
        if world.tick == 0 || k >= params.steps {
            return Ok(());
        }
        let advanced = world.chain.send(GOD, market, &TwoMakerMarket::advanceCall {});
        if world.attempt("two_makers clock", "advance", advanced)?.is_none() {
            return Ok(());
        }
        let (_, after) = read_market(world)?;
        let gains = step_gains(&params, k, after);
        let state =
            world.extensions.get_mut::<MakersState>().context("the two_makers model was not set up")?;
        for (total, gain) in state.gains.iter_mut().zip(gains) {
            *total += gain;
        }
        Ok(())
    }

    fn sample(&mut self, world: &mut World, out: &mut [f64]) -> anyhow::Result<()> {
        let (step, x) = read_market(world)?;
        let values = [step as f64, x.fee, x.stakes[0] + x.stakes[1], world.revert_count() as f64];
        out[..values.len()].copy_from_slice(&values);
        Ok(())
    }

    fn summary(&self, _world: &World) -> Vec<(&'static str, u64)> {
        Vec::new()
    }

    fn code_hashes(&self, world: &mut World) -> anyhow::Result<BTreeMap<String, B256>> {
        let market = makers_state(world)?.market;
        let code = world.chain.code(market)?;
        Ok(BTreeMap::from([("TwoMakerMarket".to_string(), alloy_primitives::keccak256(code))]))
    }
}

/// Both makers' gains of step `k`, which ended in state `after`.
fn step_gains(params: &GameParams, k: usize, after: State) -> [f64; 2] {
    let t = k as f64 * params.dt();
    [0, 1].map(|i| params.dt() * params.gain(i, t, after))
}

/// `type = "equilibrium_maker"`: no parameters.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakerConfig {}

impl crate::agents::AgentConfig for MakerConfig {
    fn build(&self, name: &str, _tick_seconds: u64, _seed: u64) -> anyhow::Result<Box<dyn Agent>> {
        Ok(Box::new(Maker { name: name.to_string(), address: address_for(name) }))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A maker: each step, reads the market, solves the step's stage game at
/// that state and plays its part of the equilibrium.
#[derive(Debug)]
struct Maker {
    name: String,
    address: Address,
}

impl Maker {
    /// Which maker it is (0 or 1).
    fn index(&self, world: &World) -> anyhow::Result<usize> {
        let makers = &makers_state(world)?.makers;
        makers
            .iter()
            .position(|m| *m == self.name)
            .with_context(|| format!("agent {:?} is not one of [two_makers] makers = {makers:?}", self.name))
    }
}

impl Agent for Maker {
    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        let (k, x) = read_market(world)?;
        let state = makers_state(world)?;
        if world.tick == 0 || k >= state.solution.params.steps {
            return Ok(());
        }
        let (market, i) = (state.market, self.index(world)?);
        let direction = state.solution.play(k, x).moves[i];
        let moved = world.chain.send(self.address, market, &TwoMakerMarket::moveStakeCall { direction });
        world.attempt(&self.name, "moveStake", moved)?;
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        ["stake", "volume", "gain", "value"].iter().map(|q| format!("maker.{}.{q}", self.name)).collect()
    }

    /// Its stake, its volume per unit of time, its gain so far and the
    /// value of the game to it from here (its equilibrium payoff of the remaining steps).
    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        let (k, x) = read_market(world)?;
        let i = self.index(world)?;
        let state = makers_state(world)?;
        let volume = state.solution.params.volumes(x)[i];
        let value = state.solution.play(k, x).values[i];
        Ok(vec![x.stakes[i], volume, state.gains[i], value])
    }

    fn address(&self) -> Option<Address> {
        Some(self.address)
    }
}
