//! [`World`]: what agents see and act on during a tick — the chain, the
//! address book of every named contract and agent, the log of committed
//! events, generic counters and the reverts of the run. It knows no
//! protocol: a model keeps its own state in [`World::extensions`].
//!
//! # State
//! The world owns the chain. Logs of committed transactions move from the
//! chain into [`World::events`] when [`World::sync_events`] runs (the engine
//! calls it after every tick; readers may call it sooner).
//!
//! # Errors
//! A revert of an agent's action is recorded by [`World::attempt`] (agent,
//! tick, reason) and is not an error; any other chain failure is.

mod book;
mod events;
mod extensions;
mod host;
mod reader;
mod series;

pub use book::{AddressBook, Entry, EntryKind};
pub use events::{EventEntry, EventLog, ReaderId};
pub use extensions::Extensions;
pub use host::WorldHost;
pub use reader::BalanceReader;
pub use series::{Series, SeriesSpec};

use crate::abi::AbiRegistry;
use crate::agents::Agent;
use crate::chain::{Backend, ChainError, RevertReason, SimChain, ViewStamp, GOD};
use crate::wallet::{from_base18, Erc20};
use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use std::collections::BTreeMap;

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

/// The state shared by all agents of a run.
#[derive(Debug)]
pub struct World {
    /// The chain (embedded EVM or a node).
    pub chain: SimChain,
    /// Every named contract and agent.
    pub book: AddressBook,
    /// Logs of committed transactions.
    pub events: EventLog,
    /// Generic counters (KPI `counter("name")`), by name.
    pub counters: BTreeMap<String, f64>,
    /// Reverted actions, counted by reason label.
    pub reverts_by_reason: BTreeMap<String, u64>,
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
    /// State that models keep in the world, one value per type.
    pub extensions: Extensions,
    /// The ABIs of every contract the run deployed, for decoding calls,
    /// events and custom errors.
    pub abis: AbiRegistry,
    /// Exogenous series, a value per tick.
    pub series: Series,
    /// Block timestamp when the run started.
    pub start_timestamp: u64,
    /// Running counts and sums of event fields (`event_sum`), by (contract, event, field).
    event_stats: BTreeMap<(Address, alloy_primitives::B256, usize), host::EventStats>,
    /// The `BalanceReader` used on a node to sample many values in one call.
    reader: Option<Address>,
}

impl World {
    /// A world on a fresh `chain`; with `record`, the chain records every EVM
    /// execution from here on (for replays in benchmarks). The deployer
    /// ([`GOD`]) is in the address book as `deployer`.
    pub fn new(seed: u64, tick_seconds: u64, mut chain: SimChain, record: bool) -> Self {
        if record {
            chain.start_recording();
        }
        let mut book = AddressBook::default();
        // A fresh book: the first name cannot clash.
        let _ = book.insert("deployer", GOD, EntryKind::Account, None);
        let start_timestamp = chain.timestamp();
        Self {
            chain,
            book,
            events: EventLog::default(),
            counters: BTreeMap::new(),
            reverts_by_reason: BTreeMap::new(),
            reverts: Vec::new(),
            tick: 0,
            tick_seconds,
            seed,
            spawned: Vec::new(),
            extensions: Extensions::default(),
            abis: AbiRegistry::new(),
            series: Series::default(),
            start_timestamp,
            event_stats: BTreeMap::new(),
            reader: None,
        }
    }

    /// Deploy the simulator's batch reader and start keeping committed logs;
    /// done once, after the models' system contracts are deployed.
    pub fn finish_setup(&mut self) -> anyhow::Result<()> {
        self.reader = Some(crate::artifacts::deploy_own(&mut self.chain, "BalanceReader", &[])?);
        self.chain.keep_logs(true);
        Ok(())
    }

    /// A copy of this world, set up and not yet run, to start another run
    /// from (the chain forked, names, events, ABIs and model state cloned),
    /// with its own seed; an error on a node, whose state cannot be copied.
    pub fn fork(&self, seed: u64) -> anyhow::Result<Self> {
        anyhow::ensure!(
            self.tick == 0 && self.spawned.is_empty(),
            "only a world that has not run can be forked"
        );
        Ok(Self {
            chain: self.chain.fork()?,
            book: self.book.clone(),
            events: self.events.clone(),
            counters: self.counters.clone(),
            reverts_by_reason: self.reverts_by_reason.clone(),
            reverts: self.reverts.clone(),
            tick: 0,
            tick_seconds: self.tick_seconds,
            seed,
            spawned: Vec::new(),
            extensions: self.extensions.clone(),
            abis: self.abis.clone(),
            series: self.series.clone(),
            start_timestamp: self.start_timestamp,
            event_stats: self.event_stats.clone(),
            reader: self.reader,
        })
    }

    /// Days of simulated time since the start.
    pub fn days(&self) -> f64 {
        (self.tick * self.tick_seconds) as f64 / 86_400.0
    }

    /// Reverted actions so far.
    pub fn revert_count(&self) -> u64 {
        self.reverts_by_reason.values().sum()
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
                *self.reverts_by_reason.entry(self.revert_label(&reason)).or_default() += 1;
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

    /// A short label of a revert for counting by reason: the message, the
    /// panic code, or a custom error's name decoded from the run's ABIs.
    pub fn revert_label(&self, reason: &RevertReason) -> String {
        match reason {
            RevertReason::Custom(_) => {
                let described = self.abis.describe_revert(None, reason);
                described.split('(').next().unwrap_or(&described).to_string()
            }
            _ => reason.label(),
        }
    }

    /// A revert in full: a custom error with its arguments, decoded from the run's ABIs.
    pub fn describe_revert(&self, reason: &RevertReason) -> String {
        self.abis.describe_revert(None, reason)
    }

    /// Move the chain's new committed logs into [`World::events`].
    pub fn sync_events(&mut self) {
        let logs = self.chain.take_logs();
        if !logs.is_empty() {
            self.events.push(self.tick, logs);
        }
    }

    /// Balance of `token` held by `who`, in tokens (18 decimals).
    pub fn balance(&mut self, token: Address, who: Address) -> anyhow::Result<f64> {
        Ok(from_base18(self.balance_units(token, who)?))
    }

    /// ERC-20 balance of `who` in base units (exact, for selling all of it).
    pub fn balance_units(&mut self, token: Address, who: Address) -> anyhow::Result<U256> {
        Ok(self.chain.view(token, &Erc20::balanceOfCall { who })?)
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
    pub fn read_all(&mut self, calls: impl Iterator<Item = (Address, Bytes)>) -> anyhow::Result<Vec<Bytes>> {
        let reader = match (&self.chain, self.reader) {
            (SimChain::Rpc(_), Some(reader)) => reader,
            _ => {
                let mut results = Vec::with_capacity(calls.size_hint().0);
                for (target, data) in calls {
                    results.push(
                        self.chain.call(Address::ZERO, target, data)?.into_output().unwrap_or_default(),
                    );
                }
                return Ok(results);
            }
        };
        let (targets, data) = calls.unzip();
        Ok(self.chain.view(reader, &BalanceReader::aggregateCall { targets, data })?)
    }

    /// [`World::read_all`] with one stamp for all the results, saying while
    /// they hold ([`SimChain::holds`]), so a caller may keep what it decoded
    /// from them instead of reading again; no stamp on a node or in a what-if.
    pub fn read_stamped(
        &mut self,
        calls: impl Iterator<Item = (Address, Bytes)>,
    ) -> anyhow::Result<(Vec<Bytes>, Option<ViewStamp>)> {
        if matches!(self.chain, SimChain::Rpc(_)) {
            return Ok((self.read_all(calls)?, None));
        }
        let mut results = Vec::with_capacity(calls.size_hint().0);
        let mut joined: Option<Option<ViewStamp>> = None;
        for (target, data) in calls {
            let (receipt, stamp) = self.chain.call_stamped(Address::ZERO, target, data)?;
            results.push(receipt.into_output().unwrap_or_default());
            joined = Some(match (joined, stamp) {
                (None, stamp) => stamp,
                (Some(Some(mut all)), Some(stamp)) => {
                    all.join(&stamp);
                    Some(all)
                }
                _ => None,
            });
        }
        Ok((results, joined.flatten()))
    }
}

/// The first 32-byte word of a call's return data as a base-18 amount, in
/// tokens (0 for shorter data, such as a failed call's).
pub fn first_word(out: &Bytes) -> f64 {
    from_base18(out.get(..32).map_or(U256::ZERO, U256::from_be_slice))
}
