//! Fork mode: the embedded EVM's state read lazily from a JSON-RPC node at a
//! pinned block, and cached on disk so that a later run of the same fork
//! starts offline.
//!
//! [`Upstream`] is what the embedded chain's `CacheDB` falls back to for an
//! account, a code, a storage slot or a block hash it does not hold: nothing
//! ([`Upstream::Empty`], a fresh chain — exactly revm's `EmptyDB`), a node's
//! latest state (the mirrored node mode, `rpc::mirror`), or a [`ForkDb`]. A
//! `ForkDb` answers from its cache, and on a miss asks the node
//! (`eth_getBalance`, `eth_getTransactionCount`, `eth_getCode`,
//! `eth_getStorageAt`, `eth_getBlockByNumber`) *at the fork block*, never at
//! "latest", so the fork is reproducible.
//!
//! # State
//! A `ForkDb` is an `Arc`: the chain's snapshots and copies share it and its
//! cache. The cache only grows, with values of the fork block, which never
//! change. [`ForkDb::save`] writes it to `<dir>/<chain id>-<block>.json`
//! (a temporary file renamed over the old one, so a reader never sees half a
//! file); [`ForkDb::open`] loads that file first. Writes of the simulation go
//! to the `CacheDB` above, never here.
//!
//! # Errors
//! A node that cannot be reached, answers with an error, or answers what
//! does not parse is a [`ForkError`] naming the method, the address or slot
//! and the URL; inside a transaction it is a database error, which the chain
//! returns as [`ChainError::Backend`](super::ChainError::Backend). A cache
//! file that does not parse is an error naming the file. Opening a fork whose
//! node is down works only from a cache file of that URL and block.

use super::rpc::client::{data, parsed, quantity, quantity_u256, RequestLog, Rpc, RpcError};
use super::rpc::NodeState;
use super::{ChainError, Result};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use revm::bytecode::Bytecode;
use revm::database::{CacheDB, DBErrorMarker, DatabaseRef};
use revm::state::AccountInfo;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The embedded chain's database: revm's in-memory cache over an [`Upstream`].
pub(super) type Db = CacheDB<Upstream>;

/// Where the fork's cache files go unless told otherwise.
pub const DEFAULT_FORK_CACHE: &str = "cache/fork";

/// How long one request to the forked node may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// `URL[@BLOCK]`: the node to fork and the block to fork at (default: its latest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkSpec {
    /// The node's JSON-RPC URL.
    pub url: String,
    /// The block number, or `None` for the node's latest block (resolved once, at start).
    pub block: Option<u64>,
}

impl FromStr for ForkSpec {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let (url, block) = match text.rsplit_once('@') {
            // An `@` inside the authority (user@host) is followed by more than digits.
            Some((url, block)) if !block.is_empty() && block.chars().all(|c| c.is_ascii_digit()) => {
                let block = block.parse().map_err(|e| format!("{text:?}: block {block:?}: {e}"))?;
                (url, Some(block))
            }
            Some((url, "latest")) => (url, None),
            _ => (text, None),
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("{text:?}: expected URL[@BLOCK] with an http:// or https:// URL"));
        }
        Ok(Self { url: url.to_string(), block })
    }
}

/// A failure to read a node's state, forked or mirrored (what, where, and the node's answer).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ForkError(String);

impl ForkError {
    pub(super) fn new(message: String) -> Self {
        Self(message)
    }
}

impl DBErrorMarker for ForkError {}

impl From<ForkError> for ChainError {
    fn from(error: ForkError) -> Self {
        Self::Backend(error.to_string())
    }
}

/// What the embedded chain's cache falls back to.
#[derive(Debug, Clone, Default)]
pub(super) enum Upstream {
    /// Nothing: every account is empty (a fresh chain; revm's `EmptyDB`).
    #[default]
    Empty,
    /// A node's state at a block.
    Fork(ForkDb),
    /// A node's latest state (the mirrored node mode).
    Node(NodeState),
}

impl DatabaseRef for Upstream {
    type Error = ForkError;

    #[inline]
    fn basic_ref(&self, address: Address) -> std::result::Result<Option<AccountInfo>, ForkError> {
        match self {
            Self::Empty => Ok(None),
            Self::Fork(fork) => fork.basic(address),
            Self::Node(node) => node.basic(address),
        }
    }

    #[inline]
    fn code_by_hash_ref(&self, code_hash: B256) -> std::result::Result<Bytecode, ForkError> {
        match self {
            Self::Empty => Ok(Bytecode::default()),
            Self::Fork(fork) => fork.code_by_hash(code_hash),
            Self::Node(node) => node.code_by_hash(code_hash),
        }
    }

    #[inline]
    fn storage_ref(&self, address: Address, index: U256) -> std::result::Result<U256, ForkError> {
        match self {
            Self::Empty => Ok(U256::ZERO),
            Self::Fork(fork) => fork.storage(address, index),
            Self::Node(node) => node.storage(address, index),
        }
    }

    #[inline]
    fn block_hash_ref(&self, number: u64) -> std::result::Result<B256, ForkError> {
        match self {
            Self::Fork(fork) if number <= fork.0.cache().block => fork.block_hash(number),
            Self::Node(node) => node.block_hash(number),
            // Simulated blocks (and a fresh chain's) hash as revm's EmptyDB does.
            _ => Ok(keccak256(number.to_string().as_bytes())),
        }
    }
}

/// An account of the fork block, as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedAccount {
    balance: U256,
    nonce: u64,
    code_hash: B256,
}

/// Everything read from the node, as written to the cache file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ForkCache {
    url: String,
    chain_id: u64,
    block: u64,
    block_hash: B256,
    timestamp: u64,
    /// `None`: the account does not exist (no balance, nonce or code).
    accounts: BTreeMap<Address, Option<CachedAccount>>,
    code: BTreeMap<B256, Bytes>,
    storage: BTreeMap<Address, BTreeMap<U256, U256>>,
    block_hashes: BTreeMap<u64, B256>,
}

/// How many requests a fork sent to its node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ForkCalls {
    /// Requests for state: accounts, code, storage slots, block hashes.
    pub state: u64,
    /// Requests to set the fork up (chain id, the fork block's header).
    pub setup: u64,
}

/// A node's state at a block, read lazily and cached (see the module docs).
#[derive(Clone)]
pub struct ForkDb(Arc<Inner>);

struct Inner {
    /// `None` when the node was not reachable and the fork runs from its cache file alone.
    rpc: Option<Rpc>,
    url: String,
    path: PathBuf,
    cache: Mutex<ForkCache>,
    state_calls: AtomicU64,
    setup_calls: AtomicU64,
    /// Whether the cache holds something the file does not.
    dirty: AtomicBool,
}

impl Inner {
    fn cache(&self) -> MutexGuard<'_, ForkCache> {
        // A panic while holding the lock cannot leave the maps half-updated
        // (each update is one insert), so a poisoned lock is still usable.
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for ForkDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForkDb")
            .field("url", &self.0.url)
            .field("block", &self.block())
            .field("cache", &self.0.path)
            .finish_non_exhaustive()
    }
}

impl ForkDb {
    /// Open a fork of `spec` with its cache file in `cache_dir`: ask the node
    /// its chain id and the fork block's header (resolving "latest" to a
    /// number), then load `<cache_dir>/<chain id>-<block>.json` if it is of
    /// that same block (same hash). When the node cannot be reached and
    /// `spec` names a block, the fork runs from a cache file of that URL and
    /// block alone.
    pub fn open(spec: &ForkSpec, cache_dir: &Path) -> Result<Self> {
        let rpc = Rpc::new(&spec.url, REQUEST_TIMEOUT, RequestLog::default());
        let setup_calls = AtomicU64::new(1);
        let chain_id = match rpc.request("eth_chainId", json!([])) {
            Ok(id) => quantity(&id, "eth_chainId", "chain id")?,
            Err(RpcError::Transport(reason)) => return Self::from_cache_alone(spec, cache_dir, &reason),
            Err(error) => return Err(fork_error("eth_chainId", &spec.url, error).into()),
        };
        let tag = spec.block.map_or_else(|| "latest".to_string(), |n| format!("{n:#x}"));
        setup_calls.fetch_add(1, Ordering::Relaxed);
        let header = rpc.call("eth_getBlockByNumber", json!([tag, false]))?;
        if header.is_null() {
            let reason = format!("the node has no block {tag} (any more)");
            if spec.block.is_some() {
                return Self::from_cache_alone(spec, cache_dir, &reason);
            }
            return Err(fork_error("eth_getBlockByNumber", &spec.url, reason).into());
        }
        let method = "eth_getBlockByNumber";
        let block = quantity(&header["number"], method, "number")?;
        let block_hash: B256 = parsed(&header["hash"], method, "hash")?;
        let timestamp = quantity(&header["timestamp"], method, "timestamp")?;
        let path = cache_dir.join(format!("{chain_id}-{block}.json"));
        let cache = match read_cache(&path)? {
            Some(cache) if cache.block_hash == block_hash => ForkCache { url: spec.url.clone(), ..cache },
            // No file, or one of another chain that had the same id and height.
            _ => ForkCache {
                url: spec.url.clone(),
                chain_id,
                block,
                block_hash,
                timestamp,
                ..ForkCache::default()
            },
        };
        Ok(Self(Arc::new(Inner {
            rpc: Some(rpc),
            url: spec.url.clone(),
            path,
            cache: Mutex::new(cache),
            state_calls: AtomicU64::new(0),
            setup_calls,
            dirty: AtomicBool::new(false),
        })))
    }

    /// The node is unreachable: a cache file of this URL and block, alone.
    fn from_cache_alone(spec: &ForkSpec, cache_dir: &Path, reason: &str) -> Result<Self> {
        let unreachable = |why: String| {
            ChainError::Backend(format!("fork {}: the node cannot serve it ({reason}), and {why}", spec.url))
        };
        let Some(block) = spec.block else {
            return Err(unreachable("no block is given (URL@BLOCK) to find a cached fork by".into()));
        };
        let mut found = None;
        let entries = std::fs::read_dir(cache_dir).map_err(|e| {
            unreachable(format!("there is no cache to run from ({}: {e})", cache_dir.display()))
        })?;
        let suffix = format!("-{block}.json");
        let mut candidates: Vec<PathBuf> = entries
            .filter_map(|entry| Some(entry.ok()?.path()))
            .filter(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(&suffix)))
            .collect();
        candidates.sort();
        for path in candidates {
            if let Some(cache) = read_cache(&path)? {
                if cache.url == spec.url && cache.block == block {
                    found = Some((path, cache));
                    break;
                }
            }
        }
        let Some((path, cache)) = found else {
            return Err(unreachable(format!(
                "{} holds no cached fork of this URL at block {block}",
                cache_dir.display()
            )));
        };
        Ok(Self(Arc::new(Inner {
            rpc: None,
            url: spec.url.clone(),
            path,
            cache: Mutex::new(cache),
            state_calls: AtomicU64::new(0),
            setup_calls: AtomicU64::new(1),
            dirty: AtomicBool::new(false),
        })))
    }

    /// The fork block's number.
    pub fn block(&self) -> u64 {
        self.0.cache().block
    }

    /// The fork block's timestamp.
    pub fn timestamp(&self) -> u64 {
        self.0.cache().timestamp
    }

    /// The node's chain id.
    pub fn chain_id(&self) -> u64 {
        self.0.cache().chain_id
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.0.url
    }

    /// The cache file.
    pub fn cache_path(&self) -> &Path {
        &self.0.path
    }

    /// Whether the node could not be reached and the fork runs from its cache file.
    pub fn is_offline(&self) -> bool {
        self.0.rpc.is_none()
    }

    /// The requests sent to the node so far.
    pub fn calls(&self) -> ForkCalls {
        ForkCalls {
            state: self.0.state_calls.load(Ordering::Relaxed),
            setup: self.0.setup_calls.load(Ordering::Relaxed),
        }
    }

    /// Write the cache file if it lacks something read since it was loaded
    /// (a temporary file renamed over it).
    pub fn save(&self) -> Result<()> {
        if !self.0.dirty.swap(false, Ordering::Relaxed) {
            return Ok(());
        }
        let path = &self.0.path;
        let failed = |what: &str, e: &dyn fmt::Display| {
            self.0.dirty.store(true, Ordering::Relaxed);
            ChainError::Backend(format!("fork cache {}: {what}: {e}", path.display()))
        };
        let text = serde_json::to_string(&*self.0.cache()).map_err(|e| failed("cannot encode", &e))?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| failed("cannot create its folder", &e))?;
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| failed("cannot write", &e))?;
        std::io::Write::write_all(&mut temp, text.as_bytes()).map_err(|e| failed("cannot write", &e))?;
        temp.persist(path).map_err(|e| failed("cannot write", &e.error))?;
        Ok(())
    }

    /// One state request to the node at the fork block.
    fn fetch(
        &self,
        method: &str,
        mut params: Vec<Value>,
        what: &str,
    ) -> std::result::Result<Value, ForkError> {
        let Some(rpc) = &self.0.rpc else {
            return Err(ForkError(format!(
                "{method} {what}: not in the cache file {} and the node {} cannot be reached",
                self.0.path.display(),
                self.0.url
            )));
        };
        params.push(json!(format!("{:#x}", self.block())));
        self.0.state_calls.fetch_add(1, Ordering::Relaxed);
        rpc.request(method, Value::Array(params))
            .map_err(|e| fork_error(method, &self.0.url, format!("{what}: {e}")))
    }

    fn basic(&self, address: Address) -> std::result::Result<Option<AccountInfo>, ForkError> {
        let cached = self.0.cache().accounts.get(&address).cloned();
        let account = match cached {
            Some(account) => account,
            None => {
                let account = self.fetch_account(address)?;
                self.0.cache().accounts.insert(address, account.clone());
                self.0.dirty.store(true, Ordering::Relaxed);
                account
            }
        };
        let Some(account) = account else { return Ok(None) };
        let code = self.code_by_hash(account.code_hash)?;
        Ok(Some(AccountInfo::new(account.balance, account.nonce, account.code_hash, code)))
    }

    /// Balance, nonce and code of an account at the fork block (the code into the cache).
    fn fetch_account(&self, address: Address) -> std::result::Result<Option<CachedAccount>, ForkError> {
        let what = format!("account {address}");
        let read = read_account(&what, |method| self.fetch(method, vec![json!(address)], &what))?;
        let Some((balance, nonce, code)) = read else { return Ok(None) };
        let code_hash = keccak256(&code);
        if !code.is_empty() {
            self.0.cache().code.insert(code_hash, code);
        }
        Ok(Some(CachedAccount { balance, nonce, code_hash }))
    }

    fn code_by_hash(&self, code_hash: B256) -> std::result::Result<Bytecode, ForkError> {
        match self.0.cache().code.get(&code_hash) {
            Some(code) => Ok(Bytecode::new_raw(code.clone())),
            None if code_hash == revm::primitives::KECCAK_EMPTY => Ok(Bytecode::default()),
            // Codes come with their accounts; a hash never seen has no code to ask for.
            None => {
                Err(ForkError(format!("fork: no code with hash {code_hash} was read from {}", self.0.url)))
            }
        }
    }

    fn storage(&self, address: Address, index: U256) -> std::result::Result<U256, ForkError> {
        if let Some(value) = self.0.cache().storage.get(&address).and_then(|slots| slots.get(&index)) {
            return Ok(*value);
        }
        let what = format!("account {address} slot {index:#x}");
        let method = "eth_getStorageAt";
        let answer = self.fetch(method, vec![json!(address), json!(format!("{index:#x}"))], &what)?;
        let value =
            quantity_u256(&answer, method, "value").map_err(|e| ForkError(format!("fork: {what}: {e}")))?;
        self.0.cache().storage.entry(address).or_default().insert(index, value);
        self.0.dirty.store(true, Ordering::Relaxed);
        Ok(value)
    }

    fn block_hash(&self, number: u64) -> std::result::Result<B256, ForkError> {
        if let Some(hash) = self.0.cache().block_hashes.get(&number) {
            return Ok(*hash);
        }
        let what = format!("block {number}");
        let method = "eth_getBlockByNumber";
        let Some(rpc) = &self.0.rpc else {
            return Err(ForkError(format!(
                "fork: {method} {what}: not cached and the node cannot be reached"
            )));
        };
        self.0.state_calls.fetch_add(1, Ordering::Relaxed);
        let header = rpc
            .request(method, json!([format!("{number:#x}"), false]))
            .map_err(|e| fork_error(method, &self.0.url, format!("{what}: {e}")))?;
        let hash = if header.is_null() {
            // Pruned or unknown history: the hash a fresh chain would give.
            keccak256(number.to_string().as_bytes())
        } else {
            parsed(&header["hash"], method, "hash").map_err(|e| ForkError(format!("fork: {what}: {e}")))?
        };
        self.0.cache().block_hashes.insert(number, hash);
        self.0.dirty.store(true, Ordering::Relaxed);
        Ok(hash)
    }
}

/// Balance, nonce and code of the account `what` names, from `fetch(method)`
/// answering `eth_getBalance`, `eth_getTransactionCount` and `eth_getCode`
/// of it (the fork at its block, the mirror at "latest"); `None` when it has
/// none of them.
pub(super) fn read_account(
    what: &str,
    fetch: impl Fn(&str) -> std::result::Result<serde_json::Value, ForkError>,
) -> std::result::Result<Option<(U256, u64, Bytes)>, ForkError> {
    let parse = |e: ChainError| ForkError(format!("{what}: {e}"));
    let method = "eth_getBalance";
    let balance = quantity_u256(&fetch(method)?, method, "balance").map_err(parse)?;
    let method = "eth_getTransactionCount";
    let nonce = quantity(&fetch(method)?, method, "nonce").map_err(parse)?;
    let method = "eth_getCode";
    let code = data(&fetch(method)?, method, "code").map_err(parse)?;
    Ok((!balance.is_zero() || nonce != 0 || !code.is_empty()).then_some((balance, nonce, code)))
}

fn fork_error(method: &str, url: &str, error: impl fmt::Display) -> ForkError {
    ForkError(format!("fork: {method} on {url}: {error}"))
}

/// A cache file, or `None` when there is none.
fn read_cache(path: &Path) -> Result<Option<ForkCache>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ChainError::Backend(format!("fork cache {}: cannot read: {e}", path.display())))
        }
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        ChainError::Backend(format!(
            "fork cache {}: does not parse ({e}); delete it to read the fork from the node again",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::{ForkDb, ForkSpec, Upstream};
    use alloy_primitives::{address, keccak256, U256};
    use revm::database::{DatabaseRef, EmptyDB};

    #[test]
    fn an_empty_upstream_answers_as_revms_empty_db() {
        let (ours, theirs) = (Upstream::Empty, EmptyDB::default());
        let who = address!("0x00000000000000000000000000000000000000aa");
        assert_eq!(ours.basic_ref(who).unwrap(), theirs.basic_ref(who).unwrap());
        assert_eq!(
            ours.storage_ref(who, U256::from(3)).unwrap(),
            theirs.storage_ref(who, U256::from(3)).unwrap()
        );
        assert_eq!(ours.block_hash_ref(42).unwrap(), theirs.block_hash_ref(42).unwrap());
    }

    #[test]
    fn an_unreachable_node_runs_from_its_cache_file_and_names_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let url = "http://127.0.0.1:1";
        let who = address!("0x00000000000000000000000000000000000000aa");
        let code = alloy_primitives::Bytes::from(vec![0x60, 0x00]);
        let file = serde_json::json!({
            "url": url, "chain_id": 1, "block": 7, "block_hash": keccak256(b"7"), "timestamp": 1000,
            "accounts": { who.to_string(): { "balance": "0x5", "nonce": 2, "code_hash": keccak256(&code) } },
            "code": { keccak256(&code).to_string(): code },
            "storage": { who.to_string(): { "0x1": "0x9" } },
            "block_hashes": {}
        });
        std::fs::write(dir.path().join("1-7.json"), file.to_string()).unwrap();
        let fork = ForkDb::open(&format!("{url}@7").parse().unwrap(), dir.path()).unwrap();
        assert!(fork.is_offline());
        assert_eq!((fork.block(), fork.timestamp(), fork.chain_id()), (7, 1000, 1));
        let info = fork.basic(who).unwrap().unwrap();
        assert_eq!((info.balance, info.nonce), (U256::from(5), 2));
        assert_eq!(info.code.unwrap().original_bytes(), code);
        assert_eq!(fork.storage(who, U256::from(1)).unwrap(), U256::from(9));
        let missing = fork.storage(who, U256::from(2)).unwrap_err().to_string();
        assert!(missing.contains("not in the cache file") && missing.contains(url), "{missing}");
        assert_eq!(fork.calls().state, 0);
        // Another block has no file: the error says where it looked.
        let error = ForkDb::open(&format!("{url}@8").parse().unwrap(), dir.path()).unwrap_err().to_string();
        assert!(error.contains("holds no cached fork of this URL at block 8"), "{error}");
    }

    #[test]
    fn fork_specs_parse_a_url_and_an_optional_block() {
        let spec: ForkSpec = "http://127.0.0.1:8545@17".parse().unwrap();
        assert_eq!((spec.url.as_str(), spec.block), ("http://127.0.0.1:8545", Some(17)));
        let spec: ForkSpec = "http://127.0.0.1:8545".parse().unwrap();
        assert_eq!(spec.block, None);
        let spec: ForkSpec = "https://user@node.example/rpc@latest".parse().unwrap();
        assert_eq!((spec.url.as_str(), spec.block), ("https://user@node.example/rpc", None));
        assert!("127.0.0.1:8545@3".parse::<ForkSpec>().is_err());
    }
}
