//! [`ViewCache`]: results of read-only calls on the embedded chain, kept
//! for as long as nothing they read has changed.
//!
//! A read-only call is a function of the state it reads and, at most, of the
//! block it runs in. After each call revm hands back every account and
//! storage slot it loaded; those are the entry's dependencies. Every
//! committed transaction bumps the version of each account whose info
//! (balance, nonce, code, existence) changed and of each slot whose value
//! changed; an entry is valid while none of its dependencies moved since it
//! was made. A call that ran `TIMESTAMP`, `NUMBER` or `BLOCKHASH` (the
//! chain's instruction table flags them, see [`flag_block_reads`]) holds for
//! its block only; the rest of the block never changes.
//!
//! A [`ViewStamp`] carries an entry's dependencies out of the cache, so a
//! caller that keeps what it decoded from a call can later ask whether it
//! still holds without repeating the call (no key to hash, no receipt to
//! clone): the same test as a cache hit.
//!
//! # State
//! The cache sees only committed state: [`super::Chain`] bypasses it inside
//! what-ifs and clears it whenever state changes outside a transaction
//! (faucet, snapshot restore). A stale entry is never served; a cleared cache
//! only costs the next calls their EVM time.

use super::fork::Db;
use super::Receipt;
use alloy_primitives::map::{AddressMap, HashMap, U256Map};
use alloy_primitives::Address;
use revm::bytecode::opcode;
use revm::database::AccountState;
use revm::handler::MainnetContext;
use revm::interpreter::instructions::{self, Instruction, InstructionTable};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::{InstructionContext, InstructionExecResult};
use revm::state::{Account, EvmState, TransactionId};
use smallvec::SmallVec;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept at most; past it the cache starts over.
const MAX_ENTRIES: usize = 1 << 16;

/// The dependency indices (into [`ViewCache::changed`]) of one account
/// that some entry has read: its info (balance, nonce, code, existence) and
/// each storage slot read.
#[derive(Debug)]
struct AccountDeps {
    info: u32,
    slots: U256Map<u32>,
}

/// Calldata of up to this many bytes (an `allowance(a, b)` or a two-address
/// price query) is kept inside the cache's table, not behind a pointer.
const INLINE_CALLDATA: usize = 68;

/// Who called what with which calldata: what a cached result is looked up by.
#[derive(Debug, PartialEq, Eq, Hash)]
struct CallKey {
    from: Address,
    to: Address,
    data: SmallVec<[u8; INLINE_CALLDATA]>,
}

impl CallKey {
    fn new(from: Address, to: Address, data: &[u8]) -> Self {
        Self { from, to, data: SmallVec::from_slice(data) }
    }
}

#[derive(Debug)]
struct Entry {
    receipt: Receipt,
    /// The version counter when the call ran.
    made: u64,
    /// The block the result holds for, when the call read the block.
    block: Option<u64>,
    /// Its dependencies, as indices into [`ViewCache::changed`] (a view of
    /// a token or a pool reads a handful; they stay inline).
    deps: SmallVec<[u32; 6]>,
}

/// Where a stamp's dependencies are counted: one per cache and per state
/// replaced outside a transaction, so a stamp of another chain (a forked
/// world's) or of state since replaced never passes.
static EPOCHS: AtomicU64 = AtomicU64::new(1);

fn next_epoch() -> u64 {
    EPOCHS.fetch_add(1, Ordering::Relaxed)
}

/// Says while the result of one or more read-only calls holds: until a
/// committed transaction changes an account or slot they read, the block
/// changes (for calls that read it), or the chain's state is replaced
/// (faucet, snapshot restore). Opaque; only the chain that made it can test it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewStamp {
    epoch: u64,
    made: u64,
    /// The block the results hold for, when a call read it.
    block: Option<u64>,
    deps: SmallVec<[u32; 8]>,
}

impl ViewStamp {
    /// One stamp for both results: it holds while both do.
    pub fn join(&mut self, other: &Self) {
        if self.epoch != other.epoch {
            self.epoch = 0; // Never a cache's epoch: the joined stamp never holds.
        }
        self.made = self.made.min(other.made);
        self.block = match (self.block, other.block) {
            (Some(a), Some(b)) if a != b => Some(u64::MAX), // No block is both.
            (a, b) => a.or(b),
        };
        self.deps.extend_from_slice(&other.deps);
        self.deps.sort_unstable();
        self.deps.dedup();
    }
}

/// Read-only call results with their dependencies (see the module docs).
///
/// Laid out for the hit path, which runs hundreds of thousands of times a
/// run: one flat table whose slots hold the calldata and the dependency
/// indices, and an array of versions, so a hit hashes one key and follows
/// no pointer but the receipt's output.
#[derive(Debug)]
pub(super) struct ViewCache {
    entries: HashMap<CallKey, Entry>,
    /// Stamps made under another epoch never pass (see [`EPOCHS`]).
    epoch: u64,
    /// Bumped by every committed transaction.
    version: u64,
    /// The index of every dependency some entry has had, into `changed`.
    ids: AddressMap<AccountDeps>,
    /// By dependency index: the version at which it last changed (0: not
    /// since it got its index). An array, so checking an entry hashes nothing.
    changed: Vec<u64>,
}

impl Default for ViewCache {
    fn default() -> Self {
        Self {
            entries: HashMap::default(),
            epoch: next_epoch(),
            version: 0,
            ids: AddressMap::default(),
            changed: Vec::new(),
        }
    }
}

impl ViewCache {
    /// The cached receipt of `from` calling `to` with `data` in `block`, if still valid.
    pub(super) fn get(&self, from: Address, to: Address, data: &[u8], block: u64) -> Option<Receipt> {
        self.valid(from, to, data, block).map(|entry| entry.receipt.clone())
    }

    /// [`ViewCache::get`] with the entry's stamp.
    pub(super) fn get_stamped(
        &self,
        (from, to, data): (Address, Address, &[u8]),
        block: u64,
    ) -> Option<(Receipt, ViewStamp)> {
        self.valid(from, to, data, block).map(|entry| (entry.receipt.clone(), self.stamp(entry)))
    }

    fn valid(&self, from: Address, to: Address, data: &[u8], block: u64) -> Option<&Entry> {
        let entry = self.entries.get(&CallKey::new(from, to, data))?;
        if entry.block.is_some_and(|b| b != block) {
            return None;
        }
        entry.deps.iter().all(|&id| self.changed[id as usize] <= entry.made).then_some(entry)
    }

    /// The stamp of a valid entry: its result holds until one of its
    /// dependencies changes after now (not after the entry was made, so
    /// stamps of entries made at different times can be joined).
    fn stamp(&self, entry: &Entry) -> ViewStamp {
        let deps = entry.deps.iter().copied().collect();
        ViewStamp { epoch: self.epoch, made: self.version, block: entry.block, deps }
    }

    /// Whether the results `stamp` was made for still hold in `block`.
    pub(super) fn holds(&self, stamp: &ViewStamp, block: u64) -> bool {
        stamp.epoch == self.epoch
            && stamp.block.is_none_or(|b| b == block)
            && stamp.deps.iter().all(|&id| self.changed.get(id as usize).is_some_and(|&at| at <= stamp.made))
    }

    /// Remember the receipt of a call that read `state` in `block` (and the
    /// block itself if it ran a block opcode since [`watch_block_reads`]).
    pub(super) fn insert(
        &mut self,
        (from, to, data): (Address, Address, &[u8]),
        receipt: &Receipt,
        state: &EvmState,
        block: u64,
    ) -> ViewStamp {
        if self.entries.len() >= MAX_ENTRIES {
            // Dependencies stay tracked, so stamps of dropped entries hold.
            self.entries.clear();
        }
        let deps = self.deps_of(state, TransactionId::ZERO);
        let entry = Entry {
            receipt: receipt.clone(),
            made: self.version,
            block: READ_BLOCK.get().then_some(block),
            deps,
        };
        let stamp = self.stamp(&entry);
        self.entries.insert(CallKey::new(from, to, data), entry);
        stamp
    }

    /// A stamp for results computed from what the transactions of a what-if
    /// from `since` on read (the accounts and slots of `state` they loaded),
    /// holding for `block` only when they read it.
    pub(super) fn stamp_of(
        &mut self,
        state: &EvmState,
        since: TransactionId,
        block: Option<u64>,
    ) -> ViewStamp {
        let deps = self.deps_of(state, since).into_iter().collect();
        ViewStamp { epoch: self.epoch, made: self.version, block, deps }
    }

    /// The dependency indices of every account and slot in `state` that a
    /// transaction from `since` on loaded.
    fn deps_of(&mut self, state: &EvmState, since: TransactionId) -> SmallVec<[u32; 6]> {
        let mut deps = SmallVec::new();
        let Self { ids, changed, .. } = self;
        for (address, account) in state.iter().filter(|(_, account)| account.transaction_id >= since) {
            let known = ids
                .entry(*address)
                .or_insert_with(|| AccountDeps { info: new_id(changed), slots: U256Map::default() });
            deps.push(known.info);
            for (slot, _) in account.storage.iter().filter(|(_, value)| value.transaction_id >= since) {
                deps.push(*known.slots.entry(*slot).or_insert_with(|| new_id(changed)));
            }
        }
        deps
    }

    /// Note the changes a transaction is about to commit to `db`.
    pub(super) fn committing(&mut self, state: &EvmState, db: &Db) {
        self.version += 1;
        // What no entry has read needs no record: entries made later see it.
        for (address, account) in state {
            let Some(known) = account.is_touched().then(|| self.ids.get(address)).flatten() else {
                continue;
            };
            if info_changes(*address, account, db) {
                self.changed[known.info as usize] = self.version;
            }
            let changed_slots = account.storage.iter().filter(|(_, value)| value.is_changed());
            for id in changed_slots.filter_map(|(slot, _)| known.slots.get(slot)) {
                self.changed[*id as usize] = self.version;
            }
        }
    }

    /// Forget everything (state changed outside a transaction): no entry
    /// or stamp made so far holds.
    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.epoch = next_epoch();
    }
}

/// A fresh dependency index, not changed since (the entry asking for it
/// was made after every change so far).
fn new_id(changed: &mut Vec<u64>) -> u32 {
    let id = u32::try_from(changed.len()).expect("fewer than 2^32 dependencies");
    changed.push(0);
    id
}

/// Whether committing `account` changes what a call can see of its info.
fn info_changes(address: Address, account: &Account, db: &Db) -> bool {
    if account.is_created() || account.is_selfdestructed() {
        return true;
    }
    match db.cache.accounts.get(&address) {
        None => true,
        Some(old) => {
            matches!(old.account_state, AccountState::NotExisting)
                || old.info.balance != account.info.balance
                || old.info.nonce != account.info.nonce
                || old.info.code_hash != account.info.code_hash
        }
    }
}

thread_local! {
    /// Set when the EVM runs an opcode that reads the changing part of the block.
    static READ_BLOCK: Cell<bool> = const { Cell::new(false) };
}

type Ctx = MainnetContext<Db>;

/// Make `table`'s `BLOCKHASH`, `TIMESTAMP` and `NUMBER` note that they ran
/// (only the block number and timestamp ever change on the embedded chain).
pub(super) fn flag_block_reads(table: &mut InstructionTable<EthInterpreter, Ctx>) {
    table[usize::from(opcode::BLOCKHASH)] = Instruction::new(blockhash);
    table[usize::from(opcode::TIMESTAMP)] = Instruction::new(timestamp);
    table[usize::from(opcode::NUMBER)] = Instruction::new(number);
}

/// Start watching for block reads (before a call).
pub(super) fn watch_block_reads() {
    READ_BLOCK.set(false);
}

/// Whether a block opcode ran since [`watch_block_reads`].
pub(super) fn block_was_read() -> bool {
    READ_BLOCK.get()
}

fn blockhash(ctx: InstructionContext<'_, Ctx, EthInterpreter>) -> InstructionExecResult {
    READ_BLOCK.set(true);
    instructions::host::blockhash(ctx)
}

fn timestamp(ctx: InstructionContext<'_, Ctx, EthInterpreter>) -> InstructionExecResult {
    READ_BLOCK.set(true);
    instructions::block_info::timestamp(ctx)
}

fn number(ctx: InstructionContext<'_, Ctx, EthInterpreter>) -> InstructionExecResult {
    READ_BLOCK.set(true);
    instructions::block_info::block_number(ctx)
}

#[cfg(test)]
mod tests {
    use crate::chain::test_code::{deploy, store_word, word, STORE, TIME};
    use crate::chain::{Backend, Chain, GOD};
    use alloy_primitives::{Address, Bytes, U256};

    #[test]
    fn cached_views_follow_commits_blocks_and_what_ifs() {
        let mut chain = Chain::new();
        let store = deploy(&mut chain, &STORE);
        let time = deploy(&mut chain, &TIME);
        assert_eq!(word(&mut chain, store), U256::ZERO);
        assert_eq!(word(&mut chain, store), U256::ZERO);
        let seven = Bytes::from(U256::from(7).to_be_bytes::<32>().to_vec());
        assert!(chain.transact(GOD, store, seven, U256::ZERO).expect("store").is_success());
        assert_eq!(word(&mut chain, store), U256::from(7));

        let t0 = word(&mut chain, time);
        assert_eq!(word(&mut chain, time), t0);
        chain.advance(3600);
        assert_eq!(word(&mut chain, time), t0 + U256::from(3600));

        let nine = Bytes::from(U256::from(9).to_be_bytes::<32>().to_vec());
        let inside = chain.what_if(|chain| {
            chain.transact(GOD, store, nine, U256::ZERO).expect("store");
            word(chain, store)
        });
        assert_eq!(inside, U256::from(9));
        assert_eq!(word(&mut chain, store), U256::from(7));
    }

    fn stamped(chain: &mut Chain, at: Address) -> (U256, crate::chain::ViewStamp) {
        let (receipt, stamp) = chain.call_stamped(Address::ZERO, at, Bytes::new()).expect("call");
        let output = receipt.into_output().expect("success");
        (U256::from_be_slice(&output), stamp.expect("a stamp outside what-ifs"))
    }

    #[test]
    fn stamps_hold_until_what_they_read_changes() {
        let mut chain = Chain::new();
        let (a, b) = (deploy(&mut chain, &STORE), deploy(&mut chain, &STORE));
        let (zero, stamp_a) = stamped(&mut chain, a);
        assert_eq!(zero, U256::ZERO);
        store_word(&mut chain, b, 5);
        assert!(chain.holds(&stamp_a), "a commit to another contract leaves a's result");
        // A stamp made later from an entry made earlier joins with a newer one.
        let (five, stamp_b) = stamped(&mut chain, b);
        assert_eq!(five, U256::from(5));
        let (_, mut both) = stamped(&mut chain, a);
        both.join(&stamp_b);
        assert!(chain.holds(&both));
        store_word(&mut chain, a, 3);
        assert!(!chain.holds(&stamp_a) && !chain.holds(&both));
        assert!(chain.holds(&stamp_b));
        let (three, stamp_a) = stamped(&mut chain, a);
        assert_eq!(three, U256::from(3));

        // Inside a what-if nothing holds and no stamp is made.
        chain.what_if(|chain| {
            assert!(!chain.holds(&stamp_a));
            assert!(chain.call_stamped(Address::ZERO, a, Bytes::new()).expect("call").1.is_none());
        });
        assert!(chain.holds(&stamp_a));
        // A stamp of a block read holds for its block only.
        let time = deploy(&mut chain, &TIME);
        let (_, stamp_t) = stamped(&mut chain, time);
        assert!(chain.holds(&stamp_t));
        chain.advance(60);
        assert!(!chain.holds(&stamp_t) && chain.holds(&stamp_a));
        // State replaced outside a transaction, or another chain: nothing holds.
        let forked = chain.fork();
        assert!(!forked.holds(&stamp_a));
        chain.set_eth_balance(GOD, U256::from(1)).expect("faucet");
        assert!(!chain.holds(&stamp_a));
    }
}
