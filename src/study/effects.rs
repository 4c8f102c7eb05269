//! Factor effects of a sweep — the parameter test: for each numeric factor,
//! each design and each value the factor took, the mean of a KPI's final
//! value over the runs at that value (every seed, and every level of the
//! other factors) with its 95% interval. Written as `effects.csv` (`design,
//! factor, value, kpi, n, mean, half_width`) and drawn as one chart per KPI
//! and factor under `charts/`, one line per design.

use super::runner::Outcome;
use crate::kpis::{Frame, Values};
use crate::plot::units::Registry;
use crate::plot::{matches, plot_xy, ChartFile, XyChart};
use crate::report::SeedStats;
use std::collections::BTreeMap;
use std::path::Path;

/// One point of an effect: a design, a factor at one value, a KPI.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// The design's label.
    pub design: String,
    /// The factor's path.
    pub factor: String,
    /// The factor's value.
    pub value: f64,
    /// The KPI column.
    pub kpi: String,
    /// Mean and interval of the final values over the runs at this value.
    pub stats: SeedStats,
}

/// The KPI columns worth a chart: `criteria.*` when the runs have any, else
/// every stored column.
pub fn charted_columns(outcomes: &[(usize, Outcome)]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for (_, outcome) in outcomes {
        for column in &outcome.columns {
            if !columns.contains(column) {
                columns.push(column.clone());
            }
        }
    }
    if columns.iter().any(|c| matches("criteria.*", c)) {
        columns.retain(|c| matches("criteria.*", c));
    }
    columns
}

/// The effects of every numeric factor on every column of `kpis`, from the
/// runs that finished.
pub fn effects(designs: &[String], outcomes: &[(usize, Outcome)], kpis: &[String]) -> Vec<Effect> {
    let Some((_, first)) = outcomes.first() else { return Vec::new() };
    let mut found = Vec::new();
    for (position, (factor, _)) in first.unit.params.iter().enumerate() {
        let numeric = |o: &Outcome| {
            let value = &o.unit.params[position].1;
            value.as_float().or_else(|| value.as_integer().map(|i| i as f64))
        };
        if outcomes.iter().any(|(_, o)| numeric(o).is_none()) {
            continue; // a text factor has no axis
        }
        for kpi in kpis {
            for (index, design) in designs.iter().enumerate() {
                // Keyed by the value's bits: equal values group, and they sort by number for positives.
                let mut at: BTreeMap<i64, (f64, Vec<f64>)> = BTreeMap::new();
                for (_, outcome) in outcomes.iter().filter(|(d, o)| *d == index && o.status.is_ok()) {
                    let Some(value) = numeric(outcome) else { continue };
                    let column = outcome.columns.iter().position(|c| c == kpi);
                    let last = column.and_then(|c| outcome.rows.last().map(|r| r.2[c])).unwrap_or(f64::NAN);
                    at.entry(ordered(value)).or_insert_with(|| (value, Vec::new())).1.push(last);
                }
                for (value, finals) in at.into_values() {
                    let stats = SeedStats::of(&finals);
                    found.push(Effect {
                        design: design.clone(),
                        factor: factor.clone(),
                        value,
                        kpi: kpi.clone(),
                        stats,
                    });
                }
            }
        }
    }
    found
}

/// A total order on floats that keeps numeric order.
fn ordered(value: f64) -> i64 {
    let bits = value.to_bits() as i64;
    if bits < 0 {
        bits ^ i64::MAX
    } else {
        bits
    }
}

/// `effects.csv` as a frame.
pub fn frame(effects: &[Effect]) -> Frame {
    let text = |f: fn(&Effect) -> &str| Values::Text(effects.iter().map(|e| f(e).to_owned()).collect());
    let mut frame = Frame::default();
    frame.push("design", text(|e| &e.design));
    frame.push("factor", text(|e| &e.factor));
    frame.push("value", Values::Float(effects.iter().map(|e| e.value).collect()));
    frame.push("kpi", text(|e| &e.kpi));
    frame.push("n", Values::Int(effects.iter().map(|e| e.stats.n as i64).collect()));
    frame.push("mean", Values::Float(effects.iter().map(|e| e.stats.mean).collect()));
    frame.push("half_width", Values::Float(effects.iter().map(|e| e.stats.ci95_half_width).collect()));
    frame
}

/// One chart per (KPI, factor), one line per design, into `dir`.
pub fn draw(effects: &[Effect], dir: &Path, units: &Registry) -> anyhow::Result<Vec<ChartFile>> {
    let mut charts: Vec<XyChart> = Vec::new();
    for effect in effects {
        let title = format!("{} vs {}", effect.kpi, effect.factor);
        let chart = match charts.iter_mut().find(|c| c.title == title) {
            Some(chart) => chart,
            None => {
                charts.push(XyChart {
                    title,
                    x_label: effect.factor.clone(),
                    y_label: units.describe(&effect.kpi).axis_label_noting("mean over runs"),
                    lines: Vec::new(),
                    bands: Vec::new(),
                    thresholds: Vec::new(),
                });
                charts.last_mut().expect("pushed")
            }
        };
        match chart.lines.iter_mut().find(|(label, _)| *label == effect.design) {
            Some((_, points)) => points.push((effect.value, effect.stats.mean)),
            None => chart.lines.push((effect.design.clone(), vec![(effect.value, effect.stats.mean)])),
        }
    }
    Ok(plot_xy(&charts, dir, units)?)
}
