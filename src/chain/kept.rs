//! What-ifs whose results are kept while they hold: a probe that runs, in a
//! what-if, after a preparation (funding the prober, say) can be answered
//! from its last run when nothing it depends on has changed — no committed
//! transaction changed an account or slot the probe's transactions read
//! (a [`ViewStamp`]), the block is the same if the probe read it, and the
//! preparation, run again every time, left the same values in every
//! account and slot the probe read.
//!
//! The preparation is run every time because its own inputs (a token's
//! total supply, the deployer's nonce) change all the time while what it
//! hands the probe (the prober's balance) does not: only what the probe
//! reads is a dependency.

use super::{ChainError, SimChain, ViewStamp};
use alloy_primitives::{Address, B256, U256};

/// An account (`None`: its balance, nonce and code) or one of its storage slots.
pub(super) type StateKey = (Address, Option<U256>);

/// The value of a [`StateKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum StateValue {
    /// Balance, nonce, code hash.
    Info(U256, u64, B256),
    /// A slot's value.
    Slot(U256),
}

/// The last result of a kept what-if ([`SimChain::what_if_kept`]), with
/// what it depends on.
#[derive(Debug, Clone)]
pub struct KeptWhatIf<T> {
    value: T,
    stamp: ViewStamp,
    /// Every account and slot the probe read, sorted.
    read: Vec<StateKey>,
    /// What the preparation wrote to any of them.
    prepared: Vec<(StateKey, StateValue)>,
}

impl<T> KeptWhatIf<T> {
    /// The preparation's writes to what the probe read: both sorted by key.
    fn inputs(read: &[StateKey], writes: &[(StateKey, StateValue)]) -> Vec<(StateKey, StateValue)> {
        writes.iter().filter(|(key, _)| read.binary_search(key).is_ok()).cloned().collect()
    }
}

/// The embedded chain a kept what-if was begun on.
fn chain(this: &mut SimChain) -> &mut super::Chain {
    match this {
        SimChain::Embedded(chain) => chain,
        SimChain::Rpc(_) => unreachable!("kept what-ifs begin on the embedded chain only"),
    }
}

impl SimChain {
    /// Run `prepare` and then `probe` in a what-if and return the probe's
    /// result — or, when `kept` holds the result of an earlier probe that
    /// would read the same state now, that result without running the probe
    /// (see the module docs). `kept` is updated after every run. A node,
    /// or a what-if inside another one, runs both every time.
    ///
    /// The closures' own inputs are not dependencies: keep one `kept` per
    /// set of inputs (a probe of another amount starts from `None`).
    ///
    /// # Errors
    /// The first error of `prepare` or `probe`, or the chain's when the
    /// what-if cannot be undone (a node); after an error nothing is kept.
    pub fn what_if_kept<T: Clone, E: From<ChainError>>(
        &mut self,
        kept: &mut Option<KeptWhatIf<T>>,
        prepare: impl FnOnce(&mut Self) -> Result<(), E>,
        probe: impl FnOnce(&mut Self) -> Result<T, E>,
    ) -> Result<T, E> {
        let started = match self {
            Self::Embedded(chain) => chain.begin_what_if(),
            Self::Rpc(_) => false,
        };
        if !started {
            return self.what_if(|chain| {
                prepare(chain)?;
                probe(chain)
            })?;
        }
        if let Err(e) = prepare(self) {
            chain(self).end_what_if(true);
            return Err(e);
        }
        let writes = chain(self).what_if_writes();
        if let Some(last) = kept.as_ref() {
            if chain(self).committed_holds(&last.stamp)
                && KeptWhatIf::<T>::inputs(&last.read, &writes) == last.prepared
            {
                chain(self).end_what_if(true);
                return Ok(last.value.clone());
            }
        }
        let mark = chain(self).what_if_mark();
        let value = probe(self);
        let (stamp, read) = chain(self).end_what_if_since(mark);
        let value = value.inspect_err(|_| *kept = None)?;
        let prepared = KeptWhatIf::<T>::inputs(&read, &writes);
        *kept = Some(KeptWhatIf { value: value.clone(), stamp, read, prepared });
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use crate::chain::test_code::{deploy, store_word, word, STORE, TIME};
    use crate::chain::{Backend, ChainError, KeptWhatIf, SimChain};
    use alloy_primitives::{Address, U256};
    use std::cell::Cell;

    /// Prepare: `b` keeps `prepared`; probe: the sum of the words of `reads`,
    /// counting its runs.
    fn probe(
        chain: &mut SimChain,
        kept: &mut Option<KeptWhatIf<U256>>,
        (b, prepared): (Address, u64),
        reads: &[Address],
        runs: &Cell<u32>,
    ) -> U256 {
        let sum = chain.what_if_kept(
            kept,
            |chain| -> Result<(), ChainError> {
                store_word(chain, b, prepared);
                Ok(())
            },
            |chain| {
                runs.set(runs.get() + 1);
                Ok(reads.iter().map(|&at| word(chain, at)).fold(U256::ZERO, |sum, w| sum + w))
            },
        );
        sum.expect("what-if")
    }

    #[test]
    fn kept_results_hold_until_what_the_probe_read_changes() {
        let mut chain = SimChain::embedded();
        let (a, b, c, time) = (
            deploy(&mut chain, &STORE),
            deploy(&mut chain, &STORE),
            deploy(&mut chain, &STORE),
            deploy(&mut chain, &TIME),
        );
        store_word(&mut chain, a, 2);
        let (runs, mut kept) = (Cell::new(0), None);
        assert_eq!(probe(&mut chain, &mut kept, (b, 5), &[a, b], &runs), U256::from(7));
        assert_eq!(probe(&mut chain, &mut kept, (b, 5), &[a, b], &runs), U256::from(7));
        assert_eq!(runs.get(), 1, "nothing changed: the kept result");
        assert_eq!(word(&mut chain, b), U256::ZERO, "the preparation is undone");

        store_word(&mut chain, c, 9);
        assert_eq!(probe(&mut chain, &mut kept, (b, 5), &[a, b], &runs), U256::from(7));
        assert_eq!(runs.get(), 1, "a commit to what the probe never read keeps it");

        store_word(&mut chain, a, 3);
        assert_eq!(probe(&mut chain, &mut kept, (b, 5), &[a, b], &runs), U256::from(8));
        assert_eq!(runs.get(), 2, "a commit to what the probe read runs it again");
        assert_eq!(probe(&mut chain, &mut kept, (b, 6), &[a, b], &runs), U256::from(9));
        assert_eq!(runs.get(), 3, "another prepared value runs it again");

        let mut kept_time = None;
        let t0 = probe(&mut chain, &mut kept_time, (b, 6), &[time], &runs);
        assert_eq!(probe(&mut chain, &mut kept_time, (b, 6), &[time], &runs), t0);
        assert_eq!(runs.get(), 4, "the same block: kept");
        chain.advance(60);
        assert_eq!(probe(&mut chain, &mut kept_time, (b, 6), &[time], &runs), t0 + U256::from(60));
        assert_eq!(runs.get(), 5, "a probe that read the block runs again in the next one");

        // Inside another what-if nothing is kept.
        let mut inner = None;
        chain
            .what_if(|chain| {
                for _ in 0..2 {
                    assert_eq!(probe(chain, &mut inner, (b, 6), &[a, b], &runs), U256::from(9));
                }
            })
            .expect("what-if");
        assert_eq!(runs.get(), 7);
    }
}
