//! Property tests of the Ocean V3 weighted pool (`WeightedPool.sol`) in the
//! embedded EVM, 1,000 random pools per operation, and every limit enforced
//! with its decoded revert reason.
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

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use balancer_ref::{wei, Pow};
use proptest::prelude::*;
use std::cell::RefCell;
use tokenspice::chain::{Backend, Chain, ChainError, RevertReason, Snapshot, GOD};
use tokenspice::contracts::v3::{BalancerMathHarness, PoolFactory, WeightedPool};
use tokenspice::contracts::{deploy_own, OceanV3};
use tokenspice::wallet::{AgentWallet, Erc20, PoolSeed};

/// Agreement with the `f64` model of ocean.md (its `pow` included), relative.
const SPEC_TOL: f64 = 1e-9;
/// Agreement with true math, relative. ocean.md's `pow` stops its series at
/// the first term below 1e-10, which leaves a relative error of up to about
/// 1e-10 / e for an exponent e; weight ratios go down to 1/49, so up to
/// ~5e-9 (see `Pow::Spec`).
const TRUE_TOL: f64 = 1e-8;
/// Absolute allowance, in wei, on a spot price besides [`SPEC_TOL`]: a price
/// is itself an 18-decimal number, rounded twice (`bdiv` of the weighted
/// balances, `bmul` by `1/(1-f)`), so one below 1e-9 (possible with a
/// scarce, light token) cannot be 1e-9-relative exact.
const SPOT_WEI: f64 = 2.0;
/// Tokens each of publisher and trader start with: 1e18 tokens, enough for
/// the dearest swap of the domain (buying a third of a weight-46 balance with
/// a weight-1 token costs ~1.5^46 = 1.3e8 times the in-balance).
const FUNDS: u128 = 1_000_000_000_000_000_000 * 1_000_000_000_000_000_000;

const CASES: u32 = 1_000;

// ---------------------------------------------------------------------------
// The prepared world: OCEAN, the V3 factories, one datatoken, two funded
// wallets. Each case restores it and creates its own pool, which lands at
// the same address every time (same factory nonce), pre-approved by the
// trader.
// ---------------------------------------------------------------------------

struct World {
    chain: Chain,
    base: Snapshot,
    market: OceanV3,
    dt: Address,
    pool: Address,
    publisher: AgentWallet,
    trader: AgentWallet,
}

impl World {
    fn new() -> Self {
        let mut chain = Chain::new();
        let market = OceanV3::deploy(&mut chain).expect("deploy V3");
        let publisher = AgentWallet::new("publisher", 0.0);
        let trader = AgentWallet::new("trader", 0.0);
        let funds = U256::from(FUNDS);
        let dt = publisher.create_datatoken(&mut chain, &market, "DT", "DT", funds * U256::from(2)).unwrap();
        for who in [&publisher, &trader] {
            publisher.mint_datatoken(&mut chain, dt, who.address, funds).unwrap();
            market.ocean.mint(&mut chain, who.address, funds).unwrap();
        }
        let before = chain.snapshot().unwrap();
        let pool = chain.send(publisher.address, market.pool_factory, &PoolFactory::newPoolCall {}).unwrap();
        chain.restore(&before).unwrap();
        for token in [dt, market.ocean.address] {
            trader.approve(&mut chain, token, pool, U256::MAX).unwrap();
        }
        let base = chain.snapshot().unwrap();
        Self { chain, base, market, dt, pool, publisher, trader }
    }

    fn ocean(&self) -> Address {
        self.market.ocean.address
    }

    /// A fresh pool with these parameters, from the prepared state.
    fn fresh_pool(&mut self, params: &PoolParams) -> Address {
        self.chain.restore(&self.base).unwrap();
        let seed = PoolSeed {
            datatoken_amount: params.dt_balance,
            datatoken_weight: params.dt_weight,
            ocean_amount: params.ocean_balance,
            ocean_weight: params.ocean_weight,
            swap_fee: params.fee,
        };
        let pool =
            self.publisher.create_pool(&mut self.chain, &self.market, self.dt, &seed).expect("create pool");
        assert_eq!(pool, self.pool, "the pool lands at the pre-approved address");
        pool
    }

    fn holders(&self) -> [Address; HOLDERS] {
        [self.publisher.address, self.trader.address, self.pool, GOD, self.market.community_fee_collector]
    }

    /// Every balance the properties talk about.
    fn ledger(&mut self) -> Ledger {
        let holders = self.holders();
        let tokens = [self.ocean(), self.dt, self.pool];
        let mut held = [[0_i128; HOLDERS]; 3];
        let mut supply = [0_i128; 3];
        for (t, token) in tokens.iter().enumerate() {
            for (h, who) in holders.iter().enumerate() {
                held[t][h] = int(self.chain.view(*token, &Erc20::balanceOfCall { who: *who }).unwrap());
            }
            supply[t] = int(self.chain.view(*token, &Erc20::totalSupplyCall {}).unwrap());
        }
        let mut records = [0_i128; 2];
        for (t, token) in tokens[..2].iter().enumerate() {
            records[t] =
                int(self.chain.view(self.pool, &WeightedPool::getBalanceCall { token: *token }).unwrap());
        }
        Ledger { held, supply, records }
    }
}

thread_local! {
    static WORLD: RefCell<World> = RefCell::new(World::new());
}

fn with_world(f: impl FnOnce(&mut World)) {
    WORLD.with(|world| f(&mut world.borrow_mut()));
}

fn int(x: U256) -> i128 {
    i128::try_from(x).expect("amounts in these tests fit in i128")
}

fn f(x: U256) -> f64 {
    f64::from(x)
}

/// A base-18 amount as a float number of tokens.
fn tokens(x: U256) -> f64 {
    f(x) / 1e18
}

const HOLDERS: usize = 5;
const PUBLISHER: usize = 0;
const TRADER: usize = 1;
const POOL: usize = 2;
/// Token rows of a [`Ledger`].
const OCEAN: usize = 0;
const DT: usize = 1;
const SHARES: usize = 2;

/// Balances of OCEAN, DT and pool shares for every holder, their total
/// supplies, and the pool's internal records of OCEAN and DT.
#[derive(Debug, Clone, PartialEq)]
struct Ledger {
    held: [[i128; HOLDERS]; 3],
    supply: [i128; 3],
    records: [i128; 2],
}

impl Ledger {
    /// Sums over holders equal supplies; the pool's records equal what it holds.
    fn assert_consistent(&self) {
        for t in [OCEAN, DT, SHARES] {
            let sum: i128 = self.held[t].iter().sum();
            assert_eq!(sum, self.supply[t], "token {t}: holders sum to the total supply");
        }
        assert_eq!(self.held[SHARES][POOL], 0, "the pool holds none of its own shares");
        for t in [OCEAN, DT] {
            assert_eq!(self.records[t], self.held[t][POOL], "token {t}: pool record = pool balance");
        }
    }

    /// `after` is `self` with `actor` moving `delta[t]` of each token
    /// (positive: received) against the pool; shares are minted or burned.
    fn assert_moved(&self, after: &Self, actor: usize, delta: [i128; 3]) {
        self.assert_consistent();
        after.assert_consistent();
        let mut expected = self.clone();
        for t in [OCEAN, DT, SHARES] {
            expected.held[t][actor] += delta[t];
        }
        for t in [OCEAN, DT] {
            expected.held[t][POOL] -= delta[t];
            expected.records[t] -= delta[t];
        }
        expected.supply[SHARES] += delta[SHARES];
        assert_eq!(after, &expected, "balances move exactly by the amounts");
        assert_eq!(after.supply[OCEAN], self.supply[OCEAN], "OCEAN is conserved");
        assert_eq!(after.supply[DT], self.supply[DT], "DT is conserved");
    }
}

// ---------------------------------------------------------------------------
// Random pools and amounts.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct PoolParams {
    ocean_balance: U256,
    dt_balance: U256,
    ocean_weight: U256,
    dt_weight: U256,
    fee: U256,
}

impl PoolParams {
    fn total_weight(&self) -> U256 {
        self.ocean_weight + self.dt_weight
    }
}

/// 10^x tokens with x in [0, 8], plus up to 1e9 wei of noise.
fn balance() -> impl Strategy<Value = U256> {
    (0.0_f64..8.0, 0_u64..1_000_000_000).prop_map(|(x, noise)| {
        U256::from((10_f64.powf(x) * 1e9) as u128) * U256::from(1_000_000_000_u64) + U256::from(noise)
    })
}

/// Denormalised weights, each >= 1, total <= 50: in thousandths of a token
/// (fractional weight ratios) or whole tokens (exact ratios such as 7/3).
fn weights() -> impl Strategy<Value = (U256, U256)> {
    let milli = (1_000_u64..=49_000).prop_flat_map(|a| (Just(a), 1_000_u64..=50_000 - a));
    let whole = (1_u64..=49).prop_flat_map(|a| (Just(a * 1_000), (1_u64..=50 - a).prop_map(|b| b * 1_000)));
    prop_oneof![3 => milli, 1 => whole].prop_flat_map(|(a, b)| {
        let milli_token = U256::from(1_000_000_000_000_000_u64);
        prop_oneof![
            Just((U256::from(a) * milli_token, U256::from(b) * milli_token)),
            Just((U256::from(b) * milli_token, U256::from(a) * milli_token)),
        ]
    })
}

/// Swap fee in [1e-6, 0.1]: the two ends, Ocean's 0.1%, or log-uniform.
fn fee() -> impl Strategy<Value = U256> {
    prop_oneof![
        Just(U256::from(1_000_000_000_000_u64)),
        Just(U256::from(100_000_000_000_000_000_u64)),
        Just(U256::from(1_000_000_000_000_000_u64)),
        (12.0_f64..17.0).prop_map(|x| U256::from(10_f64.powf(x) as u64)),
    ]
}

fn pool_params() -> impl Strategy<Value = PoolParams> {
    (balance(), balance(), weights(), fee()).prop_map(
        |(ocean_balance, dt_balance, (ocean_weight, dt_weight), fee)| PoolParams {
            ocean_balance,
            dt_balance,
            ocean_weight,
            dt_weight,
            fee,
        },
    )
}

/// `max * 10^-e`, at least 1 wei.
fn scaled(max: U256, e: f64) -> U256 {
    let ppq = (10_f64.powf(-e) * 1e15).round() as u64;
    (max * U256::from(ppq) / U256::from(1_000_000_000_000_000_u64)).max(U256::from(1))
}

/// Exponent of the amount fraction: amounts from 1e-5 to 1 times their cap.
fn fraction_exp() -> impl Strategy<Value = f64> {
    0.0_f64..5.0
}

// ---------------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------------

fn assert_rel(label: &str, got: U256, reference: f64, tol: f64) {
    let got = f(got);
    let rel = (got - reference).abs() / reference.abs();
    assert!(
        rel <= tol,
        "{label}: chain {got:e} vs reference {reference:e}: relative error {rel:e} > {tol:e}"
    );
}

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

/// A result against the spec model and against true math.
fn assert_matches_float(label: &str, got: U256, model: impl Fn(Pow) -> f64) {
    assert_rel(&format!("{label} (ocean.md pow)"), got, model(Pow::Spec), SPEC_TOL);
    assert_rel(&format!("{label} (true math)"), got, model(Pow::Exact), TRUE_TOL);
}

/// Which side of the pool a single-sided operation or a swap's input is.
fn side(world: &World, params: &PoolParams, dt_side: bool) -> (Address, usize, U256) {
    if dt_side {
        (world.dt, DT, params.dt_weight)
    } else {
        (world.ocean(), OCEAN, params.ocean_weight)
    }
}

fn spot_price(world: &mut World, token_in: Address, token_out: Address) -> U256 {
    world
        .chain
        .view(world.pool, &WeightedPool::getSpotPriceCall { tokenIn: token_in, tokenOut: token_out })
        .unwrap()
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
    let (b_in_after, b_out_after) = (b_in + a_in, b_out - a_out);
    assert_eq!(result.spotPriceAfter, wei::spot_price(b_in_after, w_in, b_out_after, w_out, fee));
    assert_matches_float("out given in", a_out, |pow| {
        balancer_ref::out_given_in(pow, f(b_in), f(w_in), f(b_out), f(w_out), f(a_in), f(fee) / 1e18)
    });
    assert_spot_price(result.spotPriceAfter, (b_in_after, w_in), (b_out_after, w_out), fee);

    let mut delta = [0; 3];
    delta[row_in] = -int(a_in);
    delta[row_out] = int(a_out);
    before.assert_moved(&world.ledger(), TRADER, delta);
    assert_swap_invariants(
        world,
        (token_in, w_in, b_in),
        (token_out, w_out, b_out),
        (a_in, a_out),
        spot_before,
        result.spotPriceAfter,
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
    let (b_in_after, b_out_after) = (b_in + a_in, b_out - a_out);
    assert_eq!(result.spotPriceAfter, wei::spot_price(b_in_after, w_in, b_out_after, w_out, fee));
    assert_matches_float("in given out", a_in, |pow| {
        balancer_ref::in_given_out(pow, f(b_in), f(w_in), f(b_out), f(w_out), f(a_out), f(fee) / 1e18)
    });
    assert_spot_price(result.spotPriceAfter, (b_in_after, w_in), (b_out_after, w_out), fee);

    let mut delta = [0; 3];
    delta[row_in] = -int(a_in);
    delta[row_out] = int(a_out);
    before.assert_moved(&world.ledger(), TRADER, delta);
    assert_swap_invariants(
        world,
        (token_in, w_in, b_in),
        (token_out, w_out, b_out),
        (a_in, a_out),
        spot_before,
        result.spotPriceAfter,
    );
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
            before.assert_moved(&world.ledger(), TRADER, delta);
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
    before.assert_moved(&after, TRADER, delta);
}

fn check_joinswap_extern_amount_in(world: &mut World, params: &PoolParams, dt_side: bool, e: f64) {
    world.fresh_pool(params);
    let (token, row, w) = side(world, params, dt_side);
    let before = world.ledger();
    let (b, supply) = (U256::from(before.records[row]), U256::from(before.supply[SHARES]));
    let a_in = scaled(wei::bmul(b, wei::MAX_IN_RATIO), e);
    let call = WeightedPool::joinswapExternAmountInCall {
        tokenIn: token,
        tokenAmountIn: a_in,
        minPoolAmountOut: U256::ZERO,
    };
    let shares = world.chain.send(world.trader.address, world.pool, &call).expect("joinswap extern in");

    let (w_total, fee) = (params.total_weight(), params.fee);
    assert_eq!(shares, wei::pool_out_given_single_in(b, w, supply, w_total, a_in, fee), "to the wei");
    assert_matches_float("pool out given single in", shares, |pow| {
        balancer_ref::pool_out_given_single_in(pow, f(b), f(w), f(supply), f(w_total), f(a_in), f(fee) / 1e18)
    });
    let mut delta = [0, 0, int(shares)];
    delta[row] = -int(a_in);
    before.assert_moved(&world.ledger(), TRADER, delta);
}

fn check_joinswap_pool_amount_out(world: &mut World, params: &PoolParams, dt_side: bool, e: f64) {
    world.fresh_pool(params);
    let (token, row, w) = side(world, params, dt_side);
    let before = world.ledger();
    let (b, supply) = (U256::from(before.records[row]), U256::from(before.supply[SHARES]));
    let (w_total, fee) = (params.total_weight(), params.fee);
    // The most shares whose price stays under the in-ratio cap (b/2), with
    // 0.1% to spare: S ((1 + (1-f') / 2)^(w/W) - 1).
    let fee_share = balancer_ref::single_sided_fee(f(w), f(w_total), f(fee) / 1e18);
    let max_ratio = Pow::Exact.pow_m1(0.5 * (1.0 - fee_share), f(w) / f(w_total)) * 0.999;
    let shares =
        scaled(supply * U256::from((max_ratio * 1e15) as u64) / U256::from(1_000_000_000_000_000_u64), e);
    let call = WeightedPool::joinswapPoolAmountOutCall {
        tokenIn: token,
        poolAmountOut: shares,
        maxAmountIn: U256::MAX,
    };
    let a_in = world.chain.send(world.trader.address, world.pool, &call).expect("joinswap pool out");

    assert_eq!(a_in, wei::single_in_given_pool_out(b, w, supply, w_total, shares, fee), "to the wei");
    assert_matches_float("single in given pool out", a_in, |pow| {
        balancer_ref::single_in_given_pool_out(
            pow,
            f(b),
            f(w),
            f(supply),
            f(w_total),
            f(shares),
            f(fee) / 1e18,
        )
    });
    let mut delta = [0, 0, int(shares)];
    delta[row] = -int(a_in);
    before.assert_moved(&world.ledger(), TRADER, delta);
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
    before.assert_moved(&world.ledger(), PUBLISHER, delta);
}

fn check_exitswap_pool_amount_in(world: &mut World, params: &PoolParams, dt_side: bool, e: f64) {
    world.fresh_pool(params);
    let (token, row, w) = side(world, params, dt_side);
    let before = world.ledger();
    let (b, supply) = (U256::from(before.records[row]), U256::from(before.supply[SHARES]));
    let (w_total, fee) = (params.total_weight(), params.fee);
    // The most shares whose payout stays under the out-ratio cap (b/3), with
    // 0.1% to spare: S (1 - (2/3)^(w/W)).
    let max_ratio = -Pow::Exact.pow_m1(-1.0 / 3.0, f(w) / f(w_total)) * 0.999;
    let shares =
        scaled(supply * U256::from((max_ratio * 1e15) as u64) / U256::from(1_000_000_000_000_000_u64), e);
    let call = WeightedPool::exitswapPoolAmountInCall {
        tokenOut: token,
        poolAmountIn: shares,
        minAmountOut: U256::ZERO,
    };
    let a_out = world.chain.send(world.publisher.address, world.pool, &call).expect("exitswap pool in");

    assert_eq!(a_out, wei::single_out_given_pool_in(b, w, supply, w_total, shares, fee), "to the wei");
    assert_matches_float("single out given pool in", a_out, |pow| {
        balancer_ref::single_out_given_pool_in(
            pow,
            f(b),
            f(w),
            f(supply),
            f(w_total),
            f(shares),
            f(fee) / 1e18,
        )
    });
    let mut delta = [0, 0, -int(shares)];
    delta[row] = int(a_out);
    before.assert_moved(&world.ledger(), PUBLISHER, delta);
}

fn check_exitswap_extern_amount_out(world: &mut World, params: &PoolParams, dt_side: bool, e: f64) {
    world.fresh_pool(params);
    let (token, row, w) = side(world, params, dt_side);
    let before = world.ledger();
    let (b, supply) = (U256::from(before.records[row]), U256::from(before.supply[SHARES]));
    let (w_total, fee) = (params.total_weight(), params.fee);
    let a_out = scaled(wei::bmul(b, wei::MAX_OUT_RATIO), e);
    let call = WeightedPool::exitswapExternAmountOutCall {
        tokenOut: token,
        tokenAmountOut: a_out,
        maxPoolAmountIn: U256::MAX,
    };
    let shares = world.chain.send(world.publisher.address, world.pool, &call).expect("exitswap extern out");

    assert_eq!(shares, wei::pool_in_given_single_out(b, w, supply, w_total, a_out, fee), "to the wei");
    assert_matches_float("pool in given single out", shares, |pow| {
        balancer_ref::pool_in_given_single_out(
            pow,
            f(b),
            f(w),
            f(supply),
            f(w_total),
            f(a_out),
            f(fee) / 1e18,
        )
    });
    let mut delta = [0, 0, -int(shares)];
    delta[row] = int(a_out);
    before.assert_moved(&world.ledger(), PUBLISHER, delta);
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
        with_world(|w| check_joinswap_extern_amount_in(w, &params, dt_side, e));
    }

    #[test]
    fn joinswap_pool_amount_out(params in pool_params(), dt_side in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_joinswap_pool_amount_out(w, &params, dt_side, e));
    }

    #[test]
    fn exit_pool(params in pool_params(), e in fraction_exp()) {
        with_world(|w| check_exit_pool(w, &params, e));
    }

    #[test]
    fn exitswap_pool_amount_in(params in pool_params(), dt_side in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_exitswap_pool_amount_in(w, &params, dt_side, e));
    }

    #[test]
    fn exitswap_extern_amount_out(params in pool_params(), dt_side in any::<bool>(), e in fraction_exp()) {
        with_world(|w| check_exitswap_extern_amount_out(w, &params, dt_side, e));
    }
}

// ---------------------------------------------------------------------------
// Limits: each one at its boundary (passes) and one wei past it (reverts
// with the decoded reason), on a 70/30 pool with OCEAN 10,000 and DT 1,000.
// ---------------------------------------------------------------------------

fn e18(tokens: u64) -> U256 {
    U256::from(tokens) * wei::ONE
}

fn params_70_30() -> PoolParams {
    PoolParams {
        ocean_balance: e18(10_000),
        dt_balance: e18(1_000),
        ocean_weight: e18(7),
        dt_weight: e18(3),
        fee: U256::from(1_000_000_000_000_000_u64),
    }
}

/// The revert message of a failed call.
fn reason<T: std::fmt::Debug>(result: Result<T, ChainError>) -> String {
    match result {
        Err(ChainError::Reverted { reason: RevertReason::Message(message), .. }) => message,
        other => panic!("expected a revert with a message, got {other:?}"),
    }
}

/// Runs a call without committing it and decodes its result.
fn preview<C: SolCall>(
    chain: &mut Chain,
    from: Address,
    to: Address,
    call: &C,
) -> Result<C::Return, ChainError> {
    chain.call(from, to, call.abi_encode().into())?.decode::<C>(to)
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
