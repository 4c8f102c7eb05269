//! The seed's design criteria (`ocean.md`) as data: which KPI column measures
//! each one, its unit, and the rule that says pass or fail.

/// Id of the one criterion measured from Solidity sources, not from a KPI.
pub const SIMPLICITY_ID: &str = "simplicity";

/// How a criterion's value is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// Passes when the value is at most the threshold.
    AtMost(f64),
    /// Passes when the value is at least the threshold.
    AtLeast(f64),
    /// Reported, not judged.
    Reported,
}

impl Rule {
    /// `Some(true)` for a pass, `Some(false)` for a fail, `None` when the rule
    /// does not judge or the value is not finite (not measured).
    pub fn verdict(self, value: f64) -> Option<bool> {
        if !value.is_finite() {
            return None;
        }
        match self {
            Self::AtMost(limit) => Some(value <= limit),
            Self::AtLeast(limit) => Some(value >= limit),
            Self::Reported => None,
        }
    }

    /// The threshold as text: `≤ 1`, `≥ 0`, `reported`.
    pub fn threshold_text(self) -> String {
        match self {
            Self::AtMost(limit) => format!("≤ {limit}"),
            Self::AtLeast(limit) => format!("≥ {limit}"),
            Self::Reported => "reported".to_owned(),
        }
    }

    /// The threshold as plain ASCII (for CSV): `<= 1`, `>= 0`, `reported`.
    pub fn threshold_ascii(self) -> String {
        match self {
            Self::AtMost(limit) => format!("<= {limit}"),
            Self::AtLeast(limit) => format!(">= {limit}"),
            Self::Reported => "reported".to_owned(),
        }
    }
}

/// One design criterion and how it is measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Criterion {
    /// Short stable id (`opening_spike`).
    pub id: &'static str,
    /// What the criterion asks, as in `ocean.md`.
    pub title: &'static str,
    /// The KPI column in `kpis.csv` whose last row is the value (empty for
    /// [`SIMPLICITY_ID`], which is measured from the design's sources).
    pub column: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// Pass/fail rule.
    pub rule: Rule,
    /// How the value is measured, in one sentence.
    pub explanation: &'static str,
}

/// Every criterion, in report order.
pub const CRITERIA: &[Criterion] = &[
    Criterion {
        id: SIMPLICITY_ID,
        title: "Simple to understand and implement",
        column: "",
        unit: "contracts, lines, functions",
        rule: Rule::Reported,
        explanation: "contract, library and interface definitions; Solidity lines that are neither blank \
                      nor comment; external or public functions with a body; over the design's sources \
                      in contracts/ (from run.json's \"design\")",
    },
    Criterion {
        id: "stake_price_move",
        title: "No large price swings when people just stake OCEAN",
        column: "criteria.stake_price_move_pct",
        unit: "%",
        rule: Rule::AtMost(1.0),
        explanation: "mean over the 10 newest live pools of the |DT price change| caused by a probe stake of 10% of the \
                      pool's OCEAN (in a what-if that commits nothing)",
    },
    Criterion {
        id: "opening_spike",
        title: "No price spikes at the beginning",
        column: "criteria.opening_spike",
        unit: "× opening price",
        rule: Rule::AtMost(1.5),
        explanation: "mean over pools of the highest DT price during a pool's first 3 days divided by its \
                      opening price",
    },
    Criterion {
        id: "equilibrium_volatility",
        title: "No price spikes in equilibrium",
        column: "criteria.equilibrium_volatility",
        unit: "std of daily log returns",
        rule: Rule::AtMost(0.05),
        explanation: "standard deviation of the daily log returns of DT prices of pools older than 14 days",
    },
    Criterion {
        id: "rug_staker_loss",
        title: "No risk of exit scam after the IDO",
        column: "criteria.rug_staker_loss_pct",
        unit: "% of stake",
        rule: Rule::AtMost(10.0),
        explanation: "stakers' loss, in % of their stake's value just before, when the malicious publisher \
                      exits",
    },
    Criterion {
        id: "publisher_incentive",
        title: "Good incentive for the publisher to publish",
        column: "criteria.publisher_net_worth_change_ocean",
        unit: "OCEAN",
        rule: Rule::AtLeast(0.0),
        explanation: "honest publishers' net worth change in OCEAN since the start",
    },
    Criterion {
        id: "swap_consume_ratio",
        title: "Swap volume tied to consumption",
        column: "criteria.swap_consume_ratio",
        unit: "ratio",
        rule: Rule::AtMost(10.0),
        explanation: "cumulative swap volume divided by cumulative consume volume (both in OCEAN)",
    },
    Criterion {
        id: "price_consume_tie",
        title: "Price tied to consumption",
        column: "criteria.price_consume_correlation",
        unit: "correlation",
        rule: Rule::AtLeast(0.5),
        explanation: "correlation across live pools between ln(DT price) and ln(1 + consumes)",
    },
];

/// The criterion with this id.
pub fn criterion(id: &str) -> Option<&'static Criterion> {
    CRITERIA.iter().find(|c| c.id == id)
}
