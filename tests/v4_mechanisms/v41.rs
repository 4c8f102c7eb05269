//! The V4.1 additions to the V4 pool: the Dutch:Pool burn-in, the vested
//! premine, the soft cap on vol:consume and its volume decay (checks run by
//! the root's `proptest!` block).

use crate::balancer_ref::wei;
use crate::v3_world::{assert_rel, e18, f, fee, fraction_exp, int, scaled, SPEC_TOL};
use crate::v4_ref::{self, FeeRates, Schedule, SoftCap, COMMUNITY_SWAP_FEE_OCEAN, MAX_FEE};
use crate::world::{fixed, swap_in, with_schedule, with_vesting, World, BOT, DT, LP_FEE, ONE, PUBLISHER};
use alloy_primitives::{Address, U256};
use proptest::prelude::*;
use tokenspice::chain::Backend;
use tokenspice::models::ocean::contracts::v4::{DatatokenV4, PoolV4, SideStaking};

// ---------------------------------------------------------------------------
// Dutch burn-in.
// ---------------------------------------------------------------------------

pub(crate) fn check_burn_in(
    w: &mut World,
    (b0, rate): (U256, U256),
    s: &Schedule,
    publish: U256,
    samples: &[f64],
) {
    let mut p = with_schedule(w.params(b0, rate), s);
    p.publishMarketFee = publish;
    w.create(p);
    let (pool, lp) = (w.pool, LP_FEE);
    let terms = w.view(pool, &PoolV4::getWeightScheduleCall {});
    assert_eq!(
        (terms.dtStartWeight, terms.baseStartWeight, terms.dtEndWeight, terms.baseEndWeight),
        (s.dt_start, s.base_start, s.dt_end, s.base_end)
    );
    assert_eq!(
        (terms.burnInStart, terms.burnInSeconds),
        (U256::from(w.chain.timestamp()), U256::from(s.seconds))
    );
    let (b, d, _) = w.ledger().pool_state();
    let end_price = wei::spot_price(b, s.base_end, d, s.dt_end, U256::ZERO);

    let mut times: Vec<u64> = samples.iter().map(|x| (x * s.seconds as f64) as u64).collect();
    times.extend([0, s.seconds]);
    times.sort_unstable();
    let (mut now, mut last) = (0, U256::MAX);
    for t in times {
        if t > now {
            w.chain.advance(t - now);
            now = t;
        }
        let (w_dt, w_base) = w.weights();
        assert_eq!((w_dt, w_base), s.weights_at(t), "weights at {t} s of {}", s.seconds);
        // The real-number schedule: integer division is < 1 wei off, and f64
        // evaluates it to a few ulps of the weights (~1e-16 of them).
        let (ref_dt, ref_base) = s.weights_at_f64(t);
        let scale = f(s.dt_start + s.dt_end + s.base_start + s.base_end);
        for (got, reference) in [(w_dt, ref_dt), (w_base, ref_base)] {
            let error = (f(got) - reference).abs();
            assert!(error <= scale.mul_add(1e-15, 1.0), "weight {got} vs {reference:e}");
        }
        assert_eq!(w.view(pool, &PoolV4::getTotalDenormalizedWeightCall {}), w_dt + w_base);
        let price = w.dt_price();
        assert_eq!(price, wei::spot_price(b, w_base, d, w_dt, U256::ZERO), "price at the current weights");
        assert!(price <= last, "the DT price rose without trades: {last} -> {price}");
        last = price;
        if t >= s.seconds {
            assert_eq!(price, end_price, "the end-weights price after the burn-in");
            let listed = w.view(pool, &PoolV4::getSpotPriceCall { tokenIn: w.ocean(), tokenOut: w.dt });
            let fees = COMMUNITY_SWAP_FEE_OCEAN + publish;
            assert_eq!(listed, v4_ref::spot_with_fees((b, s.base_end), (d, s.dt_end), lp, fees));
        }
    }
}

// ---------------------------------------------------------------------------
// Vested premine.
// ---------------------------------------------------------------------------

pub(crate) fn check_vesting(w: &mut World, amount: U256, blocks: u64, claims: &[(f64, bool)]) {
    w.create(with_vesting(w.params(e18(1_000), ONE), amount, blocks));
    let (bot, dt) = (w.bot(), w.dt);
    let start = w.chain.block_number();
    let terms = w.view(bot, &SideStaking::getVestingCall { datatoken: dt });
    assert_eq!((terms.amount, terms.claimed), (amount, U256::ZERO));
    assert_eq!((terms.startBlock, terms.blocks), (U256::from(start), U256::from(blocks)));

    let mut points: Vec<(u64, bool)> =
        claims.iter().map(|&(x, by)| ((x * blocks as f64) as u64, by)).collect();
    points.sort_unstable();
    points.push((blocks, false));
    let mut claimed = U256::ZERO;
    for (n, by_trader) in points {
        while w.chain.block_number() - start < n {
            w.chain.advance(12);
        }
        let vested = w.view(bot, &SideStaking::vestedAmountCall { datatoken: dt });
        assert_eq!(vested, v4_ref::vested(amount, n, blocks), "vested after {n} of {blocks} blocks");
        let share = if blocks == 0 { 1.0 } else { n.min(blocks) as f64 / blocks as f64 };
        let reference = f(amount) * share;
        assert!((f(vested) - reference).abs() <= reference.mul_add(1e-15, 1.0), "{vested} vs {reference:e}");
        let available = w.view(bot, &SideStaking::availableVestingCall { datatoken: dt });
        assert_eq!(available, vested - claimed);
        let before = w.ledger();
        let reserve = w.view(bot, &SideStaking::datatokenReserveCall { datatoken: dt });
        assert_eq!(reserve, before.balance(DT, BOT) - (amount - claimed), "unvested DTs are never lent");

        let claimer = if by_trader { w.trader } else { w.publisher };
        let paid = w.chain.send(claimer, bot, &SideStaking::claimVestingCall { datatoken: dt }).unwrap();
        assert_eq!(paid, available, "a claim pays what is available");
        before.assert_moved(&w.ledger(), &[(DT, BOT, -int(paid)), (DT, PUBLISHER, int(paid))]);
        claimed += paid;
        assert!(claimed <= amount, "claimed beyond the premine");
        assert_eq!(w.view(bot, &SideStaking::getVestingCall { datatoken: dt }).claimed, claimed);
    }
    assert_eq!(claimed, amount, "the whole premine once vested");
    let before = w.ledger();
    assert_eq!(
        w.chain.send(w.trader, bot, &SideStaking::claimVestingCall { datatoken: dt }).unwrap(),
        U256::ZERO
    );
    assert_eq!(w.ledger(), before, "nothing beyond the premine");
}

// ---------------------------------------------------------------------------
// Soft cap on vol:consume.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) struct SoftCapCase {
    /// B0 from 1e3 to 1e6 OCEAN, rate 10^[-1, 1]: an order is worth 0.1
    /// to 10 OCEAN.
    opening: (U256, U256),
    base_fee: U256,
    slope: U256,
    /// None: no soft cap; Some(u): soft cap = the volume ratio times 10^u.
    cap: Option<f64>,
    orders: u64,
    /// Base-in swaps, as fraction exponents of B0/2.
    swaps: Vec<f64>,
    half_life: u64,
    /// Seconds between the last swap and the reading.
    gap: u64,
}

pub(crate) fn soft_cap_case() -> impl Strategy<Value = SoftCapCase> {
    let opening =
        (3.0_f64..6.0, -1.0_f64..1.0).prop_map(|(b, r)| (fixed(10_f64.powf(b)), fixed(10_f64.powf(r))));
    let slope = prop_oneof![
        1 => Just(U256::ZERO),
        1 => Just(e18(1_000_000)),
        8 => (-2.0_f64..2.0).prop_map(|x| fixed(10_f64.powf(x))),
    ];
    let cap = prop_oneof![1 => Just(None), 7 => (-1.0_f64..0.2).prop_map(Some)];
    let swaps = prop::collection::vec(fraction_exp(), 1..=3);
    let time = (prop_oneof![Just(0_u64), 60_u64..=1_000_000], prop_oneof![Just(0_u64), 1_u64..=2_000_000]);
    let orders = prop_oneof![1 => Just(0_u64), 3 => 1_u64..=3];
    (opening, fee(), slope, cap, orders, swaps, time).prop_map(
        |(opening, base_fee, slope, cap, orders, swaps, (half_life, gap))| SoftCapCase {
            opening,
            base_fee,
            slope,
            cap,
            orders,
            swaps,
            half_life,
            gap,
        },
    )
}

/// Orders first (each worth the opening price), then base-in swaps, all in
/// the creation block; then `gap` seconds of decay. The fee must equal the
/// `U256` model of `_feeFor` exactly, and the documented formula within
/// [`SPEC_TOL`] wherever that formula is well conditioned: a slope of at
/// most 1e3 and a cap volume of at least 1e15 wei (always so here: 0.1 OCEAN
/// times a cap >= 0.01). Then the relative error is dominated by the
/// rounding of `bmul(baseFee, feeSlope)` (>= 1e10 wei, fee() >= 1e-6),
/// <= 5e-11, and the floors of the cap volume and the excess, times the
/// slope, <= 1e-12. At the largest slope (1e6) only the exact model holds.
pub(crate) fn check_soft_cap_fee(w: &mut World, c: &SoftCapCase) {
    let (b0, rate) = c.opening;
    let d0 = b0 * rate / ONE;
    let half = e18(25);
    let price = wei::spot_price(b0, half, d0, half, U256::ZERO);
    let amounts: Vec<U256> = c.swaps.iter().map(|&x| scaled(wei::bmul(b0, wei::MAX_IN_RATIO), x)).collect();
    let swapped: U256 = amounts.iter().copied().sum();
    let consumed = price * U256::from(c.orders);
    let soft_cap = match c.cap {
        None => U256::ZERO,
        Some(u) if c.orders == 0 => fixed(10_f64.powf(u + 2.0)),
        Some(u) => fixed((f(swapped) / f(consumed) * 10_f64.powf(u)).clamp(0.01, 1e6)),
    };
    let mut p = with_vesting(w.params(b0, rate), U256::from(c.orders) * ONE, 0);
    (p.lpFee, p.softCap, p.feeSlope, p.volumeHalfLifeSeconds) =
        (c.base_fee, soft_cap, c.slope, U256::from(c.half_life));
    w.create(p);
    w.give_premine_to_trader();
    let (pool, dt, ocean, trader) = (w.pool, w.dt, w.ocean(), w.trader);
    for _ in 0..c.orders {
        let call = DatatokenV4::startOrderCall {
            consumer: trader,
            serviceIndex: U256::ZERO,
            consumeMarketFeeCollector: Address::ZERO,
        };
        w.chain.send(trader, dt, &call).expect("order");
    }
    for &a in &amounts {
        let call = swap_in(ocean, a, dt, U256::ZERO);
        w.chain.send(trader, pool, &call).expect("swap");
    }
    if c.gap > 0 {
        w.chain.advance(c.gap);
    }

    let (sv, cv) = (w.view(pool, &PoolV4::swapVolumeCall {}), w.view(pool, &PoolV4::consumeVolumeCall {}));
    assert_eq!(
        (sv, cv),
        (v4_ref::decay(swapped, c.gap, c.half_life), v4_ref::decay(consumed, c.gap, c.half_life))
    );
    let ratio = w.view(pool, &PoolV4::volumeRatioCall {});
    let expected_ratio = match (cv.is_zero(), sv.is_zero()) {
        (true, true) => U256::ZERO,
        (true, false) => U256::MAX,
        (false, _) => sv * ONE / cv,
    };
    assert_eq!(ratio, expected_ratio, "volume ratio");

    let model = SoftCap { base_fee: c.base_fee, soft_cap, slope: c.slope };
    let fee = w.view(pool, &PoolV4::currentSwapFeeCall {});
    assert_eq!(fee, model.fee(sv, cv), "fee = the model of _feeFor, to the wei");
    assert_eq!(w.view(pool, &PoolV4::getFeesCall {}).lpFee, fee);
    assert!(c.base_fee <= fee && fee <= MAX_FEE, "base fee <= fee {fee} <= 10%");
    let capped = !soft_cap.is_zero() && !wei::bmul(c.base_fee, c.slope).is_zero();
    if !capped {
        assert_eq!(fee, c.base_fee, "no soft cap: the base fee");
    } else if cv.is_zero() && !sv.is_zero() {
        assert_eq!(fee, MAX_FEE, "swaps without consumption pay the most");
    }
    if c.slope <= e18(1_000) && cv * soft_cap / ONE >= U256::from(1_000_000_000_000_000_u64) {
        assert_rel("soft-cap fee", fee, model.fee_f64(f(sv), f(cv)) * 1e18, SPEC_TOL);
    }

    // The next swap pays exactly this LP fee.
    let (b, d, _) = w.ledger().pool_state();
    let a = scaled(wei::bmul(b, wei::MAX_IN_RATIO), 2.0);
    let quote = w.view(
        pool,
        &PoolV4::getAmountOutExactInCall {
            tokenIn: ocean,
            tokenOut: dt,
            tokenAmountIn: a,
            consumeMarketFee: U256::ZERO,
        },
    );
    let rates =
        FeeRates { lp: fee, community: COMMUNITY_SWAP_FEE_OCEAN, publish: U256::ZERO, consume: U256::ZERO };
    assert_eq!(
        quote,
        v4_ref::quote_exact_in((b, half), (d, half), a, &rates).amount_out,
        "swaps use the fee"
    );
}

/// `decayVolume` against its model and against `2^-t`; whole half-lives
/// shift exactly; decay never grows with time; a recorded swap volume
/// halves after each half-life.
pub(crate) fn check_decay(w: &mut World, half_life: u64, amount: U256, t: f64, e: f64) {
    let mut p = w.params(e18(1_000), ONE);
    p.volumeHalfLifeSeconds = U256::from(half_life);
    w.create(p);
    let pool = w.pool;
    let mut decay = |v: U256, elapsed: u64| {
        w.view(pool, &PoolV4::decayVolumeCall { amount: v, elapsed: U256::from(elapsed) })
    };
    let elapsed = (t * half_life as f64) as u64;
    let got = decay(amount, elapsed);
    assert_eq!(got, v4_ref::decay(amount, elapsed, half_life), "decay to the wei");
    // The quadratic's error, plus the two floors (of v >> n and of the product).
    let reference = v4_ref::decay_f64(f(amount), elapsed, half_life);
    let error = (f(got) - reference).abs();
    assert!(error <= v4_ref::DECAY_APPROX_TOL.mul_add(reference, 2.0), "{got} vs {reference:e}");
    for n in [1, t as u64] {
        let shifted = if n >= 256 { U256::ZERO } else { amount >> n as usize };
        assert_eq!(decay(amount, n * half_life), shifted, "{n} half-lives");
    }
    for later in [elapsed + 1, elapsed + half_life / 3 + 1, elapsed + half_life] {
        assert!(decay(amount, later) <= got, "decay grew from {elapsed} to {later} s");
    }

    let a = scaled(wei::bmul(e18(1_000), wei::MAX_IN_RATIO), e);
    let call = swap_in(w.ocean(), a, w.dt, U256::ZERO);
    w.chain.send(w.trader, pool, &call).expect("swap");
    for shift in 0..3 {
        assert_eq!(w.view(pool, &PoolV4::swapVolumeCall {}), a >> shift, "after {shift} half-lives");
        w.chain.advance(half_life);
    }
}
