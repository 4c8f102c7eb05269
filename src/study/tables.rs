//! The study's tables, built from its outcomes in unit order:
//!
//! - tidy (`tidy.csv`, `tidy.parquet`): one row per run, sampled tick and
//!   KPI — `[design,] run, point, <factor paths...>, seed, tick, time_s, kpi, value`;
//! - summary (`summary.csv`, `summary.parquet`): one row per run — `[design,]
//!   run, point, <factors...>, seed, status, error, ticks`, then the last
//!   sampled value of every stored KPI column (`NaN` for a failed run).
//!
//! `design` (the netlist's label) is there when the sweep has several
//! netlists; `run` numbers the runs of every design in turn.
//!
//! Factor values are written as numbers when every point's value is a
//! number (a float column), as text otherwise.

use super::runner::Outcome;
use crate::kpis::{Frame, Values};

/// A factor's column: floats when every value is a number, else text.
fn factor_values<'a>(values: impl Iterator<Item = &'a toml::Value> + Clone) -> Values {
    let numeric = values.clone().all(|v| v.is_integer() || v.is_float());
    if numeric {
        Values::Float(
            values
                .map(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN))
                .collect(),
        )
    } else {
        Values::Text(values.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect())
    }
}

/// The `run` number of a design's unit: designs in turn, `units` each.
fn run_number(design: usize, outcome: &Outcome, units: usize) -> i64 {
    (design * units + outcome.unit.index) as i64
}

/// The `design` column, when there are several designs.
fn push_design(frame: &mut Frame, designs: &[String], of_rows: impl Iterator<Item = usize>) {
    if designs.len() > 1 {
        frame.push("design", Values::Text(of_rows.map(|d| designs[d].clone()).collect()));
    }
}

/// The long table: one row per (run, sampled tick, KPI); `units` per design.
pub fn tidy(designs: &[String], outcomes: &[(usize, Outcome)], units: usize) -> Frame {
    let (mut run, mut point, mut seed, mut tick, mut time, mut kpi, mut value) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut design = Vec::new();
    let mut params: Vec<toml::Value> = Vec::new();
    let width = outcomes.first().map_or(0, |(_, o)| o.unit.params.len());
    for (d, outcome) in outcomes {
        for (t, s, values) in &outcome.rows {
            for (name, v) in outcome.columns.iter().zip(values) {
                design.push(*d);
                run.push(run_number(*d, outcome, units));
                point.push(outcome.unit.point as i64);
                params.extend(outcome.unit.params.iter().map(|(_, value)| value.clone()));
                seed.push(outcome.unit.seed as i64);
                tick.push(*t as i64);
                time.push(*s as i64);
                kpi.push(name.clone());
                value.push(*v);
            }
        }
    }
    let mut frame = Frame::default();
    push_design(&mut frame, designs, design.into_iter());
    frame.push("run", Values::Int(run));
    frame.push("point", Values::Int(point));
    if let Some((_, first)) = outcomes.first() {
        for (i, (path, _)) in first.unit.params.iter().enumerate() {
            frame.push(path.clone(), factor_values(params.iter().skip(i).step_by(width.max(1))));
        }
    }
    frame.push("seed", Values::Int(seed));
    frame.push("tick", Values::Int(tick));
    frame.push("time_s", Values::Int(time));
    frame.push("kpi", Values::Text(kpi));
    frame.push("value", Values::Float(value));
    frame
}

/// The wide table: one row per run, with each KPI's last sampled value.
pub fn summary(designs: &[String], with_design: &[(usize, Outcome)], units: usize) -> Frame {
    let outcomes: Vec<&Outcome> = with_design.iter().map(|(_, o)| o).collect();
    let mut columns: Vec<String> = Vec::new();
    for outcome in &outcomes {
        for name in &outcome.columns {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
    }
    let mut frame = Frame::default();
    push_design(&mut frame, designs, with_design.iter().map(|(d, _)| *d));
    frame.push("run", Values::Int(with_design.iter().map(|(d, o)| run_number(*d, o, units)).collect()));
    frame.push("point", Values::Int(outcomes.iter().map(|o| o.unit.point as i64).collect()));
    if let Some(first) = outcomes.first() {
        for (i, (path, _)) in first.unit.params.iter().enumerate() {
            frame.push(path.clone(), factor_values(outcomes.iter().map(move |o| &o.unit.params[i].1)));
        }
    }
    frame.push("seed", Values::Int(outcomes.iter().map(|o| o.unit.seed as i64).collect()));
    let status =
        outcomes.iter().map(|o| if o.status.is_ok() { "ok" } else { "failed" }.to_string()).collect();
    frame.push("status", Values::Text(status));
    frame.push(
        "error",
        Values::Text(outcomes.iter().map(|o| o.status.clone().err().unwrap_or_default()).collect()),
    );
    frame.push(
        "ticks",
        Values::Int(outcomes.iter().map(|o| o.rows.last().map_or(0, |r| r.0 as i64 + 1)).collect()),
    );
    for name in &columns {
        let last = outcomes
            .iter()
            .map(|o| {
                let at = o.columns.iter().position(|c| c == name);
                at.and_then(|i| o.rows.last().map(|r| r.2[i])).unwrap_or(f64::NAN)
            })
            .collect();
        frame.push(name.clone(), Values::Float(last));
    }
    frame
}
