//! [`Chain`]: revm with an in-memory database, driven one transaction at a time,
//! over nothing (a fresh chain), over a node's state at a block ([`ForkDb`]),
//! or mirroring a node: over its latest state, its committed transactions
//! mined by the node a block at a time and checked (`rpc::mirror`).

use super::fork::{Db, ForkDb, Upstream};
use super::keccak_memo::remember_keccak;
use super::kept::{StateKey, StateValue};
use super::recording::{Execution, RecordedTx, Recording};
use super::rpc::{MirrorSnapshot, NodeMirror};
use super::view_cache::{block_was_read, flag_block_reads, watch_block_reads, ViewCache, ViewStamp};
use super::{Backend, ChainError, Journal, Outcome, Receipt, Result, RevertReason};
use alloy_primitives::{address, Address, Bytes, Log, TxKind, U256};
use revm::context::result::{EVMError, ExecutionResult};
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::database::DatabaseRef;
use revm::handler::{MainBuilder, MainContext, MainnetContext, MainnetEvm};
use revm::state::{AccountInfo, EvmState, TransactionId};
use revm::{DatabaseCommit, ExecuteEvm};

/// The all-powerful account of a simulation: it is funded with ETH at
/// genesis and deploys the system contracts (tokens, factories, ...).
pub const GOD: Address = address!("0x0000000000000000000000000000000000000900");

/// Timestamp of block 0 (2020-11-01T00:00:00Z), fixed so runs are reproducible.
pub const GENESIS_TIMESTAMP: u64 = 1_604_188_800;

/// Gas limit of every transaction (the EIP-7825 cap of 2^24).
pub const TX_GAS_LIMIT: u64 = 1 << 24;

/// Gas limit of a block.
pub const BLOCK_GAS_LIMIT: u64 = 1 << 40;

/// ETH (wei) given to [`GOD`] at genesis.
pub const GOD_ETH: u128 = 1_000_000_000 * 10u128.pow(18);

type Evm = MainnetEvm<MainnetContext<Db>>;

/// A saved copy of a [`Chain`]'s state and block.
#[derive(Debug, Clone)]
pub struct Snapshot {
    db: Db,
    block: BlockEnv,
    sim_block: u64,
    gas_used_total: u64,
    /// A mirrored chain's node snapshot.
    node: Option<MirrorSnapshot>,
}

/// An embedded EVM with its whole state in memory.
///
/// Gas is metered (receipts report it) but costs no ETH: the gas price and
/// base fee are zero, so agents' ETH balances move only by value transfers.
pub struct Chain {
    pub(super) evm: Evm,
    /// The simulation's block number ([`Backend::block_number`]): the EVM's
    /// own, except on a mirrored chain, whose EVM runs in the node's next block.
    sim_block: u64,
    /// A mirrored chain's node and the transactions it has not mined yet.
    pub(super) mirror: Option<Box<NodeMirror>>,
    gas_used_total: u64,
    /// In a what-if: the gas total to go back to when it ends.
    scratch_from: Option<u64>,
    /// Logs of committed transactions not yet taken by [`Chain::take_logs`],
    /// each with its transaction's number.
    logs: Vec<(u64, Log)>,
    /// Committed transactions: count, last, and all of them when kept.
    journal: Journal,
    /// Whether committed transactions' logs are kept for [`Chain::take_logs`].
    keep_logs: bool,
    /// Every EVM execution, when recording (for replays in benchmarks).
    recording: Option<Recording>,
    /// Results of read-only calls, valid while what they read is unchanged.
    pub(super) views: ViewCache,
    /// The stamp of the call [`Chain::cached_call`] ran last, for [`Chain::call_stamped`].
    ran_stamp: Option<ViewStamp>,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("block_number", &self.block_number())
            .field("timestamp", &self.timestamp())
            .finish_non_exhaustive()
    }
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// A fresh chain at block 0 and [`GENESIS_TIMESTAMP`], with [`GOD`] funded.
    pub fn new() -> Self {
        let mut chain = Self::over(Upstream::Empty, 0, GENESIS_TIMESTAMP);
        chain
            .db_mut()
            .insert_account_info(GOD, AccountInfo { balance: U256::from(GOD_ETH), ..AccountInfo::default() });
        chain
    }

    /// A chain over a node's state at a block, starting at that block's
    /// number and timestamp; [`GOD`] keeps its nonce and code there but holds
    /// [`GOD_ETH`], as on a fresh chain, to deploy the netlist's contracts.
    pub fn forked(fork: ForkDb) -> Result<Self> {
        let (block, timestamp) = (fork.block(), fork.timestamp());
        let mut chain = Self::over(Upstream::Fork(fork), block, timestamp);
        chain.set_eth_balance(GOD, U256::from(GOD_ETH))?;
        Ok(chain)
    }

    /// The fork this chain reads its state from, if it is one.
    pub fn fork_db(&self) -> Option<&ForkDb> {
        match &self.db().db {
            Upstream::Fork(fork) => Some(fork),
            Upstream::Empty | Upstream::Node(_) => None,
        }
    }

    pub(super) fn over(upstream: Upstream, number: u64, timestamp: u64) -> Self {
        let mut cfg = CfgEnv::default();
        cfg.disable_nonce_check = true;
        cfg.limit_contract_code_size = Some(0x6000);
        let block = BlockEnv {
            number: U256::from(number),
            timestamp: U256::from(timestamp),
            gas_limit: BLOCK_GAS_LIMIT,
            basefee: 0,
            ..BlockEnv::default()
        };
        let mut evm =
            Context::mainnet().with_db(Db::new(upstream)).with_cfg(cfg).with_block(block).build_mainnet();
        flag_block_reads(evm.instruction.instruction_table_mut());
        remember_keccak(evm.instruction.instruction_table_mut());
        Self {
            evm,
            sim_block: number,
            mirror: None,
            gas_used_total: 0,
            scratch_from: None,
            logs: Vec::new(),
            journal: Journal::default(),
            keep_logs: false,
            recording: None,
            views: ViewCache::default(),
            ran_stamp: None,
        }
    }

    fn db(&self) -> &Db {
        &self.evm.ctx.journaled_state.database
    }

    fn db_mut(&mut self) -> &mut Db {
        &mut self.evm.ctx.journaled_state.database
    }

    /// A new chain with this one's state, block, gas total, pending logs and
    /// journal (not its recording, view cache, what-if or mirrored node): a
    /// run forked from a deployed system behaves exactly as the original would have.
    pub fn fork(&self) -> Self {
        let mut chain = Self::new();
        *chain.db_mut() = self.db().clone();
        chain.evm.ctx.block = self.evm.ctx.block.clone();
        chain.sim_block = self.sim_block;
        chain.gas_used_total = self.gas_used_total;
        chain.logs = self.logs.clone();
        chain.keep_logs = self.keep_logs;
        chain.journal = self.journal.clone();
        chain
    }

    /// The nonce of an account (the number of transactions it sent; 0 when
    /// a fork cannot read it).
    pub fn nonce(&self, who: Address) -> u64 {
        self.account(who, |info| info.nonce).unwrap_or_default()
    }

    /// Read an account's info: from the cache, else from the upstream
    /// (a missing account reads as an empty one).
    #[inline]
    fn account<T: Default>(&self, who: Address, read: impl Fn(&AccountInfo) -> T) -> Result<T> {
        match self.db().cache.accounts.get(&who) {
            Some(account) => Ok(read(&account.info)),
            None => Ok(self.db().db.basic_ref(who)?.as_ref().map(read).unwrap_or_default()),
        }
    }

    /// Run `what` as a what-if: its transactions see each other but nothing
    /// is committed, and the chain is exactly as before afterwards — far
    /// cheaper than a snapshot, which clones the whole state.
    pub fn what_if<T>(&mut self, what: impl FnOnce(&mut Self) -> T) -> T {
        let started = self.begin_what_if();
        let result = what(self);
        self.end_what_if(started);
        result
    }

    /// Start a what-if; returns false when one is already running (nested
    /// what-ifs join the outer one, whose end discards everything).
    pub(crate) fn begin_what_if(&mut self) -> bool {
        if self.scratch_from.is_some() {
            return false;
        }
        self.scratch_from = Some(self.gas_used_total);
        watch_block_reads();
        if let Some(recording) = &mut self.recording {
            recording.begin_what_if();
        }
        true
    }

    /// End the what-if begun when `begin_what_if` returned `started`.
    pub(crate) fn end_what_if(&mut self, started: bool) {
        if started {
            self.discard_what_if();
        }
    }

    /// Where the running what-if stands: what its transactions read from
    /// here on is told apart from what came before (see [`Chain::end_what_if_since`]).
    pub(super) fn what_if_mark(&self) -> TransactionId {
        watch_block_reads();
        self.evm.ctx.journaled_state.inner.transaction_id
    }

    /// Every account whose info and every slot whose value the running
    /// what-if changed so far, with its value now.
    pub(super) fn what_if_writes(&self) -> Vec<(StateKey, StateValue)> {
        let mut writes = Vec::new();
        for (address, account) in &self.evm.ctx.journaled_state.inner.state {
            let info = &account.info;
            if account.is_changed() {
                writes.push(((*address, None), StateValue::Info(info.balance, info.nonce, info.code_hash)));
            }
            for (slot, value) in account.storage.iter().filter(|(_, value)| value.is_changed()) {
                writes.push(((*address, Some(*slot)), StateValue::Slot(value.present_value)));
            }
        }
        writes.sort_unstable_by_key(|(key, _)| *key);
        writes
    }

    /// Whether no committed transaction changed what `stamp` depends on (also
    /// inside a what-if: only committed changes count).
    pub(super) fn committed_holds(&self, stamp: &ViewStamp) -> bool {
        self.views.holds(stamp, self.block_number())
    }

    /// End the running what-if (begun by this caller); the stamp and the
    /// keys of every account and slot its transactions since `mark` read.
    pub(super) fn end_what_if_since(&mut self, mark: TransactionId) -> (ViewStamp, Vec<StateKey>) {
        let read = self.discard_what_if();
        let block = block_was_read().then(|| self.block_number());
        let mut keys = Vec::new();
        for (address, account) in read.iter().filter(|(_, account)| account.transaction_id >= mark) {
            keys.push((*address, None));
            let slots = account.storage.iter().filter(|(_, value)| value.transaction_id >= mark);
            keys.extend(slots.map(|(slot, _)| (*address, Some(*slot))));
        }
        keys.sort_unstable();
        (self.views.stamp_of(&read, mark, block), keys)
    }

    /// Drop every change of the running what-if; returns every account and
    /// slot it loaded.
    fn discard_what_if(&mut self) -> EvmState {
        let read = self.evm.finalize();
        self.gas_used_total = self.scratch_from.take().unwrap_or(self.gas_used_total);
        read
    }

    /// Record every EVM execution from now on: committed transactions,
    /// what-ifs and the calls the view cache could not answer (see
    /// [`Chain::take_recording`]).
    pub fn start_recording(&mut self) {
        self.recording = Some(Recording::default());
    }

    /// The executions recorded so far (empty unless recording); recording goes on.
    pub fn take_recording(&mut self) -> Vec<RecordedTx> {
        self.recording.as_mut().map(Recording::take).unwrap_or_default()
    }

    /// Keep the logs of committed transactions for [`Chain::take_logs`]
    /// (off by default: only callers that index events need them).
    pub fn keep_logs(&mut self, keep: bool) {
        self.keep_logs = keep;
        if !keep {
            self.logs.clear();
        }
    }

    /// The logs of committed transactions since the last call, oldest first,
    /// each with its transaction's number.
    pub fn take_logs(&mut self) -> Vec<(u64, Log)> {
        std::mem::take(&mut self.logs)
    }

    /// Committed transactions: their count, the last one, all of them when kept.
    pub fn journal(&mut self) -> &mut Journal {
        &mut self.journal
    }

    /// Gas used by every committed transaction so far (reverted ones included).
    pub fn gas_used_total(&self) -> u64 {
        self.gas_used_total
    }

    /// Runtime code at an address (empty for an EOA, or when a fork cannot
    /// read it: [`Chain::try_code`] says why).
    pub fn code(&self, at: Address) -> Bytes {
        self.try_code(at).unwrap_or_default()
    }

    /// Runtime code at an address (empty for an EOA).
    pub fn try_code(&self, at: Address) -> Result<Bytes> {
        let (code, hash) = self.account(at, |info| (info.code.clone(), info.code_hash))?;
        if let Some(code) = code {
            return Ok(code.original_bytes());
        }
        Ok(self.db().code_by_hash_ref(hash)?.original_bytes())
    }

    /// Build a transaction environment. No signature: the caller *is* the sender.
    fn tx_env(&self, from: Address, kind: TxKind, data: Bytes, value: U256) -> TxEnv {
        let nonce = if kind.is_create() { self.nonce(from) } else { 0 };
        TxEnv {
            caller: from,
            gas_limit: TX_GAS_LIMIT,
            gas_price: 0,
            kind,
            value,
            data,
            nonce,
            chain_id: None,
            ..TxEnv::default()
        }
    }

    fn run(&mut self, tx: TxEnv, commit: bool) -> Result<Receipt> {
        let from = tx.caller;
        let sent = commit.then(|| (tx.kind.into_to(), tx.data.clone(), tx.value));
        let in_what_if = self.scratch_from.is_some();
        let record = self.recording.is_some().then(|| self.record_of(&tx, commit));
        let invalid = |e| evm_error(from, e);
        if let Some(mirror) = &mut self.mirror {
            mirror.check_deferred()?;
            // A transaction the node will mine must fit the pending block.
            let timestamp = self.evm.ctx.block.timestamp.saturating_to();
            if commit && !in_what_if && mirror.make_room(timestamp)? {
                self.node_mined();
            }
        }
        let receipt = if in_what_if {
            // In a what-if every transaction stays in revm's journal, which
            // `end_what_if` drops: later transactions see earlier ones.
            receipt_of(self.evm.transact_one(tx).map_err(invalid)?)
        } else if commit {
            let done = self.evm.transact(tx).map_err(invalid)?;
            self.views.committing(&done.state, &self.evm.ctx.journaled_state.database);
            self.db_mut().commit(done.state);
            if let (Some(mirror), Some((to, data, value))) = (&mut self.mirror, &sent) {
                // Every committed transaction took one nonce of its sender.
                let cache = &self.evm.ctx.journaled_state.database.cache;
                let nonce =
                    cache.accounts.get(&from).map_or(0, |account| account.info.nonce.saturating_sub(1));
                let output = done.result.output().cloned().unwrap_or_default();
                mirror.push((from, *to, data, *value), nonce, output, done.result.tx_gas_used());
            }
            receipt_of(done.result)
        } else {
            self.cached_call(tx)?
        };
        if let (Some(mut record), Some(recording)) = (record, &mut self.recording) {
            record.success = receipt.is_success();
            recording.push(record, in_what_if);
        }
        if commit {
            self.gas_used_total += receipt.gas_used;
            if let (false, Some((to, data, value))) = (in_what_if, sent) {
                let index = self.journal.commit(from, to, &data, value, &receipt);
                if self.keep_logs {
                    self.logs.extend(receipt.logs.iter().map(|log| (index, log.clone())));
                }
            }
        }
        Ok(receipt)
    }

    fn record_of(&self, tx: &TxEnv, commit: bool) -> RecordedTx {
        RecordedTx {
            from: tx.caller,
            kind: tx.kind,
            data: tx.data.clone(),
            value: tx.value,
            block: self.block_number(),
            timestamp: self.timestamp(),
            execution: if commit { Execution::Committed } else { Execution::Call },
            success: false,
        }
    }
}

impl Chain {
    /// A read-only call outside a what-if that the cache could not answer
    /// ([`Backend::call`] asks it first): run it and remember the result.
    fn cached_call(&mut self, tx: TxEnv) -> Result<Receipt> {
        let block = self.block_number();
        let (from, to) = (tx.caller, tx.kind.into_to().unwrap_or_default());
        let data = tx.data.clone();
        watch_block_reads();
        let done = self.evm.transact(tx).map_err(|e| evm_error(from, e))?;
        let receipt = receipt_of(done.result);
        self.ran_stamp = Some(self.views.insert((from, to, &data), &receipt, &done.state, block));
        Ok(receipt)
    }

    /// A read-only call ([`Backend::call`]) with a stamp that says while its
    /// result holds ([`Chain::holds`]): a caller keeping what it decoded
    /// from the result need not repeat the call while the stamp holds. No
    /// stamp inside a what-if, whose state is never committed.
    pub fn call_stamped(
        &mut self,
        from: Address,
        to: Address,
        data: Bytes,
    ) -> Result<(Receipt, Option<ViewStamp>)> {
        if self.scratch_from.is_some() {
            return Ok((self.call(from, to, data)?, None));
        }
        if let Some((receipt, stamp)) = self.views.get_stamped((from, to, &data), self.block_number()) {
            return Ok((receipt, Some(stamp)));
        }
        self.ran_stamp = None;
        let tx = self.tx_env(from, TxKind::Call(to), data, U256::ZERO);
        let receipt = self.run(tx, false)?;
        Ok((receipt, self.ran_stamp.take()))
    }

    /// Whether the results `stamp` was made for would be the same now
    /// (never inside a what-if).
    pub fn holds(&self, stamp: &ViewStamp) -> bool {
        self.scratch_from.is_none() && self.views.holds(stamp, self.block_number())
    }
}

/// A transaction that could not run: a fork's failure to read state, or an invalid transaction.
fn evm_error(from: Address, error: EVMError<super::fork::ForkError>) -> ChainError {
    match error {
        EVMError::Database(error) => error.into(),
        other => ChainError::InvalidTransaction { from, reason: other.to_string() },
    }
}

fn receipt_of(result: ExecutionResult) -> Receipt {
    let gas_used = result.tx_gas_used();
    match result {
        ExecutionResult::Success { logs, output, .. } => {
            let created = output.address().copied();
            Receipt { outcome: Outcome::Success { output: output.into_data(), created }, gas_used, logs }
        }
        ExecutionResult::Revert { output, .. } => {
            Receipt { outcome: Outcome::Revert(RevertReason::decode(&output)), gas_used, logs: Vec::new() }
        }
        ExecutionResult::Halt { reason, .. } => {
            Receipt { outcome: Outcome::Halt(format!("{reason:?}")), gas_used, logs: Vec::new() }
        }
    }
}

impl Backend for Chain {
    type Snapshot = Snapshot;

    fn deploy(&mut self, from: Address, init_code: Bytes) -> Result<Receipt> {
        let tx = self.tx_env(from, TxKind::Create, init_code, U256::ZERO);
        self.run(tx, true)
    }

    fn transact(&mut self, from: Address, to: Address, data: Bytes, value: U256) -> Result<Receipt> {
        let tx = self.tx_env(from, TxKind::Call(to), data, value);
        self.run(tx, true)
    }

    fn call(&mut self, from: Address, to: Address, data: Bytes) -> Result<Receipt> {
        if self.scratch_from.is_none() {
            if let Some(receipt) = self.views.get(from, to, &data, self.block_number()) {
                return Ok(receipt);
            }
        }
        let tx = self.tx_env(from, TxKind::Call(to), data, U256::ZERO);
        self.run(tx, false)
    }

    fn block_number(&self) -> u64 {
        self.sim_block
    }

    fn timestamp(&self) -> u64 {
        self.evm.ctx.block.timestamp.saturating_to()
    }

    fn advance(&mut self, seconds: u64) {
        let block = &mut self.evm.ctx.block;
        match &mut self.mirror {
            None => block.number += U256::from(1),
            // The pending block is mined at the old timestamp; a failure moves nothing.
            Some(mirror) => {
                if !mirror.advance(block.timestamp.saturating_to()) {
                    return;
                }
                block.number = U256::from(mirror.next_block());
            }
        }
        block.timestamp += U256::from(seconds);
        self.sim_block += 1;
    }

    fn eth_balance(&mut self, who: Address) -> Result<U256> {
        if let Some(mirror) = &mut self.mirror {
            mirror.check_deferred()?;
        }
        self.account(who, |info| info.balance)
    }

    fn set_eth_balance(&mut self, who: Address, wei: U256) -> Result<()> {
        let mut info = self.account(who, AccountInfo::clone)?;
        info.balance = wei;
        let timestamp = self.timestamp();
        // Also inside a what-if, whose end does not undo a faucet here either.
        if let Some(mirror) = &mut self.mirror {
            if mirror.set_balance(who, wei, timestamp)? {
                self.node_mined();
            }
        }
        self.db_mut().insert_account_info(who, info);
        self.views.clear();
        Ok(())
    }

    fn snapshot(&mut self) -> Result<Snapshot> {
        let timestamp = self.timestamp();
        let node = self.mirror.as_mut().map(|mirror| mirror.snapshot(timestamp)).transpose()?;
        self.node_mined();
        Ok(Snapshot {
            db: self.db().clone(),
            block: self.evm.ctx.block.clone(),
            sim_block: self.sim_block,
            gas_used_total: self.gas_used_total,
            node,
        })
    }

    fn restore(&mut self, snapshot: &Snapshot) -> Result<()> {
        match (&mut self.mirror, &snapshot.node) {
            (Some(mirror), Some(node)) => mirror.restore(node)?,
            (None, None) => {}
            _ => {
                return Err(ChainError::Backend(
                    "a snapshot of another kind of chain cannot be restored".into(),
                ))
            }
        }
        *self.db_mut() = snapshot.db.clone();
        self.sim_block = snapshot.sim_block;
        self.views.clear();
        self.evm.ctx.block = snapshot.block.clone();
        self.gas_used_total = snapshot.gas_used_total;
        Ok(())
    }
}
