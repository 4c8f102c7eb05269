//! [`SimChain`]: the chain a simulation runs on — the embedded EVM (fresh,
//! forked from a node's state at a block, or mirroring a node), or a
//! JSON-RPC node (anvil) behind the same calls. Everything the engine needs
//! beyond [`Backend`] (what-ifs, committed logs, gas totals, code reads) is
//! provided for both.
//!
//! # State
//! What-ifs on the embedded chain live in revm's journal; on a node they are
//! an `evm_snapshot` restored afterwards. Logs of committed transactions are
//! buffered until [`SimChain::take_logs`]; what-if logs are never kept.

use super::{
    Backend, Chain, ChainError, ForkDb, ForkSpec, Journal, Mining, Receipt, RecordedTx, RequestLog, Result,
    RpcChain, RpcSnapshot, Snapshot, ViewStamp,
};
use alloy_primitives::{Address, Bytes, Log, U256};
use std::path::Path;

/// The embedded chain or a node.
// One per run: its size does not matter, and boxing the embedded EVM would
// put a pointer chase on the hot path of every transaction.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum SimChain {
    /// The embedded revm.
    Embedded(Chain),
    /// A JSON-RPC node, with the bookkeeping the embedded chain does itself.
    Rpc(RpcSide),
}

/// A node plus the engine-side bookkeeping the embedded chain keeps internally.
#[derive(Debug)]
pub struct RpcSide {
    node: RpcChain,
    logs: Vec<(u64, Log)>,
    journal: Journal,
    gas_used_total: u64,
    in_what_if: bool,
}

/// A saved state of either kind of chain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum SimSnapshot {
    /// Of the embedded chain.
    Embedded(Snapshot),
    /// Of a node, with the gas total at that point.
    Rpc(RpcSnapshot, u64),
}

impl SimChain {
    /// A fresh embedded chain.
    pub fn embedded() -> Self {
        Self::Embedded(Chain::new())
    }

    /// The embedded chain over a node's state at a block (`spec`), read
    /// lazily and cached in `cache_dir` (see [`ForkDb::open`]).
    pub fn forked(spec: &ForkSpec, cache_dir: &Path) -> Result<Self> {
        Ok(Self::Embedded(Chain::forked(ForkDb::open(spec, cache_dir)?)?))
    }

    /// The fork the embedded chain reads from, if it is one.
    pub fn fork_db(&self) -> Option<&ForkDb> {
        match self {
            Self::Embedded(chain) => chain.fork_db(),
            Self::Rpc(_) => None,
        }
    }

    /// A node at `url` (set up as [`RpcChain::connect`] describes), mirrored
    /// by the embedded EVM ([`Mining::Mirrored`]).
    pub fn rpc(url: &str) -> Result<Self> {
        Self::rpc_with(url, Mining::default(), RequestLog::default())
    }

    /// A node at `url`, mining as `mining` says and recording its requests
    /// in `log` (see [`RpcChain::connect_with`]).
    pub fn rpc_with(url: &str, mining: Mining, log: RequestLog) -> Result<Self> {
        if mining == Mining::Mirrored {
            return Ok(Self::Embedded(Chain::mirrored(url, log)?));
        }
        Ok(Self::Rpc(RpcSide {
            node: RpcChain::connect_with(url, mining, log)?,
            logs: Vec::new(),
            journal: Journal::default(),
            gas_used_total: 0,
            in_what_if: false,
        }))
    }

    /// Run `what` and then undo everything it did to the chain.
    pub fn what_if<T>(&mut self, what: impl FnOnce(&mut Self) -> T) -> Result<T> {
        match self {
            Self::Embedded(chain) => {
                let started = chain.begin_what_if();
                let result = what(self);
                if let Self::Embedded(chain) = self {
                    chain.end_what_if(started);
                }
                Ok(result)
            }
            Self::Rpc(side) => {
                if side.in_what_if {
                    return Ok(what(self));
                }
                let snapshot = side.node.snapshot()?;
                let gas = side.gas_used_total;
                side.in_what_if = true;
                let result = what(self);
                if let Self::Rpc(side) = self {
                    side.in_what_if = false;
                    side.gas_used_total = gas;
                    side.node.restore(&snapshot)?;
                }
                Ok(result)
            }
        }
    }

    /// A copy of the embedded chain to run from (see [`Chain::fork`]); a
    /// node (or a chain mirroring one) cannot be forked here.
    pub fn fork(&self) -> Result<Self> {
        match self {
            Self::Embedded(chain) if chain.mirrored_url().is_none() => Ok(Self::Embedded(chain.fork())),
            _ => Err(ChainError::Backend("a node's state cannot be copied into another run".into())),
        }
    }

    /// The node a run is on and how it drives it (`None` on the embedded
    /// EVM alone, fresh or forked).
    pub fn node(&self) -> Option<(&str, Mining)> {
        match self {
            Self::Embedded(chain) => chain.mirrored_url().map(|url| (url, Mining::Mirrored)),
            Self::Rpc(side) => Some((side.node.url(), side.node.mining())),
        }
    }

    /// Have a node mine what it has not yet and return any failure kept
    /// from [`Backend::advance`] (a run's end); nothing on the embedded EVM.
    pub fn settle(&mut self) -> Result<()> {
        match self {
            Self::Embedded(chain) => chain.settle(),
            Self::Rpc(side) => side.node.settle(),
        }
    }

    /// Keep committed transactions' logs for [`SimChain::take_logs`].
    pub fn keep_logs(&mut self, keep: bool) {
        if let Self::Embedded(chain) = self {
            chain.keep_logs(keep);
        }
    }

    /// Logs of committed transactions since the last call, each with its
    /// transaction's number.
    pub fn take_logs(&mut self) -> Vec<(u64, Log)> {
        match self {
            Self::Embedded(chain) => chain.take_logs(),
            Self::Rpc(side) => std::mem::take(&mut side.logs),
        }
    }

    /// Committed transactions: their count, the last one, all of them when kept.
    pub fn journal(&mut self) -> &mut Journal {
        match self {
            Self::Embedded(chain) => chain.journal(),
            Self::Rpc(side) => &mut side.journal,
        }
    }

    /// Gas used by every committed transaction so far.
    pub fn gas_used_total(&self) -> u64 {
        match self {
            Self::Embedded(chain) => chain.gas_used_total(),
            Self::Rpc(side) => side.gas_used_total,
        }
    }

    /// Runtime code at an address.
    pub fn code(&mut self, at: Address) -> Result<Bytes> {
        match self {
            Self::Embedded(chain) => chain.try_code(at),
            Self::Rpc(side) => side.node.code(at),
        }
    }

    /// Record every EVM execution (embedded chain only; benchmarks replay them).
    pub fn start_recording(&mut self) {
        if let Self::Embedded(chain) = self {
            chain.start_recording();
        }
    }

    /// The recorded executions (none on a node).
    pub fn take_recording(&mut self) -> Vec<RecordedTx> {
        match self {
            Self::Embedded(chain) => chain.take_recording(),
            Self::Rpc(_) => Vec::new(),
        }
    }
}

impl SimChain {
    /// A read-only call with a stamp that says while its result holds
    /// ([`Chain::call_stamped`]); a node gives none.
    pub fn call_stamped(
        &mut self,
        from: Address,
        to: Address,
        data: Bytes,
    ) -> Result<(Receipt, Option<ViewStamp>)> {
        match self {
            Self::Embedded(chain) => chain.call_stamped(from, to, data),
            Self::Rpc(side) => Ok((side.node.call(from, to, data)?, None)),
        }
    }

    /// Whether the results `stamp` was made for would be the same now ([`Chain::holds`]).
    pub fn holds(&self, stamp: &ViewStamp) -> bool {
        match self {
            Self::Embedded(chain) => chain.holds(stamp),
            Self::Rpc(_) => false,
        }
    }
}

impl RpcSide {
    fn committed(
        &mut self,
        sent: (Address, Option<Address>, &Bytes, U256),
        receipt: Result<Receipt>,
    ) -> Result<Receipt> {
        let receipt = receipt?;
        if !self.in_what_if {
            self.gas_used_total += receipt.gas_used;
            let (from, to, data, value) = sent;
            let index = self.journal.commit(from, to, data, value, &receipt);
            if receipt.is_success() {
                self.logs.extend(receipt.logs.iter().map(|log| (index, log.clone())));
            }
        }
        Ok(receipt)
    }
}

impl Backend for SimChain {
    type Snapshot = SimSnapshot;

    fn deploy(&mut self, from: Address, init_code: Bytes) -> Result<Receipt> {
        match self {
            Self::Embedded(chain) => chain.deploy(from, init_code),
            Self::Rpc(side) => {
                let receipt = side.node.deploy(from, init_code.clone());
                side.committed((from, None, &init_code, U256::ZERO), receipt)
            }
        }
    }

    fn transact(&mut self, from: Address, to: Address, data: Bytes, value: U256) -> Result<Receipt> {
        match self {
            Self::Embedded(chain) => chain.transact(from, to, data, value),
            Self::Rpc(side) => {
                let receipt = side.node.transact(from, to, data.clone(), value);
                side.committed((from, Some(to), &data, value), receipt)
            }
        }
    }

    fn call(&mut self, from: Address, to: Address, data: Bytes) -> Result<Receipt> {
        match self {
            Self::Embedded(chain) => chain.call(from, to, data),
            Self::Rpc(side) => side.node.call(from, to, data),
        }
    }

    fn block_number(&self) -> u64 {
        match self {
            Self::Embedded(chain) => chain.block_number(),
            Self::Rpc(side) => side.node.block_number(),
        }
    }

    fn timestamp(&self) -> u64 {
        match self {
            Self::Embedded(chain) => chain.timestamp(),
            Self::Rpc(side) => side.node.timestamp(),
        }
    }

    fn advance(&mut self, seconds: u64) {
        match self {
            Self::Embedded(chain) => chain.advance(seconds),
            Self::Rpc(side) => side.node.advance(seconds),
        }
    }

    fn eth_balance(&mut self, who: Address) -> Result<U256> {
        match self {
            Self::Embedded(chain) => chain.eth_balance(who),
            Self::Rpc(side) => side.node.eth_balance(who),
        }
    }

    fn set_eth_balance(&mut self, who: Address, wei: U256) -> Result<()> {
        match self {
            Self::Embedded(chain) => chain.set_eth_balance(who, wei),
            Self::Rpc(side) => side.node.set_eth_balance(who, wei),
        }
    }

    fn snapshot(&mut self) -> Result<SimSnapshot> {
        match self {
            Self::Embedded(chain) => Ok(SimSnapshot::Embedded(chain.snapshot()?)),
            Self::Rpc(side) => Ok(SimSnapshot::Rpc(side.node.snapshot()?, side.gas_used_total)),
        }
    }

    fn restore(&mut self, snapshot: &SimSnapshot) -> Result<()> {
        match (self, snapshot) {
            (Self::Embedded(chain), SimSnapshot::Embedded(saved)) => chain.restore(saved),
            (Self::Rpc(side), SimSnapshot::Rpc(saved, gas)) => {
                side.gas_used_total = *gas;
                side.node.restore(saved)
            }
            _ => Err(ChainError::Backend("a snapshot of one kind of chain cannot restore another".into())),
        }
    }
}
