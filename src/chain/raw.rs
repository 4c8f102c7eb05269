//! Bare revm, without any of [`super::Chain`]'s bookkeeping: the reference
//! that benchmarks compare the chain against, on the same bytecode.

use alloy_primitives::{Address, Bytes, TxKind, U256};
use revm::context::{Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainBuilder, MainContext, MainnetContext, MainnetEvm};
use revm::state::AccountInfo;
use revm::{ExecuteCommitEvm, ExecuteEvm};

use super::{Execution, RecordedTx};

/// A plain mainnet revm over an in-memory database.
pub struct RawEvm {
    evm: MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>,
}

impl std::fmt::Debug for RawEvm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawEvm").finish_non_exhaustive()
    }
}

impl Default for RawEvm {
    fn default() -> Self {
        Self::new()
    }
}

impl RawEvm {
    /// A fresh EVM with default mainnet settings (nonces not checked, as in [`super::Chain`]).
    pub fn new() -> Self {
        let mut cfg = revm::context::CfgEnv::default();
        cfg.disable_nonce_check = true;
        let evm = Context::mainnet().with_db(CacheDB::<EmptyDB>::default()).with_cfg(cfg).build_mainnet();
        Self { evm }
    }

    /// [`RawEvm::new`] whose KECCAK256 remembers two-word hashes as
    /// [`super::Chain`]'s does: the same EVM as the chain's, without its bookkeeping.
    pub fn with_keccak_memo() -> Self {
        let mut raw = Self::new();
        super::keccak_memo::remember_keccak(raw.evm.instruction.instruction_table_mut());
        raw
    }

    /// Give `who` a balance of `wei`.
    pub fn fund(&mut self, who: Address, wei: U256) {
        let info = AccountInfo { balance: wei, ..AccountInfo::default() };
        self.evm.ctx.journaled_state.database.insert_account_info(who, info);
    }

    /// Set the block number and timestamp the next transactions run in.
    pub fn set_block(&mut self, number: u64, timestamp: u64) {
        self.evm.ctx.block.number = U256::from(number);
        self.evm.ctx.block.timestamp = U256::from(timestamp);
    }

    /// Send one transaction and commit it; returns whether it succeeded and
    /// the created address of a deployment. An invalid transaction counts as
    /// a failure.
    pub fn transact(&mut self, from: Address, kind: TxKind, data: Bytes) -> (bool, Option<Address>) {
        self.transact_value(from, kind, data, U256::ZERO)
    }

    /// [`RawEvm::transact`] with ETH value.
    pub fn transact_value(
        &mut self,
        from: Address,
        kind: TxKind,
        data: Bytes,
        value: U256,
    ) -> (bool, Option<Address>) {
        match self.evm.transact_commit(self.tx_env(from, kind, data, value)) {
            Ok(result) => (result.is_success(), result.created_address()),
            Err(_) => (false, None),
        }
    }

    /// Run recorded executions from this state, as the chain ran them:
    /// committed ones commit, calls are dropped, a what-if's executions see
    /// each other and are dropped together. Returns each one's success.
    pub fn replay(&mut self, recorded: &[RecordedTx]) -> Vec<bool> {
        let mut in_what_if = false;
        let outcomes = recorded
            .iter()
            .map(|tx| {
                if in_what_if && tx.execution != (Execution::WhatIf { opens: false }) {
                    let _ = self.evm.finalize();
                    in_what_if = false;
                }
                self.set_block(tx.block, tx.timestamp);
                let env = self.tx_env(tx.from, tx.kind, tx.data.clone(), tx.value);
                match tx.execution {
                    Execution::Committed => self.evm.transact_commit(env).is_ok_and(|r| r.is_success()),
                    Execution::Call => self.evm.transact(env).is_ok_and(|done| done.result.is_success()),
                    Execution::WhatIf { .. } => {
                        in_what_if = true;
                        self.evm.transact_one(env).is_ok_and(|r| r.is_success())
                    }
                }
            })
            .collect();
        if in_what_if {
            let _ = self.evm.finalize();
        }
        outcomes
    }

    /// A read-only call's output and gas used (`None` when it fails).
    #[cfg(test)]
    pub(super) fn call(&mut self, from: Address, to: Address, data: Bytes) -> Option<(Bytes, u64)> {
        let done = self.evm.transact(self.tx_env(from, TxKind::Call(to), data, U256::ZERO)).ok()?;
        let gas = done.result.tx_gas_used();
        done.result.into_output().map(|output| (output, gas))
    }

    fn tx_env(&self, from: Address, kind: TxKind, data: Bytes, value: U256) -> TxEnv {
        // A deployment's address comes from the sender's current nonce, as on a real chain.
        let nonce = if kind.is_create() {
            self.evm.ctx.journaled_state.database.cache.accounts.get(&from).map_or(0, |a| a.info.nonce)
        } else {
            0
        };
        TxEnv { caller: from, kind, data, nonce, gas_limit: 1 << 24, gas_price: 0, value, ..TxEnv::default() }
    }
}
