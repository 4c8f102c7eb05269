//! Property tests of the Ocean V3 weighted pool (`WeightedPool.sol`) in the
//! embedded EVM, 1,000 random pools per operation. The limits are in
//! `v3_pool_limits.rs`, the shared harness in `support/v3_world.rs`.
//!
//! Each case builds a fresh OCEAN/DT pool (random balances, weights and fee)
//! from a prepared snapshot and runs one operation. Checks per case:
//! * the result equals the `U256` model of the fixed-point algorithm to the
//!   wei (`support/balancer_ref.rs`, `wei`);
//! * it agrees with the `f64` model of ocean.md's formulas within 1e-9
//!   relative ([`SPEC_TOL`]), and with true math within 1e-8 ([`TRUE_TOL`]);
//! * balances move exactly by the amounts, for every holder; the sum of each
//!   token over all holders (pool included) is its constant total supply;
//!   share balances sum to the share supply; the pool's records equal its
//!   token balances;
//! * through a swap, `ln(prod b_i^w_i)` does not decrease, and the exact
//!   conditions the contract promises hold (spot price after >= before, and
//!   spot price before <= `bdiv(amount in, amount out)`).
//!
//! Domain: balances 1 to 1e8 tokens, amounts 1e-5 to 1 times the largest the
//! pool accepts. Much smaller amounts are modelled exactly too, but a 1e-9
//! relative agreement with a float then stops being meaningful: the result
//! of each `bmul`/`bdiv` is rounded to 1e-18, so a result that is a tiny
//! fraction of a balance carries a relative rounding error of order
//! 1e-18 / (result / balance).

#[path = "support/balancer_ref.rs"]
mod balancer_ref;
#[path = "support/ledger.rs"]
mod ledger;
#[path = "support/v3_world.rs"]
mod v3_world;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use balancer_ref::{wei, Pow};
use proptest::prelude::*;
use tokenspice::chain::{Backend, RevertReason};
use tokenspice::models::ocean::contracts::v3::WeightedPool;
use v3_world::{
    assert_matches_float, assert_rel, f, fraction_exp, int, pool_params, scaled, spot_price, tokens,
    with_world, Ledger, PoolParams, World, DT, OCEAN, PUBLISHER, SHARES, SPEC_TOL, TRADER,
};

/// Absolute allowance, in wei, on a spot price besides [`SPEC_TOL`]: a price
/// is itself an 18-decimal number, rounded twice (`bdiv` of the weighted
/// balances, `bmul` by `1/(1-f)`), so one below 1e-9 (possible with a
/// scarce, light token) cannot be 1e-9-relative exact.
const SPOT_WEI: f64 = 2.0;

const CASES: u32 = 1_000;

// ---------------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------------

/// The spot price after a swap against the float formula: within
/// [`SPEC_TOL`] relative, plus [`SPOT_WEI`] for its fixed-point resolution.
fn assert_spot_price(got: U256, (b_in, w_in): (U256, U256), (b_out, w_out): (U256, U256), fee: U256) {
    let reference = balancer_ref::spot_price(f(b_in), f(w_in), f(b_out), f(w_out), f(fee) / 1e18) * 1e18;
    let error = (f(got) - reference).abs();
    assert!(
        error <= SPEC_TOL.mul_add(reference, SPOT_WEI),
        "spot price {got} vs reference {reference:e}: off by {error:e} wei"
    );
}

/// Which side of the pool a single-sided operation or a swap's input is.
fn side(world: &World, params: &PoolParams, dt_side: bool) -> (Address, usize, U256) {
    if dt_side {
        (world.dt, DT, params.dt_weight)
    } else {
        (world.ocean(), OCEAN, params.ocean_weight)
    }
}

/// The invariant through a swap: `ln(prod b^w)` does not decrease, and the
/// contract's own exact guarantees on the spot price hold.
fn assert_swap_invariants(
    world: &mut World,
    (token_in, w_in, b_in): (Address, U256, U256),
    (token_out, w_out, b_out): (Address, U256, U256),
    (a_in, a_out): (U256, U256),
    spot_before: U256,
    spot_after: U256,
) {
    // Tolerance: none for the contract, only the f64 evaluation error of the
    // sum (a few ulps of its terms). That suffices because the fee alone
    // raises ln(prod b^w) by about w_i f a_i / (b_i + a_i), at least ~1e-12
    // in the main domain (w_i >= 1, f >= 1e-6, a_i >= 5e-6 b_i), while
    // rounding moves it by a few 1e-18 per balance and the truncated pow
    // series errs in the pool's favour (swap in) or by less than the fee
    // (swap out: 1e-10 |x| against f r |x|, r >= 1/49). For tiny trades,
    // where rounding is as large as the fee, the contract's own guard,
    // asserted below, keeps it so: spot_before <= a_i / a_o, i.e. the pool
    // never pays more than the pre-trade price, so the first-order change
    // w_i a_i / b_i - w_o a_o / b_o is >= w_i f a_i / b_i >= 0.
    let (change, eval_error) = balancer_ref::ln_invariant_change(&[
        (tokens(w_in), f(b_in), f(a_in)),
        (tokens(w_out), f(b_out), -f(a_out)),
    ]);
    assert!(change >= -eval_error, "ln prod b^w fell by {:e} (eval error {eval_error:e})", -change);
    assert_eq!(spot_price(world, token_in, token_out), spot_after, "returned spot price = pool view");
    assert!(spot_after >= spot_before, "spot price fell: {spot_before} -> {spot_after}");
    assert!(spot_before <= wei::bdiv(a_in, a_out), "spot before {spot_before} <= effective price");
}

// ---------------------------------------------------------------------------
// Swaps.
// ---------------------------------------------------------------------------

fn check_swap_exact_in(world: &mut World, params: &PoolParams, dt_in: bool, e: f64) {
    world.fresh_pool(params);
    let (token_in, row_in, w_in) = side(world, params, dt_in);
    let (token_out, row_out, w_out) = side(world, params, !dt_in);
    let before = world.ledger();
    let (b_in, b_out) = (U256::from(before.records[row_in]), U256::from(before.records[row_out]));
    let a_in = scaled(wei::bmul(b_in, wei::MAX_IN_RATIO), e);
    let spot_before = spot_price(world, token_in, token_out);

    let call = WeightedPool::swapExactAmountInCall {
        tokenIn: token_in,
        tokenAmountIn: a_in,
        tokenOut: token_out,
        minAmountOut: U256::ZERO,
        maxPrice: U256::MAX,
    };
    let result = world.chain.send(world.trader.address, world.pool, &call).expect("swap in");
    let a_out = result.tokenAmountOut;

    let fee = params.fee;
    assert_eq!(a_out, wei::out_given_in(b_in, w_in, b_out, w_out, a_in, fee), "out given in, to the wei");
    assert_matches_float("out given in", a_out, |pow| {
        balancer_ref::out_given_in(pow, f(b_in), f(w_in), f(b_out), f(w_out), f(a_in), f(fee) / 1e18)
    });
    let swap = Swap { token_in, row_in, w_in, b_in, token_out, row_out, w_out, b_out, a_in, a_out, fee };
    assert_swap_outcome(world, &before, &swap, spot_before, result.spotPriceAfter);
}

/// One swap's tokens, ledger rows, weights, balances before, amounts and fee.
struct Swap {
    token_in: Address,
    row_in: usize,
    w_in: U256,
    b_in: U256,
    token_out: Address,
    row_out: usize,
    w_out: U256,
    b_out: U256,
    a_in: U256,
    a_out: U256,
    fee: U256,
}

/// What every swap must satisfy, whichever side was exact: the spot price
/// after it (to the wei and against the float model), the balances moved,
/// and the invariants.
fn assert_swap_outcome(world: &mut World, before: &Ledger, swap: &Swap, spot_before: U256, spot_after: U256) {
    let (b_in_after, b_out_after) = (swap.b_in + swap.a_in, swap.b_out - swap.a_out);
    assert_eq!(spot_after, wei::spot_price(b_in_after, swap.w_in, b_out_after, swap.w_out, swap.fee));
    assert_spot_price(spot_after, (b_in_after, swap.w_in), (b_out_after, swap.w_out), swap.fee);
    let mut delta = [0; 3];
    delta[swap.row_in] = -int(swap.a_in);
    delta[swap.row_out] = int(swap.a_out);
    before.assert_moved_against_pool(&world.ledger(), TRADER, delta);
    assert_swap_invariants(
        world,
        (swap.token_in, swap.w_in, swap.b_in),
        (swap.token_out, swap.w_out, swap.b_out),
        (swap.a_in, swap.a_out),
        spot_before,
        spot_after,
    );
}

fn check_swap_exact_out(world: &mut World, params: &PoolParams, dt_in: bool, e: f64) {
    world.fresh_pool(params);
    let (token_in, row_in, w_in) = side(world, params, dt_in);
    let (token_out, row_out, w_out) = side(world, params, !dt_in);
    let before = world.ledger();
    let (b_in, b_out) = (U256::from(before.records[row_in]), U256::from(before.records[row_out]));
    let a_out = scaled(wei::bmul(b_out, wei::MAX_OUT_RATIO), e);
    let spot_before = spot_price(world, token_in, token_out);

    let call = WeightedPool::swapExactAmountOutCall {
        tokenIn: token_in,
        maxAmountIn: U256::MAX,
        tokenOut: token_out,
        tokenAmountOut: a_out,
        maxPrice: U256::MAX,
    };
    let result = world.chain.send(world.trader.address, world.pool, &call).expect("swap out");
    let a_in = result.tokenAmountIn;

    let fee = params.fee;
    assert_eq!(a_in, wei::in_given_out(b_in, w_in, b_out, w_out, a_out, fee), "in given out, to the wei");
    assert_matches_float("in given out", a_in, |pow| {
        balancer_ref::in_given_out(pow, f(b_in), f(w_in), f(b_out), f(w_out), f(a_out), f(fee) / 1e18)
    });
    let swap = Swap { token_in, row_in, w_in, b_in, token_out, row_out, w_out, b_out, a_in, a_out, fee };
    assert_swap_outcome(world, &before, &swap, spot_before, result.spotPriceAfter);
}

/// The guard a swap fails, per the model: after the balances move, the
/// contract requires spot after >= spot before, then spot before <=
/// `bdiv(a_in, a_out)` (which reverts on a zero `a_out`).
fn expected_guard(a_in: U256, a_out: U256, spot_before: U256, spot_after: U256) -> Option<&'static str> {
    if spot_after < spot_before {
        Some("ERR_MATH_APPROX")
    } else if a_out.is_zero() {
        Some("ERR_DIV_ZERO")
    } else if spot_before > wei::bdiv(a_in, a_out) {
        Some("ERR_MATH_APPROX")
    } else {
        None
    }
}

/// Swaps of 1 wei to 1e13 wei, below the float-comparison domain: the model
/// predicts to the wei whether the contract pays out or which guard refuses,
/// and a trade that goes through still never lowers the invariant and never
/// gives tokens away (both amounts > 0).
fn check_tiny_swap(world: &mut World, params: &PoolParams, dt_in: bool, exact_out: bool, x: f64) {
    world.fresh_pool(params);
    let (token_in, row_in, w_in) = side(world, params, dt_in);
    let (token_out, row_out, w_out) = side(world, params, !dt_in);
    let before = world.ledger();
    let (b_in, b_out, fee) =
        (U256::from(before.records[row_in]), U256::from(before.records[row_out]), params.fee);
    let amount = U256::from(10_f64.powf(x) as u64);
    let spot_before = spot_price(world, token_in, token_out);
    let (a_in, a_out, data) = if exact_out {
        let a_in = wei::in_given_out(b_in, w_in, b_out, w_out, amount, fee);
        let call = WeightedPool::swapExactAmountOutCall {
            tokenIn: token_in,
            maxAmountIn: U256::MAX,
            tokenOut: token_out,
            tokenAmountOut: amount,
            maxPrice: U256::MAX,
        };
        (a_in, amount, call.abi_encode())
    } else {
        let a_out = wei::out_given_in(b_in, w_in, b_out, w_out, amount, fee);
        let call = WeightedPool::swapExactAmountInCall {
            tokenIn: token_in,
            tokenAmountIn: amount,
            tokenOut: token_out,
            minAmountOut: U256::ZERO,
            maxPrice: U256::MAX,
        };
        (amount, a_out, call.abi_encode())
    };
    let spot_after = wei::spot_price(b_in + a_in, w_in, b_out - a_out, w_out, fee);
    let receipt = world.chain.transact(world.trader.address, world.pool, data.into(), U256::ZERO).unwrap();
    match expected_guard(a_in, a_out, spot_before, spot_after) {
        Some(expected) => {
            assert_eq!(receipt.revert_reason(), Some(&RevertReason::Message(expected.into())));
            assert_eq!(world.ledger(), before, "a refused swap moves nothing");
        }
        None => {
            assert!(receipt.is_success(), "{:?}", receipt.outcome);
            assert!(!a_in.is_zero() && !a_out.is_zero());
            let mut delta = [0; 3];
            delta[row_in] = -int(a_in);
            delta[row_out] = int(a_out);
            before.assert_moved_against_pool(&world.ledger(), TRADER, delta);
            assert_swap_invariants(
                world,
                (token_in, w_in, b_in),
                (token_out, w_out, b_out),
                (a_in, a_out),
                spot_before,
                spot_after,
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Joins.
// ---------------------------------------------------------------------------

fn check_join_pool(world: &mut World, params: &PoolParams, e: f64) {
    world.fresh_pool(params);
    let before = world.ledger();
    let supply = U256::from(before.supply[SHARES]);
    let shares = scaled(supply, e);
    let call = WeightedPool::joinPoolCall { poolAmountOut: shares, maxAmountsIn: vec![U256::MAX, U256::MAX] };
    world.chain.send(world.trader.address, world.pool, &call).expect("join pool");
    let after = world.ledger();
    let mut delta = [0, 0, int(shares)];
    for t in [OCEAN, DT] {
        let b = U256::from(before.records[t]);
        let paid = wei::proportional(shares, supply, b);
        assert_rel(
            "proportional join",
            paid,
            balancer_ref::proportional(f(shares), f(supply), f(b)),
            SPEC_TOL,
        );
        delta[t] = -int(paid);
    }
    before.assert_moved_against_pool(&after, TRADER, delta);
}

/// The four single-sided joins and exits: the caller fixes either the
/// token amount or the shares, and the pool computes the other.
#[derive(Debug, Clone, Copy)]
enum SingleSided {
    /// `joinswapExternAmountIn`: token in fixed, shares out computed.
    JoinTokenIn,
    /// `joinswapPoolAmountOut`: shares out fixed, token in computed.
    JoinSharesOut,
    /// `exitswapPoolAmountIn`: shares in fixed, token out computed.
    ExitSharesIn,
    /// `exitswapExternAmountOut`: token out fixed, shares in computed.
    ExitTokenOut,
}

/// `(b, w, supply, w_total, fixed amount, fee)` to the computed amount, in wei.
type WeiModel = fn(U256, U256, U256, U256, U256, U256) -> U256;
/// The same in floats, with the fee as a fraction.
type FloatModel = fn(Pow, f64, f64, f64, f64, f64, f64) -> f64;

impl SingleSided {
    fn is_join(self) -> bool {
        matches!(self, Self::JoinTokenIn | Self::JoinSharesOut)
    }

    fn fixes_tokens(self) -> bool {
        matches!(self, Self::JoinTokenIn | Self::ExitTokenOut)
    }

    fn models(self) -> (&'static str, WeiModel, FloatModel) {
        match self {
            Self::JoinTokenIn => (
                "pool out given single in",
                wei::pool_out_given_single_in,
                balancer_ref::pool_out_given_single_in,
            ),
            Self::JoinSharesOut => (
                "single in given pool out",
                wei::single_in_given_pool_out,
                balancer_ref::single_in_given_pool_out,
            ),
            Self::ExitSharesIn => (
                "single out given pool in",
                wei::single_out_given_pool_in,
                balancer_ref::single_out_given_pool_in,
            ),
            Self::ExitTokenOut => (
                "pool in given single out",
                wei::pool_in_given_single_out,
                balancer_ref::pool_in_given_single_out,
            ),
        }
    }

    /// The fixed amount, scaled by `e` from the largest the ratio caps allow.
    fn fixed_amount(self, b: U256, w: U256, supply: U256, params: &PoolParams, e: f64) -> U256 {
        let (w, w_total, fee) = (f(w), f(params.total_weight()), f(params.fee) / 1e18);
        // Shares whose token amount stays under the in-ratio cap (b/2) or the
        // out-ratio cap (b/3), with 0.1% to spare: S ((1 + (1-f')/2)^(w/W) - 1)
        // and S (1 - (2/3)^(w/W)).
        let shares_up_to = |ratio: f64| {
            scaled(
                supply * U256::from((ratio * 0.999 * 1e15) as u64) / U256::from(1_000_000_000_000_000_u64),
                e,
            )
        };
        match self {
            Self::JoinTokenIn => scaled(wei::bmul(b, wei::MAX_IN_RATIO), e),
            Self::ExitTokenOut => scaled(wei::bmul(b, wei::MAX_OUT_RATIO), e),
            Self::JoinSharesOut => {
                let fee_share = balancer_ref::single_sided_fee(w, w_total, fee);
                shares_up_to(Pow::Exact.pow_m1(0.5 * (1.0 - fee_share), w / w_total))
            }
            Self::ExitSharesIn => shares_up_to(-Pow::Exact.pow_m1(-1.0 / 3.0, w / w_total)),
        }
    }

    /// Send it (joins from the trader, exits from the publisher, who holds the shares).
    fn send(self, world: &mut World, token: Address, fixed: U256) -> U256 {
        let (trader, publisher, pool) = (world.trader.address, world.publisher.address, world.pool);
        let chain = &mut world.chain;
        let result = match self {
            Self::JoinTokenIn => chain.send(
                trader,
                pool,
                &WeightedPool::joinswapExternAmountInCall {
                    tokenIn: token,
                    tokenAmountIn: fixed,
                    minPoolAmountOut: U256::ZERO,
                },
            ),
            Self::JoinSharesOut => chain.send(
                trader,
                pool,
                &WeightedPool::joinswapPoolAmountOutCall {
                    tokenIn: token,
                    poolAmountOut: fixed,
                    maxAmountIn: U256::MAX,
                },
            ),
            Self::ExitSharesIn => chain.send(
                publisher,
                pool,
                &WeightedPool::exitswapPoolAmountInCall {
                    tokenOut: token,
                    poolAmountIn: fixed,
                    minAmountOut: U256::ZERO,
                },
            ),
            Self::ExitTokenOut => chain.send(
                publisher,
                pool,
                &WeightedPool::exitswapExternAmountOutCall {
                    tokenOut: token,
                    tokenAmountOut: fixed,
                    maxPoolAmountIn: U256::MAX,
                },
            ),
        };
        result.unwrap_or_else(|e| panic!("{self:?}: {e}"))
    }
}

/// A single-sided join or exit equals the wei model and the float formula,
/// and moves exactly the token and shares it reports.
fn check_single_sided(world: &mut World, params: &PoolParams, op: SingleSided, dt_side: bool, e: f64) {
    world.fresh_pool(params);
    let (token, row, w) = side(world, params, dt_side);
    let before = world.ledger();
    let (b, supply) = (U256::from(before.records[row]), U256::from(before.supply[SHARES]));
    let fixed = op.fixed_amount(b, w, supply, params, e);
    let computed = op.send(world, token, fixed);

    let (name, wei_model, float_model) = op.models();
    let (w_total, fee) = (params.total_weight(), params.fee);
    assert_eq!(computed, wei_model(b, w, supply, w_total, fixed, fee), "{name}: to the wei");
    assert_matches_float(name, computed, |pow| {
        float_model(pow, f(b), f(w), f(supply), f(w_total), f(fixed), f(fee) / 1e18)
    });
    let (tokens, shares) = if op.fixes_tokens() { (fixed, computed) } else { (computed, fixed) };
    let (sign, holder) = if op.is_join() { (1, TRADER) } else { (-1, PUBLISHER) };
    let mut delta = [0, 0, sign * int(shares)];
    delta[row] = -sign * int(tokens);
    before.assert_moved_against_pool(&world.ledger(), holder, delta);
}

// ---------------------------------------------------------------------------
// Exits (the publisher holds all 100 initial shares).
// ---------------------------------------------------------------------------

fn check_exit_pool(world: &mut World, params: &PoolParams, e: f64) {
    world.fresh_pool(params);
    let before = world.ledger();
    let supply = U256::from(before.supply[SHARES]);
    // Up to half the supply.
    let shares = scaled(supply / U256::from(2), e);
    let call =
        WeightedPool::exitPoolCall { poolAmountIn: shares, minAmountsOut: vec![U256::ZERO, U256::ZERO] };
    world.chain.send(world.publisher.address, world.pool, &call).expect("exit pool");
    let mut delta = [0, 0, -int(shares)];
    for t in [OCEAN, DT] {
        let b = U256::from(before.records[t]);
        let received = wei::proportional(shares, supply, b);
        assert_rel(
            "proportional exit",
            received,
            balancer_ref::proportional(f(shares), f(supply), f(b)),
            SPEC_TOL,
        );
        delta[t] = int(received);
    }
    before.assert_moved_against_pool(&world.ledger(), PUBLISHER, delta);
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(CASES) })]

    #[test]
    fn swap_exact_amount_in(params in pool_params(), dt_in in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_swap_exact_in(w, &params, dt_in, e));
    }

    #[test]
    fn swap_exact_amount_out(params in pool_params(), dt_in in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_swap_exact_out(w, &params, dt_in, e));
    }

    #[test]
    fn tiny_swaps(
        params in pool_params(),
        dt_in in any::<bool>(),
        exact_out in any::<bool>(),
        x in 0.0_f64..13.0,
    ) {
        with_world(|w| check_tiny_swap(w, &params, dt_in, exact_out, x));
    }

    #[test]
    fn join_pool(params in pool_params(), e in fraction_exp()) {
        with_world(|w| check_join_pool(w, &params, e));
    }

    #[test]
    fn joinswap_extern_amount_in(params in pool_params(), dt_side in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_single_sided(w, &params, SingleSided::JoinTokenIn, dt_side, e));
    }

    #[test]
    fn joinswap_pool_amount_out(params in pool_params(), dt_side in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_single_sided(w, &params, SingleSided::JoinSharesOut, dt_side, e));
    }

    #[test]
    fn exit_pool(params in pool_params(), e in fraction_exp()) {
        with_world(|w| check_exit_pool(w, &params, e));
    }

    #[test]
    fn exitswap_pool_amount_in(params in pool_params(), dt_side in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_single_sided(w, &params, SingleSided::ExitSharesIn, dt_side, e));
    }

    #[test]
    fn exitswap_extern_amount_out(params in pool_params(), dt_side in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_single_sided(w, &params, SingleSided::ExitTokenOut, dt_side, e));
    }
}
