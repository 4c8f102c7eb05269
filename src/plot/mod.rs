//! Charts of KPI tables: one run's charts ([`plot_run`]) and runs side by
//! side ([`plot_compare`]), each written as PNG and SVG with plotters.
//!
//! The x axis is simulated time in days from the first row; each chart has a
//! legend with one line per KPI column (or per run), colours that never
//! repeat within the chart, and an optional logarithmic y axis. Non-finite
//! values are drawn as gaps. Titles that are column names, y axes and legend
//! entries read from the column registry ([`units`]: "DT price (OCEAN per
//! DT)", `pool 3`); tick positions and number formats are set in `ticks.rs`.
//! [`plan_run`] returns what would be drawn without drawing it.
//!
//! # State
//! Chart text uses a TrueType font read at run time (`$TOKENSPICE_FONT`,
//! else DejaVu Sans) and registered with plotters once per process
//! ([`ensure_font`]). Nothing else is kept between calls; files are written
//! into the output directory, replacing charts of the same name.
//!
//! # Errors
//! Every [`PlotError`] names the file or chart concerned: a missing font
//! (with how to install one), an unreadable KPI table, a chart pattern that
//! matches no column (listing the columns there are), a failed draw or write.
//! Charts are written in order, so on an error the earlier ones are complete.

mod condense;
mod error;
mod font;
mod render;
mod spec;
mod ticks;
pub mod units;

pub use error::{PlotError, Result};
pub use font::{ensure_font, FONT_ENV};
pub use render::{DrawnChart, DrawnSeries, Threshold, CHART_SIZE, TIME_AXIS};
pub use spec::{default_charts, matches, run_charts, slug, ChartSpec, RunCharts, MAX_LINES_PER_CHART};

use crate::kpis::{read_kpis, read_kpis_where, KpiTable};
use render::{render, Chart, Line};
use spec::Slugs;
use std::path::{Path, PathBuf};
use units::Registry;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// One chart drawn: its title as drawn and its two files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFile {
    /// The title at the top of the chart.
    pub title: String,
    /// The PNG.
    pub png: PathBuf,
    /// The SVG twin.
    pub svg: PathBuf,
}

/// A chart of one KPI across runs, with the thresholds a criterion judges it by.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiChart {
    /// The KPI column.
    pub kpi: String,
    /// Dashed lines at the values that pass or fail it.
    pub thresholds: Vec<Threshold>,
}

/// Draw one chart per spec from the KPI table `kpis_csv` into `out_dir`
/// (created if needed), as `<slug>.png` and `<slug>.svg` with the slug taken
/// from the title; returns the charts written.
///
/// Each pattern of a spec must match at least one column; a column matched
/// by several patterns is drawn once.
pub fn plot_run(
    kpis_csv: &Path,
    out_dir: &Path,
    charts: &[ChartSpec],
    units: &Registry,
) -> Result<Vec<ChartFile>> {
    plot_run_while(kpis_csv, out_dir, charts, units, &|| true)
}

/// [`plot_run`], drawing the next chart only while `keep_going()` (a
/// signal stops drawing between charts).
pub fn plot_run_while(
    kpis_csv: &Path,
    out_dir: &Path,
    charts: &[ChartSpec],
    units: &Registry,
    keep_going: &dyn Fn() -> bool,
) -> Result<Vec<ChartFile>> {
    ensure_font()?;
    let resolved = resolve(kpis_csv, charts, units)?;
    create_dir(out_dir)?;
    draw_all(
        resolved.iter().take_while(|_| keep_going()).map(|(stem, chart)| (stem.as_str(), chart)),
        out_dir,
    )
}

/// Render each `(file stem title, chart)` into `out_dir`, stems made unique.
fn draw_all<'a>(
    charts: impl Iterator<Item = (&'a str, &'a Chart)>,
    out_dir: &Path,
) -> Result<Vec<ChartFile>> {
    let mut slugs = Slugs::default();
    let mut written = Vec::new();
    for (stem, chart) in charts {
        let [png, svg] = render(chart, out_dir, &slugs.unique(stem))?;
        written.push(ChartFile { title: chart.title.clone(), png, svg });
    }
    Ok(written)
}

/// What [`plot_run`] would draw, chart by chart, without drawing: titles,
/// axis labels, legend entries and colours as the drawing plan has them.
pub fn plan_run(kpis_csv: &Path, charts: &[ChartSpec], units: &Registry) -> Result<Vec<DrawnChart>> {
    Ok(resolve(kpis_csv, charts, units)?.iter().map(|(_, chart)| render::drawn(chart)).collect())
}

/// Every spec as a chart ready to draw, with the title its file is named after.
fn resolve(kpis_csv: &Path, charts: &[ChartSpec], units: &Registry) -> Result<Vec<(String, Chart)>> {
    // Only the columns some chart draws.
    let is_glob = |pattern: &&String| pattern.contains(['*', '?']);
    let patterns = || charts.iter().flat_map(|spec| &spec.kpis);
    let named: std::collections::HashSet<&str> =
        patterns().filter(|p| !is_glob(p)).map(String::as_str).collect();
    let globs: Vec<&str> = patterns().filter(is_glob).map(String::as_str).collect();
    let keep = |column: &str| named.contains(column) || globs.iter().any(|glob| matches(glob, column));
    let table = read_kpis_where(kpis_csv, &keep)?;
    let days = days_of(&table);
    let mut resolved = Vec::with_capacity(charts.len());
    // Exact names are looked up, not matched against every column: default
    // charts list every column by name (20,000 columns took minutes).
    let index: std::collections::HashMap<&str, usize> =
        table.columns.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    for spec in charts {
        let mut picked: Vec<usize> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for pattern in &spec.kpis {
            let found: Vec<usize> = match index.get(pattern.as_str()) {
                Some(&i) if !pattern.contains('*') => vec![i],
                _ => (0..table.columns.len()).filter(|&i| matches(pattern, &table.columns[i])).collect(),
            };
            if found.is_empty() {
                // Name the file's columns nearest the pattern: all of them, not the ones read.
                let every = read_kpis(kpis_csv)?.columns;
                return Err(PlotError::NoMatch {
                    file: kpis_csv.to_owned(),
                    title: spec.title.clone(),
                    pattern: pattern.clone(),
                    available: crate::kpis::nearest_columns(pattern, &every),
                });
            }
            picked.extend(found.into_iter().filter(|i| seen.insert(*i)));
        }
        let names: Vec<&str> = picked.iter().map(|&i| table.columns[i].as_str()).collect();
        let lines = units
            .legend_labels(&names)
            .into_iter()
            .zip(&picked)
            .map(|(label, &i)| Line {
                label,
                points: zip(&days, &table.values[i]),
                band: Vec::new(),
                summary: false,
            })
            .collect();
        let lines = condense::condense(lines, MAX_LINES_PER_CHART);
        let y_label = match &spec.y_label {
            Some(own) => units.explicit_y_label(own, &names),
            None => units.default_y_label(&names),
        };
        let chart = Chart {
            title: display_title(&spec.title, units),
            x_label: TIME_AXIS.into(),
            y_label,
            log_y: spec.log_y,
            lines,
            thresholds: Vec::new(),
        };
        resolved.push((spec.title.clone(), chart));
    }
    Ok(resolved)
}

/// A title that is a column name or pattern (as default charts have) reads
/// as the registry's `label (unit)`; words someone wrote stay.
fn display_title(title: &str, units: &Registry) -> String {
    if units::is_column_like(title) {
        units.title_of(title)
    } else {
        title.to_owned()
    }
}

/// Draw one chart per KPI with one line per run (legend: the run's label,
/// colour: the run's place in `runs`, the same on every chart) into
/// `out_dir`; each run's time axis starts at its own first row. Returns the
/// charts written. Every run must have every KPI; values of a KPI are
/// plotted on a linear axis.
pub fn plot_compare(
    runs: &[(String, PathBuf)],
    out_dir: &Path,
    kpis: &[KpiChart],
    units: &Registry,
) -> Result<Vec<ChartFile>> {
    ensure_font()?;
    if runs.is_empty() {
        return Err(PlotError::NoRuns);
    }
    let mut tables = Vec::with_capacity(runs.len());
    for (label, path) in runs {
        let table = read_kpis(path)?;
        if let Some(missing) = kpis.iter().find(|chart| table.column(&chart.kpi).is_none()) {
            return Err(PlotError::MissingKpi {
                file: path.clone(),
                run: label.clone(),
                kpi: missing.kpi.clone(),
                available: crate::kpis::nearest_columns(&missing.kpi, &table.columns),
            });
        }
        tables.push((label, days_of(&table), table));
    }
    create_dir(out_dir)?;
    let mut charts = Vec::with_capacity(kpis.len());
    for KpiChart { kpi, thresholds } in kpis {
        let lines = tables
            .iter()
            .map(|(label, days, table)| Line {
                band: Vec::new(),
                summary: false,
                label: (*label).clone(),
                points: zip(days, table.column(kpi).unwrap_or_default()),
            })
            .collect();
        let chart = Chart {
            title: display_title(kpi, units),
            x_label: TIME_AXIS.into(),
            y_label: units.describe(kpi).axis_label(),
            log_y: false,
            lines,
            thresholds: thresholds.clone(),
        };
        charts.push((kpi.as_str(), chart));
    }
    draw_all(charts.iter().map(|(stem, chart)| (*stem, chart)), out_dir)
}

/// One chart of values against a parameter: `(legend, points (x, y))` per line.
#[derive(Debug, Clone)]
pub struct XyChart {
    /// Title, and the file stem after [`slug`].
    pub title: String,
    /// The x axis: the parameter.
    pub x_label: String,
    /// The y axis.
    pub y_label: String,
    /// One line per legend entry.
    pub lines: Vec<(String, Vec<(f64, f64)>)>,
    /// Per line (in order), a shaded band `(x, lo, hi)`; missing or empty: none.
    pub bands: Vec<Vec<(f64, f64, f64)>>,
    /// Dashed horizontal lines (a criterion's threshold).
    pub thresholds: Vec<Threshold>,
}

/// Draw each chart (PNG and SVG) into `out_dir`; returns the charts written.
/// A chart whose x axis is [`TIME_AXIS`] starts at 0.
pub fn plot_xy(charts: &[XyChart], out_dir: &Path, units: &Registry) -> Result<Vec<ChartFile>> {
    ensure_font()?;
    create_dir(out_dir)?;
    let charts: Vec<(&str, Chart)> =
        charts.iter().map(|xy| (xy.title.as_str(), xy_chart(xy, units))).collect();
    draw_all(charts.iter().map(|(stem, chart)| (*stem, chart)), out_dir)
}

/// What [`plot_xy`] would draw, chart by chart, without drawing.
pub fn plan_xy(charts: &[XyChart], units: &Registry) -> Vec<DrawnChart> {
    charts.iter().map(|xy| render::drawn(&xy_chart(xy, units))).collect()
}

fn xy_chart(xy: &XyChart, units: &Registry) -> Chart {
    Chart {
        title: display_title(&xy.title, units),
        x_label: xy.x_label.clone(),
        y_label: xy.y_label.clone(),
        log_y: false,
        lines: xy
            .lines
            .iter()
            .enumerate()
            .map(|(i, (label, points))| Line {
                label: label.clone(),
                points: points.clone(),
                band: xy.bands.get(i).cloned().unwrap_or_default(),
                summary: false,
            })
            .collect(),
        thresholds: xy.thresholds.clone(),
    }
}

/// Simulated time of every row in days since the first row.
fn days_of(table: &KpiTable) -> Vec<f64> {
    let start = table.times.first().copied().unwrap_or(0);
    table.times.iter().map(|&t| t.saturating_sub(start) as f64 / SECONDS_PER_DAY).collect()
}

fn zip(days: &[f64], values: &[f64]) -> Vec<(f64, f64)> {
    days.iter().copied().zip(values.iter().copied()).collect()
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| PlotError::OutputDir { dir: dir.to_owned(), source })
}

#[cfg(test)]
mod tests;
