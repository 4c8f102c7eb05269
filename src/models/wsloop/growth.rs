//! How marketplaces grow with R&D: the annual growth of the number of
//! marketplaces and of the revenue per marketplace, each an exponential
//! approach in the ratio `r` = R&D spend / Ocean's (network) revenue:
//!
//! ```text
//! g(r) = g0 + (gmax - g0) * (1 - 2^(-r/tau))
//! growth(r) = (1 + g(r))^2 - 1          (markets x revenue per market)
//! ```
//!
//! With the seed's `g0 = -11.8%`, `gmax = 41.5%`, `tau = 0.6`: r = 0.6
//! gives half of the range, 1.2 three quarters, and the total runs from
//! (0.882)^2 - 1 = -22.2% a year (the seed rounds it to "-25%") to
//! (1.415)^2 - 1 = +100.2% a year.
//!
//! Errors: [`GrowthParams::check`] names the key and the allowed range.

use serde::{Deserialize, Serialize};

/// The growth function's parameters (per component, per year).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
pub struct GrowthParams {
    /// Annual growth of each component with no R&D (`growth_if_0_sales`).
    pub growth_if_0_sales: f64,
    /// Annual growth of each component at an unlimited ratio (`max_growth`).
    pub max_growth: f64,
    /// The ratio at which half of the range is reached.
    pub tau: f64,
}

impl GrowthParams {
    /// The seed's values: -11.8%, 41.5%, tau 0.6.
    pub const SEED: Self = Self { growth_if_0_sales: -0.118, max_growth: 0.415, tau: 0.6 };

    /// Check the values; the error names the key and its range.
    pub fn check(&self) -> Result<(), String> {
        if !(-1.0..=100.0).contains(&self.growth_if_0_sales) || self.growth_if_0_sales == -1.0 {
            return Err(format!(
                "growth_if_0_sales = {} must be more than -1 (-100% a year) and at most 100",
                self.growth_if_0_sales
            ));
        }
        if !(self.growth_if_0_sales..=100.0).contains(&self.max_growth) {
            return Err(format!(
                "max_growth = {} must be at least growth_if_0_sales ({}) and at most 100",
                self.max_growth, self.growth_if_0_sales
            ));
        }
        if !self.tau.is_finite() || self.tau <= 0.0 {
            return Err(format!("tau = {} must be a finite ratio more than 0", self.tau));
        }
        Ok(())
    }

    /// The share of the range reached at `ratio` (0 at 0, 1/2 at tau, 1 at infinity).
    pub fn reached(&self, ratio: f64) -> f64 {
        if ratio.is_nan() || ratio <= 0.0 {
            return 0.0;
        }
        1.0 - (-ratio / self.tau).exp2()
    }

    /// The annual growth of one component at `ratio`.
    pub fn component(&self, ratio: f64) -> f64 {
        (self.max_growth - self.growth_if_0_sales).mul_add(self.reached(ratio), self.growth_if_0_sales)
    }

    /// The annual growth of revenue (both components) at `ratio`.
    pub fn total(&self, ratio: f64) -> f64 {
        let one = 1.0 + self.component(ratio);
        one.mul_add(one, -1.0)
    }
}

/// R&D spend / sales; 0 with neither, unlimited with R&D and no sales.
pub fn rnd_sales_ratio(rnd_usd: f64, sales_usd: f64) -> f64 {
    match (rnd_usd > 0.0, sales_usd > 0.0) {
        (_, true) => rnd_usd / sales_usd,
        (true, false) => f64::INFINITY,
        (false, false) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_anchor_points() {
        let g = GrowthParams::SEED;
        let range = g.max_growth - g.growth_if_0_sales;
        assert_eq!(g.component(0.0), -0.118);
        let share = |growth: f64| (growth + 0.118) / range;
        assert!((share(g.component(0.6)) - 0.5).abs() < 1e-14);
        assert!((share(g.component(1.2)) - 0.75).abs() < 1e-14);
        assert!((g.component(f64::INFINITY) - 0.415).abs() < 1e-15);
        // (1 - 0.118)^2 - 1 and (1 + 0.415)^2 - 1, worked by hand.
        assert!((g.total(0.0) - -0.222_076).abs() < 1e-12);
        assert!((g.total(1e6) - 1.002_225).abs() < 1e-12);
    }

    #[test]
    fn ratio_edges() {
        assert_eq!(rnd_sales_ratio(0.0, 0.0), 0.0);
        assert_eq!(rnd_sales_ratio(5.0, 0.0), f64::INFINITY);
        assert_eq!(rnd_sales_ratio(5.0, 10.0), 0.5);
        assert_eq!(GrowthParams::SEED.reached(f64::NAN), 0.0);
    }

    #[test]
    fn bad_values_name_their_key() {
        let bad = GrowthParams { tau: 0.0, ..GrowthParams::SEED };
        assert!(bad.check().unwrap_err().contains("tau"));
        let bad = GrowthParams { max_growth: -0.5, ..GrowthParams::SEED };
        assert!(bad.check().unwrap_err().contains("max_growth"));
        let bad = GrowthParams { growth_if_0_sales: -1.0, ..GrowthParams::SEED };
        assert!(bad.check().unwrap_err().contains("growth_if_0_sales"));
    }
}
