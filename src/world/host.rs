//! [`WorldHost`]: the [`World`] as netlist expressions see it — the address
//! book, read-only calls (a call to an address without code is an error, a
//! revert comes back with its decoded reason), ERC20 and ETH balances, the
//! clock, decoded events and running sums of their fields, series, counters
//! (which agents' expressions may add to), and the acting agent's random stream.

use super::World;
use crate::agents::SimRng;
use crate::chain::{Backend, Outcome};
use crate::script::{Clock, Host};
use alloy_dyn_abi::{DynSolValue, EventExt};
use alloy_json_abi::{Event, JsonAbi};
use alloy_primitives::{Address, Bytes, Log, U256};

/// A running count and sum of one event field, kept by the world.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct EventStats {
    /// Absolute index of the next log to fold in.
    cursor: u64,
    count: u64,
    sum: U256,
}

/// The world seen from one expression: whose `self` it is and whose stream it draws from.
#[derive(Debug)]
pub struct WorldHost<'a> {
    world: &'a mut World,
    this: Option<Address>,
    rng: Option<&'a mut SimRng>,
}

impl<'a> WorldHost<'a> {
    /// The world as an agent sees it: `self` is its EOA, draws come from its stream.
    pub fn agent(world: &'a mut World, this: Address, rng: &'a mut SimRng) -> Self {
        Self { world, this: Some(this), rng: Some(rng) }
    }

    /// The world as a KPI or an invariant sees it: no `self`, no draws.
    pub fn observer(world: &'a mut World) -> Self {
        Self { world, this: None, rng: None }
    }

    fn label(&self, address: Address) -> String {
        self.world.book.name_of(address).map_or_else(|| address.to_string(), |name| format!("@{name}"))
    }
}

/// `event`'s values of `log` in field order, or `None` when the log is another event.
fn decode(event: &Event, log: &Log) -> Option<Result<Vec<DynSolValue>, String>> {
    if event.anonymous || log.data.topics().first() != Some(&event.selector()) {
        return None;
    }
    let decoded = match event.decode_log(&log.data) {
        Ok(decoded) => decoded,
        Err(e) => return Some(Err(format!("a {} log does not decode: {e}", event.name))),
    };
    let (mut indexed, mut body) = (decoded.indexed.into_iter(), decoded.body.into_iter());
    let values = event.inputs.iter().map(|input| if input.indexed { indexed.next() } else { body.next() });
    Some(values.collect::<Option<Vec<_>>>().ok_or_else(|| format!("a {} log lacks fields", event.name)))
}

impl Host for WorldHost<'_> {
    fn address_of(&self, name: &str) -> Option<Address> {
        self.world.book.address(name)
    }

    fn name_of(&self, address: Address) -> Option<String> {
        self.world.book.name_of(address).map(str::to_string)
    }

    fn this(&self) -> Option<Address> {
        self.this
    }

    fn view(&mut self, to: Address, data: Bytes) -> Result<Bytes, String> {
        let code = self.world.chain.code(to).map_err(|e| e.to_string())?;
        if code.is_empty() {
            return Err(format!("no code at {}", self.label(to)));
        }
        let from = self.this.unwrap_or(Address::ZERO);
        let receipt = self.world.chain.call(from, to, data).map_err(|e| e.to_string())?;
        match receipt.outcome {
            Outcome::Success { output, .. } => Ok(output),
            Outcome::Revert(reason) => {
                let contract = self.world.book.at(to).and_then(|e| e.artifact_name());
                Err(format!("reverted: {}", self.world.abis.describe_revert(contract, &reason)))
            }
            Outcome::Halt(reason) => Err(format!("halted: {reason}")),
        }
    }

    fn abi_of(&self, address: Address) -> Option<&JsonAbi> {
        self.world.book.at(address).and_then(|e| e.abi.as_deref())
    }

    fn eth_balance(&mut self, who: Address) -> Result<U256, String> {
        self.world.chain.eth_balance(who).map_err(|e| e.to_string())
    }

    fn clock(&self) -> Clock {
        let chain = &self.world.chain;
        Clock {
            tick: self.world.tick,
            tick_seconds: self.world.tick_seconds,
            block: chain.block_number(),
            timestamp: chain.timestamp(),
            start_timestamp: self.world.start_timestamp,
        }
    }

    fn events(&mut self, address: Address, event: &Event) -> Result<Vec<Vec<DynSolValue>>, String> {
        self.world.sync_events();
        self.world
            .events
            .since(0)
            .filter(|entry| entry.log.address == address)
            .filter_map(|entry| decode(event, &entry.log))
            .collect()
    }

    fn event_stats(&mut self, address: Address, event: &Event, field: usize) -> Result<(u64, U256), String> {
        self.world.sync_events();
        let key = (address, event.selector(), field);
        let mut stats = self.world.event_stats.get(&key).copied().unwrap_or_default();
        for entry in self.world.events.since(stats.cursor).filter(|e| e.log.address == address) {
            let Some(values) = decode(event, &entry.log) else { continue };
            let values = values?;
            let amount = match values.get(field) {
                Some(DynSolValue::Uint(value, _)) => *value,
                Some(_) | None => U256::ZERO,
            };
            stats.count += 1;
            stats.sum = stats.sum.checked_add(amount).ok_or("the sum exceeds 2^256")?;
        }
        stats.cursor = self.world.events.end();
        self.world.event_stats.insert(key, stats);
        Ok((stats.count, stats.sum))
    }

    fn series(&self, name: &str) -> Result<f64, String> {
        self.world.series.value(name, self.world.tick).ok_or_else(|| {
            let names: Vec<&str> = self.world.series.names().collect();
            if names.is_empty() {
                format!("no series {name} (the netlist has no [[series]])")
            } else {
                format!("no series {name} (series: {})", names.join(", "))
            }
        })
    }

    fn counter(&self, name: &str) -> f64 {
        self.world.counters.get(name).copied().unwrap_or(0.0)
    }

    fn add_to_counter(&mut self, name: &str, amount: f64) -> Result<f64, String> {
        if self.this.is_none() {
            return Err("counters change only in agents' expressions: a KPI or an invariant only observes"
                .to_string());
        }
        let total = self.world.counters.entry(name.to_string()).or_insert(0.0);
        *total += amount;
        Ok(*total)
    }

    fn rng(&mut self) -> Result<&mut SimRng, String> {
        self.rng.as_deref_mut().ok_or_else(|| {
            "random draws belong to agents: a KPI or an invariant cannot draw (it would change with sampling)"
                .to_string()
        })
    }
}
