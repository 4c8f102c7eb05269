//! The "worst attack found" criterion: one row of a [`CriteriaTable`] made
//! from the results folders of `tsp attack` (one per design), judged on the
//! attacker's profit in % of the attacked pool's value, with each design's
//! sequence shown below the table. A finding of a bounded search, never a
//! proof that no worse attack exists; the row says so.
//!
//! The core knows no protocol: what "the pool" is and how the attacker is
//! valued come from the attack's spec, recorded in its `run.json`.

use super::format::{md_escape, number};
use super::html::escape;
use super::table::{Cell, CellValue, CriteriaRow, CriteriaTable};
use super::{ReportError, Result};
use crate::models::criteria::{Criterion, Rule};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Id of the attack criterion (`criteria.csv`'s `criterion` column).
pub const WORST_ATTACK_ID: &str = "worst_attack";

/// Profit (in % of the pool's value) above which a found attack fails a design.
pub const WORST_ATTACK_LIMIT_PCT: f64 = 1.0;

/// The criterion every attack row is judged by.
pub static WORST_ATTACK: Criterion = Criterion {
    id: WORST_ATTACK_ID,
    title: "Worst attack found: the attacker's profit",
    column: "",
    unit: "% of the pool's value",
    rule: Rule::AtMost(WORST_ATTACK_LIMIT_PCT),
    explanation: "the profit, after unwinding, of the best sequence of the attacker's operations that a \
                  bounded search (`tsp attack`) found at the stated moment, in % of the attacked pool's value \
                  before the attack; pass means no attack above the threshold was found within the stated \
                  budget, not that none exists",
};

/// One step of a found sequence, as `tsp attack` traced it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackStep {
    /// The action (`@pool swap`) or an unwind step.
    pub action: String,
    /// The amount parameter, if the step has one.
    pub x: Option<f64>,
    /// The revert label, when the step reverted.
    pub reverted: Option<String>,
    /// The attacker's net worth after the step, in the numeraire.
    pub attacker_value: f64,
}

/// What one `tsp attack` results folder found.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackFinding {
    /// The results folder.
    pub dir: PathBuf,
    /// The moment attacked, as given (`1h`, `30d`).
    pub at: String,
    /// The unit of the profit.
    pub numeraire: String,
    /// The shrunk sequence's profit.
    pub profit: f64,
    /// The attacked pool, if the spec names one.
    pub pool: Option<String>,
    /// The profit in % of that pool's value before the attack.
    pub pct_of_pool: Option<f64>,
    /// The sum of every named account's loss (gains left out).
    pub victims_loss: f64,
    /// The sequence and its unwinding, step by step.
    pub steps: Vec<AttackStep>,
    /// How many of the steps are the attacker's moves (the rest unwind).
    pub moves: usize,
    /// Candidates the search evaluated.
    pub evaluated: u64,
    /// The most moves a candidate could have.
    pub horizon: u64,
}

impl AttackFinding {
    /// Read `dir/run.json` as `tsp attack` writes it.
    ///
    /// # Errors
    /// A folder without `run.json`, or one that is not an attack's.
    pub fn read(dir: &Path) -> Result<Self> {
        let json = super::table::read_run_json(dir)?;
        let bad = |what: &str| ReportError::BadRunJson {
            file: dir.join("run.json"),
            problem: format!("{what}: not the run.json of a `tsp attack` results folder"),
        };
        let profit = json["profit"].as_f64().ok_or_else(|| bad("no \"profit\""))?;
        let evaluated = json["evaluated"].as_u64().ok_or_else(|| bad("no \"evaluated\""))?;
        let trace = json["trace"].as_array().ok_or_else(|| bad("no \"trace\""))?;
        let steps = trace
            .iter()
            .map(|row| AttackStep {
                action: row["action"].as_str().unwrap_or_default().to_owned(),
                x: row["x"].as_f64(),
                reverted: row["reverted"].as_str().map(str::to_owned),
                attacker_value: row["attacker_value"].as_f64().unwrap_or(f64::NAN),
            })
            .collect();
        let victims_loss = json["losses"]
            .as_array()
            .map(|l| l.iter().filter_map(|e| e[1].as_f64()).filter(|v| *v > 0.0).sum())
            .unwrap_or(0.0);
        Ok(Self {
            dir: dir.to_owned(),
            at: json["at"].as_str().unwrap_or_default().to_owned(),
            numeraire: json["numeraire"].as_str().unwrap_or_default().to_owned(),
            profit,
            pool: json["pool"][0].as_str().map(str::to_owned),
            pct_of_pool: json["profit_pct_of_pool"].as_f64(),
            victims_loss,
            steps,
            moves: json["moves"].as_array().map_or(0, Vec::len),
            evaluated,
            horizon: json["horizon"].as_u64().unwrap_or(0),
        })
    }

    /// The cell's short text: `56.29% (583.6 USD, 3 operations)`.
    pub(crate) fn short_text(&self) -> String {
        let profit = format!("{} {}", number(self.profit), self.numeraire);
        let operations = match self.moves {
            0 => "nothing beat doing nothing".to_owned(),
            1 => "1 operation".to_owned(),
            n => format!("{n} operations"),
        };
        match self.pct_of_pool {
            Some(pct) => format!("{}% ({profit}, {operations})", number(pct)),
            None => format!("{profit} ({operations})"),
        }
    }

    /// The budget and moment, for notes: `10000 candidates, horizon 4, at 1h`.
    pub(crate) fn budget_text(&self) -> String {
        format!("{} candidates, horizon {}, at {}", self.evaluated, self.horizon, self.at)
    }

    /// One line per move (`stake pool 0, x = 0.05 → attacker holds 9500 USD`),
    /// then one for the unwinding; none when no sequence beat doing nothing.
    pub(crate) fn step_lines(&self) -> Vec<String> {
        if self.moves == 0 {
            return Vec::new();
        }
        let holds = |value: f64| format!("attacker holds {} {}", number(value), self.numeraire);
        let mut lines: Vec<String> = self.steps[..self.moves.min(self.steps.len())]
            .iter()
            .map(|step| {
                let x = step.x.map(|x| format!(", x = {}", crate::attack::format_x(x))).unwrap_or_default();
                let reverted =
                    step.reverted.as_deref().map(|r| format!(" (reverted: {r})")).unwrap_or_default();
                format!("{}{x}{reverted} → {}", step.action, holds(step.attacker_value))
            })
            .collect();
        let unwind = self.steps.get(self.moves..).unwrap_or_default();
        if let Some(last) = unwind.last() {
            let steps =
                if unwind.len() == 1 { "1 step".to_owned() } else { format!("{} steps", unwind.len()) };
            lines.push(format!("unwinding ({steps}) → {}", holds(last.attacker_value)));
        }
        lines
    }

    /// `criteria.csv`'s note: what the profit is, who lost, the sequence, the budget.
    pub(crate) fn note(&self) -> String {
        let share = match (self.pct_of_pool, &self.pool) {
            (Some(pct), Some(pool)) => format!(" = {}% of {pool}'s value before the attack", number(pct)),
            _ => String::new(),
        };
        let sequence: Vec<String> = self.step_lines();
        format!(
            "profit {} {}{share}; victims lost {} {}; {}; bounded search: {} ({})",
            number(self.profit),
            self.numeraire,
            number(self.victims_loss),
            self.numeraire,
            if sequence.is_empty() {
                "no sequence beat doing nothing".to_owned()
            } else {
                sequence.join("; ")
            },
            self.budget_text(),
            self.dir.display()
        )
    }

    fn cell(self) -> Cell {
        let verdict = self.pct_of_pool.and_then(|pct| WORST_ATTACK.rule.verdict(pct));
        Cell { value: CellValue::Attack(Box::new(self)), verdict, seeds: Vec::new() }
    }
}

impl CriteriaTable {
    /// Add the "worst attack found" row: one finding per design, in column order.
    ///
    /// # Errors
    /// A count of findings that is not the count of designs.
    pub fn with_attacks(mut self, findings: Vec<AttackFinding>) -> Result<Self> {
        if findings.len() != self.designs.len() {
            return Err(ReportError::Runs(format!(
                "{} attack results for {} designs ({}): give one per design, in the designs' order",
                findings.len(),
                self.designs.len(),
                self.designs.join(", ")
            )));
        }
        let cells = findings.into_iter().map(AttackFinding::cell).collect();
        self.rows.push(CriteriaRow { criterion: &WORST_ATTACK, cells });
        Ok(self)
    }

    /// The attack findings of the table, with their designs.
    pub(crate) fn attack_findings(&self) -> Vec<(&str, &AttackFinding)> {
        self.rows
            .iter()
            .flat_map(|row| self.designs.iter().zip(&row.cells))
            .filter_map(|(design, cell)| match &cell.value {
                CellValue::Attack(finding) => Some((design.as_str(), finding.as_ref())),
                _ => None,
            })
            .collect()
    }

    /// The sequences behind the attack row, as Markdown (empty without one).
    pub(crate) fn attacks_markdown(&self) -> String {
        let findings = self.attack_findings();
        if findings.is_empty() {
            return String::new();
        }
        let mut out = String::from(
            "\n## Worst attack found, step by step\n\nEach is the best sequence a bounded search found \
             (`tsp attack`), shrunk to the fewest, roundest steps that keep 90% of its profit; it is not \
             a proof that nothing worse exists.\n",
        );
        for (design, finding) in findings {
            let _ = writeln!(
                out,
                "\n**{}**: {}; victims lost {} {}. Budget: {} (`{}`).\n",
                md_escape(design),
                finding.short_text(),
                number(finding.victims_loss),
                finding.numeraire,
                finding.budget_text(),
                finding.dir.display()
            );
            for (index, line) in finding.step_lines().iter().enumerate() {
                let _ = writeln!(out, "{}. {}", index + 1, md_escape(line));
            }
            if finding.moves == 0 {
                out.push_str("No sequence beat doing nothing.\n");
            }
        }
        out
    }

    /// The sequences behind the attack row, as HTML (`<section id="attacks">`; empty without one).
    pub(crate) fn attacks_html(&self) -> String {
        let findings = self.attack_findings();
        if findings.is_empty() {
            return String::new();
        }
        let mut html = String::from(
            "<section id=\"attacks\">\n<h2>Worst attack found, step by step</h2>\n<p>Each is the best \
             sequence a bounded search found (<code>tsp attack</code>), shrunk to the fewest, roundest steps \
             that keep 90% of its profit; it is not a proof that nothing worse exists.</p>\n",
        );
        for (design, finding) in findings {
            let _ = writeln!(
                html,
                "<h3>{}</h3>\n<p>{}; victims lost {} {}. Budget: {} (<code>{}</code>).</p>\n<ol>",
                escape(design),
                escape(&finding.short_text()),
                number(finding.victims_loss),
                escape(&finding.numeraire),
                escape(&finding.budget_text()),
                escape(&finding.dir.display().to_string())
            );
            for line in finding.step_lines() {
                let _ = writeln!(html, "<li>{}</li>", escape(&line));
            }
            html.push_str("</ol>\n");
            if finding.moves == 0 {
                html.push_str("<p>No sequence beat doing nothing.</p>\n");
            }
        }
        html.push_str("</section>\n");
        html
    }
}
