//! Property tests of the Ocean V4 / V4.1 mechanisms (`contracts/v4`) in the
//! embedded EVM, 1,000 random cases each, and each revert reason of the V4
//! contracts at its boundary.
//!
//! Each case restores a prepared snapshot, creates one asset (datatoken,
//! pool, bot registration) through `PoolV4Factory`, and exercises one
//! mechanism. Every result is checked against the `U256` model of the
//! contract rule to the wei (`support/v4_ref.rs`, built on
//! `support/balancer_ref.rs`), and where the mechanism has a real-number
//! formula, against its `f64` model:
//! * one-sided staking: shares and bot datatokens are the documented floors;
//!   B:D, hence the price, is kept up to less than 1 wei of one balance
//!   ([`assert_ratio_kept`]); unstaking reverses it;
//! * swaps with the fee split: amounts within 1e-9 of the formula with
//!   ocean.md's `pow` (`SPEC_TOL`) and 1e-8 of true math (`TRUE_TOL`),
//!   as the V3 pool (`v3_pool_props.rs`, same domain and reasons); each fee
//!   amount at its collector to the wei; `ln(prod b^w)` at the current
//!   weights does not fall;
//! * startOrder, burn-in weights, vesting: exact integer formulas;
//! * soft-cap fee: the documented formula within 1e-9 (`SPEC_TOL`) where
//!   the formula is well conditioned (see [`check_soft_cap_fee`]); volume
//!   decay within [`v4_ref::DECAY_APPROX_TOL`] of `2^-t`;
//! * a V4.1 asset's life: random sequences of all of these on one asset with
//!   every mechanism on, each step exactly as modelled (`life_cycle.rs`).
//!
//! After every step the [`world::Ledger`] of OCEAN, DT and pool shares over all
//! holders must move exactly by the modelled amounts: each token's holders
//! sum to its total supply (OCEAN and DT supplies constant), the pool's
//! records equal its balances, and the bot holds exactly half the shares.
//!
//! Layout (a folder module): `v4_mechanisms/world.rs` the prepared world and
//! ledger, `v4_mechanisms/v41.rs` the V4.1 checks (burn-in, vesting, soft
//! cap, decay), `v4_mechanisms/life_cycle.rs` the sequences,
//! `v4_mechanisms/limits.rs` the revert reasons; the staking, swap and order
//! checks and every `proptest!` are here.

#[path = "support/balancer_ref.rs"]
mod balancer_ref;
#[path = "support/ledger.rs"]
mod ledger;
#[path = "v4_mechanisms/life_cycle.rs"]
mod life_cycle;
#[path = "v4_mechanisms/limits.rs"]
mod limits;
#[path = "support/v3_world.rs"]
mod v3_world;
#[path = "v4_mechanisms/v41.rs"]
mod v41;
#[path = "support/v4_ref.rs"]
mod v4_ref;
#[path = "v4_mechanisms/world.rs"]
mod world;

use alloy_primitives::U256;
use alloy_sol_types::SolCall;
use balancer_ref::wei;
use proptest::prelude::*;
use tokenspice::chain::{address_for, Backend, RevertReason};
use tokenspice::models::ocean::contracts::v4::{DatatokenV4, PoolV4};
use v3_world::{assert_matches_float, balance, f, fee, fraction_exp, int, scaled, tokens, weights};
use v41::{check_burn_in, check_decay, check_soft_cap_fee, check_vesting, soft_cap_case};
use v4_ref::{FeeRates, Schedule, COMMUNITY_ORDER_FEE, COMMUNITY_SWAP_FEE_OCEAN, MAX_FEE, ORDER_AMOUNT};
use world::{
    event, fixed, swap_in, with_schedule, with_vesting, with_world, World, BOT, COMMUNITY, CONSUME_MARKET,
    DT, OCEAN, ONE, PAYMENT, POOL, PUBLISHER, PUBLISH_MARKET, SHARES, TRADER,
};

const CASES: u32 = 1_000;

// ---------------------------------------------------------------------------
// Random assets.
// ---------------------------------------------------------------------------

/// B0 from 1 to 1e8 OCEAN (`balance`), rate 10^[-2, 2] DT per OCEAN.
fn opening() -> impl Strategy<Value = (U256, U256)> {
    (balance(), -2.0_f64..2.0).prop_map(|(b0, x)| (b0, fixed(10_f64.powf(x))))
}

/// A market fee rate: none, the 10% cap, or 10^[-4, -1].
fn market_fee() -> impl Strategy<Value = U256> {
    prop_oneof![Just(U256::ZERO), Just(MAX_FEE), (-4.0_f64..-1.0).prop_map(|x| fixed(10_f64.powf(x)))]
}

/// Any burn-in: independent start and end weights (Balancer limits), over
/// 1 s to ~12 days, or no burn-in at all.
fn any_schedule() -> impl Strategy<Value = Schedule> {
    (weights(), weights(), prop_oneof![Just(0.0), 0.0_f64..6.0]).prop_map(
        |((dt_start, base_start), (dt_end, base_end), t)| Schedule {
            dt_start,
            base_start,
            dt_end,
            base_end,
            seconds: if t == 0.0 { 0 } else { 10_f64.powf(t) as u64 },
        },
    )
}

/// The Dutch:Pool burn-in: to the wei, the DT weight falls and the base
/// weight rises (both within the Balancer limits), over 1 s to ~116 days.
fn dutch_schedule() -> impl Strategy<Value = Schedule> {
    let one = 1_000_000_000_000_000_000_u128;
    (one..=49 * one)
        .prop_flat_map(move |base_end| (Just(base_end), one..=50 * one - base_end, one..=base_end))
        .prop_flat_map(move |(base_end, dt_end, base_start)| {
            (Just((base_end, dt_end, base_start)), dt_end..=50 * one - base_start, 0.0_f64..7.0)
        })
        .prop_map(|((base_end, dt_end, base_start), dt_start, t)| Schedule {
            dt_start: U256::from(dt_start),
            base_start: U256::from(base_start),
            dt_end: U256::from(dt_end),
            base_end: U256::from(base_end),
            seconds: 10_f64.powf(t) as u64,
        })
}

// ---------------------------------------------------------------------------
// One-sided staking.
// ---------------------------------------------------------------------------

/// B:D kept through a stake or unstake: each new balance is within 1 wei of
/// its exact proportional value, `|B' D - B D'| < max(B, D)`; a stake never
/// lowers the DT price (`B' D >= B D'`: the bot's DTs are rounded down).
/// The pool's price (`bdiv(bdiv(B, wB), bdiv(D, wD))`) is the model's at the
/// new balances, and moved by no more than that 1-wei skew of B:D (relative
/// `|B' D - B D'| / (B D')`) plus the resolution of the fixed-point price:
/// each `bdiv` rounds by half a wei, i.e. `p (1/2x + 1/2y) + 1/2` for a
/// price `p = x / y`, before and after (first order; the second-order
/// terms are ~1e-30 of the price, hence the 1e-9 margin).
fn assert_ratio_kept(
    w: &mut World,
    (b, d): (U256, U256),
    (b2, d2): (U256, U256),
    price_before: U256,
    stake: bool,
) {
    let (cross_new, cross_old) = (b2 * d, b * d2);
    let skew = if cross_new >= cross_old { cross_new - cross_old } else { cross_old - cross_new };
    assert!(skew < b.max(d), "B:D moved by more than 1 wei: |B'D - BD'| = {skew}");
    assert!(!stake || cross_new >= cross_old, "a stake lowered the DT price");
    let (w_dt, w_base) = w.weights();
    let price = w.dt_price();
    assert_eq!(price, wei::spot_price(b2, w_base, d2, w_dt, U256::ZERO), "price = model at new balances");
    let resolution = |p: U256, b: U256, d: U256| {
        let (x, y) = (wei::bdiv(b, w_base), wei::bdiv(d, w_dt));
        (f(p) * (1.0 / f(x) + 1.0 / f(y))).mul_add(0.5, 0.5)
    };
    let skewed = f(price_before) * (f(skew) / (f(b) * f(d2)));
    let slack = (skewed + resolution(price_before, b, d) + resolution(price, b2, d2)) * (1.0 + 1e-9);
    let moved = f(if price >= price_before { price - price_before } else { price_before - price });
    assert!(moved <= slack, "price {price_before} -> {price}: moved {moved} > {slack} wei");
}

fn check_staking(
    w: &mut World,
    (b0, rate): (U256, U256),
    (w_dt, w_base): (U256, U256),
    swap: Option<f64>,
    e: f64,
    u: f64,
) {
    let mut p = w.params(b0, rate);
    (p.dtStartWeight, p.baseStartWeight, p.dtEndWeight, p.baseEndWeight) = (w_dt, w_base, w_dt, w_base);
    w.create(p);
    let (pool, trader) = (w.pool, w.trader);
    if let Some(x) = swap {
        // Move B:D away from the opening rate first.
        let a = scaled(wei::bmul(b0, wei::MAX_IN_RATIO), x);
        let call = swap_in(w.ocean(), a, w.dt, U256::ZERO);
        w.chain.send(trader, pool, &call).expect("swap");
    }

    // Stake a: the bot mirrors it, both get the same shares.
    let before = w.ledger();
    let (b, d, s) = before.pool_state();
    let price = w.dt_price();
    let a = scaled(wei::bmul(b, wei::MAX_IN_RATIO), e);
    let (shares, dt_in) = v4_ref::stake(b, d, s, a);
    let call = PoolV4::joinswapExternAmountInCall { baseAmountIn: a, minPoolAmountOut: shares };
    assert_eq!(w.chain.send(trader, pool, &call).expect("stake"), shares, "shares = floor(S a / 2B)");
    let staked = w.ledger();
    let (a, shares, dt_in) = (int(a), int(shares), int(dt_in));
    before.assert_moved(
        &staked,
        &[
            (OCEAN, TRADER, -a),
            (OCEAN, POOL, a),
            (DT, BOT, -dt_in),
            (DT, POOL, dt_in),
            (SHARES, TRADER, shares),
            (SHARES, BOT, shares),
        ],
    );
    let (b2, d2, s2) = staked.pool_state();
    assert_ratio_kept(w, (b, d), (b2, d2), price, true);

    // Unstake up to all of it (a sixth of the supply pays out a third of B).
    let price = w.dt_price();
    let max = staked.balance(SHARES, TRADER).min(s2 * U256::from(999) / U256::from(6_000));
    let p = scaled(max, u);
    let (base_out, dt_out) = v4_ref::unstake(b2, d2, s2, p);
    let call = PoolV4::exitswapPoolAmountInCall { poolAmountIn: p, minBaseAmountOut: base_out };
    assert_eq!(w.chain.send(trader, pool, &call).expect("unstake"), base_out, "base = floor(2P B / S)");
    let (p, base_out, dt_out) = (int(p), int(base_out), int(dt_out));
    staked.assert_moved(
        &w.ledger(),
        &[
            (SHARES, TRADER, -p),
            (SHARES, BOT, -p),
            (OCEAN, POOL, -base_out),
            (OCEAN, TRADER, base_out),
            (DT, POOL, -dt_out),
            (DT, BOT, dt_out),
        ],
    );
    let (b3, d3, _) = w.ledger().pool_state();
    assert_ratio_kept(w, (b2, d2), (b3, d3), price, false);
}

// ---------------------------------------------------------------------------
// Swaps and the fee split.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct SwapCase {
    opening: (U256, U256),
    schedule: Schedule,
    /// Fraction of the burn-in elapsed at the swap (past 1: after it).
    at: f64,
    lp: U256,
    publish: U256,
    consume: U256,
    dt_in: bool,
    exact_out: bool,
    /// Amount: 10^-e times the largest the pool accepts.
    e: f64,
}

fn swap_case() -> impl Strategy<Value = SwapCase> {
    let fees = (fee(), market_fee(), market_fee());
    let kind = (any::<bool>(), any::<bool>(), fraction_exp());
    (opening(), any_schedule(), 0.0_f64..1.2, fees, kind).prop_map(
        |(opening, schedule, at, (lp, publish, consume), (dt_in, exact_out, e))| SwapCase {
            opening,
            schedule,
            at,
            lp,
            publish,
            consume,
            dt_in,
            exact_out,
            e,
        },
    )
}

/// One swap from a fresh asset, at a random point of a random burn-in.
fn check_swap(w: &mut World, c: &SwapCase) {
    let (b0, rate) = c.opening;
    let d0 = b0 * rate / ONE;
    let elapsed = (c.at * c.schedule.seconds as f64) as u64;
    let (w_dt, w_base) = c.schedule.weights_at(elapsed);
    let rates =
        FeeRates { lp: c.lp, community: COMMUNITY_SWAP_FEE_OCEAN, publish: c.publish, consume: c.consume };
    let (ins, outs) = if c.dt_in { ((d0, w_dt), (b0, w_base)) } else { ((b0, w_base), (d0, w_dt)) };
    let q = if c.exact_out {
        v4_ref::quote_exact_out(ins, outs, scaled(wei::bmul(outs.0, wei::MAX_OUT_RATIO), c.e), &rates)
    } else {
        v4_ref::quote_exact_in(ins, outs, scaled(wei::bmul(ins.0, wei::MAX_IN_RATIO), c.e), &rates)
    };

    // The asset; a DT seller gets exactly the DTs it pays from the premine.
    let mut p = with_schedule(w.params(b0, rate), &c.schedule);
    (p.lpFee, p.publishMarketFee) = (c.lp, c.publish);
    if c.dt_in {
        p = with_vesting(p, q.amount_in, 0);
    }
    w.create(p);
    if c.dt_in {
        w.give_premine_to_trader();
    }
    if elapsed > 0 {
        w.chain.advance(elapsed);
    }
    assert_eq!(w.weights(), (w_dt, w_base), "the swap sees the scheduled weights");
    let (pool, dt, ocean) = (w.pool, w.dt, w.ocean());
    let (token_in, token_out, row_in, row_out) =
        if c.dt_in { (dt, ocean, DT, OCEAN) } else { (ocean, dt, OCEAN, DT) };
    let before = w.ledger();
    assert_eq!([before.records[row_in], before.records[row_out]], [int(ins.0), int(outs.0)]);
    let volume = w.view(pool, &PoolV4::swapVolumeCall {});
    let listed = w.view(pool, &PoolV4::getSpotPriceCall { tokenIn: token_in, tokenOut: token_out });
    assert_eq!(listed, v4_ref::spot_with_fees(ins, outs, c.lp, rates.community + c.publish), "listed price");
    let spot_before = v4_ref::spot_with_fees(ins, outs, c.lp, rates.protocol());
    let (quoted, modelled) = if c.exact_out {
        let call = PoolV4::getAmountInExactOutCall {
            tokenIn: token_in,
            tokenOut: token_out,
            tokenAmountOut: q.amount_out,
            consumeMarketFee: c.consume,
        };
        (w.view(pool, &call), q.amount_in)
    } else {
        let call = PoolV4::getAmountOutExactInCall {
            tokenIn: token_in,
            tokenOut: token_out,
            tokenAmountIn: q.amount_in,
            consumeMarketFee: c.consume,
        };
        (w.view(pool, &call), q.amount_out)
    };
    assert_eq!(quoted, modelled, "the pool's quote");

    // The swap, limited to the modelled amounts.
    let (collector, any) = (w.consume_market, U256::MAX);
    let data = if c.exact_out {
        PoolV4::swapExactAmountOutCall {
            tokenIn: token_in,
            maxAmountIn: q.amount_in,
            tokenOut: token_out,
            tokenAmountOut: q.amount_out,
            maxPrice: any,
            consumeMarketFeeCollector: collector,
            consumeMarketFee: c.consume,
        }
        .abi_encode()
    } else {
        PoolV4::swapExactAmountInCall {
            tokenIn: token_in,
            tokenAmountIn: q.amount_in,
            tokenOut: token_out,
            minAmountOut: q.amount_out,
            maxPrice: any,
            consumeMarketFeeCollector: collector,
            consumeMarketFee: c.consume,
        }
        .abi_encode()
    };
    let receipt = w.chain.transact(w.trader, pool, data.into(), U256::ZERO).unwrap();
    let spot_after = if c.exact_out {
        let result = receipt.clone().decode::<PoolV4::swapExactAmountOutCall>(pool).expect("swap out");
        assert_eq!(result.tokenAmountIn, q.amount_in, "gross amount in, to the wei");
        result.spotPriceAfter
    } else {
        let result = receipt.clone().decode::<PoolV4::swapExactAmountInCall>(pool).expect("swap in");
        assert_eq!(result.tokenAmountOut, q.amount_out, "amount out, to the wei");
        result.spotPriceAfter
    };
    let (ins_after, outs_after) = ((ins.0 + q.net_in, ins.1), (outs.0 - q.amount_out, outs.1));
    assert_eq!(spot_after, v4_ref::spot_with_fees(ins_after, outs_after, c.lp, rates.protocol()));

    // Every fee at its collector; the LP fee stays in the pool (in net_in).
    before.assert_moved(
        &w.ledger(),
        &[
            (row_in, TRADER, -int(q.amount_in)),
            (row_in, POOL, int(q.net_in)),
            (row_in, COMMUNITY, int(q.community)),
            (row_in, PUBLISH_MARKET, int(q.publish)),
            (row_in, CONSUME_MARKET, int(q.consume)),
            (row_out, POOL, -int(q.amount_out)),
            (row_out, TRADER, int(q.amount_out)),
        ],
    );
    let fees = event::<PoolV4::LOG_SWAP_FEES>(&receipt, pool);
    assert_eq!(
        (fees.lpFeeAmount, fees.communityFeeAmount, fees.publishMarketFeeAmount, fees.consumeMarketFeeAmount),
        (wei::bmul(q.net_in, c.lp), q.community, q.publish, q.consume)
    );
    assert_eq!(fees.consumeMarketFeeCollector, collector);
    // Each protocol fee is its rate times the gross amount in, to the wei
    // (one bmul rounding, plus a few wei of g = net / (1 - F) vs the gross
    // amount for exact out, times a rate <= 0.1), up to f64 resolution.
    for (label, amount, rate) in [
        ("community", q.community, rates.community),
        ("publish", q.publish, c.publish),
        ("consume", q.consume, c.consume),
    ] {
        let reference = f(q.amount_in) * f(rate) / 1e18;
        let error = (f(amount) - reference).abs();
        assert!(error <= reference.mul_add(1e-15, 1.0), "{label} fee {amount} vs {reference:e}");
    }

    // The documented formulas in real numbers.
    let (fin, fout, lp, protocol) =
        ((f(ins.0), f(ins.1)), (f(outs.0), f(outs.1)), fixed_f(c.lp), fixed_f(rates.protocol()));
    if c.exact_out {
        assert_matches_float("in given out with fees", q.amount_in, |pow| {
            v4_ref::in_given_out_with_fees(pow, fin, fout, f(q.amount_out), lp, protocol)
        });
    } else {
        assert_matches_float("out given in with fees", q.amount_out, |pow| {
            v4_ref::out_given_in_with_fees(pow, fin, fout, f(q.amount_in), lp, protocol)
        });
    }

    // prod b^w at the current weights does not fall (same reasoning and
    // tolerance as the V3 pool: the LP fee alone raises it by ~1e-12 or
    // more in this domain); the contract's own price guarantees hold.
    let (change, eval_error) = balancer_ref::ln_invariant_change(&[
        (tokens(ins.1), f(ins.0), f(q.net_in)),
        (tokens(outs.1), f(outs.0), -f(q.amount_out)),
    ]);
    assert!(change >= -eval_error, "ln prod b^w fell by {:e} (eval error {eval_error:e})", -change);
    assert!(spot_after >= spot_before, "spot price fell: {spot_before} -> {spot_after}");
    assert!(spot_before <= wei::bdiv(q.amount_in, q.amount_out), "spot before <= effective price");

    // The swap volume counts the base-side amount.
    let base_side = if c.dt_in { q.amount_out } else { q.amount_in };
    assert_eq!(w.view(pool, &PoolV4::swapVolumeCall {}), volume + base_side, "swap volume");
}

/// An 18-decimal rate as a fraction.
fn fixed_f(x: U256) -> f64 {
    f(x) / 1e18
}

// ---------------------------------------------------------------------------
// Orders.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct OrderCase {
    opening: (U256, U256),
    /// DTs the payer holds.
    held: U256,
    /// Orders to the publisher's own payment collector (else the publisher).
    own_collector: bool,
    service: u64,
    half_life: u64,
    /// Seconds before each order attempt.
    gaps: Vec<u64>,
}

fn order_case() -> impl Strategy<Value = OrderCase> {
    let held = prop_oneof![
        (0_u64..=3).prop_map(|k| U256::from(k) * ONE),
        (1_u64..=3).prop_map(|k| U256::from(k) * ONE - U256::from(1)),
        (0_u128..4_000_000_000_000_000_000).prop_map(U256::from),
    ];
    let gaps = prop::collection::vec(prop_oneof![Just(0_u64), 1_u64..100_000], 1..=4);
    (opening(), held, any::<bool>(), any::<u64>(), prop_oneof![Just(0_u64), 1_u64..=1_000_000], gaps)
        .prop_map(|(opening, held, own_collector, service, half_life, gaps)| OrderCase {
            opening,
            held,
            own_collector,
            service,
            half_life,
            gaps,
        })
}

fn check_orders(w: &mut World, c: &OrderCase) {
    let mut p = with_vesting(w.params(c.opening.0, c.opening.1), c.held, 0);
    p.volumeHalfLifeSeconds = U256::from(c.half_life);
    if c.own_collector {
        p.paymentCollector = w.payment;
    }
    w.create(p);
    w.give_premine_to_trader();
    let collector = if c.own_collector { PAYMENT } else { PUBLISHER };
    let (dt, pool, trader, consumer) = (w.dt, w.pool, w.trader, address_for("v4-consumer"));
    let mut paid = 0;
    for &gap in &c.gaps {
        if gap > 0 {
            w.chain.advance(gap);
        }
        let before = w.ledger();
        let count = w.view(dt, &DatatokenV4::orderCountCall {});
        let volume = w.view(pool, &PoolV4::consumeVolumeCall {});
        let (b, d, _) = before.pool_state();
        let (w_dt, w_base) = w.weights();
        let value = wei::spot_price(b, w_base, d, w_dt, U256::ZERO);
        assert_eq!(w.dt_price(), value);
        let call = DatatokenV4::startOrderCall {
            consumer,
            serviceIndex: U256::from(c.service),
            consumeMarketFeeCollector: w.consume_market,
        };
        let receipt = w.chain.transact(trader, dt, call.abi_encode().into(), U256::ZERO).unwrap();
        let after = w.ledger();
        if before.balance(DT, TRADER) < ORDER_AMOUNT {
            let expected = RevertReason::Message("ERC20: insufficient balance".into());
            assert_eq!(receipt.revert_reason(), Some(&expected), "an order needs 1 DT");
            assert_eq!(after, before, "a refused order moves nothing");
            assert_eq!(w.view(dt, &DatatokenV4::orderCountCall {}), count);
            continue;
        }
        assert!(receipt.is_success(), "{:?}", receipt.outcome);
        paid += 1;
        let rest = ORDER_AMOUNT - COMMUNITY_ORDER_FEE;
        before.assert_moved(
            &after,
            &[
                (DT, TRADER, -int(ORDER_AMOUNT)),
                (DT, COMMUNITY, int(COMMUNITY_ORDER_FEE)),
                (DT, collector, int(rest)),
            ],
        );
        assert_eq!(w.view(dt, &DatatokenV4::orderCountCall {}), count + U256::from(1), "orderCount + 1");
        assert_eq!(w.view(pool, &PoolV4::consumeVolumeCall {}), volume + value, "consume volume");
        let consumed = event::<PoolV4::LOG_CONSUME>(&receipt, pool);
        assert_eq!((consumed.value, consumed.consumeVolume), (value, volume + value));
        let order = event::<DatatokenV4::OrderStarted>(&receipt, dt);
        assert_eq!(
            (order.consumer, order.payer, order.consumeMarketFeeCollector),
            (consumer, trader, w.consume_market)
        );
        assert_eq!((order.amount, order.communityFee), (ORDER_AMOUNT, COMMUNITY_ORDER_FEE));
        assert_eq!(
            (order.serviceIndex, order.timestamp),
            (U256::from(c.service), U256::from(w.chain.timestamp()))
        );
    }
    // Whole orders only: the payer kept what was left of its balance.
    let orders = (c.held / ORDER_AMOUNT).min(U256::from(c.gaps.len()));
    assert_eq!(U256::from(paid), orders);
    assert_eq!(w.ledger().balance(DT, TRADER), c.held - orders * ORDER_AMOUNT);
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(CASES) })]

    #[test]
    fn one_sided_staking(
        opening in opening(),
        weights in weights(),
        swap in prop::option::of(fraction_exp()),
        e in fraction_exp(),
        u in fraction_exp(),
    ) {
        with_world(|w| check_staking(w, opening, weights, swap, e, u));
    }

    #[test]
    fn swaps_split_fees(case in swap_case()) {
        with_world(|w| check_swap(w, &case));
    }

    #[test]
    fn start_order(case in order_case()) {
        with_world(|w| check_orders(w, &case));
    }

    #[test]
    fn dutch_burn_in(
        opening in opening(),
        schedule in dutch_schedule(),
        publish in market_fee(),
        samples in prop::collection::vec(0.0_f64..1.5, 1..=6),
    ) {
        with_world(|w| check_burn_in(w, opening, &schedule, publish, &samples));
    }

    #[test]
    fn vesting(
        amount in (0.0_f64..27.0).prop_map(|x| U256::from(10_f64.powf(x) as u128)),
        blocks in prop_oneof![Just(0_u64), 1_u64..=100, (2.0_f64..5.0).prop_map(|x| 10_f64.powf(x) as u64)],
        claims in prop::collection::vec((0.0_f64..1.5, any::<bool>()), 0..=4),
    ) {
        with_world(|w| check_vesting(w, amount, blocks, &claims));
    }

    #[test]
    fn soft_cap_fee(case in soft_cap_case()) {
        with_world(|w| check_soft_cap_fee(w, &case));
    }

    #[test]
    fn life_cycle(case in life_cycle::life()) {
        with_world(|w| life_cycle::check_life(w, &case));
    }

    #[test]
    fn volume_decay(
        half_life in prop_oneof![1_u64..=100, (2.0_f64..7.0).prop_map(|x| 10_f64.powf(x) as u64)],
        amount in (0.0_f64..30.0).prop_map(|x| U256::from(10_f64.powf(x) as u128)),
        t in prop_oneof![8 => 0.0_f64..10.0, 1 => (0_u64..=10).prop_map(|n| n as f64), 1 => 250.0_f64..300.0],
        e in fraction_exp(),
    ) {
        with_world(|w| check_decay(w, half_life, amount, t, e));
    }
}
