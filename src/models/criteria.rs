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
    /// The verdict on one value: pass or FAIL; `None` when the rule does not
    /// judge or the value is not finite (not measured).
    pub fn verdict(self, value: f64) -> Option<Verdict> {
        self.verdict_interval(value, value)
    }

    /// The verdict on an interval `[lo, hi]` (a 95% confidence interval of a
    /// mean over seeds): pass when every value in it passes, FAIL when none
    /// does, inconclusive when it straddles the threshold; `None` when the
    /// rule does not judge or the interval is not finite.
    pub fn verdict_interval(self, lo: f64, hi: f64) -> Option<Verdict> {
        if !lo.is_finite() || !hi.is_finite() {
            return None;
        }
        let (all_pass, none_pass) = match self {
            Self::AtMost(limit) => (hi <= limit, lo > limit),
            Self::AtLeast(limit) => (lo >= limit, hi < limit),
            Self::Reported => return None,
        };
        Some(if all_pass {
            Verdict::Pass
        } else if none_pass {
            Verdict::Fail
        } else {
            Verdict::Inconclusive
        })
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

/// A rule's judgement of a design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Meets the threshold (every value of the interval does).
    Pass,
    /// Misses it (every value of the interval does).
    Fail,
    /// The interval straddles the threshold: more seeds may decide.
    Inconclusive,
}

impl Verdict {
    /// `pass`, `FAIL` or `inconclusive`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "FAIL",
            Self::Inconclusive => "inconclusive",
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
    /// A count of run.json (`pools`) that is 0 when a run never used its
    /// design's contracts: its simplicity is then not reported.
    pub design_used_when: Option<&'static str>,
}

impl CriteriaSet {
    /// No criteria (runs of models that define none are compared by their KPIs).
    pub const NONE: Self =
        Self { criteria: &[], design_sources: &[], activity_kpis: &[], design_used_when: None };

    /// The criterion with this id.
    pub fn criterion(&self, id: &str) -> Option<&'static Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }
}
