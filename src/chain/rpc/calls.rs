//! [`CallCache`]: results of calls on a node, kept while neither the state
//! nor the clock changes, and a guess of which calls come next, so that a
//! miss can fetch them in the same HTTP request.
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

/// Cached call results and the order calls were last made in.
#[derive(Debug, Default)]
pub(super) struct CallCache {
    entries: HashMap<CallKey, Receipt>,
    /// The call made right after each call, the last time it was made
    /// without a change of state or clock in between.
    next: HashMap<CallKey, CallKey>,
    /// The last call since the cache was cleared.
    last: Option<CallKey>,
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
        self.last = None;
    }

    /// The calls that followed `key` last time and are not cached, in order.
    pub(super) fn predict(&self, key: &CallKey) -> Vec<CallKey> {
        let mut predicted: Vec<CallKey> = Vec::new();
        let mut at = key;
        // Bounded, since the successors may loop without coming back to `key`.
        for _ in 0..4 * MAX_PREFETCH {
            let Some(next) = self.next.get(at) else { break };
            if predicted.len() == MAX_PREFETCH || next == key || predicted.contains(next) {
                break;
            }
            if !self.entries.contains_key(next) {
                predicted.push(next.clone());
            }
            at = next;
        }
        predicted
    }

    fn follow(&mut self, key: &CallKey) {
        if let Some(last) = self.last.replace(key.clone()) {
            if last != *key {
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
        assert_eq!(cache.predict(&key(1)), [key(2), key(3), key(4)]);
        cache.insert_made(key(1), receipt());
        cache.insert_fetched(key(3), receipt());
        assert_eq!(cache.predict(&key(1)), [key(2), key(4)], "cached calls are not fetched again");
        assert!(cache.get(&key(3)).is_some());
    }

    #[test]
    fn a_cycle_ends_the_prediction() {
        let mut cache = CallCache::default();
        for n in [1, 2, 1] {
            cache.insert_made(key(n), receipt());
        }
        cache.clear();
        assert_eq!(cache.predict(&key(1)), [key(2)]);
        assert_eq!(cache.predict(&key(2)), [key(1)]);
        // A loop among cached calls that never leads back ends too.
        for n in [3, 1, 2] {
            cache.insert_made(key(n), receipt());
        }
        assert_eq!(cache.predict(&key(3)), Vec::<CallKey>::new());
    }
}
