//! [`CriteriaTable`]: designs as columns, criteria as rows, each cell a value
//! and its verdict; from single runs or from Monte Carlo seeds (mean ± 95% CI
//! and paired differences against the first design).

use super::format::{
    diff_text, md_escape, number, plural, push_md_row, run_text, seed_list, stats_text, title_with_unit,
};
use super::simplicity::{measure_design, Simplicity};
use super::stats::{paired_differences, SeedStats};
use super::{contracts_root, ReportError, Result};
use crate::kpis::read_kpis;
use crate::models::criteria::{CriteriaSet, Criterion, SIMPLICITY_ID};
use std::path::{Path, PathBuf};

/// What a results directory says about its run (from `run.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// The results directory.
    pub dir: PathBuf,
    /// `resolved.sim.name`, if present.
    pub sim_name: Option<String>,
    /// `design` (`v3`, `v4`, `v41`), if present.
    pub design: Option<String>,
    /// `seed`, if present.
    pub seed: Option<u64>,
    /// `netlist` (the file the run came from), if present.
    pub netlist: Option<String>,
    /// `build.build` when the run used a build from disk (its path and npm package).
    pub build: Option<String>,
    /// The models the run used (`models` keys).
    pub models: Vec<String>,
}

impl RunInfo {
    /// Read `dir/run.json`; an error names the file when it is missing or not
    /// a JSON object. Absent fields are `None`.
    pub fn read(dir: &Path) -> Result<Self> {
        let file = dir.join("run.json");
        if !file.is_file() {
            return Err(ReportError::MissingFile { file, dir: dir.to_owned(), what: "run description" });
        }
        let text = std::fs::read_to_string(&file).map_err(|source| ReportError::Io {
            file: file.clone(),
            action: "read",
            source,
        })?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| ReportError::BadRunJson { file: file.clone(), problem: e.to_string() })?;
        if !json.is_object() {
            return Err(ReportError::BadRunJson { file, problem: "expected a JSON object".to_owned() });
        }
        let text_at = |pointer: &str| json.pointer(pointer).and_then(|v| v.as_str()).map(str::to_owned);
        Ok(Self {
            dir: dir.to_owned(),
            sim_name: text_at("/resolved/sim/name"),
            design: text_at("/design"),
            seed: json.get("seed").and_then(serde_json::Value::as_u64),
            netlist: text_at("/netlist"),
            build: text_at("/build/build"),
            models: json
                .get("models")
                .and_then(serde_json::Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
        })
    }

    /// The run's label: its simulation name, else the directory's name.
    pub fn label(&self) -> String {
        self.sim_name.clone().unwrap_or_else(|| {
            self.dir
                .file_name()
                .map_or_else(|| self.dir.display().to_string(), |n| n.to_string_lossy().into())
        })
    }
}

/// A cell's content.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// Not measured; the reason (shown as `n/a`).
    Missing(String),
    /// One run's value.
    Value(f64),
    /// Monte Carlo statistics over seeds.
    Seeds(SeedStats),
    /// The simplicity measurement.
    Simplicity(Simplicity),
}

/// One design's result on one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The value.
    pub value: CellValue,
    /// `Some(true)` pass, `Some(false)` fail, `None` not judged.
    pub pass: Option<bool>,
}

impl Cell {
    /// `value (pass|FAIL)`, `mean ± ci (pass|FAIL)`, or `n/a`.
    pub fn text(&self) -> String {
        let value = match &self.value {
            CellValue::Missing(_) => return "n/a".to_owned(),
            CellValue::Value(v) => number(*v),
            CellValue::Seeds(stats) => stats_text(stats),
            CellValue::Simplicity(s) => s.text(),
        };
        match self.pass {
            Some(true) => format!("{value} (pass)"),
            Some(false) => format!("{value} (FAIL)"),
            None => value,
        }
    }
}

/// One criterion across designs.
#[derive(Debug, Clone, PartialEq)]
pub struct CriteriaRow {
    /// The criterion.
    pub criterion: &'static Criterion,
    /// One cell per design, in column order.
    pub cells: Vec<Cell>,
}

/// Paired differences of one criterion: each design after the first minus
/// the first, over the seeds both measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedRow {
    /// The criterion.
    pub criterion: &'static Criterion,
    /// One entry per design after the first.
    pub diffs: Vec<SeedStats>,
}

/// Designs scored against a model's criteria.
#[derive(Debug, Clone)]
pub struct CriteriaTable {
    /// The criteria scored.
    pub set: &'static CriteriaSet,
    /// Column labels, one per design.
    pub designs: Vec<String>,
    /// One per design: its run (the first seed's, in Monte Carlo mode).
    pub runs: Vec<RunInfo>,
    /// One row per criterion, in the set's order.
    pub rows: Vec<CriteriaRow>,
    /// Seeds of a Monte Carlo table; empty for single runs.
    pub seeds: Vec<u64>,
    /// Paired differences (Monte Carlo only), one row per KPI criterion.
    pub paired: Vec<PairedRow>,
}

/// One run's criterion values, read from its results directory.
struct RunValues {
    info: RunInfo,
    /// Per criterion of the set: the value or why there is none.
    values: Vec<std::result::Result<f64, String>>,
}

fn read_run(set: &CriteriaSet, dir: &Path) -> Result<RunValues> {
    let info = RunInfo::read(dir)?;
    let csv = dir.join("kpis.csv");
    if !csv.is_file() {
        return Err(ReportError::MissingFile { file: csv, dir: dir.to_owned(), what: "KPI table" });
    }
    let table = read_kpis(&csv)?;
    let values = set
        .criteria
        .iter()
        .map(|c| match table.column(c.column) {
            _ if c.id == SIMPLICITY_ID => Err("measured from sources".to_owned()),
            None => Err(format!("no column {} in {}", c.column, csv.display())),
            Some(values) => match values.last() {
                None => Err(format!("{} has no rows", csv.display())),
                Some(v) if !v.is_finite() => Err(format!("{} is {v} in the last row", c.column)),
                Some(&v) => Ok(v),
            },
        })
        .collect();
    Ok(RunValues { info, values })
}

fn simplicity_cell(set: &CriteriaSet, info: &RunInfo) -> Cell {
    let value = match &info.design {
        // The sources measured are the project's; a build from disk has its own.
        _ if info.build.is_some() => CellValue::Missing(format!(
            "not measured: the run used the build {}",
            info.build.as_deref().unwrap_or_default()
        )),
        None => CellValue::Missing(format!("no \"design\" in {}", info.dir.join("run.json").display())),
        Some(design) => match measure_design(&contracts_root(), set.design_sources, design) {
            Ok(Some(s)) => CellValue::Simplicity(s),
            Ok(None) => CellValue::Missing(format!("unknown design {design:?}")),
            Err(e) => CellValue::Missing(e.to_string()),
        },
    };
    Cell { value, pass: None }
}

impl CriteriaTable {
    /// Score single runs, `(label, results directory)`, one column each.
    pub fn from_runs(set: &'static CriteriaSet, runs: &[(String, PathBuf)]) -> Result<Self> {
        if runs.is_empty() {
            return Err(ReportError::Runs("no runs to compare".to_owned()));
        }
        let read: Vec<RunValues> = runs.iter().map(|(_, dir)| read_run(set, dir)).collect::<Result<_>>()?;
        let rows = set
            .criteria
            .iter()
            .enumerate()
            .map(|(index, criterion)| CriteriaRow {
                criterion,
                cells: read
                    .iter()
                    .map(|run| match (&run.values[index], criterion.id) {
                        (_, SIMPLICITY_ID) => simplicity_cell(set, &run.info),
                        (Ok(v), _) => Cell { value: CellValue::Value(*v), pass: criterion.rule.verdict(*v) },
                        (Err(why), _) => Cell { value: CellValue::Missing(why.clone()), pass: None },
                    })
                    .collect(),
            })
            .collect();
        Ok(Self {
            set,
            designs: runs.iter().map(|(label, _)| label.clone()).collect(),
            runs: read.into_iter().map(|r| r.info).collect(),
            rows,
            seeds: Vec::new(),
            paired: Vec::new(),
        })
    }

    /// Score Monte Carlo runs: per design `(label, [(seed, results directory)])`.
    /// Cells hold mean ± 95% CI over seeds; paired differences compare every
    /// design with the first on the seeds both ran.
    pub fn from_seeds(set: &'static CriteriaSet, designs: &[(String, Vec<(u64, PathBuf)>)]) -> Result<Self> {
        if designs.is_empty() {
            return Err(ReportError::Runs("no designs to compare".to_owned()));
        }
        let mut per_design: Vec<Vec<(u64, RunValues)>> = Vec::with_capacity(designs.len());
        for (label, runs) in designs {
            if runs.is_empty() {
                return Err(ReportError::Runs(format!("design {label} has no seeds")));
            }
            per_design.push(
                runs.iter().map(|(seed, dir)| Ok((*seed, read_run(set, dir)?))).collect::<Result<_>>()?,
            );
        }
        let mut seeds: Vec<u64> = per_design.iter().flatten().map(|(seed, _)| *seed).collect();
        seeds.sort_unstable();
        seeds.dedup();
        let series = |design: &[(u64, RunValues)], index: usize| -> Vec<(u64, f64)> {
            design
                .iter()
                .map(|(seed, run)| (*seed, *run.values[index].as_ref().unwrap_or(&f64::NAN)))
                .collect()
        };
        let mut rows = Vec::with_capacity(set.criteria.len());
        let mut paired = Vec::new();
        for (index, criterion) in set.criteria.iter().enumerate() {
            if criterion.id == SIMPLICITY_ID {
                let cells = per_design.iter().map(|runs| simplicity_cell(set, &runs[0].1.info)).collect();
                rows.push(CriteriaRow { criterion, cells });
                continue;
            }
            let cells = per_design
                .iter()
                .map(|runs| {
                    let values: Vec<f64> = series(runs, index).into_iter().map(|(_, v)| v).collect();
                    let stats = SeedStats::of(&values);
                    if stats.n == 0 {
                        let why = runs[0].1.values[index].clone().err().unwrap_or_default();
                        Cell { value: CellValue::Missing(why), pass: None }
                    } else {
                        Cell { value: CellValue::Seeds(stats), pass: criterion.rule.verdict(stats.mean) }
                    }
                })
                .collect();
            rows.push(CriteriaRow { criterion, cells });
            let first = series(&per_design[0], index);
            let diffs = per_design[1..].iter().map(|runs| paired_differences(&first, &series(runs, index)));
            paired.push(PairedRow { criterion, diffs: diffs.collect() });
        }
        Ok(Self {
            set,
            designs: designs.iter().map(|(label, _)| label.clone()).collect(),
            runs: per_design.into_iter().map(|mut runs| runs.swap_remove(0).1.info).collect(),
            rows,
            seeds,
            paired,
        })
    }

    /// Whether this is a Monte Carlo table.
    pub fn is_monte_carlo(&self) -> bool {
        !self.seeds.is_empty()
    }

    /// Header of the paired-difference columns: `b − a`.
    pub fn paired_headers(&self) -> Vec<String> {
        self.designs.iter().skip(1).map(|d| format!("{d} − {}", self.designs[0])).collect()
    }

    /// The table, paired differences (Monte Carlo), criteria definitions and
    /// runs, as Markdown (sections start at `##`).
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if self.is_monte_carlo() {
            out.push_str(&format!(
                "Monte Carlo over {} ({}), the same seeds for every design: mean ± half width \
                 of the 95% confidence interval (Student's t); pass/fail judges the mean.\n\n",
                plural(self.seeds.len(), "seed"),
                seed_list(&self.seeds)
            ));
        }
        let header: Vec<String> = ["criterion", "threshold"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain(self.designs.iter().map(|d| md_escape(d)))
            .collect();
        push_md_row(&mut out, &header);
        push_md_row(&mut out, &vec!["---".to_owned(); header.len()]);
        for row in &self.rows {
            let mut cells =
                vec![md_escape(&title_with_unit(row.criterion)), row.criterion.rule.threshold_text()];
            cells.extend(row.cells.iter().map(Cell::text));
            push_md_row(&mut out, &cells);
        }
        if self.is_monte_carlo() && self.designs.len() > 1 {
            out.push_str(&format!(
                "\n## Paired differences against {}\n\nSame seeds for both designs (common random \
                 numbers): mean difference ± 95% CI; `*` marks an interval that excludes 0.\n\n",
                md_escape(&self.designs[0])
            ));
            let mut header = vec!["criterion".to_owned()];
            header.extend(self.paired_headers().iter().map(|h| md_escape(h)));
            push_md_row(&mut out, &header);
            push_md_row(&mut out, &vec!["---".to_owned(); header.len()]);
            for row in &self.paired {
                let mut cells = vec![md_escape(&title_with_unit(row.criterion))];
                cells.extend(row.diffs.iter().map(diff_text));
                push_md_row(&mut out, &cells);
            }
        }
        out.push_str("\n## How each criterion is measured\n\n");
        for c in self.set.criteria {
            let column = if c.column.is_empty() { String::new() } else { format!(" (`{}`)", c.column) };
            out.push_str(&format!("- **{}**{column}: {}.\n", c.id, c.explanation));
        }
        out.push_str("\n## Runs\n\n");
        for (label, run) in self.designs.iter().zip(&self.runs) {
            out.push_str(&format!("- **{}**: {}\n", md_escape(label), run_text(run)));
        }
        out
    }

    /// The table as CSV: `criterion,column,unit,threshold`, one column per
    /// design (cell text as in Markdown), then the paired differences in
    /// Monte Carlo mode.
    pub fn to_csv(&self) -> Result<String> {
        let io = |e: csv::Error| ReportError::Runs(format!("cannot format CSV: {e}"));
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> =
            ["criterion", "column", "unit", "threshold"].iter().map(|s| (*s).to_owned()).collect();
        header.extend(self.designs.iter().cloned());
        let monte_carlo_diffs = self.is_monte_carlo() && self.designs.len() > 1;
        if monte_carlo_diffs {
            header.extend(self.paired_headers());
        }
        writer.write_record(&header).map_err(io)?;
        for row in &self.rows {
            let c = row.criterion;
            let mut record =
                vec![c.id.to_owned(), c.column.to_owned(), c.unit.to_owned(), c.rule.threshold_ascii()];
            record.extend(row.cells.iter().map(|cell| cell.text().replace('±', "+/-")));
            if monte_carlo_diffs {
                let paired = self.paired.iter().find(|p| p.criterion.id == c.id);
                for index in 0..self.designs.len() - 1 {
                    let text = paired.map_or_else(String::new, |p| diff_text(&p.diffs[index]));
                    record.push(text.replace('±', "+/-"));
                }
            }
            writer.write_record(&record).map_err(io)?;
        }
        let bytes = writer.into_inner().map_err(|e| ReportError::Runs(format!("cannot format CSV: {e}")))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}
