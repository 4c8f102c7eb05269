//! A [`CriteriaTable`] as numbers for pandas and polars: `criteria.csv`
//! (one row per criterion and design: mean, half width, interval, seeds,
//! verdict), `criteria_seeds.csv` (one row per criterion, design and seed)
//! and `criteria_paired.csv` (each design minus the first, per criterion).
//! Numbers are written in full (shortest round-trip form); a missing value
//! is an empty field.

use super::table::{CellValue, CriteriaTable};
use super::{ReportError, Result};
use crate::models::criteria::Rule;

fn write(rows: Vec<Vec<String>>) -> Result<String> {
    let failed = |e: String| ReportError::Runs(format!("cannot format CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(&row).map_err(|e| failed(e.to_string()))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(e.to_string()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn num(value: f64) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        String::new()
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// `at_most` / `at_least` / `reported` and the threshold.
fn rule_fields(rule: Rule) -> [String; 2] {
    match rule {
        Rule::AtMost(limit) => ["at_most".to_owned(), num(limit)],
        Rule::AtLeast(limit) => ["at_least".to_owned(), num(limit)],
        Rule::Reported => ["reported".to_owned(), String::new()],
    }
}

impl CriteriaTable {
    /// `criteria.csv`: `criterion, column, unit, rule, threshold, design, n,
    /// mean, half_width, lo, hi, verdict, note`. A single run has `n` 1 and
    /// no interval; `note` says why a value is missing, or holds the
    /// simplicity measurement.
    pub fn to_csv(&self) -> Result<String> {
        let mut rows = vec![strings(&[
            "criterion",
            "column",
            "unit",
            "rule",
            "threshold",
            "design",
            "n",
            "mean",
            "half_width",
            "lo",
            "hi",
            "verdict",
            "note",
        ])];
        for row in &self.rows {
            let c = row.criterion;
            for (design, cell) in self.designs.iter().zip(&row.cells) {
                let [rule, threshold] = rule_fields(c.rule);
                let mut record =
                    vec![c.id.to_owned(), c.column.to_owned(), c.unit.to_owned(), rule, threshold];
                record.push(design.clone());
                let (n, mean, half, note) = match &cell.value {
                    CellValue::Missing(why) => (0, f64::NAN, f64::NAN, why.clone()),
                    CellValue::Value(v) => (1, *v, f64::NAN, String::new()),
                    CellValue::Seeds(stats) => (stats.n, stats.mean, stats.ci95_half_width, String::new()),
                    CellValue::Simplicity(s) => (0, f64::NAN, f64::NAN, s.text()),
                    CellValue::Attack(finding) => {
                        (1, finding.pct_of_pool.unwrap_or(f64::NAN), f64::NAN, finding.note())
                    }
                };
                record.extend([n.to_string(), num(mean), num(half), num(mean - half), num(mean + half)]);
                record.push(cell.verdict.map_or("", |v| v.label()).to_owned());
                record.push(note);
                rows.push(record);
            }
        }
        write(rows)
    }

    /// `criteria_seeds.csv` (Monte Carlo): `criterion, design, seed, value`,
    /// one row per criterion, design and seed; the value is empty where the
    /// seed did not measure it.
    pub fn to_seeds_csv(&self) -> Result<String> {
        let mut rows = vec![strings(&["criterion", "design", "seed", "value"])];
        for row in &self.rows {
            for (design, cell) in self.designs.iter().zip(&row.cells) {
                for (seed, value) in &cell.seeds {
                    rows.push(vec![
                        row.criterion.id.to_owned(),
                        design.clone(),
                        seed.to_string(),
                        num(*value),
                    ]);
                }
            }
        }
        write(rows)
    }

    /// `criteria_paired.csv` (Monte Carlo): `criterion, design, baseline, n,
    /// mean_difference, half_width, lo, hi, excludes_zero`: each design
    /// after the first minus the first, on the seeds both measured.
    pub fn to_paired_csv(&self) -> Result<String> {
        let mut rows = vec![strings(&[
            "criterion",
            "design",
            "baseline",
            "n",
            "mean_difference",
            "half_width",
            "lo",
            "hi",
            "excludes_zero",
        ])];
        for paired in &self.paired {
            for (design, diff) in self.designs.iter().skip(1).zip(&paired.diffs) {
                let half = diff.ci95_half_width;
                rows.push(vec![
                    paired.criterion.id.to_owned(),
                    design.clone(),
                    self.designs[0].clone(),
                    diff.n.to_string(),
                    num(diff.mean),
                    num(half),
                    num(diff.mean - half),
                    num(diff.mean + half),
                    diff.excludes_zero().to_string(),
                ]);
            }
        }
        write(rows)
    }
}
