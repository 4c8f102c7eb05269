//! Gas of the V3 pool's operations, and swaps per second through the chain.

use super::contracts::v3::{Datatoken, DatatokenFactory, PoolFactory, WeightedPool};
use super::contracts::OceanV3;
use crate::chain::{address_for, Backend, Chain, Receipt};
use crate::wallet::{to_base18, Erc20};
use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use std::time::Instant;

/// Gas used by each pool operation, and the swap rate.
#[derive(Debug, Clone)]
pub struct PoolGasReport {
    /// `(operation, gas used)` in the order measured.
    pub gas: Vec<(&'static str, u64)>,
    /// `swapExactAmountIn` calls per second (alternating directions).
    pub swaps_per_s: f64,
}

impl std::fmt::Display for PoolGasReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "V3 pool gas (70/30 OCEAN/DT, 0.1% fee)")?;
        for (operation, gas) in &self.gas {
            writeln!(f, "  {operation:<26} {gas:>9} gas")?;
        }
        write!(f, "  swapExactAmountIn rate     {:>9.0} swaps/s", self.swaps_per_s)
    }
}

fn send<C: SolCall>(chain: &mut Chain, from: Address, to: Address, call: &C) -> anyhow::Result<Receipt> {
    let receipt = chain.transact(from, to, call.abi_encode().into(), U256::ZERO)?;
    if let Some(reason) = receipt.revert_reason() {
        anyhow::bail!("{} reverted: {reason}", C::SIGNATURE);
    }
    Ok(receipt)
}

/// Measure gas of setup, swaps, joins, exits and startOrder, then time `swaps` swaps.
pub fn pool_gas(swaps: usize) -> anyhow::Result<PoolGasReport> {
    let mut chain = Chain::new();
    let market = OceanV3::deploy(&mut chain)?;
    let ocean = market.ocean.address;
    let publisher = address_for("bench-publisher");
    let trader = address_for("bench-trader");
    for who in [publisher, trader] {
        market.ocean.mint(&mut chain, who, to_base18(1_000_000.0)?)?;
    }
    let mut gas = Vec::new();
    let create =
        DatatokenFactory::createTokenCall { name: "DT".into(), symbol: "DT".into(), cap: to_base18(1e6)? };
    let receipt = send(&mut chain, publisher, market.datatoken_factory, &create)?;
    gas.push(("createToken (clone)", receipt.gas_used));
    let datatoken = DatatokenFactory::createTokenCall::abi_decode_returns(&receipt.into_output()?)?;
    chain.send(publisher, datatoken, &Datatoken::mintCall { to: publisher, amount: to_base18(10_000.0)? })?;
    chain.send(publisher, datatoken, &Datatoken::mintCall { to: trader, amount: to_base18(1_000.0)? })?;
    let receipt = send(&mut chain, publisher, market.pool_factory, &PoolFactory::newPoolCall {})?;
    gas.push(("newPool (clone)", receipt.gas_used));
    let pool = PoolFactory::newPoolCall::abi_decode_returns(&receipt.into_output()?)?;
    for (who, token) in [(publisher, ocean), (publisher, datatoken), (trader, ocean), (trader, datatoken)] {
        chain.send(who, token, &Erc20::approveCall { spender: pool, amount: U256::MAX })?;
    }
    let setup = WeightedPool::setupCall {
        dataToken: datatoken,
        dataTokenAmount: to_base18(1_000.0)?,
        dataTokenWeight: to_base18(3.0)?,
        baseToken: ocean,
        baseTokenAmount: to_base18(7_000.0)?,
        baseTokenWeight: to_base18(7.0)?,
        swapFee: to_base18(0.001)?,
    };
    gas.push(("setup", send(&mut chain, publisher, pool, &setup)?.gas_used));
    let buy = |amount| WeightedPool::swapExactAmountInCall {
        tokenIn: ocean,
        tokenAmountIn: amount,
        tokenOut: datatoken,
        minAmountOut: U256::ZERO,
        maxPrice: U256::MAX,
    };
    gas.push(("swapExactAmountIn", send(&mut chain, trader, pool, &buy(to_base18(10.0)?))?.gas_used));
    let exact_out = WeightedPool::swapExactAmountOutCall {
        tokenIn: ocean,
        maxAmountIn: U256::MAX,
        tokenOut: datatoken,
        tokenAmountOut: to_base18(1.0)?,
        maxPrice: U256::MAX,
    };
    gas.push(("swapExactAmountOut", send(&mut chain, trader, pool, &exact_out)?.gas_used));
    let join =
        WeightedPool::joinPoolCall { poolAmountOut: to_base18(1.0)?, maxAmountsIn: vec![U256::MAX; 2] };
    gas.push(("joinPool", send(&mut chain, trader, pool, &join)?.gas_used));
    let exit =
        WeightedPool::exitPoolCall { poolAmountIn: to_base18(0.5)?, minAmountsOut: vec![U256::ZERO; 2] };
    gas.push(("exitPool", send(&mut chain, trader, pool, &exit)?.gas_used));
    let stake = WeightedPool::joinswapExternAmountInCall {
        tokenIn: ocean,
        tokenAmountIn: to_base18(100.0)?,
        minPoolAmountOut: U256::ZERO,
    };
    gas.push(("joinswapExternAmountIn", send(&mut chain, trader, pool, &stake)?.gas_used));
    let unstake = WeightedPool::exitswapPoolAmountInCall {
        tokenOut: ocean,
        poolAmountIn: to_base18(0.5)?,
        minAmountOut: U256::ZERO,
    };
    gas.push(("exitswapPoolAmountIn", send(&mut chain, trader, pool, &unstake)?.gas_used));
    let order = Datatoken::startOrderCall {
        consumer: trader,
        amount: to_base18(1.0)?,
        serviceId: U256::ZERO,
        marketFeeCollector: Address::ZERO,
    };
    gas.push(("startOrder", send(&mut chain, trader, datatoken, &order)?.gas_used));

    let sell = |amount| WeightedPool::swapExactAmountInCall {
        tokenIn: datatoken,
        tokenAmountIn: amount,
        tokenOut: ocean,
        minAmountOut: U256::ZERO,
        maxPrice: U256::MAX,
    };
    let (buy_data, sell_data) = (buy(to_base18(5.0)?).abi_encode(), sell(to_base18(0.5)?).abi_encode());
    let clock = Instant::now();
    let mut ok = 0;
    for i in 0..swaps {
        let data = if i % 2 == 0 { &buy_data } else { &sell_data };
        ok += usize::from(chain.transact(trader, pool, data.clone().into(), U256::ZERO)?.is_success());
    }
    let elapsed = clock.elapsed().as_secs_f64();
    anyhow::ensure!(ok == swaps, "every benchmark swap succeeds ({ok} of {swaps})");
    Ok(PoolGasReport { gas, swaps_per_s: swaps as f64 / elapsed.max(1e-9) })
}
