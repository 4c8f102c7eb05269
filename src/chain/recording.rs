//! [`Recording`]: every EVM execution a [`super::Chain`] ran, in order, so a
//! benchmark can run the very same work on bare revm ([`super::RawEvm::replay`])
//! and tell the engine's own cost from the EVM's.

use alloy_primitives::{Address, Bytes, TxKind, U256};

/// How the chain ran a recorded execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    /// A transaction committed to the chain (deployments included).
    Committed,
    /// A read-only call the view cache could not answer (cache hits run no
    /// EVM and are not recorded).
    Call,
    /// A transaction or call inside a what-if: it sees the what-if's earlier
    /// ones and is discarded with them. `opens` marks the first of a what-if.
    WhatIf {
        /// Whether this is the what-if's first execution.
        opens: bool,
    },
}

/// One execution as sent, with the block it ran in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedTx {
    /// Sender.
    pub from: Address,
    /// Call target, or create.
    pub kind: TxKind,
    /// Calldata or init code.
    pub data: Bytes,
    /// ETH sent.
    pub value: U256,
    /// Block number.
    pub block: u64,
    /// Block timestamp.
    pub timestamp: u64,
    /// How it ran.
    pub execution: Execution,
    /// Whether it succeeded.
    pub success: bool,
}

/// The executions recorded so far, and whether the next what-if execution
/// opens a new what-if.
#[derive(Debug, Default)]
pub(crate) struct Recording {
    executions: Vec<RecordedTx>,
    what_if_opened: bool,
}

impl Recording {
    /// A what-if begins: its first execution will open it.
    pub(crate) fn begin_what_if(&mut self) {
        self.what_if_opened = true;
    }

    /// Record one execution; `in_what_if` turns `execution` into a what-if one.
    pub(crate) fn push(&mut self, mut tx: RecordedTx, in_what_if: bool) {
        if in_what_if {
            tx.execution = Execution::WhatIf { opens: std::mem::take(&mut self.what_if_opened) };
        }
        self.executions.push(tx);
    }

    /// Everything recorded so far; recording goes on.
    pub(crate) fn take(&mut self) -> Vec<RecordedTx> {
        std::mem::take(&mut self.executions)
    }
}
