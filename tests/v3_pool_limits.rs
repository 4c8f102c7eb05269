//! Every limit of the Ocean V3 weighted pool (`WeightedPool.sol`) in the
//! embedded EVM: each one at its boundary (passes) and one wei past it
//! (reverts with the decoded reason), on a 70/30 pool with OCEAN 10,000 and
//! DT 1,000 or on a pool still being set up; plus `bpow`'s domain through
//! `BalancerMathHarness`.

#[path = "support/balancer_ref.rs"]
mod balancer_ref;
#[path = "support/ledger.rs"]
mod ledger;
#[path = "support/v3_world.rs"]
mod v3_world;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use balancer_ref::wei;
use tokenspice::artifacts::deploy_own;
use tokenspice::chain::{Backend, RevertReason};
use tokenspice::models::ocean::contracts::v3::{BalancerMathHarness, PoolFactory, WeightedPool};
use tokenspice::models::ocean::wallet::PoolSeed;
use tokenspice::wallet::Erc20;
use v3_world::{e18, preview, reason, spot_price, with_world, PoolParams, World};

fn params_70_30() -> PoolParams {
    PoolParams {
        ocean_balance: e18(10_000),
        dt_balance: e18(1_000),
        ocean_weight: e18(7),
        dt_weight: e18(3),
        fee: U256::from(1_000_000_000_000_000_u64),
    }
}

/// A pool created but not set up, controlled by the publisher, plus `n`
/// fresh datatokens held and approved by the publisher.
fn unfinalized_pool(world: &mut World, n: usize) -> (Address, Vec<Address>) {
    world.chain.restore(&world.base).unwrap();
    let publisher = world.publisher.address;
    let pool = world.chain.send(publisher, world.market.pool_factory, &PoolFactory::newPoolCall {}).unwrap();
    let mut tokens = Vec::new();
    for i in 0..n {
        let name = format!("T{i}");
        let token = world
            .publisher
            .create_datatoken(&mut world.chain, &world.market, &name, &name, e18(1_000))
            .unwrap();
        world.publisher.mint_datatoken(&mut world.chain, token, publisher, e18(1_000)).unwrap();
        world.publisher.approve(&mut world.chain, token, pool, U256::MAX).unwrap();
        tokens.push(token);
    }
    (pool, tokens)
}

fn bind(token: Address, balance: U256, denorm: U256) -> WeightedPool::bindCall {
    WeightedPool::bindCall { token, balance, denorm }
}

#[test]
fn swap_limits_are_enforced() {
    with_world(|w| {
        let pool = w.fresh_pool(&params_70_30());
        let (ocean, dt, trader) = (w.ocean(), w.dt, w.trader.address);
        let max_in = wei::bmul(e18(10_000), wei::MAX_IN_RATIO);
        let max_out = wei::bmul(e18(1_000), wei::MAX_OUT_RATIO);
        let swap_in = |amount: U256, min_out: U256, max_price: U256| WeightedPool::swapExactAmountInCall {
            tokenIn: ocean,
            tokenAmountIn: amount,
            tokenOut: dt,
            minAmountOut: min_out,
            maxPrice: max_price,
        };
        let swap_out = |amount: U256, max_in: U256, max_price: U256| WeightedPool::swapExactAmountOutCall {
            tokenIn: ocean,
            maxAmountIn: max_in,
            tokenOut: dt,
            tokenAmountOut: amount,
            maxPrice: max_price,
        };
        let one = U256::from(1);
        let any = U256::MAX;

        // ERR_MAX_IN_RATIO: exactly half the in-balance is allowed.
        assert!(preview(&mut w.chain, trader, pool, &swap_in(max_in, U256::ZERO, any)).is_ok());
        assert_eq!(
            reason(w.chain.send(trader, pool, &swap_in(max_in + one, U256::ZERO, any))),
            "ERR_MAX_IN_RATIO"
        );
        // ERR_MAX_OUT_RATIO: a third of the out-balance (+1 wei) is allowed.
        assert!(preview(&mut w.chain, trader, pool, &swap_out(max_out, any, any)).is_ok());
        assert_eq!(
            reason(w.chain.send(trader, pool, &swap_out(max_out + one, any, any))),
            "ERR_MAX_OUT_RATIO"
        );

        // ERR_LIMIT_OUT / ERR_LIMIT_IN at the exact result.
        let amount = e18(100);
        let out = preview(&mut w.chain, trader, pool, &swap_in(amount, U256::ZERO, any)).unwrap();
        assert!(preview(&mut w.chain, trader, pool, &swap_in(amount, out.tokenAmountOut, any)).is_ok());
        let too_much = swap_in(amount, out.tokenAmountOut + one, any);
        assert_eq!(reason(w.chain.send(trader, pool, &too_much)), "ERR_LIMIT_OUT");
        let dt_wanted = e18(10);
        let cost = preview(&mut w.chain, trader, pool, &swap_out(dt_wanted, any, any)).unwrap();
        assert!(preview(&mut w.chain, trader, pool, &swap_out(dt_wanted, cost.tokenAmountIn, any)).is_ok());
        let too_little = swap_out(dt_wanted, cost.tokenAmountIn - one, any);
        assert_eq!(reason(w.chain.send(trader, pool, &too_little)), "ERR_LIMIT_IN");

        // ERR_LIMIT_PRICE: the price after the swap is capped ...
        let after = out.spotPriceAfter;
        assert!(preview(&mut w.chain, trader, pool, &swap_in(amount, U256::ZERO, after)).is_ok());
        assert_eq!(
            reason(w.chain.send(trader, pool, &swap_in(amount, U256::ZERO, after - one))),
            "ERR_LIMIT_PRICE"
        );
        let after = cost.spotPriceAfter;
        assert!(preview(&mut w.chain, trader, pool, &swap_out(dt_wanted, any, after)).is_ok());
        assert_eq!(
            reason(w.chain.send(trader, pool, &swap_out(dt_wanted, any, after - one))),
            "ERR_LIMIT_PRICE"
        );
        // ... and ERR_BAD_LIMIT_PRICE: so is the price before it.
        let before = spot_price(w, ocean, dt);
        assert_eq!(
            reason(w.chain.send(trader, pool, &swap_in(amount, U256::ZERO, before - one))),
            "ERR_BAD_LIMIT_PRICE"
        );
        assert_eq!(
            reason(w.chain.send(trader, pool, &swap_out(dt_wanted, any, before - one))),
            "ERR_BAD_LIMIT_PRICE"
        );

        // ERR_NOT_BOUND: a token that is not in the pool.
        let stranger = w.market.pool_factory;
        let call = WeightedPool::swapExactAmountInCall {
            tokenIn: stranger,
            tokenAmountIn: amount,
            tokenOut: dt,
            minAmountOut: U256::ZERO,
            maxPrice: any,
        };
        assert_eq!(reason(w.chain.send(trader, pool, &call)), "ERR_NOT_BOUND");
        let call = WeightedPool::swapExactAmountOutCall {
            tokenIn: ocean,
            maxAmountIn: any,
            tokenOut: stranger,
            tokenAmountOut: one,
            maxPrice: any,
        };
        assert_eq!(reason(w.chain.send(trader, pool, &call)), "ERR_NOT_BOUND");
        assert_eq!(
            reason(w.chain.view(pool, &WeightedPool::getBalanceCall { token: stranger })),
            "ERR_NOT_BOUND"
        );
        let call = WeightedPool::getSpotPriceCall { tokenIn: ocean, tokenOut: stranger };
        assert_eq!(reason(w.chain.view(pool, &call)), "ERR_NOT_BOUND");
    });
}

#[test]
fn join_and_exit_limits_are_enforced() {
    with_world(|w| {
        let pool = w.fresh_pool(&params_70_30());
        let (ocean, trader, publisher) = (w.ocean(), w.trader.address, w.publisher.address);
        let one = U256::from(1);
        let any = U256::MAX;
        let b = e18(10_000);

        // joinswapExternAmountIn: ERR_MAX_IN_RATIO and ERR_LIMIT_OUT.
        let join_in = |a: U256, min: U256| WeightedPool::joinswapExternAmountInCall {
            tokenIn: ocean,
            tokenAmountIn: a,
            minPoolAmountOut: min,
        };
        let max_in = wei::bmul(b, wei::MAX_IN_RATIO);
        assert!(preview(&mut w.chain, trader, pool, &join_in(max_in, U256::ZERO)).is_ok());
        assert_eq!(
            reason(w.chain.send(trader, pool, &join_in(max_in + one, U256::ZERO))),
            "ERR_MAX_IN_RATIO"
        );
        let shares = preview(&mut w.chain, trader, pool, &join_in(e18(250), U256::ZERO)).unwrap();
        assert!(preview(&mut w.chain, trader, pool, &join_in(e18(250), shares)).is_ok());
        assert_eq!(reason(w.chain.send(trader, pool, &join_in(e18(250), shares + one))), "ERR_LIMIT_OUT");

        // joinswapPoolAmountOut: ERR_LIMIT_IN, ERR_MAX_IN_RATIO, and a pool
        // ratio (S+P)/S of 2 is past bpow's domain.
        let join_out = |p: U256, max: U256| WeightedPool::joinswapPoolAmountOutCall {
            tokenIn: ocean,
            poolAmountOut: p,
            maxAmountIn: max,
        };
        let cost = preview(&mut w.chain, trader, pool, &join_out(e18(1), any)).unwrap();
        assert!(preview(&mut w.chain, trader, pool, &join_out(e18(1), cost)).is_ok());
        assert_eq!(reason(w.chain.send(trader, pool, &join_out(e18(1), cost - one))), "ERR_LIMIT_IN");
        // 50 shares on 100 cost (1.5^(10/7) - 1) b / (1-f') = 0.785 b > b/2.
        assert_eq!(reason(w.chain.send(trader, pool, &join_out(e18(50), any))), "ERR_MAX_IN_RATIO");
        assert_eq!(reason(w.chain.send(trader, pool, &join_out(e18(100), any))), "ERR_BPOW_BASE_TOO_HIGH");

        // joinPool: ERR_LIMIT_IN per token (OCEAN is token 1: DT was bound first).
        let tokens = w.chain.view(pool, &WeightedPool::getFinalTokensCall {}).unwrap();
        assert_eq!(tokens, vec![w.dt, ocean]);
        let needed =
            [wei::proportional(e18(10), e18(100), e18(1_000)), wei::proportional(e18(10), e18(100), b)];
        let join = |max: Vec<U256>| WeightedPool::joinPoolCall { poolAmountOut: e18(10), maxAmountsIn: max };
        assert!(preview(&mut w.chain, trader, pool, &join(needed.to_vec())).is_ok());
        assert_eq!(
            reason(w.chain.send(trader, pool, &join(vec![needed[0], needed[1] - one]))),
            "ERR_LIMIT_IN"
        );
        assert_eq!(
            reason(w.chain.send(trader, pool, &join(vec![needed[0] - one, needed[1]]))),
            "ERR_LIMIT_IN"
        );

        // exitPool: ERR_LIMIT_OUT per token.
        let exit = |min: Vec<U256>| WeightedPool::exitPoolCall { poolAmountIn: e18(10), minAmountsOut: min };
        assert!(preview(&mut w.chain, publisher, pool, &exit(needed.to_vec())).is_ok());
        assert_eq!(
            reason(w.chain.send(publisher, pool, &exit(vec![needed[0], needed[1] + one]))),
            "ERR_LIMIT_OUT"
        );

        // exitswapPoolAmountIn: ERR_LIMIT_OUT, ERR_MAX_OUT_RATIO, and all
        // shares in makes the pool ratio 0, below bpow's domain.
        let exit_in = |p: U256, min: U256| WeightedPool::exitswapPoolAmountInCall {
            tokenOut: ocean,
            poolAmountIn: p,
            minAmountOut: min,
        };
        let paid = preview(&mut w.chain, publisher, pool, &exit_in(e18(2), U256::ZERO)).unwrap();
        assert!(preview(&mut w.chain, publisher, pool, &exit_in(e18(2), paid)).is_ok());
        assert_eq!(reason(w.chain.send(publisher, pool, &exit_in(e18(2), paid + one))), "ERR_LIMIT_OUT");
        // 40 of 100 shares pay (1 - 0.6^(10/7)) b (1-f') = 0.518 b > b/3.
        assert_eq!(reason(w.chain.send(publisher, pool, &exit_in(e18(40), U256::ZERO))), "ERR_MAX_OUT_RATIO");
        assert_eq!(
            reason(w.chain.send(publisher, pool, &exit_in(e18(100), U256::ZERO))),
            "ERR_BPOW_BASE_TOO_LOW"
        );

        // exitswapExternAmountOut: ERR_MAX_OUT_RATIO and ERR_LIMIT_IN.
        let exit_out = |a: U256, max: U256| WeightedPool::exitswapExternAmountOutCall {
            tokenOut: ocean,
            tokenAmountOut: a,
            maxPoolAmountIn: max,
        };
        let max_out = wei::bmul(b, wei::MAX_OUT_RATIO);
        assert!(preview(&mut w.chain, publisher, pool, &exit_out(max_out, any)).is_ok());
        assert_eq!(reason(w.chain.send(publisher, pool, &exit_out(max_out + one, any))), "ERR_MAX_OUT_RATIO");
        let burnt = preview(&mut w.chain, publisher, pool, &exit_out(e18(100), any)).unwrap();
        assert!(preview(&mut w.chain, publisher, pool, &exit_out(e18(100), burnt)).is_ok());
        assert_eq!(reason(w.chain.send(publisher, pool, &exit_out(e18(100), burnt - one))), "ERR_LIMIT_IN");

        // ERR_NOT_BOUND on the single-sided entry points.
        let stranger = w.market.pool_factory;
        let call = WeightedPool::joinswapExternAmountInCall {
            tokenIn: stranger,
            tokenAmountIn: one,
            minPoolAmountOut: U256::ZERO,
        };
        assert_eq!(reason(w.chain.send(trader, pool, &call)), "ERR_NOT_BOUND");
        let call = WeightedPool::exitswapPoolAmountInCall {
            tokenOut: stranger,
            poolAmountIn: one,
            minAmountOut: U256::ZERO,
        };
        assert_eq!(reason(w.chain.send(publisher, pool, &call)), "ERR_NOT_BOUND");
    });
}

#[test]
fn setup_limits_are_enforced() {
    with_world(|w| {
        let (pool, tokens) = unfinalized_pool(w, 9);
        let publisher = w.publisher.address;
        let one = U256::from(1);
        let min_weight = wei::ONE;
        let min_balance = U256::from(1_000_000);

        // ERR_MIN_WEIGHT / ERR_MAX_WEIGHT, at the boundaries.
        assert_eq!(
            reason(w.chain.send(publisher, pool, &bind(tokens[0], e18(1), min_weight - one))),
            "ERR_MIN_WEIGHT"
        );
        assert_eq!(
            reason(w.chain.send(publisher, pool, &bind(tokens[0], e18(1), e18(50) + one))),
            "ERR_MAX_WEIGHT"
        );
        assert!(preview(&mut w.chain, publisher, pool, &bind(tokens[0], e18(1), e18(50))).is_ok());
        // ERR_MIN_BALANCE: 1e-12 tokens is the least.
        assert_eq!(
            reason(w.chain.send(publisher, pool, &bind(tokens[0], min_balance - one, min_weight))),
            "ERR_MIN_BALANCE"
        );
        // ERR_MAX_TOTAL_WEIGHT: 30 + 20 is fine, 30 + 20 + 1 wei is not.
        w.chain.send(publisher, pool, &bind(tokens[0], min_balance, e18(30))).unwrap();
        assert_eq!(
            reason(w.chain.send(publisher, pool, &bind(tokens[1], e18(1), e18(20) + one))),
            "ERR_MAX_TOTAL_WEIGHT"
        );
        let rebind = WeightedPool::rebindCall { token: tokens[0], balance: e18(1), denorm: e18(49) };
        w.chain.send(publisher, pool, &bind(tokens[1], e18(1), e18(20))).unwrap();
        assert_eq!(reason(w.chain.send(publisher, pool, &rebind)), "ERR_MAX_TOTAL_WEIGHT");
        // Make room: weights 30 and 20 down to 1 each.
        for token in &tokens[..2] {
            let call = WeightedPool::rebindCall { token: *token, balance: e18(1), denorm: min_weight };
            w.chain.send(publisher, pool, &call).unwrap();
        }
        // ERR_MAX_TOKENS: eight bound tokens at most.
        for token in &tokens[2..8] {
            w.chain.send(publisher, pool, &bind(*token, e18(1), min_weight)).unwrap();
        }
        assert_eq!(w.chain.view(pool, &WeightedPool::getNumTokensCall {}).unwrap(), U256::from(8));
        assert_eq!(
            reason(w.chain.send(publisher, pool, &bind(tokens[8], e18(1), min_weight))),
            "ERR_MAX_TOKENS"
        );
        assert_eq!(
            reason(w.chain.send(publisher, pool, &bind(tokens[0], e18(1), min_weight))),
            "ERR_IS_BOUND"
        );

        // ERR_MIN_FEE / ERR_MAX_FEE, at the boundaries (1e-6 and 10%).
        let fee = |swap_fee: u64| WeightedPool::setSwapFeeCall { swapFee: U256::from(swap_fee) };
        assert_eq!(reason(w.chain.send(publisher, pool, &fee(1_000_000_000_000 - 1))), "ERR_MIN_FEE");
        assert_eq!(reason(w.chain.send(publisher, pool, &fee(100_000_000_000_000_000 + 1))), "ERR_MAX_FEE");
        w.chain.send(publisher, pool, &fee(1_000_000_000_000)).unwrap();
        w.chain.send(publisher, pool, &fee(100_000_000_000_000_000)).unwrap();
        assert_eq!(
            w.chain.view(pool, &WeightedPool::getSwapFeeCall {}).unwrap(),
            U256::from(100_000_000_000_000_000_u64)
        );
    });
}

#[test]
fn fee_limits_are_enforced_by_setup_too() {
    with_world(|w| {
        for (fee, expected) in
            [(1_000_000_000_000_u64 - 1, "ERR_MIN_FEE"), (100_000_000_000_000_001, "ERR_MAX_FEE")]
        {
            w.chain.restore(&w.base).unwrap();
            let seed = PoolSeed {
                datatoken_amount: e18(1_000),
                datatoken_weight: e18(3),
                ocean_amount: e18(10_000),
                ocean_weight: e18(7),
                swap_fee: U256::from(fee),
            };
            assert_eq!(reason(w.publisher.create_pool(&mut w.chain, &w.market, w.dt, &seed)), expected);
        }
    });
}

#[test]
fn life_cycle_and_controller_limits_are_enforced() {
    with_world(|w| {
        let (pool, tokens) = unfinalized_pool(w, 3);
        let (publisher, trader) = (w.publisher.address, w.trader.address);
        let one = U256::from(1);

        // ERR_NOT_CONTROLLER: only the controller configures the pool.
        assert_eq!(
            reason(w.chain.send(trader, pool, &bind(tokens[0], e18(1), wei::ONE))),
            "ERR_NOT_CONTROLLER"
        );
        let fee = WeightedPool::setSwapFeeCall { swapFee: U256::from(1_000_000_000_000_000_u64) };
        assert_eq!(reason(w.chain.send(trader, pool, &fee)), "ERR_NOT_CONTROLLER");
        assert_eq!(reason(w.chain.send(trader, pool, &WeightedPool::finalizeCall {})), "ERR_NOT_CONTROLLER");
        let hand_over = WeightedPool::setControllerCall { manager: trader };
        assert_eq!(reason(w.chain.send(trader, pool, &hand_over)), "ERR_NOT_CONTROLLER");
        let public = WeightedPool::setPublicSwapCall { public_: true };
        assert_eq!(reason(w.chain.send(trader, pool, &public)), "ERR_NOT_CONTROLLER");

        w.chain.send(publisher, pool, &bind(tokens[0], e18(10), wei::ONE)).unwrap();
        assert_eq!(reason(w.chain.send(publisher, pool, &WeightedPool::finalizeCall {})), "ERR_MIN_TOKENS");
        let rebind = WeightedPool::rebindCall { token: tokens[0], balance: e18(5), denorm: wei::ONE };
        assert_eq!(reason(w.chain.send(trader, pool, &rebind)), "ERR_NOT_CONTROLLER");
        assert_eq!(
            reason(w.chain.send(trader, pool, &WeightedPool::unbindCall { token: tokens[0] })),
            "ERR_NOT_CONTROLLER"
        );
        w.chain.send(publisher, pool, &bind(tokens[1], e18(10), wei::ONE)).unwrap();

        // ERR_NOT_FINALIZED: no joins or exits before finalisation, and no
        // swaps before swaps are public.
        let not_finalized: [(Address, Vec<u8>); 6] = [
            (
                trader,
                WeightedPool::joinPoolCall { poolAmountOut: one, maxAmountsIn: vec![U256::MAX; 2] }
                    .abi_encode(),
            ),
            (
                publisher,
                WeightedPool::exitPoolCall { poolAmountIn: one, minAmountsOut: vec![U256::ZERO; 2] }
                    .abi_encode(),
            ),
            (
                trader,
                WeightedPool::joinswapExternAmountInCall {
                    tokenIn: tokens[0],
                    tokenAmountIn: one,
                    minPoolAmountOut: U256::ZERO,
                }
                .abi_encode(),
            ),
            (
                trader,
                WeightedPool::joinswapPoolAmountOutCall {
                    tokenIn: tokens[0],
                    poolAmountOut: one,
                    maxAmountIn: U256::MAX,
                }
                .abi_encode(),
            ),
            (
                publisher,
                WeightedPool::exitswapPoolAmountInCall {
                    tokenOut: tokens[0],
                    poolAmountIn: one,
                    minAmountOut: U256::ZERO,
                }
                .abi_encode(),
            ),
            (
                publisher,
                WeightedPool::exitswapExternAmountOutCall {
                    tokenOut: tokens[0],
                    tokenAmountOut: one,
                    maxPoolAmountIn: U256::MAX,
                }
                .abi_encode(),
            ),
        ];
        for (from, data) in not_finalized {
            let receipt = w.chain.transact(from, pool, data.into(), U256::ZERO).unwrap();
            assert_eq!(receipt.revert_reason(), Some(&RevertReason::Message("ERR_NOT_FINALIZED".into())));
        }
        assert_eq!(reason(w.chain.view(pool, &WeightedPool::getFinalTokensCall {})), "ERR_NOT_FINALIZED");
        let swap = WeightedPool::swapExactAmountInCall {
            tokenIn: tokens[0],
            tokenAmountIn: one,
            tokenOut: tokens[1],
            minAmountOut: U256::ZERO,
            maxPrice: U256::MAX,
        };
        assert_eq!(reason(w.chain.send(trader, pool, &swap)), "ERR_SWAP_NOT_PUBLIC");

        // Finalise; the controller gets the 100 initial shares.
        w.chain.send(publisher, pool, &WeightedPool::finalizeCall {}).unwrap();
        assert_eq!(w.chain.view(pool, &Erc20::balanceOfCall { who: publisher }).unwrap(), e18(100));

        // ERR_IS_FINALIZED: the configuration is frozen.
        assert_eq!(
            reason(w.chain.send(publisher, pool, &bind(tokens[2], e18(1), wei::ONE))),
            "ERR_IS_FINALIZED"
        );
        assert_eq!(reason(w.chain.send(publisher, pool, &rebind)), "ERR_IS_FINALIZED");
        assert_eq!(
            reason(w.chain.send(publisher, pool, &WeightedPool::unbindCall { token: tokens[0] })),
            "ERR_IS_FINALIZED"
        );
        assert_eq!(reason(w.chain.send(publisher, pool, &fee)), "ERR_IS_FINALIZED");
        assert_eq!(reason(w.chain.send(publisher, pool, &public)), "ERR_IS_FINALIZED");
        assert_eq!(reason(w.chain.send(publisher, pool, &WeightedPool::finalizeCall {})), "ERR_IS_FINALIZED");
        // A finalized pool's shares, as a sanity check of the life cycle.
        assert_eq!(w.chain.view(pool, &WeightedPool::totalSupplyCall {}).unwrap(), e18(100));
    });
}

#[test]
fn bpow_base_limits_are_enforced_via_the_harness() {
    with_world(|w| {
        w.chain.restore(&w.base).unwrap();
        let harness = deploy_own(&mut w.chain, "BalancerMathHarness", &[]).unwrap();
        let two = U256::from(2) * wei::ONE;
        let bpow = |base: U256| BalancerMathHarness::bpowCall { base, exp: wei::ONE / U256::from(3) };
        assert_eq!(reason(w.chain.view(harness, &bpow(U256::ZERO))), "ERR_BPOW_BASE_TOO_LOW");
        assert_eq!(reason(w.chain.view(harness, &bpow(two))), "ERR_BPOW_BASE_TOO_HIGH");
        // The bounds themselves are inside the domain (integer exponent here:
        // a fractional one at these bases needs millions of series terms).
        let integer = |base: U256| BalancerMathHarness::bpowCall { base, exp: wei::ONE };
        assert_eq!(w.chain.view(harness, &integer(U256::from(1))).unwrap(), U256::from(1));
        assert_eq!(w.chain.view(harness, &integer(two - U256::from(1))).unwrap(), two - U256::from(1));
        assert_eq!(w.chain.view(harness, &BalancerMathHarness::MIN_BPOW_BASECall {}).unwrap(), U256::from(1));
        assert_eq!(
            w.chain.view(harness, &BalancerMathHarness::MAX_BPOW_BASECall {}).unwrap(),
            two - U256::from(1)
        );
    });
}
