//! [`SimEngine`]: ticks of simulated time. Each tick every agent steps once,
//! in an order shuffled by the run's seeded stream (unless shuffling is off),
//! agents created during the tick join after it, then the chain mines one
//! block `tick_seconds` later, the tick's logs join the world's event log and
//! each model's after-tick hook runs, then the caller's ([`SimEngine::run_with`]:
//! the CLI writes the tick's transactions to a trace there, so the engine
//! itself never touches a file); KPIs are sampled every `log_every` ticks:
//! the models' columns, the core's, then the agents'.
//!
//! # State
//! The engine owns the [`World`] (and through it the chain) and the agents,
//! kept in a `Vec` in netlist order. Nothing here reads the wall clock.
//!
//! # Errors
//! A reverted action is recorded by the agent in the world and the run goes
//! on. Any other failure stops the run with an error naming the agent and the
//! tick; rows already delivered to the KPI sink stay delivered.

mod observe;

pub use observe::{describe, split_comparison, Check, Invariant, Kpi, Observers, OnFail, Violation};

use crate::agents::{Agent, SimRng};
use crate::chain::Backend;
use crate::models::ModelRun;
use crate::world::World;
use anyhow::Context;
use std::collections::BTreeMap;
use std::ops::Range;

/// The clock and seed of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimClock {
    /// Seconds per tick (> 0).
    pub tick_seconds: u64,
    /// Number of ticks (> 0).
    pub ticks: u64,
    /// Sample KPIs every this many ticks (> 0); the last tick is always sampled.
    pub log_every: u64,
    /// Shuffle the agents' order every tick.
    pub shuffle: bool,
}

/// The core's KPI columns: reverted actions and gas used so far. A model may
/// place them in its own block of columns; otherwise they come after the models'.
pub const CORE_COLUMNS: [&str; 2] = ["global.reverts", "global.gas_used"];

/// A run in progress.
#[derive(Debug)]
pub struct SimEngine {
    clock: SimClock,
    world: World,
    agents: Vec<Box<dyn Agent>>,
    order_rng: SimRng,
    columns: Vec<String>,
    /// Each model's hooks and the range of its columns.
    models: Vec<(Box<dyn ModelRun>, Range<usize>)>,
    /// Position of each core column not placed by a model.
    core_slots: Vec<(usize, usize)>,
    /// Per agent (same order as `agents`), the position of each of its KPI
    /// columns in `columns`; filled as agents first get sampled.
    agent_slots: Vec<Vec<Option<usize>>>,
    /// The netlist's KPI expressions and invariants (their columns come last).
    observers: Observers,
    /// Position of each column by name.
    index: BTreeMap<String, usize>,
    /// The agents' order of the current tick.
    order: Vec<usize>,
    /// The next tick to run.
    next_tick: u64,
}

/// One tick run by [`SimEngine::step`].
#[derive(Debug, Clone, PartialEq)]
pub struct Stepped {
    /// The tick.
    pub tick: u64,
    /// Its simulated time, in seconds from the start.
    pub time_s: u64,
    /// The KPI row, when the tick was sampled ([`SimEngine::columns`] order).
    pub values: Option<Vec<f64>>,
    /// Why an invariant stopped the run at this tick, if one did.
    pub stopped: Option<String>,
}

/// What a finished run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Ticks run (fewer than planned when the run was stopped).
    pub ticks: u64,
    /// Rows sampled.
    pub rows: u64,
    /// Reverted actions.
    pub reverts: usize,
    /// The models' counts (`pools`), in model order.
    pub counts: Vec<(&'static str, u64)>,
    /// Why the run stopped early: a violated invariant with `on_fail = "stop"`.
    pub stopped: Option<String>,
}

/// A sampled row kept in memory: the tick and the values in column order.
pub type SampledRow = (u64, Vec<f64>);

impl SimEngine {
    /// An engine over `world` (its models set up: `models` are their hooks)
    /// with `agents` in netlist order; `later_columns` are columns of agents
    /// created later (pool slots).
    pub fn new(
        clock: SimClock,
        world: World,
        agents: Vec<Box<dyn Agent>>,
        models: Vec<Box<dyn ModelRun>>,
        later_columns: Vec<String>,
        observers: Observers,
    ) -> Self {
        let mut columns: Vec<String> = Vec::new();
        let mut ranges = Vec::with_capacity(models.len());
        for model in models {
            let start = columns.len();
            columns.extend(model.columns());
            ranges.push((model, start..columns.len()));
        }
        let mut core_slots = Vec::new();
        for (which, name) in CORE_COLUMNS.iter().enumerate() {
            if !columns.iter().any(|c| c == name) {
                core_slots.push((which, columns.len()));
                columns.push((*name).to_string());
            }
        }
        for agent in &agents {
            columns.extend(agent.kpi_columns());
        }
        columns.extend(later_columns);
        columns.extend(observers.columns());
        let order_rng = SimRng::derive(world.seed, "engine:order");
        let index = columns.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
        Self {
            clock,
            world,
            agents,
            order_rng,
            columns,
            models: ranges,
            core_slots,
            agent_slots: Vec::new(),
            observers,
            index,
            order: Vec::new(),
            next_tick: 0,
        }
    }

    /// KPI column names, in CSV order (without `tick` and `time_s`).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The world (for inspection after a run).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world, mutably (benchmarks take the recorded transactions).
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// Run every tick and keep every sampled row in memory: `(tick, values)`
    /// in [`SimEngine::columns`] order (for tests, notebooks and short runs;
    /// [`SimEngine::run`] streams instead).
    pub fn run_to_rows(&mut self) -> anyhow::Result<(RunSummary, Vec<SampledRow>)> {
        let mut rows = Vec::new();
        let summary = self.run(
            |tick, _, values| {
                rows.push((tick, values.to_vec()));
                Ok(())
            },
            |_| true,
        )?;
        Ok((summary, rows))
    }

    /// Run every tick, handing each sampled row to `sink(tick, time_s, values)`
    /// and calling `progress(tick)` after every tick; when `progress` returns
    /// false the run stops there (after that tick's row, if it had one).
    pub fn run(
        &mut self,
        sink: impl FnMut(u64, u64, &[f64]) -> anyhow::Result<()>,
        progress: impl FnMut(u64) -> bool,
    ) -> anyhow::Result<RunSummary> {
        self.run_with(sink, progress, |_, _| Ok(()))
    }

    /// [`SimEngine::run`], also calling `after_tick(tick, world)` once per
    /// tick, when every transaction of the tick has committed (after the
    /// models' hooks, before invariants and KPI sampling): a caller reads
    /// what the tick did there (`tsp run --trace` takes the chain's
    /// journal). An error from it stops the run. A run continues from the
    /// ticks already stepped ([`SimEngine::step`]).
    pub fn run_with(
        &mut self,
        mut sink: impl FnMut(u64, u64, &[f64]) -> anyhow::Result<()>,
        mut progress: impl FnMut(u64) -> bool,
        mut after_tick: impl FnMut(u64, &mut World) -> anyhow::Result<()>,
    ) -> anyhow::Result<RunSummary> {
        let mut rows = 0;
        while self.next_tick < self.clock.ticks {
            let tick = self.next_tick;
            let stepped = self.step_with(&mut after_tick)?;
            if let Some(values) = &stepped.values {
                sink(tick, stepped.time_s, values)?;
                rows += 1;
            }
            if stepped.stopped.is_some() {
                return Ok(self.summary(rows, stepped.stopped));
            }
            if !progress(tick) {
                break;
            }
        }
        Ok(self.summary(rows, None))
    }

    /// The next tick to run (the number of ticks run so far).
    pub fn next_tick(&self) -> u64 {
        self.next_tick
    }

    /// Whether every planned tick has run.
    pub fn finished(&self) -> bool {
        self.next_tick >= self.clock.ticks
    }

    /// Run one tick (a caller stepping the run itself: notebooks, the Gym
    /// environment); [`SimEngine::run_with`] is a loop of these.
    pub fn step(&mut self) -> anyhow::Result<Stepped> {
        self.step_with(&mut |_, _| Ok(()))
    }

    fn step_with(
        &mut self,
        after_tick: &mut dyn FnMut(u64, &mut World) -> anyhow::Result<()>,
    ) -> anyhow::Result<Stepped> {
        let tick = self.next_tick;
        if tick >= self.clock.ticks {
            anyhow::bail!("the run has ended: all {} ticks ran", self.clock.ticks);
        }
        self.world.tick = tick;
        self.order.clear();
        self.order.extend(0..self.agents.len());
        if self.clock.shuffle {
            self.order_rng.shuffle(&mut self.order);
        }
        let mut stopped = None;
        let each_turn = self.observers.checks_actions();
        for &i in &self.order {
            let agent = &mut self.agents[i];
            agent.step(&mut self.world).with_context(|| format!("agent {}, tick {tick}", agent.name()))?;
            if each_turn && stopped.is_none() {
                stopped = self.observers.check(&mut self.world, Some(agent.name())).with_context(|| {
                    format!("checking invariants after agent {}, tick {tick}", agent.name())
                })?;
            }
        }
        self.agents.append(&mut self.world.spawned);
        self.world.chain.advance(self.clock.tick_seconds);
        self.world.sync_events();
        for (model, _) in &mut self.models {
            model.after_tick(&mut self.world).with_context(|| format!("model hooks at tick {tick}"))?;
        }
        after_tick(tick, &mut self.world)?;
        if stopped.is_none() && !self.observers.invariants.is_empty() {
            stopped = self
                .observers
                .check(&mut self.world, None)
                .with_context(|| format!("checking invariants at tick {tick}"))?;
        }
        let last = tick + 1 == self.clock.ticks || stopped.is_some();
        let values = if tick.is_multiple_of(self.clock.log_every) || last {
            Some(self.sample().with_context(|| format!("sampling KPIs at tick {tick}"))?)
        } else {
            None
        };
        self.world.events.compact();
        self.next_tick = tick + 1;
        Ok(Stepped { tick, time_s: tick * self.clock.tick_seconds, values, stopped })
    }

    /// The KPI row of this moment, in [`SimEngine::columns`] order, whether
    /// or not the tick is sampled (views only: the run is not changed).
    pub fn sample_now(&mut self) -> anyhow::Result<Vec<f64>> {
        self.sample()
    }

    fn summary(&self, rows: u64, stopped: Option<String>) -> RunSummary {
        let counts = self.models.iter().flat_map(|(model, _)| model.summary(&self.world)).collect();
        RunSummary { ticks: self.next_tick, rows, reverts: self.world.reverts.len(), counts, stopped }
    }

    fn sample(&mut self) -> anyhow::Result<Vec<f64>> {
        let mut values = vec![f64::NAN; self.columns.len()];
        for (model, range) in &mut self.models {
            model.sample(&mut self.world, &mut values[range.clone()])?;
        }
        for &(which, slot) in &self.core_slots {
            values[slot] = match which {
                0 => self.world.revert_count() as f64,
                _ => self.world.chain.gas_used_total() as f64,
            };
        }
        for agent in &self.agents[self.agent_slots.len()..] {
            let names = agent.kpi_columns();
            self.agent_slots.push(names.iter().map(|name| self.index.get(name).copied()).collect());
        }
        for (agent, slots) in self.agents.iter().zip(&self.agent_slots) {
            let sampled = agent.sample(&mut self.world).with_context(|| format!("agent {}", agent.name()))?;
            for (&slot, value) in slots.iter().zip(sampled) {
                if let Some(i) = slot {
                    values[i] = value;
                }
            }
        }
        let observed = self.observers.sample(&mut self.world)?;
        let start = values.len() - observed.len();
        values[start..].copy_from_slice(&observed);
        Ok(values)
    }

    /// The invariant violations recorded so far (the first 100).
    pub fn violations(&self) -> &[Violation] {
        self.observers.violations()
    }

    /// Each model's hooks (run.json asks them for code hashes).
    pub fn models_and_world(&mut self) -> (impl Iterator<Item = &dyn ModelRun>, &mut World) {
        (self.models.iter().map(|(m, _)| m.as_ref()), &mut self.world)
    }
}
