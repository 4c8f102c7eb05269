//! Bare revm, without any of [`super::Chain`]'s bookkeeping: the reference
//! that benchmarks compare the chain against, on the same bytecode.

use alloy_primitives::{Address, Bytes, TxKind, U256};
use revm::context::{Context, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::{MainBuilder, MainContext, MainnetContext, MainnetEvm};
use revm::ExecuteCommitEvm;

/// A plain mainnet revm over an in-memory database.
pub struct RawEvm {
    evm: MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>,
    nonces: std::collections::BTreeMap<Address, u64>,
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
    /// A fresh EVM with default mainnet settings.
    pub fn new() -> Self {
        let mut cfg = revm::context::CfgEnv::default();
        cfg.disable_nonce_check = true;
        let evm = Context::mainnet().with_db(CacheDB::<EmptyDB>::default()).with_cfg(cfg).build_mainnet();
        Self { evm, nonces: Default::default() }
    }

    /// Send one transaction and commit it; returns whether it succeeded.
    /// An invalid transaction counts as a failure.
    pub fn transact(&mut self, from: Address, kind: TxKind, data: Bytes) -> (bool, Option<Address>) {
        let nonce = if kind.is_create() {
            let slot = self.nonces.entry(from).or_insert(0);
            *slot += 1;
            *slot - 1
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
            value: U256::ZERO,
            ..TxEnv::default()
        };
        match self.evm.transact_commit(tx) {
            Ok(result) => (result.is_success(), result.created_address()),
            Err(_) => (false, None),
        }
    }
}
