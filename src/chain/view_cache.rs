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
//! # State
//! The cache sees only committed state: [`super::Chain`] bypasses it inside
//! what-ifs and clears it whenever state changes outside a transaction
//! (faucet, snapshot restore). A stale entry is never served; a cleared cache
//! only costs the next calls their EVM time.

use super::Receipt;
use alloy_primitives::map::HashMap;
use alloy_primitives::{Address, Bytes, U256};
use revm::bytecode::opcode;
use revm::database::{AccountState, CacheDB, EmptyDB};
use revm::handler::MainnetContext;
use revm::interpreter::instructions::{self, Instruction, InstructionTable};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::{InstructionContext, InstructionExecResult};
use revm::state::{Account, EvmState};
use std::cell::Cell;

/// Entries kept at most; past it the cache starts over.
const MAX_ENTRIES: usize = 1 << 16;

/// What a cached call read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Dep {
    /// An account's info (balance, nonce, code, existence).
    Account(Address),
    /// One storage slot.
    Slot(Address, U256),
}

#[derive(Debug)]
struct Entry {
    receipt: Receipt,
    /// The version counter when the call ran.
    made: u64,
    /// The block the result holds for, when the call read the block.
    block: Option<u64>,
    deps: Box<[Dep]>,
}

/// Read-only call results with their dependencies (see the module docs).
#[derive(Debug, Default)]
pub(super) struct ViewCache {
    /// By caller and callee, then calldata.
    entries: HashMap<(Address, Address), HashMap<Bytes, Entry>>,
    /// Entries in `entries`.
    len: usize,
    /// Bumped by every committed transaction.
    version: u64,
    /// The version at which each dependency last changed.
    changed: HashMap<Dep, u64>,
}

impl ViewCache {
    /// The cached receipt of `from` calling `to` with `data` in `block`, if still valid.
    pub(super) fn get(&self, from: Address, to: Address, data: &Bytes, block: u64) -> Option<Receipt> {
        let entry = self.entries.get(&(from, to))?.get(data)?;
        if entry.block.is_some_and(|b| b != block) {
            return None;
        }
        let fresh = entry.deps.iter().all(|dep| self.changed.get(dep).is_none_or(|&v| v <= entry.made));
        fresh.then(|| entry.receipt.clone())
    }

    /// Remember the receipt of a call that read `state` in `block` (and the
    /// block itself if it ran a block opcode since [`watch_block_reads`]).
    pub(super) fn insert(
        &mut self,
        (from, to, data): (Address, Address, Bytes),
        receipt: &Receipt,
        state: &EvmState,
        block: u64,
    ) {
        if self.len >= MAX_ENTRIES {
            self.clear();
        }
        let mut deps = Vec::with_capacity(state.len() + 4);
        for (address, account) in state {
            deps.push(Dep::Account(*address));
            deps.extend(account.storage.keys().map(|slot| Dep::Slot(*address, *slot)));
        }
        let entry = Entry {
            receipt: receipt.clone(),
            made: self.version,
            block: READ_BLOCK.get().then_some(block),
            deps: deps.into_boxed_slice(),
        };
        if self.entries.entry((from, to)).or_default().insert(data, entry).is_none() {
            self.len += 1;
        }
    }

    /// Note the changes a transaction is about to commit to `db`.
    pub(super) fn committing(&mut self, state: &EvmState, db: &CacheDB<EmptyDB>) {
        self.version += 1;
        for (address, account) in state {
            if !account.is_touched() {
                continue;
            }
            if info_changes(*address, account, db) {
                self.changed.insert(Dep::Account(*address), self.version);
            }
            for (slot, value) in &account.storage {
                if value.is_changed() {
                    self.changed.insert(Dep::Slot(*address, *slot), self.version);
                }
            }
        }
    }

    /// Forget everything (state changed outside a transaction).
    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.len = 0;
    }
}

/// Whether committing `account` changes what a call can see of its info.
fn info_changes(address: Address, account: &Account, db: &CacheDB<EmptyDB>) -> bool {
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

type Ctx = MainnetContext<CacheDB<EmptyDB>>;

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
    use crate::chain::{Backend, Chain, GOD};
    use alloy_primitives::{Address, Bytes, U256};

    /// Init code returning `runtime` as the contract's code.
    fn deploy(chain: &mut Chain, runtime: &[u8]) -> Address {
        let len = u8::try_from(runtime.len()).expect("short code");
        let mut init = vec![0x60, len, 0x80, 0x60, 0x09, 0x5f, 0x39, 0x5f, 0xf3];
        init.extend_from_slice(runtime);
        chain.deploy_contract(GOD, init.into()).expect("deploy")
    }

    fn word(chain: &mut Chain, at: Address) -> U256 {
        let output =
            chain.call(Address::ZERO, at, Bytes::new()).expect("call").into_output().expect("success");
        U256::from_be_slice(&output)
    }

    /// Empty calldata: return slot 0; else store the first calldata word in slot 0.
    const STORE: [u8; 20] = [
        0x36, 0x15, 0x60, 0x0a, 0x57, 0x5f, 0x35, 0x5f, 0x55, 0x00, 0x5b, 0x5f, 0x54, 0x5f, 0x52, 0x60, 0x20,
        0x5f, 0xf3, 0x00,
    ];
    /// Return the block timestamp.
    const TIME: [u8; 7] = [0x42, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3];

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
}
