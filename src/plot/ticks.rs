//! Axis ticks and their labels, one number style per axis.
//!
//! Where the ticks go: a linear axis gets 4–8 "nice" ticks (1, 2 or 5 ×
//! 10^k apart); a log axis gets every decade, plus the 2× and 5× of each
//! decade when the range spans less than two decades, plus every other
//! multiple when that still gives fewer than three ticks.
//!
//! How numbers read (the one style, applied per axis):
//! - magnitudes from 10^-4 to below 10^6 are plain decimals with thousands
//!   separators: `0.25`, `12,500`, `800,000`;
//! - from 10^6 on, a suffix: `1.6M`, `2.5B`, `3T` (10^6, 10^9, 10^12); from
//!   10^15 on and below 10^-4, scientific: `2e15`, `2.5e-7`.
//!
//! On a linear axis every tick uses the style and suffix of its largest tick
//! (`0`, `0.5M`, `1M`, `1.5M`) and the same number of decimals (`0.5`,
//! `1.0`, `1.5`); on a log axis each decade reads in its own style
//! (`100`, `1,000`, `10,000`, `100,000`, `1M`, `10M`).

/// Tick positions on a linear axis over `lo..hi`.
pub(crate) fn linear_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return vec![lo];
    }
    let rough = (hi - lo) / 6.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&s| (hi - lo) / s <= 8.0)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v }).collect()
}

/// Tick values (not logarithms) on a log axis over `lo..hi` (both > 0).
pub(crate) fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let in_range = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
    let with = |multiples: &[f64]| -> Vec<f64> {
        (first..=last)
            .flat_map(|e| multiples.iter().map(move |m| m * 10f64.powi(e)))
            .filter(in_range)
            .collect()
    };
    if (hi / lo).log10() >= 2.0 {
        return with(&[1.0]);
    }
    let ticks = with(&[1.0, 2.0, 5.0]);
    if ticks.len() >= 3 {
        return ticks;
    }
    let ticks = with(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    if ticks.len() >= 2 {
        return ticks;
    }
    linear_ticks(lo, hi)
}

/// Labels of a linear axis's ticks: one style, suffix and decimal count.
pub(crate) fn linear_labels(ticks: &[f64]) -> Vec<String> {
    let largest = ticks.iter().map(|v| v.abs()).fold(0.0, f64::max);
    let (divisor, suffix) = scale_of(largest);
    let scaled: Vec<f64> = ticks.iter().map(|v| if divisor == 0.0 { *v } else { v / divisor }).collect();
    let decimals = scaled.iter().map(|&v| decimals_of(v)).max().unwrap_or(0);
    scaled
        .iter()
        .map(|&v| match v {
            0.0 => "0".to_owned(),
            _ if divisor == 0.0 => scientific(v),
            _ => with_suffix(v, decimals, suffix),
        })
        .collect()
}

/// Labels of a log axis's ticks, each in its own style.
pub(crate) fn log_labels(ticks: &[f64]) -> Vec<String> {
    ticks.iter().map(|&v| number(v)).collect()
}

/// One number in the style above.
pub(crate) fn number(value: f64) -> String {
    let (divisor, suffix) = scale_of(value.abs());
    if divisor == 0.0 {
        return scientific(value);
    }
    let scaled = value / divisor;
    with_suffix(scaled, decimals_of(scaled), suffix)
}

/// `(divisor, suffix)` for numbers up to `largest`; divisor 0: scientific.
fn scale_of(largest: f64) -> (f64, &'static str) {
    match largest {
        0.0 => (1.0, ""),
        v if !v.is_finite() || !(1e-4..1e15).contains(&v) => (0.0, ""),
        v if v >= 1e12 => (1e12, "T"),
        v if v >= 1e9 => (1e9, "B"),
        v if v >= 1e6 => (1e6, "M"),
        _ => (1.0, ""),
    }
}

/// Fewest decimals (at most 6) that show `value` to 1 part in 10^6.
fn decimals_of(value: f64) -> usize {
    (0..6)
        .find(|&d| {
            let shown: f64 = format!("{value:.d$}").parse().unwrap_or(value);
            (shown - value).abs() <= value.abs() * 1e-6
        })
        .unwrap_or(6)
}

fn with_suffix(value: f64, decimals: usize, suffix: &str) -> String {
    let text = format!("{:.decimals$}", value.abs());
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), ""), |(w, f)| (w, f));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    let dot = if fraction.is_empty() { "" } else { "." };
    format!("{sign}{grouped}{dot}{fraction}{suffix}")
}

fn scientific(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded: f64 = format!("{value:.3e}").parse().unwrap_or(value);
    format!("{rounded:e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_style_per_linear_axis() {
        assert_eq!(linear_labels(&[0.0, 5e5, 1e6, 1.5e6]), ["0", "0.5M", "1.0M", "1.5M"]);
        assert_eq!(linear_labels(&[0.0, 200_000.0, 400_000.0]), ["0", "200,000", "400,000"]);
        assert_eq!(linear_labels(&[0.5, 1.0, 1.5]), ["0.5", "1.0", "1.5"]);
        assert_eq!(linear_labels(&[-2e-6, 0.0, 2e-6]), ["-2e-6", "0", "2e-6"]);
        assert_eq!(number(1.6e6), "1.6M");
        assert_eq!(number(2.5e9), "2.5B");
        assert_eq!(number(0.001), "0.001");
        assert_eq!(number(2.5e-7), "2.5e-7");
        assert_eq!(number(-12_500.0), "-12,500");
    }

    #[test]
    fn linear_ticks_are_nice() {
        assert_eq!(linear_ticks(0.0, 10.0), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(linear_ticks(-0.05, 1.05), [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
    }

    #[test]
    fn log_ticks_label_every_decade() {
        assert_eq!(log_ticks(0.5, 2000.0), [1.0, 10.0, 100.0, 1000.0]);
        assert_eq!(log_ticks(0.9, 30.0), [1.0, 2.0, 5.0, 10.0, 20.0]);
        assert_eq!(log_ticks(2.5, 4.5), [3.0, 4.0]);
        assert_eq!(log_labels(&[100.0, 1e3, 1e4, 1e6, 1e7]), ["100", "1,000", "10,000", "1M", "10M"]);
    }
}
