//! A [`Chain`] mirroring a node (the default node mode,
//! [`Mining::Mirrored`](super::Mining)): the embedded EVM over the node's
//! latest state, whose committed transactions the node mines a block at a
//! time (`rpc::mirror` holds them and checks the mined blocks). Here: how
//! such a chain is made, ended and kept in the node's next block.

use super::fork::Upstream;
use super::rpc::NodeMirror;
use super::{Backend, Chain, RequestLog, Result};
use alloy_primitives::U256;

impl Chain {
    /// A chain mirroring the node at `url` (set up as
    /// [`RpcChain::connect`](super::RpcChain::connect) describes), starting at
    /// its latest block and timestamp: every transaction, call and what-if
    /// runs here over the node's latest state, and the node mines the
    /// committed transactions a block at a time, checked against what they
    /// did here (see `rpc::mirror`). Its requests are recorded in `log`.
    pub fn mirrored(url: &str, log: RequestLog) -> Result<Self> {
        let (mirror, state, start) = NodeMirror::connect(url, log)?;
        let mut chain = Self::over(Upstream::Node(state), start.number, start.timestamp);
        let block = &mut chain.evm.ctx.block;
        block.number = U256::from(mirror.next_block());
        block.gas_limit = start.gas_limit;
        block.beneficiary = start.coinbase;
        chain.evm.ctx.cfg.chain_id = start.chain_id;
        chain.mirror = Some(Box::new(mirror));
        Ok(chain)
    }

    /// The URL of the node this chain mirrors, if it does.
    pub fn mirrored_url(&self) -> Option<&str> {
        self.mirror.as_ref().map(|mirror| mirror.url())
    }

    /// A mirrored chain: return any deferred failure and have the node mine
    /// the pending transactions (a run's end); nothing on other chains.
    pub fn settle(&mut self) -> Result<()> {
        let timestamp = self.timestamp();
        let Some(mirror) = &mut self.mirror else { return Ok(()) };
        if mirror.flush(timestamp)? {
            self.node_mined();
        }
        Ok(())
    }

    /// The node mined a block outside [`Backend::advance`]: later
    /// transactions run in the next block, and cached views that read the
    /// block no longer hold.
    pub(super) fn node_mined(&mut self) {
        if let Some(mirror) = &self.mirror {
            self.evm.ctx.block.number = U256::from(mirror.next_block());
            self.views.clear();
        }
    }
}
