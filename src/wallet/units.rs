//! Checked conversions between agents' `f64` token amounts and base-18
//! integer amounts (`U256`, 1 token = 10^18 base units).
//!
//! This module owns the one place where a float becomes a balance and back.
//! [`to_base18`] is exact with respect to the float's shortest round-trip
//! decimal (the digits `{}` prints): `0.1` is exactly `10^17` base units,
//! never `99999999999999999`. Digits beyond the 18th decimal place are
//! rounded half-up. [`from_base18`] returns the correctly rounded nearest
//! `f64`. [`format_base18`] prints the exact decimal for logs.
//!
//! # Errors
//! [`to_base18`] returns a [`UnitsError`] for NaN and infinities, for negative
//! amounts (`-0.0` is zero and accepted), and for amounts whose base-18 value
//! exceeds `2^256 - 1` (about `1.16e59` tokens). It never wraps or saturates.
//! [`from_base18`] and [`format_base18`] cannot fail.

use alloy_primitives::U256;
use core::fmt::{self, Write as _};

/// Decimal places of a base-18 amount: one token is `10^DECIMALS` base units.
pub const DECIMALS: u8 = 18;

/// `10^18`, one token in base units.
const ONE_TOKEN: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// Why a float could not become a base-18 amount.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitsError {
    /// NaN or an infinity.
    #[error("amount {value} is not finite")]
    NotFinite {
        /// The rejected amount.
        value: f64,
    },
    /// Below zero (`-0.0` counts as zero and is accepted).
    #[error("amount {value:e} is negative; base-18 amounts are unsigned")]
    Negative {
        /// The rejected amount.
        value: f64,
    },
    /// Its base-18 value does not fit in 256 bits.
    #[error("amount {value:e} is too large for a 256-bit base-18 integer (max ≈ 1.16e59)")]
    TooLarge {
        /// The rejected amount.
        value: f64,
    },
}

/// Converts a token amount to base units (`value * 10^18`), exactly.
///
/// Uses the shortest decimal that parses back to `value` (so `0.1` means
/// one tenth, `0.1 + 0.2` means `0.30000000000000004`), shifts it by 18
/// decimal places in integer arithmetic and rounds any further digits
/// half-up: `1.5e-18` gives 2, `4e-19` gives 0.
///
/// # Errors
/// [`UnitsError::NotFinite`] for NaN and infinities, [`UnitsError::Negative`]
/// below zero, [`UnitsError::TooLarge`] past `U256::MAX` base units.
pub fn to_base18(value: f64) -> Result<U256, UnitsError> {
    if !value.is_finite() {
        return Err(UnitsError::NotFinite { value });
    }
    if value < 0.0 {
        return Err(UnitsError::Negative { value });
    }
    if value == 0.0 {
        return Ok(U256::ZERO);
    }
    let (digits, exp10) = shortest_decimal(value);
    let shift = exp10 + i32::from(DECIMALS);
    if shift >= 0 {
        U256::from(10u8)
            .checked_pow(U256::from(shift.unsigned_abs()))
            .and_then(|scale| scale.checked_mul(U256::from(digits)))
            .ok_or(UnitsError::TooLarge { value })
    } else {
        // `digits < 10^17`, so dropping 20 or more digits leaves less than
        // 0.001 of a base unit, which rounds to zero.
        let dropped = shift.unsigned_abs();
        if dropped > 19 {
            return Ok(U256::ZERO);
        }
        let scale = 10u64.pow(dropped);
        let (quotient, remainder) = (digits / scale, digits % scale);
        let round_up = remainder >= scale - remainder;
        Ok(U256::from(quotient + u64::from(round_up)))
    }
}

/// The largest token amount [`to_base18`] accepts: the float just below
/// `(2^256 - 1) / 10^18` (about `1.158e59`).
pub fn max_tokens() -> f64 {
    f64::from_bits(from_base18(U256::MAX).to_bits() - 1)
}

/// Converts base units to a token amount: the `f64` nearest to
/// `amount / 10^18`, correctly rounded.
///
/// Amounts below about `10^19` tokens take a fast path (an integer division
/// and one exact scaling); larger ones go through Rust's correctly rounded
/// decimal parser.
pub fn from_base18(amount: U256) -> f64 {
    from_base18_fast(amount).unwrap_or_else(|| from_base18_slow(amount))
}

/// The exact decimal value of `amount` base units, trailing zeros trimmed:
/// `"1.5"`, `"0"`, `"0.000000000000000001"`, `"123.000000000000000001"`.
pub fn format_base18(amount: U256) -> String {
    let (whole, frac) = amount.div_rem(ONE_TOKEN);
    if frac.is_zero() {
        return whole.to_string();
    }
    let mut text = format!("{whole}.{:018}", frac.to::<u64>());
    let trimmed = text.trim_end_matches('0').len();
    text.truncate(trimmed);
    text
}

/// Amounts below `2^123` base units (about `10^19` tokens), by binary long
/// division: `q = floor(amount * 2^s / 10^18)` with `s` chosen so that
/// `2^62 < q < 2^64`, the remainder folded into `q`'s lowest bit (a sticky
/// bit, far below the 53 bits an `f64` keeps, so `q as f64` rounds exactly
/// as the true quotient would), then scaled back by `2^-s`, which is exact
/// (the result stays a normal float).
fn from_base18_fast(amount: U256) -> Option<f64> {
    const BITS: usize = 123;
    const ONE: u128 = 1_000_000_000_000_000_000;
    let bits = amount.bit_len();
    if bits == 0 {
        return Some(0.0);
    }
    if bits > BITS {
        return None;
    }
    // `amount * 2^shift` has exactly 123 bits; `2^59 < 10^18 < 2^60`.
    let shift = BITS - bits;
    let scaled = amount.to::<u128>() << shift;
    let (quotient, remainder) = (scaled / ONE, scaled % ONE);
    let sticky = u128::from(remainder != 0);
    // Exact: `quotient < 2^64`.
    #[allow(clippy::cast_precision_loss)]
    let value = (quotient | sticky) as f64;
    // `2^-shift` with `shift <= 122`: a normal float, built from its bits.
    let scale = f64::from_bits((1023 - shift as u64) << 52);
    Some(value * scale)
}

/// Formats `amount` as `"<whole>.<18 digits>"` and parses it; `str::parse`
/// is correctly rounded for any length of input.
fn from_base18_slow(amount: U256) -> f64 {
    let (whole, frac) = amount.div_rem(ONE_TOKEN);
    let text = format!("{whole}.{:018}", frac.to::<u64>());
    // A plain decimal of at most 97 characters always parses (to at most
    // about 1.16e59, far below f64::MAX).
    text.parse().unwrap_or(f64::NAN)
}

/// The shortest round-trip decimal of a finite, positive `value` as
/// `(digits, exp10)` with `value ≈ digits * 10^exp10` and `digits` of at
/// most 17 significant digits.
fn shortest_decimal(value: f64) -> (u64, i32) {
    let mut buf = StackBuf::default();
    // `{:e}` prints the shortest digits that parse back to `value`, such as
    // "1.2345e-7" or "3e20"; 24 bytes always suffice.
    let written = write!(buf, "{value:e}");
    debug_assert!(written.is_ok(), "{value:e} overflowed the buffer");
    let text = &buf.bytes[..buf.len];

    let (mut digits, mut frac_digits, mut in_frac) = (0u64, 0i32, false);
    let mut rest = text;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'0'..=b'9' => {
                digits = digits * 10 + u64::from(byte - b'0');
                frac_digits += i32::from(in_frac);
            }
            b'.' => in_frac = true,
            _ => break, // b'e'
        }
    }
    let (negative, rest) = match rest.split_first() {
        Some((b'-', tail)) => (true, tail),
        _ => (false, rest),
    };
    let exp = rest.iter().fold(0i32, |acc, &b| acc * 10 + i32::from(b - b'0'));
    let exp = if negative { -exp } else { exp };
    (digits, exp - frac_digits)
}

/// A fixed-size, allocation-free `fmt::Write` target.
#[derive(Default)]
struct StackBuf {
    bytes: [u8; 32],
    len: usize,
}

impl fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `2^53`: below this every integer is exact in an `f64`.
    const F64_EXACT_INT: u64 = 1 << 53;

    fn pow10(exp: u32) -> U256 {
        U256::from(10u8).pow(U256::from(exp))
    }

    fn tokens(whole: u64) -> U256 {
        U256::from(whole) * ONE_TOKEN
    }

    /// True when the shortest decimal of `x` has no digit past the 18th
    /// decimal place and `x` fits: then `to_base18` is exact and the round
    /// trip must give `x` back.
    fn representable(x: f64) -> bool {
        let (_, exp10) = shortest_decimal(x);
        exp10 >= -i32::from(DECIMALS) && to_base18(x).is_ok()
    }

    /// The round trip loses at most half a base unit (rounding to 18
    /// places) plus one ulp (two half-ulp roundings).
    fn assert_round_trip(x: f64) {
        let Ok(wei) = to_base18(x) else { return };
        let back = from_base18(wei);
        if representable(x) {
            assert_eq!(back, x, "round trip of {x:e} via {wei}");
        } else {
            let ulp = f64::from_bits(x.to_bits() + 1) - x;
            assert!((back - x).abs() <= 0.5e-18 + ulp, "{x:e} came back as {back:e}");
        }
    }

    #[test]
    fn exact_small_values() {
        assert_eq!(to_base18(1e-18), Ok(U256::from(1u8)));
        assert_eq!(to_base18(0.1), Ok(U256::from(100_000_000_000_000_000u64)));
        assert_eq!(to_base18(0.1 + 0.2), Ok(U256::from(300_000_000_000_000_040u64)));
        assert_eq!(to_base18(1.0), Ok(ONE_TOKEN));
        assert_eq!(to_base18(1.5), Ok(U256::from(1_500_000_000_000_000_000u64)));
    }

    #[test]
    fn zeros_are_zero() {
        assert_eq!(to_base18(0.0), Ok(U256::ZERO));
        assert_eq!(to_base18(-0.0), Ok(U256::ZERO));
        assert_eq!(to_base18(f64::MIN_POSITIVE), Ok(U256::ZERO));
        assert_eq!(to_base18(5e-324), Ok(U256::ZERO));
        assert_eq!(from_base18(U256::ZERO), 0.0);
    }

    #[test]
    fn sub_base_unit_digits_round_half_up() {
        assert_eq!(to_base18(1.5e-18), Ok(U256::from(2u8)));
        assert_eq!(to_base18(2.5e-18), Ok(U256::from(3u8)));
        assert_eq!(to_base18(5e-19), Ok(U256::from(1u8)));
        assert_eq!(to_base18(4e-19), Ok(U256::ZERO));
        assert_eq!(to_base18(4.9999e-19), Ok(U256::ZERO));
        assert_eq!(to_base18(1.2345678901234567e-6), Ok(U256::from(1_234_567_890_123u64)));
    }

    #[test]
    fn large_and_integer_values() {
        assert_eq!(to_base18(1e30), Ok(pow10(48)));
        assert_eq!(to_base18(123_456_789.0), Ok(tokens(123_456_789)));
        assert_eq!(from_base18(tokens(123_456_789)), 123_456_789.0);
        assert_eq!(to_base18(1.15e59), Ok(U256::from(115u8) * pow10(75)));
    }

    #[test]
    fn rejects_non_finite_and_negative() {
        assert!(matches!(to_base18(f64::NAN), Err(UnitsError::NotFinite { .. })));
        assert_eq!(to_base18(f64::INFINITY), Err(UnitsError::NotFinite { value: f64::INFINITY }));
        assert_eq!(to_base18(f64::NEG_INFINITY), Err(UnitsError::NotFinite { value: f64::NEG_INFINITY }));
        assert_eq!(to_base18(-1e-18), Err(UnitsError::Negative { value: -1e-18 }));
        assert_eq!(to_base18(-1.0), Err(UnitsError::Negative { value: -1.0 }));
    }

    #[test]
    fn rejects_past_u256_max() {
        assert_eq!(to_base18(1.2e59), Err(UnitsError::TooLarge { value: 1.2e59 }));
        assert_eq!(to_base18(1e80), Err(UnitsError::TooLarge { value: 1e80 }));
        assert_eq!(to_base18(f64::MAX), Err(UnitsError::TooLarge { value: f64::MAX }));
        let message = to_base18(1e80).unwrap_err().to_string();
        assert_eq!(message, "amount 1e80 is too large for a 256-bit base-18 integer (max ≈ 1.16e59)");
        assert_eq!(
            to_base18(-2.5).unwrap_err().to_string(),
            "amount -2.5e0 is negative; base-18 amounts are unsigned"
        );
        assert_eq!(to_base18(f64::NAN).unwrap_err().to_string(), "amount NaN is not finite");
    }

    #[test]
    fn u256_max_boundary() {
        // The nearest float to U256::MAX / 1e18 is 1.157920892373162e59,
        // whose decimal is slightly above the maximum: it cannot go back.
        let top = from_base18(U256::MAX);
        assert_eq!(top, 1.157_920_892_373_162e59);
        assert_eq!(to_base18(top), Err(UnitsError::TooLarge { value: top }));
        // The float just below does fit, exactly.
        let below = f64::from_bits(top.to_bits() - 1);
        assert_eq!(max_tokens(), below);
        let wei = to_base18(below).expect("fits");
        assert!(wei < U256::MAX);
        assert_eq!(from_base18(wei), below);
    }

    #[test]
    fn u128_boundary() {
        let max = U256::from(u128::MAX);
        let exact = "340282366920938463463.374607431768211455".parse::<f64>().unwrap();
        assert_eq!(from_base18(max), exact);
        assert_eq!(format_base18(max), "340282366920938463463.374607431768211455");
        // Its float decimal, 3.402823669209385e20, lies above u128::MAX:
        // U256 holds it exactly.
        let wei = to_base18(exact).unwrap();
        assert_eq!(wei, U256::from(3_402_823_669_209_385u64) * pow10(23));
        assert!(wei > max);
        assert_eq!(from_base18(wei), exact);
        let x = u128::MAX as f64 / 1e18;
        assert_round_trip(x);
        assert!(to_base18(x).unwrap() > max);
    }

    #[test]
    fn two_pow_53_wei() {
        for wei in [F64_EXACT_INT - 1, F64_EXACT_INT, F64_EXACT_INT + 1, F64_EXACT_INT + 2] {
            let amount = U256::from(wei);
            assert_eq!(from_base18(amount), from_base18_slow(amount), "{wei}");
        }
        // Near 0.009 tokens one ulp is about 1.7 wei, so 16 digits do not
        // pin down the wei: the float nearest 2^53 wei prints as ...993.
        let amount = U256::from(F64_EXACT_INT);
        let x = from_base18(amount);
        assert_eq!(x, 0.009_007_199_254_740_992);
        assert_eq!(to_base18(x), Ok(amount + U256::from(1u8)));
        assert_eq!(from_base18(amount + U256::from(1u8)), x);
        // One decade down, a float step is under a wei: exact again.
        let amount = U256::from(F64_EXACT_INT / 10);
        assert_eq!(to_base18(from_base18(amount)), Ok(amount));
    }

    #[test]
    fn fast_path_takes_amounts_below_2_pow_123() {
        assert_eq!(from_base18_fast(U256::from(1_500_000_000_000_000_000u64)), Some(1.5));
        assert_eq!(from_base18_fast(pow10(36)), Some(1e18));
        assert_eq!(from_base18_fast(U256::from(1u8)), Some(1e-18));
        assert_eq!(from_base18_fast(U256::ZERO), Some(0.0));
        assert_eq!(from_base18_fast(U256::from(300_000_000_000_000_040u64)), Some(0.30000000000000004));
        assert_eq!(from_base18_fast(U256::from(1u8) << 123), None);
        assert_eq!(from_base18_fast(U256::MAX), None);
    }

    #[test]
    fn fast_path_agrees_with_parser_near_ties() {
        // Amounts whose quotient lies within a few wei of a rounding tie.
        for bits in [54u32, 60, 64, 70, 80, 100, 122, 123] {
            let base = U256::from(1u8) << (bits - 1);
            for delta in 0u64..64 {
                for amount in [
                    base + U256::from(delta),
                    base - U256::from(delta),
                    (base | (base >> 53)) + U256::from(delta),
                ] {
                    assert_eq!(from_base18(amount), from_base18_slow(amount), "{amount}");
                }
            }
        }
    }

    #[test]
    fn fast_path_agrees_with_parser() {
        let samples = [1u64, 7, 15, 999, 123_456_789, F64_EXACT_INT - 1, 4_503_599_627_370_497];
        for mantissa in samples {
            for zeros in 0..=60 {
                let amount = U256::from(mantissa) * pow10(zeros);
                assert_eq!(from_base18(amount), from_base18_slow(amount), "{mantissa}e{zeros}");
            }
        }
    }

    #[test]
    fn round_trip_over_exponents() {
        let mantissas = [1.0, 1.5, 2.5, 7.0, 2.71829, 1.2345678901234567, 9.999999999999999];
        for exp in -18..=59 {
            for m in mantissas {
                let x: f64 = format!("{m}e{exp}").parse().unwrap();
                assert_round_trip(x);
                // Every float from 0.01 up (at most 17 significant digits)
                // and every short decimal down to 1e-18 must come back.
                if x < 1.15e59 && (x >= 1e-2 || (m == 1.5 && exp >= -17)) {
                    assert!(representable(x), "{x:e}");
                }
            }
        }
    }

    #[test]
    fn formats_exact_decimals() {
        assert_eq!(format_base18(U256::ZERO), "0");
        assert_eq!(format_base18(U256::from(1u8)), "0.000000000000000001");
        assert_eq!(format_base18(U256::from(1_500_000_000_000_000_000u64)), "1.5");
        assert_eq!(format_base18(tokens(123) + U256::from(1u8)), "123.000000000000000001");
        assert_eq!(format_base18(tokens(42)), "42");
    }

    #[test]
    fn shortest_decimal_parts() {
        assert_eq!(shortest_decimal(1.2345e-7), (12_345, -11));
        assert_eq!(shortest_decimal(3e20), (3, 20));
        assert_eq!(shortest_decimal(0.1 + 0.2), (30_000_000_000_000_004, -17));
        assert_eq!(shortest_decimal(5e-324), (5, -324));
        assert_eq!(shortest_decimal(f64::MAX), (17_976_931_348_623_157, 292));
    }

    /// Positive floats ordered by bit pattern: uniform over representable
    /// values, so every decade gets its share.
    fn floats_between(low: f64, high: f64) -> impl Strategy<Value = f64> {
        (low.to_bits()..=high.to_bits()).prop_map(f64::from_bits)
    }

    proptest! {
        #[test]
        fn wei_round_trip_is_close(wei in any::<u64>()) {
            let back = to_base18(from_base18(U256::from(wei))).unwrap().to::<u128>();
            let diff = back.abs_diff(u128::from(wei));
            prop_assert!(diff as f64 <= (wei as f64 * 1e-15).max(1.0), "{wei} -> {back}");
        }

        #[test]
        fn wei_below_1e15_round_trips_exactly(wei in 0u64..1_000_000_000_000_000) {
            prop_assert_eq!(to_base18(from_base18(U256::from(wei))), Ok(U256::from(wei)));
        }

        #[test]
        fn floats_from_a_hundredth_round_trip_exactly(x in floats_between(1e-2, 1e40)) {
            prop_assert_eq!(from_base18(to_base18(x).unwrap()), x);
        }

        #[test]
        fn small_floats_round_trip_within_half_a_base_unit(x in floats_between(1e-6, 1e-2)) {
            assert_round_trip(x);
        }

        #[test]
        fn fast_path_matches_parser(mantissa in 0u64..F64_EXACT_INT, zeros in 0u32..=59) {
            let amount = U256::from(mantissa) * pow10(zeros);
            prop_assert_eq!(from_base18(amount), from_base18_slow(amount));
        }

        #[test]
        fn any_amount_matches_parser(lo in any::<u128>(), hi in any::<u128>(), shift in 0usize..256) {
            let amount = (U256::from(hi) << 128usize | U256::from(lo)) >> shift;
            prop_assert_eq!(from_base18(amount), from_base18_slow(amount));
        }
    }
}
