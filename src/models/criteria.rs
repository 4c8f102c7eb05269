//! Criteria as data: the questions a model asks of a design, which KPI
//! column measures each one, its unit, and the rule that says pass or fail.
//! A model lists its criteria in a [`CriteriaSet`]; `tsp compare` and the
//! reports score runs against the set of the model they ran.

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
    /// What the criterion asks.
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

/// A model's criteria and what measuring them needs.
#[derive(Debug)]
pub struct CriteriaSet {
    /// Every criterion, in report order.
    pub criteria: &'static [Criterion],
    /// The Solidity files of each design, as patterns under `contracts/`
    /// (`*` matches within a file name), for the [`SIMPLICITY_ID`] criterion.
    pub design_sources: &'static [(&'static str, &'static [&'static str])],
    /// KPI columns `tsp compare` charts beside the criteria columns.
    pub activity_kpis: &'static [&'static str],
}

impl CriteriaSet {
    /// No criteria (runs of models that define none are compared by their KPIs).
    pub const NONE: Self = Self { criteria: &[], design_sources: &[], activity_kpis: &[] };

    /// The criterion with this id.
    pub fn criterion(&self, id: &str) -> Option<&'static Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }
}
