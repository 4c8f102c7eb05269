//! Deterministic, exactly round-tripping text form of KPI values.

use std::fmt::Write as _;

/// Append the text form of `value` to `out`.
///
/// The shortest decimal that parses back to the same `f64` (Rust's `Display`
/// / `LowerExp`, no precision), in plain notation for magnitudes in
/// `[1e-5, 1e16)` and zero, in scientific notation (`1e-300`,
/// `1.7976931348623157e308`) otherwise. Non-finite values are `NaN`, `inf`
/// and `-inf`.
pub fn format_value(out: &mut String, value: f64) {
    // Fast paths with the same text as `Display`, for the cells most tables
    // are made of: a wide table of a long run is mostly `NaN` (pools not
    // created yet), and counters are whole numbers. Below 2^53 a whole
    // `f64`'s shortest round-tripping decimal is the integer itself.
    if value.is_nan() {
        out.push_str("NaN");
        return;
    }
    if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 && value.to_bits() != (-0.0f64).to_bits()
    {
        // Exact: a whole number of magnitude below 2^53 is an exact i64.
        let _ = write!(out, "{}", value as i64);
        return;
    }
    let magnitude = value.abs();
    // Writing to a String cannot fail.
    let _ = if !value.is_finite() || magnitude == 0.0 || (1e-5..1e16).contains(&magnitude) {
        write!(out, "{value}")
    } else {
        write!(out, "{value:e}")
    };
}

/// Parse a value written by [`format_value`] (or any decimal or scientific
/// number, `NaN`, `inf`, `-inf`); `None` if it is not a number.
pub fn parse_value(text: &str) -> Option<f64> {
    // Most cells of a long run's wide table are `NaN`: skip the number parser.
    if text == "NaN" {
        return Some(f64::NAN);
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: f64) -> String {
        let mut out = String::new();
        format_value(&mut out, value);
        out
    }

    #[test]
    fn readable_forms() {
        assert_eq!(text(3.0), "3");
        assert_eq!(text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(text(1e-300), "1e-300");
        assert_eq!(text(f64::MAX), "1.7976931348623157e308");
        assert_eq!(text(-2.5e20), "-2.5e20");
        assert_eq!(text(f64::NAN), "NaN");
        assert_eq!(text(f64::INFINITY), "inf");
        assert_eq!(text(f64::NEG_INFINITY), "-inf");
        assert_eq!(text(-0.0), "-0");
    }

    #[test]
    fn fast_paths_match_display() {
        let whole =
            [0.0, 1.0, -1.0, 7.0, 1e15, -123_456.0, 9_007_199_254_740_991.0, -9_007_199_254_740_991.0];
        for value in whole {
            assert_eq!(text(value), format!("{value}"), "{value:e}");
        }
        assert_eq!(text(-f64::NAN), "NaN");
        assert_eq!(text(9_007_199_254_740_992.0), format!("{}", 9_007_199_254_740_992.0));
    }

    proptest::proptest! {
        #[test]
        fn whole_numbers_format_as_display(n in -(1i64 << 53)..(1i64 << 53)) {
            let value = n as f64;
            proptest::prop_assert_eq!(text(value), format!("{value}"));
        }
    }

    #[test]
    fn round_trip_is_exact() {
        let values = [
            0.0,
            -0.0,
            1.0,
            0.1 + 0.2,
            1e-5,
            9.999_999_999_999e-6,
            1e16,
            9_999_999_999_999_998.0,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            f64::MIN,
            std::f64::consts::PI,
            123_456_789.123_456_79,
        ];
        for value in values {
            let back = parse_value(&text(value)).unwrap();
            assert_eq!(back.to_bits(), value.to_bits(), "{value:e} -> {}", text(value));
        }
        assert!(parse_value("NaN").unwrap().is_nan());
        assert_eq!(parse_value("inf"), Some(f64::INFINITY));
        assert_eq!(parse_value("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_value("x1"), None);
        assert_eq!(parse_value(""), None);
    }

    proptest::proptest! {
        #[test]
        fn any_non_nan_bit_pattern_round_trips(bits in proptest::prelude::any::<u64>()) {
            let value = f64::from_bits(bits);
            proptest::prop_assume!(!value.is_nan());
            let back = parse_value(&text(value)).unwrap();
            proptest::prop_assert_eq!(back.to_bits(), value.to_bits());
        }
    }
}
