//! [`Ledger`]: every balance the pool property tests talk about — OCEAN, DT
//! and pool shares per holder, their total supplies and the pool's records —
//! read from the chain before and after an operation and compared exactly.
//! Shared by the V3 (`support/v3_world.rs`) and V4 (`v4_mechanisms/world.rs`)
//! harnesses.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

use alloy_primitives::{Address, U256};
use tokenspice::chain::Backend;
use tokenspice::wallet::Erc20;

/// Token rows of a [`Ledger`].
pub(crate) const OCEAN: usize = 0;
pub(crate) const DT: usize = 1;
pub(crate) const SHARES: usize = 2;
/// The holder column of the pool, in every harness.
pub(crate) const POOL: usize = 2;

pub(crate) fn int(x: U256) -> i128 {
    i128::try_from(x).expect("amounts in these tests fit in i128")
}

/// Balances of OCEAN, DT and pool shares for `HOLDERS` holders, their total
/// supplies, and the pool's records of OCEAN and DT.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ledger<const HOLDERS: usize> {
    pub(crate) held: [[i128; HOLDERS]; 3],
    pub(crate) supply: [i128; 3],
    pub(crate) records: [i128; 2],
    /// A holder whose shares are minted and burned with every other
    /// holder's, so it holds half of them (V4's staking bot).
    pub(crate) share_twin: Option<usize>,
}

impl<const HOLDERS: usize> Ledger<HOLDERS> {
    /// Read `tokens` (OCEAN, DT, the pool's shares) of `holders` from
    /// `chain`, and the pool's record of OCEAN and DT with `record`.
    pub(crate) fn read<B: Backend>(
        chain: &mut B,
        tokens: [Address; 3],
        holders: [Address; HOLDERS],
        mut record: impl FnMut(&mut B, Address) -> U256,
        share_twin: Option<usize>,
    ) -> Self {
        let mut ledger = Self { held: [[0; HOLDERS]; 3], supply: [0; 3], records: [0; 2], share_twin };
        for (t, token) in tokens.into_iter().enumerate() {
            for (h, who) in holders.into_iter().enumerate() {
                ledger.held[t][h] = int(chain.view(token, &Erc20::balanceOfCall { who }).unwrap());
            }
            ledger.supply[t] = int(chain.view(token, &Erc20::totalSupplyCall {}).unwrap());
        }
        for t in [OCEAN, DT] {
            ledger.records[t] = int(record(chain, tokens[t]));
        }
        ledger
    }

    /// Holders sum to supplies, the pool's records are its balances, the
    /// pool holds none of its shares and the share twin holds half.
    pub(crate) fn assert_consistent(&self) {
        for t in [OCEAN, DT, SHARES] {
            let sum: i128 = self.held[t].iter().sum();
            assert_eq!(sum, self.supply[t], "token {t}: holders sum to the total supply");
        }
        assert_eq!(self.held[SHARES][POOL], 0, "the pool holds none of its own shares");
        assert_eq!(self.records, [self.held[OCEAN][POOL], self.held[DT][POOL]], "pool records = balances");
        if let Some(twin) = self.share_twin {
            assert_eq!(
                2 * self.held[SHARES][twin],
                self.supply[SHARES],
                "holder {twin} holds half the shares"
            );
        }
    }

    /// `after` is `self` with each `(token, holder, change)` applied; OCEAN
    /// and DT only move between holders, shares are minted or burned.
    pub(crate) fn assert_moved(&self, after: &Self, moves: &[(usize, usize, i128)]) {
        self.assert_consistent();
        after.assert_consistent();
        let mut expected = self.clone();
        for &(t, h, change) in moves {
            expected.held[t][h] += change;
            if t == SHARES {
                expected.supply[SHARES] += change;
            }
        }
        expected.records = [expected.held[OCEAN][POOL], expected.held[DT][POOL]];
        assert_eq!(after, &expected, "balances move exactly by the amounts");
    }

    /// `after` is `self` with `actor` moving `delta[t]` of each token
    /// (positive: received) against the pool; shares are minted or burned.
    pub(crate) fn assert_moved_against_pool(&self, after: &Self, actor: usize, delta: [i128; 3]) {
        let moves = [
            (OCEAN, actor, delta[OCEAN]),
            (DT, actor, delta[DT]),
            (SHARES, actor, delta[SHARES]),
            (OCEAN, POOL, -delta[OCEAN]),
            (DT, POOL, -delta[DT]),
        ];
        self.assert_moved(after, &moves);
    }

    pub(crate) fn balance(&self, token: usize, holder: usize) -> U256 {
        U256::from(self.held[token][holder])
    }

    /// Pool base balance B, datatoken balance D and share supply S.
    pub(crate) fn pool_state(&self) -> (U256, U256, U256) {
        (U256::from(self.records[OCEAN]), U256::from(self.records[DT]), U256::from(self.supply[SHARES]))
    }
}
