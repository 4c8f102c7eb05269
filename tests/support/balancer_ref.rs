//! Reference models of the Balancer V1 weighted-pool math of ocean.md, for
//! tests only: an `f64` model of every formula and a `U256` model of the
//! fixed-point algorithm.
//!
//! * The `f64` functions take balances, amounts and share supplies in any one
//!   unit (the tests pass wei as `f64`), weights in any one unit, and the fee
//!   as a fraction (`0.001` is 0.1%). Each formula is written around
//!   `(1 + x)^e - 1` ([`Pow::pow_m1`]) so that small trades lose no digits to
//!   cancellation. [`Pow::Spec`] evaluates the power the way ocean.md defines
//!   `pow` (whole part, then the binomial series of the fractional part,
//!   stopping after the first term below `1e-10`); [`Pow::Exact`] is true
//!   math (`exp`/`ln`). The gap between the two is the precision the spec
//!   itself gives up, a few parts in 1e9 at worst (see [`Pow::Spec`]).
//! * [`wei`] re-implements `BalancerMath.sol` rule by rule from ocean.md in
//!   `U256` integers (round half up at every `bmul`/`bdiv`), so a contract
//!   result can be checked to the wei.
//!
//! A violated precondition (a reverting input) panics in [`wei`]: tests only
//! model inputs the contract accepts.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

/// The series cut-off of ocean.md's `pow`: `ONE / 1e10`, as a fraction.
pub(crate) const BPOW_PRECISION: f64 = 1e-10;

/// How the reference evaluates powers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pow {
    /// As ocean.md specifies `pow`: `base^floor(e)` exactly, times the
    /// binomial series `sum_k C(f,k) x^k` of the fractional part `f`, adding
    /// terms until one is below [`BPOW_PRECISION`] (that term included).
    ///
    /// The neglected tail is at most about `1e-10 * |x|` absolute, which for
    /// a result of size `|e x|` is a relative error up to `1e-10 / e`, i.e.
    /// up to ~5e-9 when the exponent is a weight ratio as small as 1/49.
    Spec,
    /// True math: `exp(e * ln(1 + x))`.
    Exact,
}

impl Pow {
    /// `(1 + x)^e - 1`, evaluated without cancellation for small `x`.
    pub(crate) fn pow_m1(self, x: f64, e: f64) -> f64 {
        match self {
            Self::Exact => (e * x.ln_1p()).exp_m1(),
            Self::Spec => spec_pow_m1(x, e),
        }
    }
}

/// ocean.md's `pow(1 + x, e) - 1`.
fn spec_pow_m1(x: f64, e: f64) -> f64 {
    let whole = e.floor();
    let fraction = e - whole;
    let whole_m1 = (whole * x.ln_1p()).exp_m1();
    if fraction == 0.0 {
        return whole_m1;
    }
    // Series minus its leading 1. Term k = term k-1 * (f - (k-1)) * x / k;
    // the contract adds a term, then stops if it was below the precision.
    let mut term = 1.0_f64;
    let mut series_m1 = 0.0_f64;
    let mut k = 1.0_f64;
    loop {
        term *= (fraction - (k - 1.0)) * x / k;
        if term == 0.0 {
            break;
        }
        series_m1 += term;
        if term.abs() < BPOW_PRECISION {
            break;
        }
        k += 1.0;
    }
    // (1 + w)(1 + s) - 1 = w + s + w s
    whole_m1.mul_add(series_m1, whole_m1 + series_m1)
}

/// Spot price of token out in units of token in, fee included:
/// `(b_i/w_i) / (b_o/w_o) / (1 - f)`.
pub(crate) fn spot_price(b_in: f64, w_in: f64, b_out: f64, w_out: f64, fee: f64) -> f64 {
    (b_in / w_in) / (b_out / w_out) / (1.0 - fee)
}

/// Out given in: `a_o = b_o (1 - (b_i / (b_i + a_i (1-f)))^(w_i/w_o))`.
pub(crate) fn out_given_in(
    pow: Pow,
    b_in: f64,
    w_in: f64,
    b_out: f64,
    w_out: f64,
    a_in: f64,
    fee: f64,
) -> f64 {
    let adjusted = a_in * (1.0 - fee);
    // base - 1 = b_i / (b_i + a) - 1 = -a / (b_i + a)
    -b_out * pow.pow_m1(-adjusted / (b_in + adjusted), w_in / w_out)
}

/// In given out: `a_i = b_i ((b_o / (b_o - a_o))^(w_o/w_i) - 1) / (1 - f)`.
pub(crate) fn in_given_out(
    pow: Pow,
    b_in: f64,
    w_in: f64,
    b_out: f64,
    w_out: f64,
    a_out: f64,
    fee: f64,
) -> f64 {
    // base - 1 = b_o / (b_o - a_o) - 1 = a_o / (b_o - a_o)
    b_in * pow.pow_m1(a_out / (b_out - a_out), w_out / w_in) / (1.0 - fee)
}

/// The fee of a single-sided join or exit: `f' = (1 - w/W) f`.
pub(crate) fn single_sided_fee(w: f64, w_total: f64, fee: f64) -> f64 {
    (1.0 - w / w_total) * fee
}

/// Shares out for a single-token deposit: `P = S ((1 + a_i (1-f') / b_i)^(w_i/W) - 1)`.
pub(crate) fn pool_out_given_single_in(
    pow: Pow,
    b_in: f64,
    w_in: f64,
    supply: f64,
    w_total: f64,
    a_in: f64,
    fee: f64,
) -> f64 {
    let fee = single_sided_fee(w_in, w_total, fee);
    supply * pow.pow_m1(a_in * (1.0 - fee) / b_in, w_in / w_total)
}

/// Single token in for `P` shares out: `a_i = b_i (((S+P)/S)^(W/w_i) - 1) / (1 - f')`.
pub(crate) fn single_in_given_pool_out(
    pow: Pow,
    b_in: f64,
    w_in: f64,
    supply: f64,
    w_total: f64,
    p_out: f64,
    fee: f64,
) -> f64 {
    let fee = single_sided_fee(w_in, w_total, fee);
    b_in * pow.pow_m1(p_out / supply, w_total / w_in) / (1.0 - fee)
}

/// Single token out for `P` shares in: `a_o = b_o (1 - ((S-P)/S)^(W/w_o)) (1 - f')`.
pub(crate) fn single_out_given_pool_in(
    pow: Pow,
    b_out: f64,
    w_out: f64,
    supply: f64,
    w_total: f64,
    p_in: f64,
    fee: f64,
) -> f64 {
    let fee = single_sided_fee(w_out, w_total, fee);
    -b_out * pow.pow_m1(-p_in / supply, w_total / w_out) * (1.0 - fee)
}

/// Shares in for a single-token withdrawal: `P = S (1 - (1 - a_o / ((1-f') b_o))^(w_o/W))`.
pub(crate) fn pool_in_given_single_out(
    pow: Pow,
    b_out: f64,
    w_out: f64,
    supply: f64,
    w_total: f64,
    a_out: f64,
    fee: f64,
) -> f64 {
    let fee = single_sided_fee(w_out, w_total, fee);
    -supply * pow.pow_m1(-a_out / ((1.0 - fee) * b_out), w_out / w_total)
}

/// Proportional join or exit: each token moves `r b` with `r = P / S`.
pub(crate) fn proportional(shares: f64, supply: f64, balance: f64) -> f64 {
    shares / supply * balance
}

/// The change of `ln(prod_k b_k^w_k)` when each balance `b_k` moves by `d_k`,
/// from `(w_k, b_k, d_k)`; returns the change and a bound on the error of
/// evaluating it in `f64`.
///
/// Each term is `w_k ln(1 + d_k / b_k)`, accurate to a few ulps of itself
/// because `d_k` is the exact integer difference of two balances; so the sum
/// is off by at most `4 eps sum_k |term_k|`, the bound returned.
pub(crate) fn ln_invariant_change(moves: &[(f64, f64, f64)]) -> (f64, f64) {
    let terms = moves.iter().map(|&(w, b, d)| w * (d / b).ln_1p());
    let (sum, magnitude) = terms.fold((0.0, 0.0), |(s, m), t: f64| (s + t, m + t.abs()));
    (sum, 4.0 * f64::EPSILON * magnitude)
}

/// `BalancerMath.sol` in `U256` integers, written from ocean.md's rules.
pub(crate) mod wei {
    use alloy_primitives::U256;

    /// `1e18`.
    pub(crate) const ONE: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
    /// The series stops after the first term below `ONE / 1e10`.
    pub(crate) const BPOW_PRECISION: U256 = U256::from_limbs([100_000_000, 0, 0, 0]);
    /// An amount in is at most half the in-balance.
    pub(crate) const MAX_IN_RATIO: U256 = U256::from_limbs([500_000_000_000_000_000, 0, 0, 0]);
    /// An amount out is at most a third of the out-balance (plus 1 wei).
    pub(crate) const MAX_OUT_RATIO: U256 = U256::from_limbs([333_333_333_333_333_334, 0, 0, 0]);

    fn half_one() -> U256 {
        ONE / U256::from(2)
    }

    /// `a - b`; the contract reverts with `ERR_SUB_UNDERFLOW` where this panics.
    pub(crate) fn bsub(a: U256, b: U256) -> U256 {
        a.checked_sub(b).expect("ERR_SUB_UNDERFLOW")
    }

    /// `(a b + ONE/2) / ONE`.
    pub(crate) fn bmul(a: U256, b: U256) -> U256 {
        a.checked_mul(b).and_then(|c| c.checked_add(half_one())).expect("ERR_MUL_OVERFLOW") / ONE
    }

    /// `(a ONE + b/2) / b`.
    pub(crate) fn bdiv(a: U256, b: U256) -> U256 {
        assert!(!b.is_zero(), "ERR_DIV_ZERO");
        a.checked_mul(ONE).and_then(|c| c.checked_add(b / U256::from(2))).expect("ERR_DIV_INTERNAL") / b
    }

    /// `base^n`, square and multiply, `bmul` at every step.
    pub(crate) fn bpowi(mut base: U256, mut n: u64) -> U256 {
        let mut result = if n % 2 == 1 { base } else { ONE };
        n /= 2;
        while n != 0 {
            base = bmul(base, base);
            if n % 2 == 1 {
                result = bmul(result, base);
            }
            n /= 2;
        }
        result
    }

    /// Binomial series of `base^exp` for `exp < ONE`: add term k, stop once
    /// a term was below `precision` or is zero.
    pub(crate) fn bpow_approx(base: U256, exp: U256, precision: U256) -> U256 {
        let (x, x_negative) = if base >= ONE { (base - ONE, false) } else { (ONE - base, true) };
        let mut term = ONE;
        let mut sum = ONE;
        let mut negative = false;
        let mut k = U256::from(1);
        while term >= precision {
            let big_k = k * ONE;
            let k_minus_one = big_k - ONE;
            let (c, c_negative) =
                if exp >= k_minus_one { (exp - k_minus_one, false) } else { (k_minus_one - exp, true) };
            term = bdiv(bmul(term, bmul(c, x)), big_k);
            if term.is_zero() {
                break;
            }
            negative ^= x_negative;
            negative ^= c_negative;
            sum = if negative { bsub(sum, term) } else { sum + term };
            k += U256::from(1);
        }
        sum
    }

    /// `base^exp` for `base` in `[1, 2 ONE - 1]`.
    pub(crate) fn bpow(base: U256, exp: U256) -> U256 {
        assert!(base >= U256::from(1), "ERR_BPOW_BASE_TOO_LOW");
        assert!(base < ONE * U256::from(2), "ERR_BPOW_BASE_TOO_HIGH");
        let whole = exp / ONE;
        let fraction = exp - whole * ONE;
        let whole_pow = bpowi(base, whole.to());
        if fraction.is_zero() {
            return whole_pow;
        }
        bmul(whole_pow, bpow_approx(base, fraction, BPOW_PRECISION))
    }

    /// `calcSpotPrice`.
    pub(crate) fn spot_price(b_in: U256, w_in: U256, b_out: U256, w_out: U256, fee: U256) -> U256 {
        let ratio = bdiv(bdiv(b_in, w_in), bdiv(b_out, w_out));
        bmul(ratio, bdiv(ONE, bsub(ONE, fee)))
    }

    /// `calcOutGivenIn`.
    pub(crate) fn out_given_in(
        b_in: U256,
        w_in: U256,
        b_out: U256,
        w_out: U256,
        a_in: U256,
        fee: U256,
    ) -> U256 {
        let adjusted = bmul(a_in, bsub(ONE, fee));
        let y = bdiv(b_in, b_in + adjusted);
        bmul(b_out, bsub(ONE, bpow(y, bdiv(w_in, w_out))))
    }

    /// `calcInGivenOut`.
    pub(crate) fn in_given_out(
        b_in: U256,
        w_in: U256,
        b_out: U256,
        w_out: U256,
        a_out: U256,
        fee: U256,
    ) -> U256 {
        let y = bdiv(b_out, bsub(b_out, a_out));
        let power_minus_one = bsub(bpow(y, bdiv(w_out, w_in)), ONE);
        bdiv(bmul(b_in, power_minus_one), bsub(ONE, fee))
    }

    /// `ONE - (1 - w/W) f`, the factor a single-sided amount is scaled by.
    fn one_minus_single_sided_fee(normalized_weight: U256, fee: U256) -> U256 {
        bsub(ONE, bmul(bsub(ONE, normalized_weight), fee))
    }

    /// `calcPoolOutGivenSingleIn`.
    pub(crate) fn pool_out_given_single_in(
        b_in: U256,
        w_in: U256,
        supply: U256,
        w_total: U256,
        a_in: U256,
        fee: U256,
    ) -> U256 {
        let nw = bdiv(w_in, w_total);
        let after_fee = bmul(a_in, one_minus_single_sided_fee(nw, fee));
        let ratio = bdiv(b_in + after_fee, b_in);
        bsub(bmul(bpow(ratio, nw), supply), supply)
    }

    /// `calcSingleInGivenPoolOut`.
    pub(crate) fn single_in_given_pool_out(
        b_in: U256,
        w_in: U256,
        supply: U256,
        w_total: U256,
        p_out: U256,
        fee: U256,
    ) -> U256 {
        let nw = bdiv(w_in, w_total);
        let ratio = bpow(bdiv(supply + p_out, supply), bdiv(ONE, nw));
        let after_fee = bsub(bmul(ratio, b_in), b_in);
        bdiv(after_fee, one_minus_single_sided_fee(nw, fee))
    }

    /// `calcSingleOutGivenPoolIn` (no exit fee).
    pub(crate) fn single_out_given_pool_in(
        b_out: U256,
        w_out: U256,
        supply: U256,
        w_total: U256,
        p_in: U256,
        fee: U256,
    ) -> U256 {
        let nw = bdiv(w_out, w_total);
        let ratio = bpow(bdiv(bsub(supply, p_in), supply), bdiv(ONE, nw));
        let before_fee = bsub(b_out, bmul(ratio, b_out));
        bmul(before_fee, one_minus_single_sided_fee(nw, fee))
    }

    /// `calcPoolInGivenSingleOut` (no exit fee).
    pub(crate) fn pool_in_given_single_out(
        b_out: U256,
        w_out: U256,
        supply: U256,
        w_total: U256,
        a_out: U256,
        fee: U256,
    ) -> U256 {
        let nw = bdiv(w_out, w_total);
        let before_fee = bdiv(a_out, one_minus_single_sided_fee(nw, fee));
        let ratio = bdiv(bsub(b_out, before_fee), b_out);
        bsub(supply, bmul(bpow(ratio, nw), supply))
    }

    /// `joinPool`/`exitPool`: each token moves `bmul(bdiv(P, S), b)`.
    pub(crate) fn proportional(shares: U256, supply: U256, balance: U256) -> U256 {
        bmul(bdiv(shares, supply), balance)
    }
}
