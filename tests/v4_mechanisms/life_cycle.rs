//! A V4.1 asset's life: random sequences of stakes, unstakes, buys, sells,
//! orders, vesting claims and waits on one asset with every V4.1 mechanism
//! on (burn-in, vested premine, soft cap with decay), where the single
//! mechanism checks cannot see how they interact.
//!
//! Before each step the weights follow the schedule and the LP fee is the
//! soft-cap model's at the pool's decayed volumes (at most 10%); each step
//! gives the model's result, to the wei, with those weights and that fee, or
//! the one revert the model predicts (a stake the bot cannot mirror, an
//! order without 1 DT); after each step the ledger moved exactly by it, and
//! the bot still holds every premine DT not yet claimed.

use crate::balancer_ref::wei;
use crate::v3_world::{fraction_exp, int, reason, scaled};
use crate::v4_ref::{
    self, FeeRates, Schedule, SoftCap, COMMUNITY_ORDER_FEE, COMMUNITY_SWAP_FEE_OCEAN, MAX_FEE,
};
use crate::world::{
    fixed, swap_in, with_schedule, with_vesting, World, BOT, COMMUNITY, DT, OCEAN, ONE, POOL, PUBLISHER,
    SHARES, TRADER,
};
use alloy_primitives::{Address, U256};
use proptest::prelude::*;
use tokenspice::chain::Backend;
use tokenspice::models::ocean::contracts::v4::{DatatokenV4, PoolV4, SideStaking};
use tokenspice::wallet::Erc20;

/// One step; amounts as fraction exponents of the largest the pool accepts.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    Stake(f64),
    Unstake(f64),
    Buy(f64),
    Sell(f64),
    Order,
    Claim,
    /// One block, this many seconds later.
    Wait(u64),
}

#[derive(Debug, Clone)]
pub(crate) struct Life {
    opening: (U256, U256),
    schedule: Schedule,
    soft_cap: SoftCap,
    half_life: u64,
    /// Premine as a fraction of D0, and its vesting blocks.
    premine: (f64, u64),
    /// DTs the bot can lend (beyond the seed and the premine), as a
    /// fraction of D0: stakes can exhaust them.
    free: f64,
    steps: Vec<Step>,
}

pub(crate) fn life() -> impl Strategy<Value = Life> {
    let step = prop_oneof![
        fraction_exp().prop_map(Step::Stake),
        fraction_exp().prop_map(Step::Unstake),
        fraction_exp().prop_map(Step::Buy),
        fraction_exp().prop_map(Step::Sell),
        Just(Step::Order),
        Just(Step::Claim),
        (1.0_f64..5.0).prop_map(|x| Step::Wait(10_f64.powf(x) as u64)),
    ];
    let opening =
        (2.0_f64..6.0, -1.0_f64..1.0).prop_map(|(b, r)| (fixed(10_f64.powf(b)), fixed(10_f64.powf(r))));
    let soft_cap =
        (crate::v3_world::fee(), -1.0_f64..3.0, -3.0_f64..1.0).prop_map(|(base_fee, cap, slope)| SoftCap {
            base_fee,
            soft_cap: fixed(10_f64.powf(cap)),
            slope: fixed(10_f64.powf(slope)),
        });
    let premine = ((0.0_f64..2.0, 0_u64..=50), 0.0_f64..1.0);
    let steps = prop::collection::vec(step, 4..=16);
    (opening, crate::dutch_schedule(), soft_cap, 60_u64..=100_000, premine, steps).prop_map(
        |(opening, schedule, soft_cap, half_life, (premine, free), steps)| Life {
            opening,
            schedule,
            soft_cap,
            half_life,
            premine,
            free,
            steps,
        },
    )
}

/// The guard a swap fails, per the model (as `PoolV4._settle`): the spot
/// price with fees must not fall, and must not exceed `bdiv(in, out)`
/// before (which reverts on a zero amount out).
fn refused(
    (b_in, w_in): (U256, U256),
    (b_out, w_out): (U256, U256),
    q: &v4_ref::SwapQuote,
    rates: &FeeRates,
) -> Option<&'static str> {
    let before = v4_ref::spot_with_fees((b_in, w_in), (b_out, w_out), rates.lp, rates.protocol());
    let after = v4_ref::spot_with_fees(
        (b_in + q.net_in, w_in),
        (b_out - q.amount_out, w_out),
        rates.lp,
        rates.protocol(),
    );
    if after < before {
        Some("ERR_MATH_APPROX")
    } else if q.amount_out.is_zero() {
        Some("ERR_DIV_ZERO")
    } else if before > wei::bdiv(q.amount_in, q.amount_out) {
        Some("ERR_MATH_APPROX")
    } else {
        None
    }
}

pub(crate) fn check_life(w: &mut World, c: &Life) {
    let (b0, rate) = c.opening;
    let d0 = b0 * rate / ONE;
    let premine = fixed(c.premine.0) * d0 / ONE;
    let mut p = with_vesting(with_schedule(w.params(b0, rate), &c.schedule), premine, c.premine.1);
    p.cap = d0 + premine + fixed(c.free) * d0 / ONE;
    (p.lpFee, p.softCap, p.feeSlope) = (c.soft_cap.base_fee, c.soft_cap.soft_cap, c.soft_cap.slope);
    p.volumeHalfLifeSeconds = U256::from(c.half_life);
    w.create(p);
    let (pool, dt, ocean, trader, bot) = (w.pool, w.dt, w.ocean(), w.trader, w.bot());
    w.chain.send(trader, dt, &Erc20::approveCall { spender: pool, amount: U256::MAX }).unwrap();
    let (start_time, start_block) = (w.chain.timestamp(), w.chain.block_number());
    let mut claimed = U256::ZERO;

    for step in &c.steps {
        let before = w.ledger();
        let (b, d, s) = before.pool_state();
        let (w_dt, w_base) = w.weights();
        assert_eq!((w_dt, w_base), c.schedule.weights_at(w.chain.timestamp() - start_time), "weights");
        let (sv, cv) =
            (w.view(pool, &PoolV4::swapVolumeCall {}), w.view(pool, &PoolV4::consumeVolumeCall {}));
        let fee = w.view(pool, &PoolV4::currentSwapFeeCall {});
        assert_eq!(fee, c.soft_cap.fee(sv, cv), "the soft-cap fee at sv {sv}, cv {cv}");
        assert!(fee <= MAX_FEE);
        let rates = FeeRates {
            lp: fee,
            community: COMMUNITY_SWAP_FEE_OCEAN,
            publish: U256::ZERO,
            consume: U256::ZERO,
        };
        let (base_side, dt_side) = ((b, w_base), (d, w_dt));

        let moves: Vec<(usize, usize, i128)> = match *step {
            Step::Stake(x) => {
                let a = scaled(wei::bmul(b, wei::MAX_IN_RATIO), x);
                let (shares, dt_in) = v4_ref::stake(b, d, s, a);
                let reserve = w.view(bot, &SideStaking::datatokenReserveCall { datatoken: dt });
                let call =
                    PoolV4::joinswapExternAmountInCall { baseAmountIn: a, minPoolAmountOut: U256::ZERO };
                let result = w.chain.send(trader, pool, &call);
                if dt_in > reserve {
                    assert_eq!(reason(result), "SideStaking: not enough datatokens");
                    vec![]
                } else {
                    assert_eq!(result.expect("stake"), shares);
                    let (a, dt_in, shares) = (int(a), int(dt_in), int(shares));
                    vec![(OCEAN, TRADER, -a), (OCEAN, POOL, a), (DT, BOT, -dt_in), (DT, POOL, dt_in)]
                        .into_iter()
                        .chain([(SHARES, TRADER, shares), (SHARES, BOT, shares)])
                        .collect()
                }
            }
            Step::Unstake(x) => {
                let held = before.balance(SHARES, TRADER);
                if held.is_zero() {
                    continue;
                }
                let shares = scaled(held.min(s * U256::from(999) / U256::from(6_000)), x);
                let (base_out, dt_out) = v4_ref::unstake(b, d, s, shares);
                let call =
                    PoolV4::exitswapPoolAmountInCall { poolAmountIn: shares, minBaseAmountOut: U256::ZERO };
                assert_eq!(w.chain.send(trader, pool, &call).expect("unstake"), base_out);
                let (shares, base_out, dt_out) = (int(shares), int(base_out), int(dt_out));
                vec![
                    (SHARES, TRADER, -shares),
                    (SHARES, BOT, -shares),
                    (OCEAN, POOL, -base_out),
                    (OCEAN, TRADER, base_out),
                    (DT, POOL, -dt_out),
                    (DT, BOT, dt_out),
                ]
            }
            Step::Buy(x) | Step::Sell(x) => {
                let buy = matches!(step, Step::Buy(_));
                let (ins, outs, row_in, row_out) =
                    if buy { (base_side, dt_side, OCEAN, DT) } else { (dt_side, base_side, DT, OCEAN) };
                let most = wei::bmul(ins.0, wei::MAX_IN_RATIO);
                let most = if buy { most } else { most.min(before.balance(DT, TRADER)) };
                if most.is_zero() {
                    continue;
                }
                let q = v4_ref::quote_exact_in(ins, outs, scaled(most, x), &rates);
                let (token_in, token_out) = if buy { (ocean, dt) } else { (dt, ocean) };
                let result =
                    w.chain.send(trader, pool, &swap_in(token_in, q.amount_in, token_out, q.amount_out));
                // Dust (a sell of what orders left) can fail the pool's
                // guards, exactly where the model says (as V3's tiny swaps).
                if let Some(expected) = refused(ins, outs, &q, &rates) {
                    assert_eq!(reason(result), expected, "{q:?}");
                    vec![]
                } else {
                    assert_eq!(result.expect("swap").tokenAmountOut, q.amount_out);
                    vec![
                        (row_in, TRADER, -int(q.amount_in)),
                        (row_in, POOL, int(q.net_in)),
                        (row_in, COMMUNITY, int(q.community)),
                        (row_out, POOL, -int(q.amount_out)),
                        (row_out, TRADER, int(q.amount_out)),
                    ]
                }
            }
            Step::Order => {
                let call = DatatokenV4::startOrderCall {
                    consumer: trader,
                    serviceIndex: U256::ZERO,
                    consumeMarketFeeCollector: Address::ZERO,
                };
                let result = w.chain.send(trader, dt, &call);
                if before.balance(DT, TRADER) < ONE {
                    assert_eq!(reason(result), "ERC20: insufficient balance");
                    vec![]
                } else {
                    result.expect("order");
                    let fee = int(COMMUNITY_ORDER_FEE);
                    vec![(DT, TRADER, -int(ONE)), (DT, COMMUNITY, fee), (DT, PUBLISHER, int(ONE) - fee)]
                }
            }
            Step::Claim => {
                let blocks = w.chain.block_number() - start_block;
                let available = v4_ref::vested(premine, blocks, c.premine.1) - claimed;
                let call = SideStaking::claimVestingCall { datatoken: dt };
                assert_eq!(w.chain.send(trader, bot, &call).unwrap(), available);
                claimed += available;
                vec![(DT, BOT, -int(available)), (DT, PUBLISHER, int(available))]
            }
            Step::Wait(seconds) => {
                w.chain.advance(seconds);
                vec![]
            }
        };
        let after = w.ledger();
        before.assert_moved(&after, &moves);
        assert!(after.balance(DT, BOT) >= premine - claimed, "the bot lent out premine DTs");
    }
}
