//! [`SimEngine`]: ticks of simulated time. Each tick every agent steps once,
//! in an order shuffled by the run's seeded stream (unless shuffling is off),
//! agents created during the tick join after it, then the chain mines one
//! block `tick_seconds` later; KPIs are sampled every `log_every` ticks.
//!
//! # State
//! The engine owns the [`World`] (and through it the chain) and the agents,
//! kept in a `Vec` in netlist order. Nothing here reads the wall clock.
//!
//! # Errors
//! A reverted action is recorded by the agent in the world and the run goes
//! on. Any other failure stops the run with an error naming the agent and the
//! tick; rows already delivered to the KPI sink stay delivered.

mod criteria;

pub use criteria::{CriteriaConfig, CriteriaTracker, CRITERIA_COLUMNS, PROBED_POOLS};

use crate::agents::{Agent, SimRng, World};
use anyhow::Context;

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

/// Global KPI columns, sampled from the world's counters.
pub const GLOBAL_COLUMNS: [&str; 8] = [
    "global.pools",
    "global.rugged_pools",
    "global.consumes",
    "global.reverts",
    "global.gas_used",
    "global.swap_volume_ocean",
    "global.consume_volume_ocean",
    "global.grants_usd",
];

/// A run in progress.
#[derive(Debug)]
pub struct SimEngine {
    clock: SimClock,
    world: World,
    agents: Vec<Box<dyn Agent>>,
    order_rng: SimRng,
    columns: Vec<String>,
    /// Per agent (same order as `agents`), the position of each of its KPI
    /// columns in `columns`; filled as agents first get sampled.
    agent_slots: Vec<Vec<Option<usize>>>,
    criteria: CriteriaTracker,
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
    /// Pools created.
    pub pools: usize,
}

impl SimEngine {
    /// An engine over `world` with `agents` (in netlist order); `extra_columns`
    /// are columns of agents created later (pool slots).
    pub fn new(
        clock: SimClock,
        world: World,
        agents: Vec<Box<dyn Agent>>,
        extra_columns: Vec<String>,
        criteria: CriteriaConfig,
    ) -> Self {
        let mut columns: Vec<String> = GLOBAL_COLUMNS.iter().map(|c| c.to_string()).collect();
        columns.extend(CRITERIA_COLUMNS.iter().map(|c| c.to_string()));
        for agent in &agents {
            columns.extend(agent.kpi_columns());
        }
        columns.extend(extra_columns);
        let order_rng = SimRng::derive(world.seed, "engine:order");
        Self {
            clock,
            world,
            agents,
            order_rng,
            columns,
            agent_slots: Vec::new(),
            criteria: CriteriaTracker::new(criteria),
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

    /// Run every tick, handing each sampled row to `sink(tick, time_s, values)`
    /// and calling `progress(tick)` after every tick; when `progress` returns
    /// false the run stops there (after that tick's row, if it had one).
    pub fn run(
        &mut self,
        mut sink: impl FnMut(u64, u64, &[f64]) -> anyhow::Result<()>,
        mut progress: impl FnMut(u64) -> bool,
    ) -> anyhow::Result<RunSummary> {
        let mut rows = 0;
        let mut ticks_run = 0;
        let mut order: Vec<usize> = Vec::new();
        let index: std::collections::BTreeMap<String, usize> =
            self.columns.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
        for tick in 0..self.clock.ticks {
            self.world.tick = tick;
            order.clear();
            order.extend(0..self.agents.len());
            if self.clock.shuffle {
                self.order_rng.shuffle(&mut order);
            }
            for &i in &order {
                let agent = &mut self.agents[i];
                agent
                    .step(&mut self.world)
                    .with_context(|| format!("agent {}, tick {tick}", agent.name()))?;
            }
            self.agents.append(&mut self.world.spawned);
            use crate::chain::Backend;
            self.world.chain.advance(self.clock.tick_seconds);
            self.world.index_transfers();
            self.criteria.after_tick(&mut self.world).with_context(|| format!("criteria at tick {tick}"))?;
            let last = tick + 1 == self.clock.ticks;
            if tick % self.clock.log_every == 0 || last {
                let values = self.sample(&index).with_context(|| format!("sampling KPIs at tick {tick}"))?;
                sink(tick, tick * self.clock.tick_seconds, &values)?;
                rows += 1;
            }
            ticks_run = tick + 1;
            if !progress(tick) {
                break;
            }
        }
        Ok(RunSummary {
            ticks: ticks_run,
            rows,
            reverts: self.world.reverts.len(),
            pools: self.world.pools.len(),
        })
    }

    fn sample(&mut self, index: &std::collections::BTreeMap<String, usize>) -> anyhow::Result<Vec<f64>> {
        let mut values = vec![f64::NAN; self.columns.len()];
        let counters = &self.world.counters;
        let globals = [
            self.world.pools.len() as f64,
            self.world.pools.iter().filter(|p| p.rugged).count() as f64,
            counters.consumes as f64,
            counters.reverts.values().sum::<u64>() as f64,
            self.world.chain.gas_used_total() as f64,
            counters.swap_volume_ocean,
            counters.consume_volume_ocean,
            counters.grants_usd,
        ];
        values[..globals.len()].copy_from_slice(&globals);
        let criteria = self.criteria.sample(&mut self.world)?;
        values[globals.len()..globals.len() + criteria.len()].copy_from_slice(&criteria);
        for agent in &self.agents[self.agent_slots.len()..] {
            let names = agent.kpi_columns();
            self.agent_slots.push(names.iter().map(|name| index.get(name).copied()).collect());
        }
        for (agent, slots) in self.agents.iter().zip(&self.agent_slots) {
            let sampled = agent.sample(&mut self.world).with_context(|| format!("agent {}", agent.name()))?;
            for (&slot, value) in slots.iter().zip(sampled) {
                if let Some(i) = slot {
                    values[i] = value;
                }
            }
        }
        Ok(values)
    }
}
