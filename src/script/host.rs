//! What an expression can see of a running simulation: the [`Host`] trait,
//! and the installation of one host for the duration of one evaluation.
//!
//! Registered native functions reach the host through a thread-local slot
//! that [`Script::eval`](super::Script::eval) fills and a guard empties
//! again, so the engine itself stays shared and immutable.
//!
//! # Errors
//! A native function called while no host is installed (an expression
//! evaluated outside `eval`, or a host method that evaluates a script and
//! reaches back into the outer host) gets an error, never an alias.

use crate::agents::SimRng;
use alloy_dyn_abi::DynSolValue;
use alloy_json_abi::{Event, JsonAbi};
use alloy_primitives::{Address, Bytes, U256};
use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// What an expression can see of a running simulation.
pub trait Host {
    /// Address of an address-book name (`@name` in expressions): contracts, agents, "deployer".
    fn address_of(&self, name: &str) -> Option<Address>;
    /// The book's name of an address, if any (for messages).
    fn name_of(&self, address: Address) -> Option<String>;
    /// The acting agent's EOA (`self` in expressions); None for KPI and invariant expressions.
    fn this(&self) -> Option<Address>;
    /// A read-only call; the return data, or a readable reason (revert reason, "no code at 0x...").
    fn view(&mut self, to: Address, data: Bytes) -> Result<Bytes, String>;
    /// The ABI of the contract at `address`, when the address book knows its artifact.
    fn abi_of(&self, address: Address) -> Option<&JsonAbi>;
    /// ETH balance in wei.
    fn eth_balance(&mut self, who: Address) -> Result<U256, String>;
    /// Simulated time.
    fn clock(&self) -> Clock;
    /// Every `event` emitted by `address` so far (committed transactions only), oldest first,
    /// each as its values in field order (indexed and not).
    fn events(&mut self, address: Address, event: &Event) -> Result<Vec<Vec<DynSolValue>>, String>;
    /// Count of those events and the sum of field `field` (an unsigned integer field), kept
    /// incrementally by the host so a KPI that sums events every tick stays cheap.
    fn event_stats(&mut self, address: Address, event: &Event, field: usize) -> Result<(u64, U256), String>;
    /// Value of an exogenous series at the current tick.
    fn series(&self, name: &str) -> Result<f64, String>;
    /// A generic counter of the run (0 when never set).
    fn counter(&self, name: &str) -> f64;
    /// Add `amount` to counter `name` and return its new value; Err where
    /// counters may not change (a KPI or an invariant only observes).
    fn add_to_counter(&mut self, name: &str, amount: f64) -> Result<f64, String>;
    /// The random stream of the current context (the acting agent's own stream); Err where
    /// draws are not allowed.
    fn rng(&mut self) -> Result<&mut SimRng, String>;
}

/// Simulated time as expressions see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    /// Ticks done since the start.
    pub tick: u64,
    /// Seconds in one tick.
    pub tick_seconds: u64,
    /// Current block number.
    pub block: u64,
    /// Current block timestamp, in seconds.
    pub timestamp: u64,
    /// Block timestamp at the start of the run.
    pub start_timestamp: u64,
}

/// A host pointer with its borrow's lifetime erased, so it fits the slot.
type HostPtr = NonNull<dyn Host + 'static>;

thread_local! {
    /// The host of the evaluation running on this thread, if any. `None`
    /// both outside evaluations and while a native function uses it.
    static CURRENT: Cell<Option<HostPtr>> = const { Cell::new(None) };
}

/// Keeps a host installed; dropping it puts back what was there before.
pub(crate) struct Installed<'a> {
    previous: Option<HostPtr>,
    _borrow: PhantomData<&'a mut dyn Host>,
}

/// Install `host` for the current thread until the guard drops.
pub(crate) fn install<'a>(host: &'a mut (dyn Host + 'a)) -> Installed<'a> {
    let ptr: NonNull<dyn Host + 'a> = NonNull::from(host);
    // SAFETY: only the trait object's lifetime bound changes (same layout).
    // The pointer is used only while the returned guard lives, and the guard
    // holds the `&'a mut` borrow, so the host outlives every use.
    let ptr: HostPtr = unsafe { std::mem::transmute::<NonNull<dyn Host + 'a>, HostPtr>(ptr) };
    let previous = CURRENT.with(|slot| slot.replace(Some(ptr)));
    Installed { previous, _borrow: PhantomData }
}

impl Drop for Installed<'_> {
    fn drop(&mut self) {
        CURRENT.with(|slot| slot.set(self.previous));
    }
}

impl std::fmt::Debug for Installed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Installed")
    }
}

/// Run `use_host` with the installed host; an error when none is installed.
///
/// The slot is emptied while `use_host` runs, so at most one `&mut` to the
/// host exists at any time: a re-entrant call finds no host instead of an alias.
pub(crate) fn with_host<R>(use_host: impl FnOnce(&mut dyn Host) -> Result<R, String>) -> Result<R, String> {
    struct PutBack(HostPtr);
    impl Drop for PutBack {
        fn drop(&mut self) {
            CURRENT.with(|slot| slot.set(Some(self.0)));
        }
    }
    let Some(ptr) = CURRENT.with(Cell::take) else {
        return Err("no simulation is attached to this evaluation".to_string());
    };
    let put_back = PutBack(ptr);
    // SAFETY: the pointer came from a live `&mut dyn Host` whose guard
    // (`Installed`) is still alive (the guard clears or replaces the slot when
    // it drops), and the slot is empty until `put_back` drops, so this is the
    // only reference made from it.
    let host = unsafe { &mut *put_back.0.as_ptr() };
    use_host(host)
}
