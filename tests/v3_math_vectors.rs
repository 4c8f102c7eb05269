//! Hand-computed vectors for the Ocean V3 fixed-point math: `bpow` at the
//! edges of its domain, `bmul`/`bdiv` rounding, and a 70/30 OCEAN/DT pool.
//!
//! Every expected value is checked three ways: the contract (through
//! `BalancerMathHarness` and a real pool) equals an exact integer
//! re-implementation in Python to the wei; the test's own `U256` model
//! (`support/balancer_ref.rs`) agrees; and the Python `decimal` value of the
//! true formula (60 digits) is within 1e-10 relative of it (or 1 wei when the
//! true value is below one wei), except where noted.
//!
//! The constants come from this Python 3 script (standard library only):
//!
//! ```text
//! ONE = 10**18
//! def bmul(a, b): return (a * b + ONE // 2) // ONE
//! def bdiv(a, b): return (a * ONE + b // 2) // b
//! def bpowi(a, n):
//!     z = a if n % 2 else ONE
//!     n //= 2
//!     while n:
//!         a = bmul(a, a)
//!         if n % 2: z = bmul(z, a)
//!         n //= 2
//!     return z
//! def bpow_approx(base, exp, precision=ONE // 10**10):
//!     x, xneg = (base - ONE, False) if base >= ONE else (ONE - base, True)
//!     term, total, neg, k = ONE, ONE, False, 1
//!     while term >= precision:
//!         big_k = k * ONE
//!         c, cneg = (exp - (big_k - ONE), False) if exp >= big_k - ONE else ((big_k - ONE) - exp, True)
//!         term = bdiv(bmul(term, bmul(c, x)), big_k)
//!         if term == 0: break
//!         if xneg: neg = not neg
//!         if cneg: neg = not neg
//!         total = total - term if neg else total + term
//!         k += 1
//!     return total
//! def bpow(base, exp):
//!     whole = exp // ONE * ONE
//!     wp = bpowi(base, whole // ONE)
//!     return wp if exp == whole else bmul(wp, bpow_approx(base, exp - whole))
//! # calc* step by step as in BalancerMath.sol
//! def spot(bi, wi, bo, wo, f):
//!     return bmul(bdiv(bdiv(bi, wi), bdiv(bo, wo)), bdiv(ONE, ONE - f))
//! def out_given_in(bi, wi, bo, wo, ai, f):
//!     y = bdiv(bi, bi + bmul(ai, ONE - f))
//!     return bmul(bo, ONE - bpow(y, bdiv(wi, wo)))
//! def in_given_out(bi, wi, bo, wo, ao, f):
//!     y = bdiv(bo, bo - ao)
//!     return bdiv(bmul(bi, bpow(y, bdiv(wo, wi)) - ONE), ONE - f)
//! def pool_out_given_single_in(bi, wi, S, W, ai, f):
//!     nw = bdiv(wi, W)
//!     after = bmul(ai, ONE - bmul(ONE - nw, f))
//!     return bmul(bpow(bdiv(bi + after, bi), nw), S) - S
//! def single_in_given_pool_out(bi, wi, S, W, P, f):
//!     nw = bdiv(wi, W)
//!     ratio = bpow(bdiv(S + P, S), bdiv(ONE, nw))
//!     return bdiv(bmul(ratio, bi) - bi, ONE - bmul(ONE - nw, f))
//! def single_out_given_pool_in(bo, wo, S, W, P, f):
//!     nw = bdiv(wo, W)
//!     ratio = bpow(bdiv(S - P, S), bdiv(ONE, nw))
//!     return bmul(bo - bmul(ratio, bo), ONE - bmul(ONE - nw, f))
//! def pool_in_given_single_out(bo, wo, S, W, ao, f):
//!     nw = bdiv(wo, W)
//!     before = bdiv(ao, ONE - bmul(ONE - nw, f))
//!     return S - bmul(bpow(bdiv(bo - before, bo), nw), S)
//!
//! from decimal import Decimal as D, getcontext
//! getcontext().prec = 60
//! E = D(10)**18
//! true_pow = lambda b, e: (D(b) / E) ** (D(e) / E) * E      # then .to_integral_value()
//! # e.g. the DT bought with 100 OCEAN in the 70/30 pool below:
//! # D(BD) * (1 - (D(BO) / (D(BO) + D(ai) * (1 - f))) ** (D(WO) / D(WD)))
//! ```

#[path = "support/balancer_ref.rs"]
mod balancer_ref;

use alloy_primitives::{Address, U256};
use balancer_ref::wei;
use tokenspice::artifacts::deploy_own;
use tokenspice::chain::{Backend, Chain, ChainError, RevertReason};
use tokenspice::models::ocean::contracts::v3::{BalancerMathHarness, WeightedPool};
use tokenspice::models::ocean::contracts::OceanV3;
use tokenspice::models::ocean::wallet::PoolSeed;
use tokenspice::wallet::AgentWallet;

fn u(text: &str) -> U256 {
    text.parse().expect("decimal integer")
}

fn e18(tokens: u64) -> U256 {
    U256::from(tokens) * wei::ONE
}

/// `|got - truth| <= truth / divisor + 1 wei`, in exact integers.
fn assert_near_truth(label: &str, got: U256, truth: U256, divisor: u64) {
    let diff = if got > truth { got - truth } else { truth - got };
    assert!(
        diff <= truth / U256::from(divisor) + U256::from(1),
        "{label}: {got} is {diff} wei from the true value {truth} (allowed 1/{divisor} relative + 1 wei)"
    );
}

fn harness(chain: &mut Chain) -> Address {
    deploy_own(chain, "BalancerMathHarness", &[]).expect("deploy the harness")
}

/// One `bpow` vector: base, exponent, the Python fixed-point result, the
/// true value rounded to an integer, and the relative tolerance against the
/// true value as a divisor.
struct BpowVector {
    base: U256,
    exp: U256,
    fixed: &'static str,
    truth: &'static str,
    divisor: u64,
}

fn v(base: u128, exp: u128, fixed: &'static str, truth: &'static str) -> BpowVector {
    BpowVector { base: U256::from(base), exp: U256::from(exp), fixed, truth, divisor: 10_000_000_000 }
}

const ONE: u128 = 1_000_000_000_000_000_000;
const TWO_ONE_MINUS_1: u128 = 2 * ONE - 1;

/// The vectors; `// true ...` is `true_pow(base, exp)` with 12 decimals.
fn bpow_vectors() -> Vec<BpowVector> {
    vec![
        // base 1 wei, the bottom of the domain.
        // true 1000000000000000000 (exponent 0)
        v(1, 0, "1000000000000000000", "1000000000000000000"),
        // true 1 (exponent 1)
        v(1, ONE, "1", "1"),
        // true 1e-36 wei (exponent 2): below one wei, rounds to 0
        v(1, 2 * ONE, "0", "0"),
        // true 999999958553469185.014659718931 (tiny fractional exponent 1e-9).
        // At x = base - 1 = -(1 - 1e-18) the series terms only fall like
        // 1e-9 / k, so stopping at the first term below 1e-10 (k = 12) drops a
        // harmonic tail: the spec's pow is 3.84e-8 off here, by design.
        BpowVector { divisor: 25_000_000, ..v(1, 1_000_000_000, "999999996980122655", "999999958553469185") },
        // true 1.000000000000 (exponent 1 - 1 wei; whole part 0, all series)
        v(1, ONE - 1, "1", "1"),
        // base 2 ONE - 1 wei, the top of the domain.
        // true 1000000000000000000 (exponent 0)
        v(TWO_ONE_MINUS_1, 0, "1000000000000000000", "1000000000000000000"),
        // true 1999999999999999999 (exponent 1)
        v(TWO_ONE_MINUS_1, ONE, "1999999999999999999", "1999999999999999999"),
        // true 1125899906842623971852502328934400.344806846471 (exponent 50)
        v(
            TWO_ONE_MINUS_1,
            50 * ONE,
            "1125899906842623971852502328934400",
            "1125899906842623971852502328934400",
        ),
        // true 1000000000693147180.800171815932 (exponent 1e-9; 4.3e-11 off)
        v(TWO_ONE_MINUS_1, 1_000_000_000, "1000000000736544011", "1000000000693147181"),
        // true 2000000001386294360.600343631171 (exponent 1 + 1e-9)
        v(TWO_ONE_MINUS_1, ONE + 1_000_000_000, "2000000001473088021", "2000000001386294361"),
        // base = ONE: x = 0, the first term is 0, the series stops at once.
        // true 1 ONE (exponent 12.345678901234567890)
        v(ONE, 12_345_678_901_234_567_890, "1000000000000000000", "1000000000000000000"),
        // true 1 ONE (exponent 0.5)
        v(ONE, ONE / 2, "1000000000000000000", "1000000000000000000"),
        // integer exponents: square and multiply only.
        // true 125000000000000000 (0.5^3)
        v(ONE / 2, 3 * ONE, "125000000000000000", "125000000000000000"),
        // true 2250000000000000000 (1.5^2)
        v(3 * ONE / 2, 2 * ONE, "2250000000000000000", "2250000000000000000"),
        // tiny fractional parts on top of an integer.
        // true 728999999999999999.923192184085 (0.9^(3 + 1 wei): the 1-wei
        // fraction's first term bmul(1, 0.1 ONE) rounds to 0, series = ONE)
        v(9 * ONE / 10, 3 * ONE + 1, "729000000000000000", "729000000000000000"),
        // true 728999999923192184.089490881951 (0.9^(3 + 1e-9))
        v(9 * ONE / 10, 3 * ONE + 1_000_000_000, "728999999923455000", "728999999923192184"),
        // large exponents, as in W / w_i = 50 for a 1-of-50 weight.
        // true 1644631821843881899.921921202384 (1.01^50)
        v(101 * ONE / 100, 50 * ONE, "1644631821843881901", "1644631821843881900"),
        // true 608053975934478017.994980412317 (0.99^49.5)
        v(99 * ONE / 100, 49 * ONE + ONE / 2, "608053975934490651", "608053975934478018"),
        // true 9100438150002149773327.585275342566 (1.2^50)
        v(12 * ONE / 10, 50 * ONE, "9100438150002149773336", "9100438150002149773328"),
        // fraction 1 - 1 wei: the longest pure series of these vectors.
        // true 500000000000000000.346573590280 (0.5^(1 - 1e-18))
        v(ONE / 2, ONE - 1, "499999999999999999", "500000000000000000"),
        // generic fractional exponents.
        // true 898523441790639761.579349062541 (0.7^0.3)
        v(7 * ONE / 10, 3 * ONE / 10, "898523441828569094", "898523441790639762"),
        // true 2030705996385089673.688691136683 (1.3^2.7)
        v(13 * ONE / 10, 27 * ONE / 10, "2030705996397589638", "2030705996385089674"),
    ]
}

#[test]
fn bpow_edge_vectors_match_python_to_the_wei() {
    let mut chain = Chain::new();
    let harness = harness(&mut chain);
    for vector in bpow_vectors() {
        let label = format!("bpow({}, {})", vector.base, vector.exp);
        let fixed = u(vector.fixed);
        let on_chain: U256 = chain
            .view(harness, &BalancerMathHarness::bpowCall { base: vector.base, exp: vector.exp })
            .expect(&label);
        assert_eq!(on_chain, fixed, "{label}: contract vs Python fixed point");
        assert_eq!(wei::bpow(vector.base, vector.exp), fixed, "{label}: U256 model vs Python fixed point");
        assert_near_truth(&label, fixed, u(vector.truth), vector.divisor);
    }
}

#[test]
fn bpow_parts_agree_with_the_model() {
    let mut chain = Chain::new();
    let harness = harness(&mut chain);
    // bpowi: 1.1^7 with bmul rounding at each of its 5 steps.
    let bpowi: U256 = chain
        .view(harness, &BalancerMathHarness::bpowiCall { base: u("1100000000000000000"), n: U256::from(7) })
        .unwrap();
    // Python: bpowi(11 * ONE // 10, 7) == 1948717100000000000 (exact: 1.1^7 = 1.9487171)
    assert_eq!(bpowi, u("1948717100000000000"));
    assert_eq!(wei::bpowi(u("1100000000000000000"), 7), bpowi);
    // bpowApprox with a looser precision stops earlier: 0.7^0.3 to 1e-4.
    // Python: bpow_approx(7 * ONE // 10, 3 * ONE // 10, ONE // 10**4) == 898545963542500000
    let call = BalancerMathHarness::bpowApproxCall {
        base: u("700000000000000000"),
        exp: u("300000000000000000"),
        precision: u("100000000000000"),
    };
    let approx: U256 = chain.view(harness, &call).unwrap();
    assert_eq!(approx, u("898545963542500000"));
    assert_eq!(wei::bpow_approx(call.base, call.exp, call.precision), approx);
}

#[test]
fn bpow_series_near_the_domain_edge_can_exhaust_gas() {
    // Not a revert but a documented cost of ocean.md's stopping rule: at
    // base 2 ONE - 1 (x = 1 - 1e-18) and fraction 0.5 the terms fall like
    // k^-1.5, so reaching 1e-10 takes ~2 million terms (Python:
    // bpow_approx counted 1_996_483), far beyond a 2^24-gas transaction.
    // Pools never get there: their bases stay within [2/3, 3/2] or so.
    let mut chain = Chain::new();
    let harness = harness(&mut chain);
    let call = BalancerMathHarness::bpowCall { base: U256::from(TWO_ONE_MINUS_1), exp: U256::from(ONE / 2) };
    let result = chain.view(harness, &call);
    assert!(matches!(result, Err(ChainError::Halted { .. })), "{result:?}");
}

#[test]
fn bmul_and_bdiv_round_half_up() {
    let mut chain = Chain::new();
    let harness = harness(&mut chain);
    let mul =
        |chain: &mut Chain, a: U256, b: U256| chain.view(harness, &BalancerMathHarness::bmulCall { a, b });
    let div =
        |chain: &mut Chain, a: U256, b: U256| chain.view(harness, &BalancerMathHarness::bdivCall { a, b });
    let half = U256::from(ONE / 2);
    let one = U256::from(1);
    // (1 * 0.5e18 + 0.5e18) / 1e18 = 1: exactly half a wei rounds up ...
    assert_eq!(mul(&mut chain, one, half).unwrap(), one);
    // ... and just below half rounds down.
    assert_eq!(mul(&mut chain, one, half - one).unwrap(), U256::ZERO);
    // (1e18 + 1e18) / 2e18 = 1 and (1e18 + 1e18) / (2e18 + 1) = 0.
    assert_eq!(div(&mut chain, one, U256::from(2 * ONE)).unwrap(), one);
    assert_eq!(div(&mut chain, one, U256::from(2 * ONE + 1)).unwrap(), U256::ZERO);
    // 2/3 = 0.666...667 (rounded up), 1/3 = 0.333...333.
    assert_eq!(div(&mut chain, U256::from(2), U256::from(3)).unwrap(), u("666666666666666667"));
    assert_eq!(div(&mut chain, one, U256::from(3)).unwrap(), u("333333333333333333"));
    for (a, b) in
        [(one, half), (U256::from(2), U256::from(3)), (u("123456789123456789123"), u("987654321987654321"))]
    {
        assert_eq!(mul(&mut chain, a, b).unwrap(), wei::bmul(a, b));
        assert_eq!(div(&mut chain, a, b).unwrap(), wei::bdiv(a, b));
    }
    let revert = |r: Result<U256, ChainError>| match r {
        Err(ChainError::Reverted { reason: RevertReason::Message(m), .. }) => m,
        other => panic!("expected a revert, got {other:?}"),
    };
    assert_eq!(revert(div(&mut chain, one, U256::ZERO)), "ERR_DIV_ZERO");
    assert_eq!(revert(mul(&mut chain, U256::MAX, U256::from(2))), "ERR_MUL_OVERFLOW");
    assert_eq!(revert(mul(&mut chain, U256::MAX, one)), "ERR_MUL_OVERFLOW", "a*b fits, + ONE/2 does not");
    assert_eq!(revert(div(&mut chain, U256::MAX, one)), "ERR_DIV_INTERNAL");
}

// ---------------------------------------------------------------------------
// A 70/30 OCEAN/DT pool: OCEAN 10,000 (weight 7), DT 1,000 (weight 3), fee
// 0.1%, supply 100 shares. In Python: BO, WO = 10_000 * ONE, 7 * ONE;
// BD, WD = 1_000 * ONE, 3 * ONE; S, W, F = 100 * ONE, 10 * ONE, 10**15;
// f = D(F) / E; fp = (1 - D(WO) / D(W)) * f (the single-sided fee f').
// ---------------------------------------------------------------------------

const B_OCEAN: u64 = 10_000;
const W_OCEAN: u64 = 7;
const B_DT: u64 = 1_000;
const W_DT: u64 = 3;
const FEE: u128 = 1_000_000_000_000_000;

struct Pool7030 {
    chain: Chain,
    market: OceanV3,
    dt: Address,
    pool: Address,
    harness: Address,
    publisher: AgentWallet,
    trader: AgentWallet,
}

fn pool_70_30() -> Pool7030 {
    let mut chain = Chain::new();
    let market = OceanV3::deploy(&mut chain).expect("deploy V3");
    let harness = harness(&mut chain);
    let publisher = AgentWallet::new("publisher", 0.0);
    let trader = AgentWallet::new("trader", 0.0);
    let dt = publisher.create_datatoken(&mut chain, &market, "DT-7030", "DT7030", e18(1_000_000)).unwrap();
    publisher.mint_datatoken(&mut chain, dt, publisher.address, e18(B_DT)).unwrap();
    publisher.mint_datatoken(&mut chain, dt, trader.address, e18(1_000)).unwrap();
    market.ocean.mint(&mut chain, publisher.address, e18(B_OCEAN)).unwrap();
    market.ocean.mint(&mut chain, trader.address, e18(100_000)).unwrap();
    let seed = PoolSeed {
        datatoken_amount: e18(B_DT),
        datatoken_weight: e18(W_DT),
        ocean_amount: e18(B_OCEAN),
        ocean_weight: e18(W_OCEAN),
        swap_fee: U256::from(FEE),
    };
    let pool = publisher.create_pool(&mut chain, &market, dt, &seed).unwrap();
    for token in [dt, market.ocean.address] {
        trader.approve(&mut chain, token, pool, U256::MAX).unwrap();
    }
    Pool7030 { chain, market, dt, pool, harness, publisher, trader }
}

#[test]
fn pool_70_30_spot_prices() {
    let mut p = pool_70_30();
    let ocean = p.market.ocean.address;
    // Python: spot(BO, WO, BD, WD, F); true (D(BO)/D(WO)) / (D(BD)/D(WD)) / (1 - f) * E
    //   = 4290004290004290004.290004290004 (4.29 OCEAN per DT)
    let dt_in_ocean: U256 =
        p.chain.view(p.pool, &WeightedPool::getSpotPriceCall { tokenIn: ocean, tokenOut: p.dt }).unwrap();
    assert_eq!(dt_in_ocean, u("4290004290004290004"));
    assert_near_truth("spot DT in OCEAN", dt_in_ocean, u("4290004290004290004"), 10_000_000_000);
    // Python: spot(BD, WD, BO, WO, F); true 233566900233566900.233566900234
    let ocean_in_dt: U256 =
        p.chain.view(p.pool, &WeightedPool::getSpotPriceCall { tokenIn: p.dt, tokenOut: ocean }).unwrap();
    assert_eq!(ocean_in_dt, u("233566900233566900"));
    assert_near_truth("spot OCEAN in DT", ocean_in_dt, u("233566900233566900"), 10_000_000_000);
    // Without the fee: (10000/7) / (1000/3) = 30/7 exactly 4.285714...
    let sans_fee: U256 = p
        .chain
        .view(p.pool, &WeightedPool::getSpotPriceSansFeeCall { tokenIn: ocean, tokenOut: p.dt })
        .unwrap();
    assert_eq!(sans_fee, u("4285714285714285714"));
    let harness_spot: U256 = p
        .chain
        .view(
            p.harness,
            &BalancerMathHarness::calcSpotPriceCall {
                tokenBalanceIn: e18(B_OCEAN),
                tokenWeightIn: e18(W_OCEAN),
                tokenBalanceOut: e18(B_DT),
                tokenWeightOut: e18(W_DT),
                swapFee: U256::from(FEE),
            },
        )
        .unwrap();
    assert_eq!(harness_spot, dt_in_ocean);
}

/// Runs `op` on a copy of the fresh pool and returns its result.
fn on_fresh_pool<T>(p: &mut Pool7030, op: impl FnOnce(&mut Pool7030) -> T) -> T {
    let snapshot = p.chain.snapshot().unwrap();
    let result = op(p);
    p.chain.restore(&snapshot).unwrap();
    result
}

#[test]
fn pool_70_30_swaps() {
    let mut p = pool_70_30();
    let ocean = p.market.ocean.address;
    let fee = U256::from(FEE);

    // Buy DT with 100 OCEAN. Python: out_given_in(BO, WO, BD, WD, 100 * ONE, F)
    // true D(BD) * (1 - (D(BO) / (D(BO) + 100 * (1 - f))) ** (D(WO) / D(WD)))
    //   = 22927415283537599644.406124560802 (9.5e-13 relative off)
    let (dt_out, truth) = (u("22927415283515879000"), u("22927415283537599644"));
    let call = WeightedPool::swapExactAmountInCall {
        tokenIn: ocean,
        tokenAmountIn: e18(100),
        tokenOut: p.dt,
        minAmountOut: U256::ZERO,
        maxPrice: U256::MAX,
    };
    let got = on_fresh_pool(&mut p, |p| p.chain.send(p.trader.address, p.pool, &call).unwrap());
    assert_eq!(got.tokenAmountOut, dt_out);
    // Spot price after: Python spot(BO + 100 * ONE, WO, BD - dt_out, WD, F)
    assert_eq!(got.spotPriceAfter, u("4434577738317779236"));
    let harness_out: U256 = p
        .chain
        .view(
            p.harness,
            &BalancerMathHarness::calcOutGivenInCall {
                tokenBalanceIn: e18(B_OCEAN),
                tokenWeightIn: e18(W_OCEAN),
                tokenBalanceOut: e18(B_DT),
                tokenWeightOut: e18(W_DT),
                tokenAmountIn: e18(100),
                swapFee: fee,
            },
        )
        .unwrap();
    assert_eq!(harness_out, dt_out);
    assert_eq!(wei::out_given_in(e18(B_OCEAN), e18(W_OCEAN), e18(B_DT), e18(W_DT), e18(100), fee), dt_out);
    assert_near_truth("DT out for 100 OCEAN", dt_out, truth, 10_000_000_000);

    // Sell 10 DT. Python: out_given_in(BD, WD, BO, WO, 10 * ONE, F)
    // true D(BO) * (1 - (D(BD) / (D(BD) + 10 * (1 - f))) ** (D(WD) / D(WO)))
    //   = 42511224940430208715.083391376537 (5.0e-12 relative off)
    let (ocean_out, truth) = (u("42511224940218410000"), u("42511224940430208715"));
    let call = WeightedPool::swapExactAmountInCall {
        tokenIn: p.dt,
        tokenAmountIn: e18(10),
        tokenOut: ocean,
        minAmountOut: U256::ZERO,
        maxPrice: U256::MAX,
    };
    let got = on_fresh_pool(&mut p, |p| p.chain.send(p.trader.address, p.pool, &call).unwrap());
    assert_eq!(got.tokenAmountOut, ocean_out);
    assert_eq!(wei::out_given_in(e18(B_DT), e18(W_DT), e18(B_OCEAN), e18(W_OCEAN), e18(10), fee), ocean_out);
    assert_near_truth("OCEAN out for 10 DT", ocean_out, truth, 10_000_000_000);

    // Buy exactly 5 DT. Python: in_given_out(BO, WO, BD, WD, 5 * ONE, F)
    // true D(BO) * ((D(BD) / (D(BD) - 5)) ** (D(WD) / D(WO)) - 1) / (1 - f)
    //   = 21526940081139125148.550547541578 (4.4e-11 relative off)
    let (ocean_in, truth) = (u("21526940080198058058"), u("21526940081139125149"));
    let call = WeightedPool::swapExactAmountOutCall {
        tokenIn: ocean,
        maxAmountIn: U256::MAX,
        tokenOut: p.dt,
        tokenAmountOut: e18(5),
        maxPrice: U256::MAX,
    };
    let got = on_fresh_pool(&mut p, |p| p.chain.send(p.trader.address, p.pool, &call).unwrap());
    assert_eq!(got.tokenAmountIn, ocean_in);
    let harness_in: U256 = p
        .chain
        .view(
            p.harness,
            &BalancerMathHarness::calcInGivenOutCall {
                tokenBalanceIn: e18(B_OCEAN),
                tokenWeightIn: e18(W_OCEAN),
                tokenBalanceOut: e18(B_DT),
                tokenWeightOut: e18(W_DT),
                tokenAmountOut: e18(5),
                swapFee: fee,
            },
        )
        .unwrap();
    assert_eq!(harness_in, ocean_in);
    assert_eq!(wei::in_given_out(e18(B_OCEAN), e18(W_OCEAN), e18(B_DT), e18(W_DT), e18(5), fee), ocean_in);
    assert_near_truth("OCEAN in for 5 DT", ocean_in, truth, 10_000_000_000);
}

#[test]
fn pool_70_30_single_sided_join_and_exit() {
    let mut p = pool_70_30();
    let ocean = p.market.ocean.address;
    let fee = U256::from(FEE);
    let (b, w, s, w_total) = (e18(B_OCEAN), e18(W_OCEAN), e18(100), e18(W_OCEAN + W_DT));

    // Stake 250 OCEAN. Python: pool_out_given_single_in(BO, WO, S, W, 250 * ONE, F)
    // true D(S) * ((1 + 250 * (1 - fp) / D(BO)) ** (D(WO) / D(W)) - 1)
    //   = 1742986462488642122.720034382621 (3.2e-12 relative off)
    let (shares, truth) = (u("1742986462483045500"), u("1742986462488642123"));
    let call = WeightedPool::joinswapExternAmountInCall {
        tokenIn: ocean,
        tokenAmountIn: e18(250),
        minPoolAmountOut: U256::ZERO,
    };
    assert_eq!(on_fresh_pool(&mut p, |p| p.chain.send(p.trader.address, p.pool, &call).unwrap()), shares);
    let harness_shares: U256 = p
        .chain
        .view(
            p.harness,
            &BalancerMathHarness::calcPoolOutGivenSingleInCall {
                tokenBalanceIn: b,
                tokenWeightIn: w,
                poolSupply: s,
                totalWeight: w_total,
                tokenAmountIn: e18(250),
                swapFee: fee,
            },
        )
        .unwrap();
    assert_eq!(harness_shares, shares);
    assert_eq!(wei::pool_out_given_single_in(b, w, s, w_total, e18(250), fee), shares);
    assert_near_truth("shares for 250 OCEAN", shares, truth, 10_000_000_000);

    // Mint exactly 1 share with OCEAN. Python: single_in_given_pool_out(BO, WO, S, W, ONE, F)
    // true D(BO) * ((101 / D(100)) ** (D(W) / D(WO)) - 1) / (1 - fp)
    //   = 143205646188601087248.872939910075 (1.6e-12 relative off)
    let (ocean_in, truth) = (u("143205646188825997799"), u("143205646188601087249"));
    let call = WeightedPool::joinswapPoolAmountOutCall {
        tokenIn: ocean,
        poolAmountOut: e18(1),
        maxAmountIn: U256::MAX,
    };
    assert_eq!(on_fresh_pool(&mut p, |p| p.chain.send(p.trader.address, p.pool, &call).unwrap()), ocean_in);
    assert_eq!(wei::single_in_given_pool_out(b, w, s, w_total, e18(1), fee), ocean_in);
    assert_near_truth("OCEAN in for 1 share", ocean_in, truth, 10_000_000_000);

    // Unstake 2 shares to OCEAN. Python: single_out_given_pool_in(BO, WO, S, W, 2 * ONE, F)
    // true D(BO) * (1 - (98 / D(100)) ** (D(W) / D(WO))) * (1 - fp)
    //   = 284399748634158150866.857622595713 (5.0e-11 relative off)
    let (ocean_out, truth) = (u("284399748619860528512"), u("284399748634158150867"));
    let call = WeightedPool::exitswapPoolAmountInCall {
        tokenOut: ocean,
        poolAmountIn: e18(2),
        minAmountOut: U256::ZERO,
    };
    assert_eq!(
        on_fresh_pool(&mut p, |p| p.chain.send(p.publisher.address, p.pool, &call).unwrap()),
        ocean_out
    );
    assert_eq!(wei::single_out_given_pool_in(b, w, s, w_total, e18(2), fee), ocean_out);
    assert_near_truth("OCEAN out for 2 shares", ocean_out, truth, 10_000_000_000);

    // Withdraw exactly 100 OCEAN. Python: pool_in_given_single_out(BO, WO, S, W, 100 * ONE, F)
    // true D(S) * (1 - (1 - 100 / ((1 - fp) * D(BO))) ** (D(WO) / D(W)))
    //   = 701265273768076825.573150083402 (1.8e-12 relative off)
    let (shares_in, truth) = (u("701265273766827700"), u("701265273768076826"));
    let call = WeightedPool::exitswapExternAmountOutCall {
        tokenOut: ocean,
        tokenAmountOut: e18(100),
        maxPoolAmountIn: U256::MAX,
    };
    assert_eq!(
        on_fresh_pool(&mut p, |p| p.chain.send(p.publisher.address, p.pool, &call).unwrap()),
        shares_in
    );
    let harness_shares_in: U256 = p
        .chain
        .view(
            p.harness,
            &BalancerMathHarness::calcPoolInGivenSingleOutCall {
                tokenBalanceOut: b,
                tokenWeightOut: w,
                poolSupply: s,
                totalWeight: w_total,
                tokenAmountOut: e18(100),
                swapFee: fee,
            },
        )
        .unwrap();
    assert_eq!(harness_shares_in, shares_in);
    assert_eq!(wei::pool_in_given_single_out(b, w, s, w_total, e18(100), fee), shares_in);
    assert_near_truth("shares in for 100 OCEAN", shares_in, truth, 10_000_000_000);
}
