//! Reference models of the Ocean V4 / V4.1 mechanisms (`contracts/v4`), for
//! tests only, in the two forms of `balancer_ref.rs` (whose Balancer math
//! they build on):
//!
//! * `U256` models that re-implement each contract rule step by step from its
//!   NatSpec (same integer divisions, same `bmul`/`bdiv` rounding), so that a
//!   contract result can be checked to the wei;
//! * `f64` models of the documented formulas (ocean.md and the contracts'
//!   notes), the real-number meaning the integer rules approximate.
//!
//! Rates and weights are 18-decimal fixed point in the `U256` models and
//! plain fractions / token counts in the `f64` ones. A violated precondition
//! panics: tests only model inputs the contracts accept.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

use crate::balancer_ref::{self, wei, Pow};
use alloy_primitives::U256;

/// The largest LP fee, and the cap of the soft-cap fee (10%).
pub(crate) const MAX_FEE: U256 = U256::from_limbs([100_000_000_000_000_000, 0, 0, 0]);
/// The community swap fee when the base token is OCEAN (0.1%).
pub(crate) const COMMUNITY_SWAP_FEE_OCEAN: U256 = U256::from_limbs([1_000_000_000_000_000, 0, 0, 0]);
/// Every order spends exactly 1 DT ...
pub(crate) const ORDER_AMOUNT: U256 = wei::ONE;
/// ... of which 0.03 DT goes to the community fee collector.
pub(crate) const COMMUNITY_ORDER_FEE: U256 = U256::from_limbs([30_000_000_000_000_000, 0, 0, 0]);

/// `A` of the decay's quadratic `q(x) = 1 - A x + B x^2` (`SoftCapFee.sol`).
const DECAY_A: U256 = U256::from_limbs([671_572_875_253_809_902, 0, 0, 0]);
/// `B` of the decay's quadratic.
const DECAY_B: U256 = U256::from_limbs([171_572_875_253_809_902, 0, 0, 0]);
/// How far `q(x)` may be from `2^-x`, relative. The quadratic through
/// x = 0, 1/2, 1 errs by +0.232% at x = 0.23 and by -0.314% at x = 0.80
/// (SoftCapFee.sol's notes say "about 0.3%, near 1/4 and 3/4"); the integer
/// evaluation adds a few 1e-18.
pub(crate) const DECAY_APPROX_TOL: f64 = 3.15e-3;

// ---------------------------------------------------------------------------
// One-sided staking (PoolV4 joinswapExternAmountIn / exitswapPoolAmountIn).
// ---------------------------------------------------------------------------

/// A base-side stake of `a` into a pool with base `b`, datatokens `d` and
/// share supply `s`: `(shares to the staker and to the bot each, datatokens
/// the bot adds)` = `(floor(S a / 2B), floor(D a / B))`.
pub(crate) fn stake(b: U256, d: U256, s: U256, a: U256) -> (U256, U256) {
    (s * a / (U256::from(2) * b), d * a / b)
}

/// Unstaking `p` shares: `(base to the staker, datatokens back to the bot)`
/// = `(floor(2P B / S), floor(2P D / S))`.
pub(crate) fn unstake(b: U256, d: U256, s: U256, p: U256) -> (U256, U256) {
    let two_p = U256::from(2) * p;
    (b * two_p / s, d * two_p / s)
}

// ---------------------------------------------------------------------------
// Swaps with the fee split (PoolV4 _quoteExactIn / _quoteExactOut).
// ---------------------------------------------------------------------------

/// The four fee rates of one swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FeeRates {
    /// LP fee (the effective soft-cap fee); stays in the pool.
    pub(crate) lp: U256,
    /// Community fee.
    pub(crate) community: U256,
    /// Publish-market fee.
    pub(crate) publish: U256,
    /// Consume-market fee, chosen per swap.
    pub(crate) consume: U256,
}

impl FeeRates {
    /// `F = fc + fp + fm`, the protocol fees paid out of the pool.
    pub(crate) fn protocol(&self) -> U256 {
        self.community + self.publish + self.consume
    }
}

/// A swap as the pool settles it; amounts in base units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SwapQuote {
    /// Gross amount the swapper pays.
    pub(crate) amount_in: U256,
    /// What the pool's in-balance grows by.
    pub(crate) net_in: U256,
    pub(crate) amount_out: U256,
    pub(crate) community: U256,
    pub(crate) publish: U256,
    pub(crate) consume: U256,
}

impl SwapQuote {
    fn with_fees(gross: U256, rates: &FeeRates) -> Self {
        Self {
            amount_in: U256::ZERO,
            net_in: U256::ZERO,
            amount_out: U256::ZERO,
            community: wei::bmul(gross, rates.community),
            publish: wei::bmul(gross, rates.publish),
            consume: wei::bmul(gross, rates.consume),
        }
    }

    /// Sum of the three protocol fee amounts.
    pub(crate) fn protocol_fees(&self) -> U256 {
        self.community + self.publish + self.consume
    }
}

/// Exact in `a`: each protocol fee is `bmul(a, f_k)`, the pool gets the rest
/// and pays `calcOutGivenIn(.., net, lp)`.
pub(crate) fn quote_exact_in(
    (b_in, w_in): (U256, U256),
    (b_out, w_out): (U256, U256),
    a: U256,
    rates: &FeeRates,
) -> SwapQuote {
    let mut q = SwapQuote::with_fees(a, rates);
    q.amount_in = a;
    q.net_in = wei::bsub(a, q.protocol_fees());
    q.amount_out = wei::out_given_in(b_in, w_in, b_out, w_out, q.net_in, rates.lp);
    q
}

/// Exact out `o`: `net = calcInGivenOut(.., o, lp)`, each protocol fee is
/// `bmul(bdiv(net, 1 - F), f_k)`, the swapper pays net plus the fees.
pub(crate) fn quote_exact_out(
    (b_in, w_in): (U256, U256),
    (b_out, w_out): (U256, U256),
    o: U256,
    rates: &FeeRates,
) -> SwapQuote {
    let net = wei::in_given_out(b_in, w_in, b_out, w_out, o, rates.lp);
    let mut q = SwapQuote::with_fees(wei::bdiv(net, wei::bsub(wei::ONE, rates.protocol())), rates);
    q.net_in = net;
    q.amount_in = net + q.protocol_fees();
    q.amount_out = o;
    q
}

/// Spot price with fees: `calcSpotPrice(.., lp) / (1 - protocol)`.
pub(crate) fn spot_with_fees(
    (b_in, w_in): (U256, U256),
    (b_out, w_out): (U256, U256),
    lp: U256,
    protocol: U256,
) -> U256 {
    wei::bdiv(wei::spot_price(b_in, w_in, b_out, w_out, lp), wei::bsub(wei::ONE, protocol))
}

/// ocean.md's out given in, with the protocol fees `F` taken off the amount
/// in first: `out_given_in(a (1 - F))` at LP fee `lp`.
pub(crate) fn out_given_in_with_fees(
    pow: Pow,
    (b_in, w_in): (f64, f64),
    (b_out, w_out): (f64, f64),
    a: f64,
    lp: f64,
    protocol: f64,
) -> f64 {
    balancer_ref::out_given_in(pow, b_in, w_in, b_out, w_out, a * (1.0 - protocol), lp)
}

/// ocean.md's in given out, grossed up for the protocol fees:
/// `in_given_out(o) / (1 - F)`.
pub(crate) fn in_given_out_with_fees(
    pow: Pow,
    (b_in, w_in): (f64, f64),
    (b_out, w_out): (f64, f64),
    o: f64,
    lp: f64,
    protocol: f64,
) -> f64 {
    balancer_ref::in_given_out(pow, b_in, w_in, b_out, w_out, o, lp) / (1.0 - protocol)
}

// ---------------------------------------------------------------------------
// Dutch burn-in (BurnInWeights).
// ---------------------------------------------------------------------------

/// A weight schedule: (datatoken, base) weights from start to end over
/// `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) dt_start: U256,
    pub(crate) base_start: U256,
    pub(crate) dt_end: U256,
    pub(crate) base_end: U256,
    pub(crate) seconds: u64,
}

impl Schedule {
    /// `(dt, base)` weights `elapsed` seconds after the start: each
    /// `w_start + (w_end - w_start) e / T`, rounded towards `w_start`; the
    /// end weights from `T` on.
    pub(crate) fn weights_at(&self, elapsed: u64) -> (U256, U256) {
        if elapsed >= self.seconds {
            return (self.dt_end, self.base_end);
        }
        let lerp = |from: U256, to: U256| {
            let (num, den) = (U256::from(elapsed), U256::from(self.seconds));
            if to >= from {
                from + (to - from) * num / den
            } else {
                from - (from - to) * num / den
            }
        };
        (lerp(self.dt_start, self.dt_end), lerp(self.base_start, self.base_end))
    }

    /// The same schedule in real numbers (weights in wei as `f64`).
    pub(crate) fn weights_at_f64(&self, elapsed: u64) -> (f64, f64) {
        let t = (elapsed as f64 / self.seconds as f64).min(1.0);
        let lerp = |from: U256, to: U256| {
            let (from, to) = (f64::from(from), f64::from(to));
            (to - from).mul_add(t, from)
        };
        (lerp(self.dt_start, self.dt_end), lerp(self.base_start, self.base_end))
    }
}

// ---------------------------------------------------------------------------
// Soft cap on vol:consume (SoftCapFee).
// ---------------------------------------------------------------------------

/// A pool's soft-cap parameters (18-decimal fixed point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SoftCap {
    pub(crate) base_fee: U256,
    pub(crate) soft_cap: U256,
    pub(crate) slope: U256,
}

impl SoftCap {
    /// The effective LP fee at decayed volumes `sv` (swap) and `cv`
    /// (consume), evaluated as `SoftCapFee._feeFor`.
    pub(crate) fn fee(&self, sv: U256, cv: U256) -> U256 {
        let one = wei::ONE;
        let slope = wei::bmul(self.base_fee, self.slope);
        if self.soft_cap.is_zero() || slope.is_zero() {
            return self.base_fee;
        }
        let cap_volume = cv * self.soft_cap / one;
        if sv <= cap_volume {
            return self.base_fee;
        }
        if cap_volume.is_zero() || sv - cap_volume > U256::MAX / one {
            return MAX_FEE;
        }
        let excess = (sv - cap_volume) * one / cap_volume;
        if excess >= wei::bdiv(MAX_FEE - self.base_fee, slope) {
            return MAX_FEE;
        }
        (self.base_fee + wei::bmul(slope, excess)).min(MAX_FEE)
    }

    /// The documented formula in real numbers:
    /// `min(10%, f0 (1 + slope max(0, (sv/cv)/softCap - 1)))`, with any
    /// swap volume and no consumption at the cap.
    pub(crate) fn fee_f64(&self, sv: f64, cv: f64) -> f64 {
        let base = f64::from(self.base_fee) / 1e18;
        let cap = f64::from(self.soft_cap) / 1e18;
        let slope = f64::from(self.slope) / 1e18;
        if cap == 0.0 || slope == 0.0 || sv == 0.0 {
            return base;
        }
        if cv == 0.0 {
            return 0.1;
        }
        let excess = (sv / cv / cap - 1.0).max(0.0);
        (base * slope).mul_add(excess, base).min(0.1)
    }
}

/// `SoftCapFee.decayVolume`: `(v >> n) q(x) / ONE` with `elapsed / H = n + x`.
pub(crate) fn decay(amount: U256, elapsed: u64, half_life: u64) -> U256 {
    if half_life == 0 || elapsed == 0 || amount.is_zero() {
        return amount;
    }
    let halvings = elapsed / half_life;
    if halvings >= 256 {
        return U256::ZERO;
    }
    let one = wei::ONE;
    let x = U256::from(elapsed % half_life) * one / U256::from(half_life);
    let q = one + DECAY_B * x / one * x / one - DECAY_A * x / one;
    (amount >> halvings as usize) * q / one
}

/// True exponential decay, `v 2^(-elapsed / H)`.
pub(crate) fn decay_f64(amount: f64, elapsed: u64, half_life: u64) -> f64 {
    amount * (-(elapsed as f64) / half_life as f64).exp2()
}

// ---------------------------------------------------------------------------
// Vested premine (SideStaking).
// ---------------------------------------------------------------------------

/// `vestingAmount * min(blocks, vestingBlocks) / vestingBlocks`, everything
/// when `vestingBlocks` is 0.
pub(crate) fn vested(amount: U256, blocks: u64, vesting_blocks: u64) -> U256 {
    if blocks >= vesting_blocks {
        return amount;
    }
    amount * U256::from(blocks) / U256::from(vesting_blocks)
}
