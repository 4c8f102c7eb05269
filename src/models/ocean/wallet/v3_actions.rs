//! What agents do on an Ocean V3 market, as thin helpers on [`AgentWallet`]:
//! each does the approvals it needs and returns the on-chain result, a
//! revert coming back as [`crate::chain::ChainError::Reverted`].

use crate::chain::{Backend, Result};
use crate::models::ocean::contracts::v3::{Datatoken, DatatokenFactory, PoolFactory, WeightedPool};
use crate::models::ocean::contracts::OceanV3;
use crate::wallet::AgentWallet;
use alloy_primitives::{Address, U256};

/// How a publisher seeds a new pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSeed {
    /// Datatokens bound into the pool.
    pub datatoken_amount: U256,
    /// Denormalised datatoken weight (base 18; 1–50 tokens' worth).
    pub datatoken_weight: U256,
    /// OCEAN bound into the pool.
    pub ocean_amount: U256,
    /// Denormalised OCEAN weight.
    pub ocean_weight: U256,
    /// Swap fee (base 18; 1e15 is 0.1%).
    pub swap_fee: U256,
}

impl AgentWallet {
    /// Create a datatoken with `cap`; this wallet becomes its minter.
    pub fn create_datatoken<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV3,
        name: &str,
        symbol: &str,
        cap: U256,
    ) -> Result<Address> {
        let call =
            DatatokenFactory::createTokenCall { name: name.to_string(), symbol: symbol.to_string(), cap };
        chain.send(self.address, market.datatoken_factory, &call)
    }

    /// Mint `amount` of a datatoken this wallet is the minter of, to `to`.
    pub fn mint_datatoken<B: Backend>(
        &self,
        chain: &mut B,
        datatoken: Address,
        to: Address,
        amount: U256,
    ) -> Result<()> {
        chain.send(self.address, datatoken, &Datatoken::mintCall { to, amount })?;
        Ok(())
    }

    /// Create a pool and set it up with `datatoken` and OCEAN in one call;
    /// this wallet receives the 100 initial shares.
    pub fn create_pool<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV3,
        datatoken: Address,
        seed: &PoolSeed,
    ) -> Result<Address> {
        let pool = chain.send(self.address, market.pool_factory, &PoolFactory::newPoolCall {})?;
        self.approve(chain, datatoken, pool, seed.datatoken_amount)?;
        self.approve(chain, market.ocean.address, pool, seed.ocean_amount)?;
        let setup = WeightedPool::setupCall {
            dataToken: datatoken,
            dataTokenAmount: seed.datatoken_amount,
            dataTokenWeight: seed.datatoken_weight,
            baseToken: market.ocean.address,
            baseTokenAmount: seed.ocean_amount,
            baseTokenWeight: seed.ocean_weight,
            swapFee: seed.swap_fee,
        };
        chain.send(self.address, pool, &setup)?;
        Ok(pool)
    }

    /// Swap exactly `amount_in` of `token_in` for at least `min_out` of
    /// `token_out`; returns the amount received.
    pub fn swap_exact_in<B: Backend>(
        &self,
        chain: &mut B,
        pool: Address,
        token_in: Address,
        amount_in: U256,
        token_out: Address,
        min_out: U256,
    ) -> Result<U256> {
        let call = WeightedPool::swapExactAmountInCall {
            tokenIn: token_in,
            tokenAmountIn: amount_in,
            tokenOut: token_out,
            minAmountOut: min_out,
            maxPrice: U256::MAX,
        };
        Ok(self.send_paying(chain, token_in, amount_in, pool, &call)?.tokenAmountOut)
    }

    /// Buy exactly `amount_out` of `token_out` paying at most `max_in` of
    /// `token_in`; returns the amount paid.
    pub fn swap_exact_out<B: Backend>(
        &self,
        chain: &mut B,
        pool: Address,
        token_in: Address,
        max_in: U256,
        token_out: Address,
        amount_out: U256,
    ) -> Result<U256> {
        let call = WeightedPool::swapExactAmountOutCall {
            tokenIn: token_in,
            maxAmountIn: max_in,
            tokenOut: token_out,
            tokenAmountOut: amount_out,
            maxPrice: U256::MAX,
        };
        Ok(self.send_paying(chain, token_in, max_in, pool, &call)?.tokenAmountIn)
    }

    /// Buy datatokens with exactly `ocean_in` OCEAN; returns the DT received.
    pub fn buy_dt<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV3,
        pool: Address,
        datatoken: Address,
        ocean_in: U256,
    ) -> Result<U256> {
        self.swap_exact_in(chain, pool, market.ocean.address, ocean_in, datatoken, U256::ZERO)
    }

    /// Sell exactly `dt_in` datatokens for OCEAN; returns the OCEAN received.
    pub fn sell_dt<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV3,
        pool: Address,
        datatoken: Address,
        dt_in: U256,
    ) -> Result<U256> {
        self.swap_exact_in(chain, pool, datatoken, dt_in, market.ocean.address, U256::ZERO)
    }

    /// Stake OCEAN: a single-sided join; returns the pool shares received.
    pub fn stake<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV3,
        pool: Address,
        ocean_in: U256,
    ) -> Result<U256> {
        let call = WeightedPool::joinswapExternAmountInCall {
            tokenIn: market.ocean.address,
            tokenAmountIn: ocean_in,
            minPoolAmountOut: U256::ZERO,
        };
        self.send_paying(chain, market.ocean.address, ocean_in, pool, &call)
    }

    /// Unstake: redeem `shares` for OCEAN (single-sided exit); returns the OCEAN received.
    pub fn unstake<B: Backend>(
        &self,
        chain: &mut B,
        market: &OceanV3,
        pool: Address,
        shares: U256,
    ) -> Result<U256> {
        let call = WeightedPool::exitswapPoolAmountInCall {
            tokenOut: market.ocean.address,
            poolAmountIn: shares,
            minAmountOut: U256::ZERO,
        };
        chain.send(self.address, pool, &call)
    }

    /// Consume: pay `amount` datatokens through `startOrder` (fees to the
    /// community and, when non-zero, to `market_fee_collector`).
    pub fn consume<B: Backend>(
        &self,
        chain: &mut B,
        datatoken: Address,
        amount: U256,
        service_id: U256,
        market_fee_collector: Address,
    ) -> Result<()> {
        let call = Datatoken::startOrderCall {
            consumer: self.address,
            amount,
            serviceId: service_id,
            marketFeeCollector: market_fee_collector,
        };
        chain.send(self.address, datatoken, &call)?;
        Ok(())
    }
}
