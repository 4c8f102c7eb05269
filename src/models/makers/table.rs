//! `[two_makers]`: the two-market-maker game's netlist table — the game's
//! parameters, its grid, its starting point and the two makers — read
//! strictly (unknown keys refused) and checked, each error naming
//! `[two_makers] <key>` and the allowed range. Every key has the notebook's
//! value by default.
//!
//! ```toml
//! [two_makers]
//! makers = ["maker_a", "maker_b"]   # the two equilibrium_maker agents: maker 0, maker 1
//! n_max = 20000.0
//! gamma = 0.1                       # fee change when both move the same way
//! sigma = 0.1
//! lambda = 0.1
//! r = 0.02
//! r_risk = 0.01
//! m = 3.0                           # stake change of one move
//! horizon = 1.0                     # T
//! steps = 5                         # N_T
//! stake_points = 15                 # N_S, from 0 to max_stake
//! fee_points = 15                   # N_f, from 0 to 1
//! max_stake = 120.0
//! start_stakes = [10.0, 10.0]
//! start_fee = 0.1
//! ```

use super::game::{GameParams, State};
use serde::Serialize;

/// Most grid points times steps (the work of the backward induction: about
/// a second per million on one core).
const MAX_WORK: f64 = 5e6;

/// `[two_makers]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MakersTable {
    /// The agents (of type `equilibrium_maker`) that are maker 0 and maker 1.
    pub makers: [String; 2],
    /// Maker 0's and maker 1's stake at the start.
    pub start_stakes: [f64; 2],
    /// The fee at the start.
    pub start_fee: f64,
    /// The game's parameters and grid: the table's other keys.
    #[serde(flatten)]
    pub game: GameParams,
}

impl Default for MakersTable {
    fn default() -> Self {
        Self {
            makers: ["maker_a".to_string(), "maker_b".to_string()],
            start_stakes: [10.0, 10.0],
            start_fee: 0.1,
            game: GameParams::NOTEBOOK,
        }
    }
}

impl MakersTable {
    /// Read and check the table (absent: the defaults); errors start with `[two_makers]`.
    pub fn read(value: Option<&toml::Value>) -> Result<Self, String> {
        let mut table = Self::default();
        if let Some(value) = value {
            let toml::Value::Table(keys) = value else {
                return Err(format!("[two_makers]: expected a table, found {value}"));
            };
            let mut keys = keys.clone();
            if let Some(makers) = keys.remove("makers") {
                table.makers =
                    makers.try_into().map_err(|e| format!("[two_makers] makers: {}", e.message()))?;
            }
            if let Some(stakes) = keys.remove("start_stakes") {
                table.start_stakes =
                    stakes.try_into().map_err(|e| format!("[two_makers] start_stakes: {}", e.message()))?;
            }
            if let Some(fee) = keys.remove("start_fee") {
                table.start_fee =
                    fee.try_into().map_err(|e| format!("[two_makers] start_fee: {}", e.message()))?;
            }
            table.game = toml::Value::Table(keys).try_into().map_err(|e: toml::de::Error| {
                let message = format!("[two_makers]: {}", e.message());
                if message.contains("unknown field") {
                    format!("{message}, or `makers`, `start_stakes`, `start_fee`")
                } else {
                    message
                }
            })?;
        }
        table.check()?;
        Ok(table)
    }

    fn check(&self) -> Result<(), String> {
        let finite_at_least = |key: &str, value: f64, low: f64| {
            if value.is_finite() && value >= low {
                Ok(())
            } else {
                Err(format!("[two_makers] {key} = {value}: must be a number >= {low}"))
            }
        };
        for (key, value) in [
            ("n_max", self.game.n_max),
            ("sigma", self.game.sigma),
            ("lambda", self.game.lambda),
            ("m", self.game.m),
            ("start_stakes", self.start_stakes[0].min(self.start_stakes[1])),
        ] {
            finite_at_least(key, value, 0.0)?;
        }
        for (key, value) in [("r", self.game.r), ("r_risk", self.game.r_risk)] {
            if !value.is_finite() {
                return Err(format!("[two_makers] {key} = {value}: must be a finite number"));
            }
        }
        for (key, value) in [("gamma", self.game.gamma), ("start_fee", self.start_fee)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(format!("[two_makers] {key} = {value}: must be in [0, 1]"));
            }
        }
        if !(self.game.horizon.is_finite() && self.game.horizon > 0.0) {
            return Err(format!("[two_makers] horizon = {}: must be a number > 0", self.game.horizon));
        }
        if !(self.game.max_stake.is_finite() && self.game.max_stake > 0.0 && self.game.max_stake <= 1e30) {
            return Err(format!("[two_makers] max_stake = {}: must be in (0, 1e30]", self.game.max_stake));
        }
        if self.game.m > self.game.max_stake || self.start_stakes.iter().any(|&s| s > self.game.max_stake) {
            return Err(format!(
                "[two_makers] m = {} and start_stakes = {:?} must be at most max_stake = {}",
                self.game.m, self.start_stakes, self.game.max_stake
            ));
        }
        if self.game.steps == 0 || self.game.stake_points < 2 || self.game.fee_points < 2 {
            return Err(format!(
                "[two_makers] steps = {}, stake_points = {}, fee_points = {}: steps must be >= 1 and each grid >= 2 points",
                self.game.steps, self.game.stake_points, self.game.fee_points
            ));
        }
        let work =
            self.game.steps as f64 * (self.game.stake_points as f64).powi(2) * self.game.fee_points as f64;
        if work > MAX_WORK {
            return Err(format!(
                "[two_makers] steps x stake_points^2 x fee_points = {work:.0}: at most {MAX_WORK:.0} (the backward induction's grid)"
            ));
        }
        if self.makers[0] == self.makers[1] {
            return Err(format!("[two_makers] makers: the two makers are both {:?}", self.makers[0]));
        }
        Ok(())
    }

    /// The starting state.
    pub fn start(&self) -> State {
        State { stakes: self.start_stakes, fee: self.start_fee }
    }
}

#[cfg(test)]
mod tests {
    use super::MakersTable;

    fn read(text: &str) -> Result<MakersTable, String> {
        MakersTable::read(Some(&toml::from_str::<toml::Value>(text).unwrap()))
    }

    #[test]
    fn defaults_are_the_notebook_and_errors_name_the_key() {
        assert_eq!(MakersTable::read(None).unwrap(), MakersTable::default());
        assert_eq!(read("gamma = 0.2").unwrap().game.gamma, 0.2);
        for (text, key) in [
            ("gamma = 1.5", "gamma"),
            ("start_fee = -0.1", "start_fee"),
            ("max_stake = 0.0", "max_stake"),
            ("start_stakes = [10.0, 130.0]", "start_stakes"),
            ("stake_points = 1", "stake_points"),
            ("fee_points = 100000", "fee_points"),
            ("sigma = nan", "sigma"),
            ("makers = [\"a\", \"a\"]", "makers"),
            ("speed = 1", "speed"),
        ] {
            let error = read(text).unwrap_err();
            assert!(error.starts_with("[two_makers]") && error.contains(key), "{text}: {error}");
        }
    }
}
