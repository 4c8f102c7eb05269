//! What the search attacks: [`Target`], any function from a sequence of
//! moves to a profit, and [`WorldTarget`], a world frozen at the moment of
//! the attack where each candidate runs as a what-if.
//!
//! # State
//! The world is never changed by a candidate: the chain runs it in a
//! what-if (revm's journal, discarded at the end) and the world's own
//! records (reverts, counters, events, models' state) are put back.

use super::search::Move;
use crate::agents::action::Step;
use crate::agents::{ActionAgent, Agent, Funding, SimRng};
use crate::chain::SimChain;
use crate::script::{Env, Library, Origin, Script};
use crate::world::{World, WorldHost};
use alloy_primitives::Address;
use std::sync::Arc;

/// A function from a sequence of moves to the attacker's profit.
pub trait Target {
    /// How many actions a move may choose from.
    fn actions(&self) -> usize;
    /// The attacker's profit (net worth after the moves and the unwind,
    /// minus before) in the numeraire.
    fn profit(&mut self, moves: &[Move]) -> anyhow::Result<f64>;
}

/// One step of a replayed sequence.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// The revert label when the step reverted.
    pub reverted: Option<String>,
    /// The attacker's net worth after the step.
    pub value: f64,
}

/// A replayed sequence.
#[derive(Debug, Clone)]
pub struct Replay {
    /// Each step's outcome: the moves, then the unwind steps.
    pub steps: Vec<StepOutcome>,
    /// The attacker's profit.
    pub profit: f64,
    /// What every other named account lost (positive) or gained, by name.
    pub losses: Vec<(String, f64)>,
}

/// A world at the moment of an attack, the attacker's actions and its valuation.
#[derive(Debug)]
pub struct WorldTarget<'a> {
    world: &'a mut World,
    actions: Vec<Step>,
    unwind: Vec<Step>,
    value: Script,
    /// The valuation's source and library, to value accounts other than the attacker.
    valuation: (String, Origin, Option<Library>),
    attacker: Address,
    /// The attacker's name (its address and stream derive from it).
    name: String,
    rng: SimRng,
    base: f64,
    reverts: std::collections::BTreeMap<String, u64>,
}

impl<'a> WorldTarget<'a> {
    /// A target on `world` (embedded chain only) for the attacker called
    /// `name`, choosing among `actions` (amounts through the parameter
    /// `x`), then running `unwind`, valued by the expression `value` (its
    /// `self` the account valued; `library` the netlist's functions).
    pub fn new(
        world: &'a mut World,
        actions: Vec<Step>,
        unwind: Vec<Step>,
        value: (&str, Origin, Option<&Library>),
        name: &str,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            matches!(world.chain, SimChain::Embedded(_)),
            "an attack searches on the embedded chain (what-ifs on a node would be too slow)"
        );
        let rng = SimRng::derive(world.seed, name);
        let attacker = crate::chain::address_for(name);
        let (source, origin, library) = value;
        let valuation = (source.to_string(), origin, library.cloned());
        let value = compile(source, &valuation.1, library)?;
        let mut target = Self {
            world,
            actions,
            unwind,
            value,
            valuation,
            attacker,
            name: name.to_owned(),
            rng,
            base: 0.0,
            reverts: Default::default(),
        };
        target.base = target.value_of(attacker)?;
        Ok(target)
    }

    /// Reverted steps of every candidate so far, by action and reason.
    pub fn reverts(&self) -> &std::collections::BTreeMap<String, u64> {
        &self.reverts
    }

    /// The attacker's net worth before the attack.
    pub fn base(&self) -> f64 {
        self.base
    }

    /// The attacker's net worth, by the attack's valuation.
    fn attacker_value(&mut self) -> anyhow::Result<f64> {
        let mut host = WorldHost::agent(self.world, self.attacker, &mut self.rng);
        let value = self.value.eval(&mut Env::new(), &mut host)?;
        Ok(crate::script::to_f64(&value, 18).map_err(|e| self.value.error_at_runtime(e))?)
    }

    /// The net worth of any account, by the attack's valuation with `self`
    /// written as its address (a contract cannot be the sender of the
    /// valuation's calls, as an agent's `self` is).
    pub fn value_of(&mut self, who: Address) -> anyhow::Result<f64> {
        if who == self.attacker {
            return self.attacker_value();
        }
        let (source, origin, library) = &self.valuation;
        let source = super::netlist::replace_word(source, "self", &format!("addr(\"{who}\")"));
        let script = compile(&source, origin, library.as_ref())?;
        let value = script.eval(&mut Env::new(), &mut WorldHost::observer(self.world))?;
        Ok(crate::script::to_f64(&value, 18).map_err(|e| script.error_at_runtime(e))?)
    }

    /// The net worth of every named account (agents, contracts) but the attacker.
    fn book_values(&mut self) -> anyhow::Result<Vec<(String, f64)>> {
        let entries: Vec<(String, Address)> =
            self.world.book.entries().iter().map(|e| (e.name.clone(), e.address)).collect();
        let mut values = Vec::with_capacity(entries.len());
        for (name, address) in entries {
            if address != self.attacker {
                values.push((name, self.value_of(address)?));
            }
        }
        Ok(values)
    }

    /// Run `moves` then the unwind in a what-if; `observe` sees the world
    /// after each step (moves first, then unwind steps) and whether it reverted.
    fn run(
        &mut self,
        moves: &[Move],
        mut observe: impl FnMut(&mut Self, Option<String>) -> anyhow::Result<()>,
    ) -> anyhow::Result<f64> {
        let saved = Saved::take(self.world);
        let SimChain::Embedded(chain) = &mut self.world.chain else { unreachable!("checked in new") };
        let started = chain.begin_what_if();
        let result = (|| {
            for (step, x) in self.sequence(moves) {
                let reverted = self.perform(step, x)?;
                observe(self, reverted)?;
            }
            Ok(self.attacker_value()? - self.base)
        })();
        if let SimChain::Embedded(chain) = &mut self.world.chain {
            chain.end_what_if(started);
        }
        saved.put_back(self.world);
        result
    }

    /// One step as the attacker, its amounts at `x`; the revert label if it reverted.
    fn perform(&mut self, step: Step, x: f64) -> anyhow::Result<Option<String>> {
        let mut params = toml::Table::new();
        params.insert("x".into(), toml::Value::Float(x));
        let env = Env::from_tables(&params, &toml::Table::new()).map_err(anyhow::Error::msg)?;
        let mut agent =
            ActionAgent::new(&self.name, env, Arc::from(vec![step]), Funding::default(), self.world.seed);
        let before = self.world.reverts.len();
        agent.step(self.world)?;
        let reverted =
            self.world.reverts.get(before).map(|r| (r.action.clone(), self.world.revert_label(&r.reason)));
        Ok(reverted.map(|(action, label)| {
            *self.reverts.entry(format!("{action}: {label}")).or_default() += 1;
            label
        }))
    }

    /// The steps of `moves` with their amounts, then the unwind steps.
    fn sequence(&self, moves: &[Move]) -> Vec<(Step, f64)> {
        let chosen = moves.iter().map(|m| (self.actions[m.action].clone(), m.x));
        chosen.chain(self.unwind.iter().map(|s| (s.clone(), 0.0))).collect()
    }

    /// Carry out `moves` then the unwind for real (no what-if): the world
    /// keeps their effects; returns the attacker's profit.
    pub fn execute(&mut self, moves: &[Move]) -> anyhow::Result<f64> {
        for (step, x) in self.sequence(moves) {
            self.perform(step, x)?;
        }
        Ok(self.attacker_value()? - self.base)
    }

    /// Replay `moves`: each step's outcome (moves, then unwind), the profit,
    /// and what every other named account lost (positive) or gained.
    pub fn replay(&mut self, moves: &[Move]) -> anyhow::Result<Replay> {
        let before = self.book_values()?;
        let mut rows = Vec::new();
        let mut after = Vec::new();
        let total = moves.len() + self.unwind.len();
        let profit = self.run(moves, |target, reverted| {
            let value = target.attacker_value()?;
            rows.push(StepOutcome { reverted, value });
            if rows.len() == total {
                after = target.book_values()?;
            }
            Ok(())
        })?;
        if total == 0 {
            after.clone_from(&before);
        }
        let losses = before.into_iter().zip(after).map(|((name, b), (_, a))| (name, b - a)).collect();
        Ok(Replay { steps: rows, profit, losses })
    }
}

impl Target for WorldTarget<'_> {
    fn actions(&self) -> usize {
        self.actions.len()
    }

    fn profit(&mut self, moves: &[Move]) -> anyhow::Result<f64> {
        self.run(moves, |_, _| Ok(()))
    }
}

/// The valuation expression, with the netlist's library.
pub(super) fn compile(source: &str, origin: &Origin, library: Option<&Library>) -> anyhow::Result<Script> {
    let script = Script::expression(source, origin.clone())?;
    Ok(match library {
        Some(library) => script.with_library(library),
        None => script,
    })
}

/// The world's own records a candidate may change, to put back after it.
struct Saved {
    reverts: usize,
    reverts_by_reason: std::collections::BTreeMap<String, u64>,
    counters: std::collections::BTreeMap<String, f64>,
    events: crate::world::EventLog,
    extensions: crate::world::Extensions,
}

impl Saved {
    fn take(world: &World) -> Self {
        Self {
            reverts: world.reverts.len(),
            reverts_by_reason: world.reverts_by_reason.clone(),
            counters: world.counters.clone(),
            events: world.events.clone(),
            extensions: world.extensions.clone(),
        }
    }

    fn put_back(self, world: &mut World) {
        world.reverts.truncate(self.reverts);
        world.reverts_by_reason = self.reverts_by_reason;
        world.counters = self.counters;
        world.events = self.events;
        world.extensions = self.extensions;
        world.spawned.clear();
    }
}
