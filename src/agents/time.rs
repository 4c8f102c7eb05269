//! Simulated durations written with units: `"90s"`, `"15m"`, `"1h"`, `"7d"`,
//! `"2w"`, `"1y"` (365 days).

use serde::{Deserialize, Deserializer};
use std::fmt;

/// A span of simulated time, in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimDuration {
    /// Seconds in a year (`"1y"`: 365 days).
    pub const YEAR_SECONDS: u64 = 31_536_000;

    /// Seconds.
    pub fn seconds(self) -> u64 {
        self.0
    }

    /// Parse `"<number><unit>"`; units s, m, h, d, w, y. Zero is allowed
    /// here; callers that need a positive span check it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let value: f64 = number.parse().map_err(|_| {
            format!("duration {text:?}: expected a number then a unit, e.g. \"1h\" or \"365d\"")
        })?;
        let unit_seconds = match unit.trim() {
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3_600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            "y" => 31_536_000.0,
            "" => return Err(format!("duration {text:?} has no unit; use s, m, h, d, w or y")),
            other => {
                return Err(format!("duration {text:?}: unknown unit {other:?}; use s, m, h, d, w or y"))
            }
        };
        let seconds = value * unit_seconds;
        if !seconds.is_finite() || !(0.0..=1e15).contains(&seconds) || seconds.fract() != 0.0 {
            return Err(format!("duration {text:?} is not a whole number of seconds in range"));
        }
        Ok(Self(seconds as u64))
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        match s {
            0 => write!(f, "0s"),
            _ if s.is_multiple_of(86_400) => write!(f, "{}d", s / 86_400),
            _ if s.is_multiple_of(3_600) => write!(f, "{}h", s / 3_600),
            _ if s.is_multiple_of(60) => write!(f, "{}m", s / 60),
            _ => write!(f, "{s}s"),
        }
    }
}

impl<'de> Deserialize<'de> for SimDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for SimDuration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_rejects_junk() {
        assert_eq!(SimDuration::parse("1h"), Ok(SimDuration(3_600)));
        assert_eq!(SimDuration::parse("365d"), Ok(SimDuration(31_536_000)));
        assert_eq!(SimDuration::parse("1.5h"), Ok(SimDuration(5_400)));
        assert_eq!(SimDuration::parse("2w").unwrap().to_string(), "14d");
        for bad in ["", "h", "10", "5x", "-1d", "1e999d", "0.5s", "NaNd"] {
            assert!(SimDuration::parse(bad).is_err(), "{bad:?}");
        }
    }
}
