//! What agents do on an Ocean V4 / V4.1 market, as thin helpers on
//! [`AgentWallet`]; each does the approvals it needs.

use crate::chain::{Backend, Result};
use crate::models::ocean::contracts::v4::{DatatokenV4, PoolV4, PoolV4Factory, SideStaking};
use crate::models::ocean::contracts::OceanV4;
use crate::wallet::AgentWallet;
use alloy_primitives::{Address, U256};

pub use PoolV4Factory::AssetParams;

impl AgentWallet {
    /// Create a datatoken and its pool through the factory (the one-sided
    /// staking bot holds the supply and seeds the pool); returns `(datatoken, pool)`.
    pub fn create_asset_v4<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV4,
        params: AssetParams,
    ) -> Result<(Address, Address)> {
        let created = self.send_paying(
            chain,
            market.ocean.address,
            params.baseAmount,
            market.factory,
            &PoolV4Factory::createAssetCall { p: params },
        )?;
        Ok((created.datatoken, created.pool))
    }

    /// Swap exactly `amount_in` of `token_in` on a V4 pool; returns the amount out.
    pub fn swap_exact_in_v4<B: Backend>(
        &self,
        chain: &mut B,
        pool: Address,
        token_in: Address,
        amount_in: U256,
        token_out: Address,
    ) -> Result<U256> {
        let call = PoolV4::swapExactAmountInCall {
            tokenIn: token_in,
            tokenAmountIn: amount_in,
            tokenOut: token_out,
            minAmountOut: U256::ZERO,
            maxPrice: U256::MAX,
            consumeMarketFeeCollector: Address::ZERO,
            consumeMarketFee: U256::ZERO,
        };
        Ok(self.send_paying(chain, token_in, amount_in, pool, &call)?.tokenAmountOut)
    }

    /// Buy exactly `amount_out` of `token_out` on a V4 pool paying at most
    /// `max_in`; returns the amount paid (fees included).
    pub fn swap_exact_out_v4<B: Backend>(
        &self,
        chain: &mut B,
        pool: Address,
        token_in: Address,
        max_in: U256,
        token_out: Address,
        amount_out: U256,
    ) -> Result<U256> {
        let call = PoolV4::swapExactAmountOutCall {
            tokenIn: token_in,
            maxAmountIn: max_in,
            tokenOut: token_out,
            tokenAmountOut: amount_out,
            maxPrice: U256::MAX,
            consumeMarketFeeCollector: Address::ZERO,
            consumeMarketFee: U256::ZERO,
        };
        Ok(self.send_paying(chain, token_in, max_in, pool, &call)?.tokenAmountIn)
    }

    /// Stake base tokens on a V4 pool (the bot mirrors with datatokens); returns shares.
    pub fn stake_v4<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV4,
        pool: Address,
        ocean_in: U256,
    ) -> Result<U256> {
        let call =
            PoolV4::joinswapExternAmountInCall { baseAmountIn: ocean_in, minPoolAmountOut: U256::ZERO };
        self.send_paying(chain, market.ocean.address, ocean_in, pool, &call)
    }

    /// Unstake `shares` from a V4 pool (the bot takes back its datatokens); returns OCEAN out.
    pub fn unstake_v4<B: Backend>(&self, chain: &mut B, pool: Address, shares: U256) -> Result<U256> {
        let call = PoolV4::exitswapPoolAmountInCall { poolAmountIn: shares, minBaseAmountOut: U256::ZERO };
        chain.send(self.address, pool, &call)
    }

    /// Consume: `startOrder` takes exactly one datatoken.
    pub fn consume_v4<B: Backend>(&self, chain: &mut B, datatoken: Address) -> Result<()> {
        let call = DatatokenV4::startOrderCall {
            consumer: self.address,
            serviceIndex: U256::ZERO,
            consumeMarketFeeCollector: Address::ZERO,
        };
        chain.send(self.address, datatoken, &call)?;
        Ok(())
    }

    /// Claim the publisher's vested datatokens; returns the amount claimed.
    pub fn claim_vesting<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV4,
        datatoken: Address,
    ) -> Result<U256> {
        chain.send(self.address, market.side_staking, &SideStaking::claimVestingCall { datatoken })
    }
}
