//! `[wsloop]`: the model's netlist table — the 51% schedule, the supply and
//! the valuation — read strictly (unknown keys refused) and checked, each
//! error naming `[wsloop] <key>` and the allowed range.
//!
//! ```toml
//! [wsloop]
//! schedule = "ratcheted"          # "uniform", "exponential" or "ratcheted"
//! half_life_years = 4.0
//! halvings = 34
//! uniform_years = 10.0
//! ramp_years = [0.5, 1.0, 2.5]     # end of each ramp phase, years
//! ramp_multipliers = [0.10, 0.25, 0.50]
//! max_supply = 1.41e9              # OCEAN
//! allocation_fraction = 0.51       # of max_supply, minted by the schedule
//! ps_ratio = 30.0
//! speculative_usd = 150e6
//! speculative_growth = 0.10        # a year
//! ```

use super::schedule::{ScheduleKind, ScheduleParams};
use serde::{Deserialize, Serialize};

/// `[wsloop]`; every key has the seed's default.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WsloopTable {
    /// Which schedule mints the 51%.
    pub schedule: ScheduleKind,
    /// Half-life of the exponential schedules, years.
    pub half_life_years: f64,
    /// Half-lives after which minting stops.
    pub halvings: f64,
    /// Years the uniform schedule mints over.
    pub uniform_years: f64,
    /// End of each ramp phase of the ratcheted schedule, years.
    pub ramp_years: Vec<f64>,
    /// Rate multiplier of each ramp phase.
    pub ramp_multipliers: Vec<f64>,
    /// OCEAN's maximum supply.
    pub max_supply: f64,
    /// Share of `max_supply` the schedule mints for the DAO (the rest is
    /// the initial supply, minted to the deployer at set-up).
    pub allocation_fraction: f64,
    /// Price-to-sales multiple of the fundamental valuation (on annualised network revenue).
    pub ps_ratio: f64,
    /// The speculative valuation at the start, USD.
    pub speculative_usd: f64,
    /// Annual growth of the speculative valuation.
    pub speculative_growth: f64,
}

impl Default for WsloopTable {
    fn default() -> Self {
        let seed = ScheduleParams::seed();
        Self {
            schedule: seed.kind,
            half_life_years: seed.half_life_years,
            halvings: seed.halvings,
            uniform_years: seed.uniform_years,
            ramp_years: seed.ramp_years,
            ramp_multipliers: seed.ramp_multipliers,
            max_supply: 1.41e9,
            allocation_fraction: 0.51,
            ps_ratio: 30.0,
            speculative_usd: 150e6,
            speculative_growth: 0.10,
        }
    }
}

impl WsloopTable {
    /// Read and check the table (absent: the defaults); errors start with `[wsloop]`.
    pub fn read(value: Option<&toml::Value>) -> Result<Self, String> {
        let table: Self = match value {
            None => Self::default(),
            Some(value) => value.clone().try_into().map_err(|e: toml::de::Error| {
                format!(
                    "[wsloop]: {} (schedule is \"uniform\", \"exponential\" or \"ratcheted\")",
                    e.message()
                )
            })?,
        };
        table.check().map_err(|e| format!("[wsloop] {e}"))?;
        Ok(table)
    }

    /// The schedule's parameters.
    pub fn schedule(&self) -> ScheduleParams {
        ScheduleParams {
            kind: self.schedule,
            half_life_years: self.half_life_years,
            halvings: self.halvings,
            uniform_years: self.uniform_years,
            ramp_years: self.ramp_years.clone(),
            ramp_multipliers: self.ramp_multipliers.clone(),
        }
    }

    /// OCEAN the schedule mints in all.
    pub fn allocation_ocean(&self) -> f64 {
        self.max_supply * self.allocation_fraction
    }

    /// OCEAN minted at set-up.
    pub fn initial_supply(&self) -> f64 {
        self.max_supply - self.allocation_ocean()
    }

    fn check(&self) -> Result<(), String> {
        self.schedule().check()?;
        // At most 1e30 tokens: base units stay far inside 256 bits.
        within("max_supply", self.max_supply, 1.0, 1e30)?;
        within("allocation_fraction", self.allocation_fraction, 0.0, 1.0)?;
        if self.allocation_fraction == 1.0 {
            return Err(
                "allocation_fraction = 1 leaves no initial supply to price OCEAN; it must be less than 1"
                    .into(),
            );
        }
        within("ps_ratio", self.ps_ratio, 0.0, 1e6)?;
        within("speculative_usd", self.speculative_usd, 0.0, 1e18)?;
        within("speculative_growth", self.speculative_growth, -0.99, 100.0)?;
        Ok(())
    }
}

fn within(key: &str, value: f64, least: f64, most: f64) -> Result<(), String> {
    if !(least..=most).contains(&value) {
        return Err(format!("{key} = {value} must be between {least} and {most}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::WsloopTable;

    fn read(text: &str) -> Result<WsloopTable, String> {
        WsloopTable::read(Some(&toml::Value::Table(text.parse().unwrap())))
    }

    #[test]
    fn defaults_are_the_seed() {
        let table = read("").unwrap();
        assert_eq!(table, WsloopTable::default());
        assert!((table.allocation_ocean() - 719.1e6).abs() < 1e-3);
    }

    #[test]
    fn errors_name_the_key_and_range() {
        let e = read("schedule = \"linear\"").unwrap_err();
        assert!(e.contains("[wsloop]") && e.contains("ratcheted"), "{e}");
        let e = read("allocation_fraction = 1.5").unwrap_err();
        assert!(e.contains("[wsloop] allocation_fraction = 1.5 must be between 0 and 1"), "{e}");
        let e = read("ps_ratio = nan").unwrap_err();
        assert!(e.contains("ps_ratio"), "{e}");
        let e = read("half_life = 4.0").unwrap_err();
        assert!(e.contains("half_life"), "{e}");
        let e = read("halvings = -3.0").unwrap_err();
        assert!(e.contains("[wsloop] halvings"), "{e}");
    }
}
