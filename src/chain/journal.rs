//! [`Journal`]: what a chain remembers of its committed transactions — how
//! many there were, the last one (for messages: "after transaction 812,
//! alice → @pair swap"), and, when asked (`tsp run --trace`), every one of
//! them with its calldata, outcome, gas and logs.

use super::{Outcome, Receipt};
use alloy_primitives::{Address, Bytes, Log, U256};

/// One committed transaction (what-ifs and read-only calls are not).
#[derive(Debug, Clone, PartialEq)]
pub struct CommittedTx {
    /// Its number in the run, from 0 (deployments included).
    pub index: u64,
    /// The sender.
    pub from: Address,
    /// The target; `None` for a deployment.
    pub to: Option<Address>,
    /// The calldata (a deployment's init code).
    pub data: Bytes,
    /// ETH sent, in wei.
    pub value: U256,
    /// How it ended (a deployment's output is the new contract's code).
    pub outcome: Outcome,
    /// Gas used.
    pub gas_used: u64,
    /// Its logs (empty unless it succeeded).
    pub logs: Vec<Log>,
}

/// The last committed transaction, in brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastTx {
    /// Its number in the run.
    pub index: u64,
    /// The sender.
    pub from: Address,
    /// The target; `None` for a deployment.
    pub to: Option<Address>,
    /// The function selector, when the calldata has one.
    pub selector: Option<[u8; 4]>,
    /// Whether it succeeded.
    pub success: bool,
}

/// Committed transactions: their count, the last one, and all of them when kept.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    count: u64,
    last: Option<LastTx>,
    keep: bool,
    kept: Vec<CommittedTx>,
}

impl Journal {
    /// Note a committed transaction; returns its number.
    pub(crate) fn commit(
        &mut self,
        from: Address,
        to: Option<Address>,
        data: &Bytes,
        value: U256,
        receipt: &Receipt,
    ) -> u64 {
        let index = self.count;
        self.count += 1;
        let selector = (to.is_some() && data.len() >= 4).then(|| [data[0], data[1], data[2], data[3]]);
        self.last = Some(LastTx { index, from, to, selector, success: receipt.is_success() });
        if self.keep {
            self.kept.push(CommittedTx {
                index,
                from,
                to,
                data: data.clone(),
                value,
                outcome: receipt.outcome.clone(),
                gas_used: receipt.gas_used,
                logs: receipt.logs.clone(),
            });
        }
        index
    }

    /// Keep every committed transaction from now on for [`Journal::take`].
    pub fn keep(&mut self, keep: bool) {
        self.keep = keep;
        if !keep {
            self.kept.clear();
        }
    }

    /// The transactions kept since the last call, oldest first.
    pub fn take(&mut self) -> Vec<CommittedTx> {
        std::mem::take(&mut self.kept)
    }

    /// Committed transactions so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The last committed transaction.
    pub fn last(&self) -> Option<LastTx> {
        self.last
    }
}
