//! Monte Carlo statistics over seeds: mean with a 95% confidence interval
//! (Student's t), and paired differences between designs run on the same
//! seeds (common random numbers).

/// Two-sided 95% critical values of Student's t for 1..=30 degrees of freedom.
const T95: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/// The two-sided 95% critical value of Student's t with `df` degrees of
/// freedom (table for 1..=30, the normal 1.96 beyond); NaN for 0.
pub fn t_critical_95(df: usize) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T95[df - 1],
        _ => 1.96,
    }
}

/// Mean and 95% confidence interval of per-seed values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeedStats {
    /// Sample mean (NaN when `n` is 0).
    pub mean: f64,
    /// Half width of the 95% confidence interval of the mean:
    /// `t(n-1) * sd / sqrt(n)` with the sample standard deviation; NaN when
    /// `n` < 2.
    pub ci95_half_width: f64,
    /// Number of finite values used.
    pub n: usize,
}

impl SeedStats {
    /// Statistics of the finite entries of `values` (NaN and infinities are
    /// seeds where the KPI was not measured, and are left out).
    pub fn of(values: &[f64]) -> Self {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let n = finite.len();
        if n == 0 {
            return Self { mean: f64::NAN, ci95_half_width: f64::NAN, n };
        }
        let mean = finite.iter().sum::<f64>() / n as f64;
        if n < 2 {
            return Self { mean, ci95_half_width: f64::NAN, n };
        }
        let variance = finite.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t_critical_95(n - 1) * (variance / n as f64).sqrt();
        Self { mean, ci95_half_width: half, n }
    }

    /// Whether the interval excludes zero (a difference that is significant
    /// at the 5% level); false when there is no interval.
    pub fn excludes_zero(&self) -> bool {
        self.ci95_half_width.is_finite() && self.mean.abs() > self.ci95_half_width
    }
}

/// Statistics of `b - a` over the seeds both have a finite value for.
/// `a` and `b` are `(seed, value)` pairs; seeds present in only one are left out.
pub fn paired_differences(a: &[(u64, f64)], b: &[(u64, f64)]) -> SeedStats {
    let diffs: Vec<f64> = b
        .iter()
        .filter_map(|&(seed, vb)| {
            let &(_, va) = a.iter().find(|&&(s, _)| s == seed)?;
            Some(vb - va)
        })
        .collect();
    SeedStats::of(&diffs)
}
