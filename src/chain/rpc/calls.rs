//! [`CallCache`]: results of calls on a node, kept while neither the state
//! nor the clock changes, and a guess of which calls come next (after a
//! call or after a transaction), so that a miss or a transaction can fetch
//! them in the same HTTP request.
//!
//! # State
//! An entry is the exact answer for the state and block it was asked in:
//! the owner clears the cache whenever either may have changed (a
//! transaction, a faucet, a restore, [`Backend::advance`](super::Backend)).
//! The guess is only a guess: a wrong one costs the node some work, never a
//! wrong result, since every fetched call runs on the current state.

use super::Receipt;
use alloy_primitives::{Address, Bytes};
use std::collections::HashMap;

/// Calls fetched at most with one missed call.
const MAX_PREFETCH: usize = 15;

/// Who called what with which input.
pub(super) type CallKey = (Address, Address, Bytes);

/// What a prediction starts from: a call, or a transaction known by its
/// sender, target and selector (its arguments vary, what follows it rarely).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Step {
    Call(CallKey),
    Tx(Address, Address, Bytes),
}

impl Step {
    /// A transaction from `from` to `to` with `input`.
    pub(super) fn tx(from: Address, to: Address, input: &[u8]) -> Self {
        Self::Tx(from, to, Bytes::copy_from_slice(&input[..input.len().min(4)]))
    }
}

/// Cached call results and the order calls were last made in.
#[derive(Debug, Default)]
pub(super) struct CallCache {
    entries: HashMap<CallKey, Receipt>,
    /// The call made right after each call or transaction, the last time,
    /// with no other change of state or clock in between.
    next: HashMap<Step, CallKey>,
    /// The last call or transaction since the cache was last cleared.
    last: Option<Step>,
}

impl CallCache {
    /// A cached result (recorded as the latest call).
    pub(super) fn get(&mut self, key: &CallKey) -> Option<Receipt> {
        let receipt = self.entries.get(key).cloned()?;
        self.follow(key);
        Some(receipt)
    }

    /// Keep `receipt` as the result of `key`, the call just made.
    pub(super) fn insert_made(&mut self, key: CallKey, receipt: Receipt) {
        self.follow(&key);
        self.entries.insert(key, receipt);
    }

    /// Keep `receipt` as the result of a call fetched ahead of being made.
    pub(super) fn insert_fetched(&mut self, key: CallKey, receipt: Receipt) {
        self.entries.insert(key, receipt);
    }

    /// Forget every result (the state or the clock changed).
    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.end_run();
    }

    /// Forget every result: the transaction `step` changed the state.
    pub(super) fn after_tx(&mut self, step: Step) {
        self.clear();
        self.last = Some(step);
    }

    /// The calls since the last change end here: nothing followed the last
    /// one, so a prediction stops where this run of calls stopped.
    fn end_run(&mut self) {
        if let Some(last) = self.last.take() {
            self.next.remove(&last);
        }
    }

    /// The calls that followed `from` last time and are not cached, in order.
    pub(super) fn predict(&self, from: &Step) -> Vec<CallKey> {
        let mut predicted: Vec<CallKey> = Vec::new();
        let mut next = self.next.get(from);
        // Bounded, since the successors may loop without coming back.
        for _ in 0..4 * MAX_PREFETCH {
            let Some(key) = next else { break };
            let back = matches!(from, Step::Call(start) if start == key);
            if predicted.len() == MAX_PREFETCH || back || predicted.contains(key) {
                break;
            }
            if !self.entries.contains_key(key) {
                predicted.push(key.clone());
            }
            next = self.next.get(&Step::Call(key.clone()));
        }
        predicted
    }

    fn follow(&mut self, key: &CallKey) {
        let step = Step::Call(key.clone());
        if let Some(last) = self.last.replace(step.clone()) {
            if last != step {
                self.next.insert(last, key.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::Outcome;

    fn key(n: u8) -> CallKey {
        (Address::ZERO, Address::with_last_byte(n), Bytes::new())
    }

    fn call(n: u8) -> Step {
        Step::Call(key(n))
    }

    fn receipt() -> Receipt {
        Receipt {
            outcome: Outcome::Success { output: Bytes::new(), created: None },
            gas_used: 1,
            logs: Vec::new(),
        }
    }

    #[test]
    fn a_sequence_seen_once_is_predicted_after_a_change() {
        let mut cache = CallCache::default();
        for n in 1..=4 {
            cache.insert_made(key(n), receipt());
        }
        cache.clear();
        assert!(cache.get(&key(1)).is_none(), "cleared");
        assert_eq!(cache.predict(&call(1)), [key(2), key(3), key(4)]);
        cache.insert_made(key(1), receipt());
        cache.insert_fetched(key(3), receipt());
        assert_eq!(cache.predict(&call(1)), [key(2), key(4)], "cached calls are not fetched again");
        assert!(cache.get(&key(3)).is_some());
    }

    #[test]
    fn a_loop_of_successors_ends_the_prediction() {
        let mut cache = CallCache::default();
        // 3 -> 1 -> 2 -> 1 -> 2 ...: every call cached, and the walk still ends.
        for n in [3, 1, 2, 1] {
            cache.insert_made(key(n), receipt());
        }
        assert_eq!(cache.predict(&call(3)), Vec::<CallKey>::new());
        assert_eq!(cache.predict(&call(4)), Vec::<CallKey>::new(), "never made");
    }

    #[test]
    fn a_prediction_stops_where_the_last_run_of_calls_stopped() {
        let mut cache = CallCache::default();
        for n in [1, 2, 3] {
            cache.insert_made(key(n), receipt());
        }
        cache.clear();
        cache.insert_made(key(1), receipt());
        cache.insert_made(key(2), receipt());
        cache.clear();
        assert_eq!(cache.predict(&call(1)), [key(2)], "3 no longer follows 2");
    }

    #[test]
    fn the_calls_after_a_transaction_are_predicted_by_its_selector() {
        let mut cache = CallCache::default();
        let tx = |amount: u8| Step::tx(Address::ZERO, Address::with_last_byte(9), &[1, 2, 3, 4, amount]);
        cache.insert_made(key(1), receipt());
        cache.after_tx(tx(7));
        assert!(cache.get(&key(1)).is_none(), "the transaction cleared the results");
        cache.insert_made(key(2), receipt());
        cache.insert_made(key(3), receipt());
        cache.after_tx(tx(8));
        assert_eq!(cache.predict(&tx(99)), [key(2), key(3)], "other arguments, same calls after");
    }
}
