//! [`CriteriaTable`]: designs as columns, criteria as rows, each cell a value
//! and its verdict; from single runs or from Monte Carlo seeds (mean ± 95% CI
//! and paired differences against the first design).

use super::format::{
    diff_text, md_escape, number, plural, push_md_row, run_text, seed_list, stats_text, title_with_unit,
};
use super::simplicity::{measure_design, measure_source, Simplicity};
use super::stats::{paired_differences, SeedStats};
use super::{contracts_root, ReportError, Result};
use crate::kpis::read_kpis_where;
use crate::models::criteria::{CriteriaSet, Criterion, Verdict, SIMPLICITY_ID};
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
    /// `build.path`: that build's folder or file.
    pub build_path: Option<String>,
    /// The contracts the build's roles named (`build.roles` values).
    pub build_contracts: Vec<String>,
    /// The models the run used (`models` keys).
    pub models: Vec<String>,
    /// Whole-number counts at the top of run.json (`pools`, `reverts`, ...).
    pub counts: std::collections::BTreeMap<String, u64>,
}

impl RunInfo {
    /// Read `dir/run.json`; an error names the file when it is missing or not
    /// a JSON object. Absent fields are `None`.
    pub fn read(dir: &Path) -> Result<Self> {
        Ok(Self::from_json(dir, &read_run_json(dir)?))
    }

    /// What `json` (the run.json of `dir`) says; absent fields are `None`.
    pub(crate) fn from_json(dir: &Path, json: &serde_json::Value) -> Self {
        let text_at = |pointer: &str| json.pointer(pointer).and_then(|v| v.as_str()).map(str::to_owned);
        Self {
            dir: dir.to_owned(),
            sim_name: text_at("/resolved/sim/name"),
            design: text_at("/design"),
            seed: json.get("seed").and_then(serde_json::Value::as_u64),
            netlist: text_at("/netlist"),
            build: None,
            build_path: None,
            build_contracts: Vec::new(),
            models: json
                .get("models")
                .and_then(serde_json::Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
            counts: json
                .as_object()
                .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_u64()?))).collect())
                .unwrap_or_default(),
        }
        .with_build(json)
    }

    /// Take `build.build`, `build.path` and `build.roles` from `json` (a
    /// run.json, or a model's manifest with the same `build` object).
    pub fn with_build(mut self, json: &serde_json::Value) -> Self {
        let text_at = |pointer: &str| json.pointer(pointer).and_then(|v| v.as_str()).map(str::to_owned);
        self.build = text_at("/build/build");
        self.build_path = text_at("/build/path");
        self.build_contracts = json
            .pointer("/build/roles")
            .and_then(serde_json::Value::as_object)
            .map(|roles| roles.values().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        self
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

/// `dir/run.json` as JSON; an error names the file when it is missing,
/// unreadable or not a JSON object.
pub(crate) fn read_run_json(dir: &Path) -> Result<serde_json::Value> {
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
    Ok(json)
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
    /// What a bounded attack search found (`tsp attack`).
    Attack(Box<super::attack_row::AttackFinding>),
}

/// One design's result on one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The value.
    pub value: CellValue,
    /// pass, FAIL or inconclusive; `None` not judged.
    pub verdict: Option<Verdict>,
    /// Monte Carlo: the value on each seed (NaN where not measured).
    pub seeds: Vec<(u64, f64)>,
}

impl Cell {
    /// `value (pass|FAIL)`, `mean ± ci (pass|FAIL|inconclusive)`, or `n/a`.
    pub fn text(&self) -> String {
        let value = match &self.value {
            CellValue::Missing(_) => return "n/a".to_owned(),
            CellValue::Value(v) => number(*v),
            CellValue::Seeds(stats) => stats_text(stats),
            CellValue::Simplicity(s) => s.text(),
            CellValue::Attack(finding) => finding.short_text(),
        };
        match self.verdict {
            Some(verdict) => format!("{value} ({})", verdict.label()),
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

/// The verdict on a mean over seeds: its whole 95% interval judged; with one
/// seed there is no interval, so a judged criterion is inconclusive.
pub fn interval_verdict(criterion: &Criterion, stats: &SeedStats) -> Option<Verdict> {
    let half = stats.ci95_half_width;
    if half.is_finite() {
        criterion.rule.verdict_interval(stats.mean - half, stats.mean + half)
    } else {
        criterion.rule.verdict(stats.mean).map(|_| Verdict::Inconclusive)
    }
}

/// One design's Monte Carlo values, for [`CriteriaTable::from_seed_values`].
#[derive(Debug, Clone)]
pub struct DesignSeeds {
    /// Column label.
    pub label: String,
    /// Its first run's description (design, build, netlist).
    pub info: RunInfo,
    /// Per seed, per criterion of the set: the value or why there is none.
    pub values: Vec<(u64, Vec<std::result::Result<f64, String>>)>,
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
    if !crate::kpis::has_kpis(dir) {
        return Err(ReportError::MissingFile { file: csv, dir: dir.to_owned(), what: "KPI table" });
    }
    // Only the criteria's columns: a long run's whole table is ~100 MB.
    let table = read_kpis_where(&csv, &|column| set.criteria.iter().any(|c| c.column == column))?;
    let values = criteria_values(set, &table, &csv.display().to_string());
    Ok(RunValues { info, values })
}

/// The last row's value of each criterion of `set` in `table` (read from
/// `source`, named in the reasons for a missing value).
pub fn criteria_values(
    set: &CriteriaSet,
    table: &crate::kpis::KpiTable,
    source: &str,
) -> Vec<std::result::Result<f64, String>> {
    set.criteria
        .iter()
        .map(|c| match table.column(c.column) {
            _ if c.id == SIMPLICITY_ID => Err("measured from sources".to_owned()),
            None => Err(format!("no column {} in {source}", c.column)),
            Some(values) => match values.last() {
                None => Err(format!("{source} has no rows")),
                Some(v) if !v.is_finite() => Err(format!("{} is {v} in the last row", c.column)),
                Some(&v) => Ok(v),
            },
        })
        .collect()
}

/// Simplicity of the contracts a run's build from disk ran, from the
/// sources the build carries (embedded in artifacts or recorded by `tsp build`).
fn measure_build(info: &RunInfo) -> CellValue {
    let shown = info.build.as_deref().unwrap_or_default();
    let Some(path) = &info.build_path else {
        return CellValue::Missing(format!("not measured: run.json does not give the path of {shown}"));
    };
    let names: Vec<&str> = info.build_contracts.iter().map(String::as_str).collect();
    let sources = crate::artifacts::Build::open(path)
        .map_err(|e| e.to_string())
        .and_then(|build| crate::artifacts::contract_sources(&build, &names));
    match sources {
        Ok(sources) if !sources.is_empty() => {
            let mut total = Simplicity::default();
            sources.values().for_each(|text| total.add(measure_source(text)));
            CellValue::Simplicity(total)
        }
        Ok(_) => CellValue::Missing(format!("not measured: no role contracts in {shown}")),
        Err(e) => CellValue::Missing(format!("not measured ({shown}): {e}")),
    }
}

fn simplicity_cell(set: &CriteriaSet, info: &RunInfo) -> Cell {
    // Deployed but never used (a netlist of grants has no pools).
    if let Some(count) = set.design_used_when.filter(|count| info.counts.get(*count) == Some(&0)) {
        let value =
            CellValue::Missing(format!("no {count} in this run: its design's contracts were not used"));
        return Cell { value, verdict: None, seeds: Vec::new() };
    }
    let value = match &info.design {
        // A build from disk is measured from the sources it carries.
        _ if info.build.is_some() => measure_build(info),
        None => CellValue::Missing(format!("no \"design\" in {}", info.dir.join("run.json").display())),
        Some(design) => match measure_design(&contracts_root(), set.design_sources, design) {
            Ok(Some(s)) => CellValue::Simplicity(s),
            Ok(None) => CellValue::Missing(format!("unknown design {design:?}")),
            Err(e) => CellValue::Missing(e.to_string()),
        },
    };
    Cell { value, verdict: None, seeds: Vec::new() }
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
                        (Ok(v), _) => Cell {
                            value: CellValue::Value(*v),
                            verdict: criterion.rule.verdict(*v),
                            seeds: Vec::new(),
                        },
                        (Err(why), _) => {
                            Cell { value: CellValue::Missing(why.clone()), verdict: None, seeds: Vec::new() }
                        }
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
        let mut read = Vec::with_capacity(designs.len());
        for (label, runs) in designs {
            let first =
                runs.first().ok_or_else(|| ReportError::Runs(format!("design {label} has no seeds")))?;
            let info = RunInfo::read(&first.1)?;
            let values = runs
                .iter()
                .map(|(seed, dir)| Ok((*seed, read_run(set, dir)?.values)))
                .collect::<Result<_>>()?;
            read.push(DesignSeeds { label: label.clone(), info, values });
        }
        Self::from_seed_values(set, read)
    }

    /// Score Monte Carlo values: per design, its first run's description and
    /// per seed the value of each criterion of `set` (in the set's order).
    pub fn from_seed_values(set: &'static CriteriaSet, designs: Vec<DesignSeeds>) -> Result<Self> {
        if designs.is_empty() {
            return Err(ReportError::Runs("no designs to compare".to_owned()));
        }
        if let Some(empty) = designs.iter().find(|d| d.values.is_empty()) {
            return Err(ReportError::Runs(format!("design {} has no seeds", empty.label)));
        }
        let mut seeds: Vec<u64> =
            designs.iter().flat_map(|d| d.values.iter().map(|(seed, _)| *seed)).collect();
        seeds.sort_unstable();
        seeds.dedup();
        let series = |design: &DesignSeeds, index: usize| -> Vec<(u64, f64)> {
            design
                .values
                .iter()
                .map(|(seed, values)| (*seed, *values[index].as_ref().unwrap_or(&f64::NAN)))
                .collect()
        };
        let mut rows = Vec::with_capacity(set.criteria.len());
        let mut paired = Vec::new();
        for (index, criterion) in set.criteria.iter().enumerate() {
            if criterion.id == SIMPLICITY_ID {
                let cells = designs.iter().map(|d| simplicity_cell(set, &d.info)).collect();
                rows.push(CriteriaRow { criterion, cells });
                continue;
            }
            let cells = designs
                .iter()
                .map(|design| {
                    let per_seed = series(design, index);
                    let values: Vec<f64> = per_seed.iter().map(|(_, v)| *v).collect();
                    let stats = SeedStats::of(&values);
                    if stats.n == 0 {
                        let why = design.values[0].1[index].clone().err().unwrap_or_default();
                        Cell { value: CellValue::Missing(why), verdict: None, seeds: per_seed }
                    } else {
                        let verdict = interval_verdict(criterion, &stats);
                        Cell { value: CellValue::Seeds(stats), verdict, seeds: per_seed }
                    }
                })
                .collect();
            rows.push(CriteriaRow { criterion, cells });
            let first = series(&designs[0], index);
            let diffs = designs[1..].iter().map(|d| paired_differences(&first, &series(d, index)));
            paired.push(PairedRow { criterion, diffs: diffs.collect() });
        }
        Ok(Self {
            set,
            designs: designs.iter().map(|d| d.label.clone()).collect(),
            runs: designs.into_iter().map(|d| d.info).collect(),
            rows,
            seeds,
            paired,
        })
    }

    /// The criteria of the rows, in order (the set's, then any added row).
    pub fn criteria(&self) -> impl Iterator<Item = &'static Criterion> + '_ {
        self.rows.iter().map(|row| row.criterion)
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
                 of the 95% confidence interval (Student's t); pass when the whole interval meets the \
                 threshold, FAIL when none of it does, inconclusive when it straddles it.\n\n",
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
        out.push_str(&self.attacks_markdown());
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
        for c in self.criteria() {
            let column = if c.column.is_empty() { String::new() } else { format!(" (`{}`)", c.column) };
            out.push_str(&format!("- **{}**{column}: {}.\n", c.id, c.explanation));
        }
        out.push_str("\n## Runs\n\n");
        for (label, run) in self.designs.iter().zip(&self.runs) {
            out.push_str(&format!("- **{}**: {}\n", md_escape(label), run_text(run)));
        }
        out
    }
}
