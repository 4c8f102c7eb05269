//! The 51% supply schedule: what fraction of the DAO's allocation has been
//! minted by a time `t` (in years), for the three schedules the seed
//! compares. The minter mints, each tick, the allocation times the growth of
//! this fraction over the tick, so the fractions below are the whole story.
//!
//! * `uniform`: the same amount every year for `uniform_years`.
//! * `exponential`: Bitcoin-style halvings, `F(t) = 1 - 2^(-t/H)`, stopped
//!   after `halvings` half-lives (`2^-halvings` of the allocation is never minted).
//! * `ratcheted`: the exponential with its rate multiplied by a ramp in the
//!   first years (×0.10, ×0.25, ×0.50, then ×1): the phase `i` ends at
//!   `ramp_years[i]` with multiplier `ramp_multipliers[i]`. What the ramp
//!   holds back is not minted later; it stays unminted.
//!
//! Errors: none here; [`ScheduleParams::check`] refuses bad parameters
//! before a run, naming the key and the allowed range.

use serde::{Deserialize, Serialize};

/// Which schedule mints the 51%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// The same amount every year for `uniform_years`.
    Uniform,
    /// Halving every `half_life_years`, no ramp.
    Exponential,
    /// The exponential with the ramp of the first years (the default).
    Ratcheted,
}

impl ScheduleKind {
    /// The name as written in a netlist.
    pub fn name(self) -> &'static str {
        match self {
            Self::Uniform => "uniform",
            Self::Exponential => "exponential",
            Self::Ratcheted => "ratcheted",
        }
    }
}

/// The schedule and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleParams {
    /// Which schedule.
    pub kind: ScheduleKind,
    /// Half-life of the exponential schedules, years (the seed's H = 4).
    pub half_life_years: f64,
    /// Minting stops after this many half-lives (34: about 136 years at H = 4).
    pub halvings: f64,
    /// Length of the uniform schedule, years.
    pub uniform_years: f64,
    /// End of each ramp phase, years since the start, increasing.
    pub ramp_years: Vec<f64>,
    /// The rate multiplier of each ramp phase, in [0, 1].
    pub ramp_multipliers: Vec<f64>,
}

impl ScheduleParams {
    /// The seed's ratcheted schedule: H = 4 y, 34 halvings, ×0.10 to 0.5 y,
    /// ×0.25 to 1.0 y, ×0.50 to 2.5 y, then ×1.
    pub fn seed() -> Self {
        Self {
            kind: ScheduleKind::Ratcheted,
            half_life_years: 4.0,
            halvings: 34.0,
            uniform_years: 10.0,
            ramp_years: vec![0.5, 1.0, 2.5],
            ramp_multipliers: vec![0.10, 0.25, 0.50],
        }
    }

    /// Check every parameter; the error names the key (`[wsloop] <key>`)
    /// and the allowed range.
    pub fn check(&self) -> Result<(), String> {
        positive("half_life_years", self.half_life_years, 1000.0)?;
        positive("halvings", self.halvings, 1000.0)?;
        positive("uniform_years", self.uniform_years, 1000.0)?;
        if self.ramp_years.len() != self.ramp_multipliers.len() {
            return Err(format!(
                "ramp_years has {} phase ends but ramp_multipliers has {} multipliers; give one multiplier per phase",
                self.ramp_years.len(),
                self.ramp_multipliers.len()
            ));
        }
        let mut previous = 0.0;
        for (i, &end) in self.ramp_years.iter().enumerate() {
            if !end.is_finite() || end <= previous || end > 1000.0 {
                return Err(format!(
                    "ramp_years[{i}] = {end} must be greater than {previous} (phase ends increase, in years, at most 1000)"
                ));
            }
            previous = end;
        }
        for (i, &m) in self.ramp_multipliers.iter().enumerate() {
            if !(0.0..=1.0).contains(&m) {
                return Err(format!("ramp_multipliers[{i}] = {m} must be between 0 and 1"));
            }
        }
        Ok(())
    }

    /// The fraction of the allocation minted by `t` years (0 before the start).
    pub fn minted_fraction(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        match self.kind {
            ScheduleKind::Uniform => (t / self.uniform_years).min(1.0),
            ScheduleKind::Exponential => self.halving_fraction(t),
            ScheduleKind::Ratcheted => self.ramped_fraction(t),
        }
    }

    /// `1 - 2^(-t/H)`, frozen once `halvings` half-lives have passed.
    fn halving_fraction(&self, t: f64) -> f64 {
        let t = t.min(self.halvings * self.half_life_years);
        1.0 - (-t / self.half_life_years).exp2()
    }

    /// The halving curve's increments, each weighted by the multiplier of
    /// the ramp phase it falls in (1 after the last phase).
    fn ramped_fraction(&self, t: f64) -> f64 {
        let mut minted = 0.0;
        let mut start = 0.0;
        for (&end, &multiplier) in self.ramp_years.iter().zip(&self.ramp_multipliers) {
            if t <= start {
                return minted;
            }
            let stop = t.min(end);
            minted += multiplier * (self.halving_fraction(stop) - self.halving_fraction(start));
            start = end;
        }
        if t > start {
            minted += self.halving_fraction(t) - self.halving_fraction(start);
        }
        minted
    }
}

fn positive(key: &str, value: f64, most: f64) -> Result<(), String> {
    if !value.is_finite() || value <= 0.0 || value > most {
        return Err(format!("{key} = {value} must be more than 0 and at most {most}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(kind: ScheduleKind) -> ScheduleParams {
        ScheduleParams { kind, ..ScheduleParams::seed() }
    }

    #[test]
    fn exponential_halves_every_half_life_and_stops_after_the_last_halving() {
        let s = with(ScheduleKind::Exponential);
        assert!((s.minted_fraction(4.0) - 0.5).abs() < 1e-15);
        assert!((s.minted_fraction(8.0) - 0.75).abs() < 1e-15);
        let end = 34.0 * 4.0;
        assert_eq!(s.minted_fraction(end), s.minted_fraction(end + 50.0));
        assert!(s.minted_fraction(end - 1.0) < s.minted_fraction(end));
    }

    #[test]
    fn ratcheted_is_the_exponential_scaled_by_each_phase() {
        let s = with(ScheduleKind::Ratcheted);
        let f = |t: f64| 1.0 - (-t / 4.0).exp2();
        assert!((s.minted_fraction(0.25) / f(0.25) - 0.10).abs() < 1e-14);
        let phases = [(0.10, 0.0, 0.5), (0.25, 0.5, 1.0), (0.50, 1.0, 2.0)];
        let at_two: f64 = phases.iter().map(|&(m, from, to)| m * (f(to) - f(from))).sum();
        assert!((s.minted_fraction(2.0) - at_two).abs() < 1e-15);
        let full = with(ScheduleKind::Exponential);
        // After the ramp it mints what the exponential mints, less what the ramp held back.
        let held_back = full.minted_fraction(2.5) - s.minted_fraction(2.5);
        assert!((full.minted_fraction(9.0) - s.minted_fraction(9.0) - held_back).abs() < 1e-15);
    }

    #[test]
    fn uniform_is_linear_then_complete() {
        let s = with(ScheduleKind::Uniform);
        assert!((s.minted_fraction(2.5) - 0.25).abs() < 1e-15);
        assert_eq!(s.minted_fraction(10.0), 1.0);
        assert_eq!(s.minted_fraction(30.0), 1.0);
        assert_eq!(s.minted_fraction(-1.0), 0.0);
    }

    #[test]
    fn bad_parameters_name_their_key() {
        let mut s = ScheduleParams::seed();
        s.half_life_years = 0.0;
        assert!(s.check().unwrap_err().contains("half_life_years"));
        let mut s = ScheduleParams::seed();
        s.ramp_years = vec![0.5, 0.4, 2.5];
        assert!(s.check().unwrap_err().contains("ramp_years[1]"));
        let mut s = ScheduleParams::seed();
        s.ramp_multipliers = vec![0.1, f64::NAN, 0.5];
        assert!(s.check().unwrap_err().contains("ramp_multipliers[1]"));
        let mut s = ScheduleParams::seed();
        s.ramp_multipliers.pop();
        assert!(s.check().unwrap_err().contains("one multiplier per phase"));
        assert!(ScheduleParams::seed().check().is_ok());
    }
}
