//! Bare revm, without any of [`super::Chain`]'s bookkeeping: the reference
//! that benchmarks compare the chain against, on the same bytecode.

use alloy_primitives::{Address, Bytes, TxKind, U256};
use revm::context::{Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainBuilder, MainContext, MainnetContext, MainnetEvm};
use revm::state::AccountInfo;
use revm::ExecuteCommitEvm;

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
        // A deployment's address comes from the sender's current nonce, as on a real chain.
        let nonce = if kind.is_create() {
            self.evm.ctx.journaled_state.database.cache.accounts.get(&from).map_or(0, |a| a.info.nonce)
        } else {
            0
        };
        let tx = TxEnv {
            caller: from,
            kind,
            data,
            nonce,
            gas_limit: 1 << 24,
            gas_price: 0,
            value,
            ..TxEnv::default()
        };
        match self.evm.transact_commit(tx) {
            Ok(result) => (result.is_success(), result.created_address()),
            Err(_) => (false, None),
        }
    }
}
