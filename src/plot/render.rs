//! Drawing one chart to a PNG and an SVG file with plotters.

use super::error::{PlotError, Result};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Size of the PNG (and SVG) charts, in pixels.
pub const CHART_SIZE: (u32, u32) = (1024, 640);

const FONT: &str = "sans-serif";
const TITLE_PX: u32 = 30;
const AXIS_PX: u32 = 22;
const TICK_PX: u32 = 18;
const LEGEND_PX: u32 = 19;
const LEGEND_ROW_PX: i32 = 30;

/// Tableau 10: distinct, readable on white, friendly to most colour blindness.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// One line of a chart.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Legend text.
    pub(crate) label: String,
    /// `(time in days, value)`; non-finite values are gaps.
    pub(crate) points: Vec<(f64, f64)>,
    /// A shaded band around the line, `(x, lo, hi)` (a confidence
    /// interval); empty for none; non-finite bounds are left out.
    pub(crate) band: Vec<(f64, f64, f64)>,
}

/// The x axis of charts over simulated time.
pub const TIME_AXIS: &str = "time (days)";

/// A chart ready to draw.
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub(crate) title: String,
    /// [`TIME_AXIS`] (drawn from 0), or a swept parameter (drawn over its range).
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    pub(crate) log_y: bool,
    pub(crate) lines: Vec<Line>,
}

/// What is actually drawn: scale decided, gaps cut, ranges padded.
#[derive(Debug)]
struct Plan<'a> {
    title: String,
    x_label: &'a str,
    y_label: String,
    log: bool,
    x: Range<f64>,
    y: Range<f64>,
    labels: Vec<&'a str>,
    /// Per line, its runs of drawable points.
    segments: Vec<Vec<Vec<(f64, f64)>>>,
    /// Per line, its band's drawable `(x, lo, hi)`.
    bands: Vec<Vec<(f64, f64, f64)>>,
}

/// Draw `chart` to `<out_dir>/<stem>.png` and `<out_dir>/<stem>.svg`.
pub(crate) fn render(chart: &Chart, out_dir: &Path, stem: &str) -> Result<[PathBuf; 2]> {
    let plan = plan(chart);
    let png = out_dir.join(format!("{stem}.png"));
    let svg = out_dir.join(format!("{stem}.svg"));
    let failed = |file: &Path, problem: String| PlotError::Draw { file: file.to_owned(), problem };
    // plotters reports file errors in Rust debug form; an I/O error is said plainly first.
    for file in [&png, &svg] {
        std::fs::File::create(file).map_err(|e| failed(file, e.to_string()))?;
    }
    draw(&BitMapBackend::new(&png, CHART_SIZE).into_drawing_area(), &plan)
        .map_err(|e| failed(&png, e.to_string()))?;
    draw(&SVGBackend::new(&svg, CHART_SIZE).into_drawing_area(), &plan)
        .map_err(|e| failed(&svg, e.to_string()))?;
    Ok([png, svg])
}

fn plan(chart: &Chart) -> Plan<'_> {
    let any_positive = chart.lines.iter().flat_map(|l| &l.points).any(|&(_, y)| y.is_finite() && y > 0.0);
    let log = chart.log_y && any_positive;
    let drawable = |y: f64| y.is_finite() && (!log || y > 0.0);
    let segments: Vec<Vec<Vec<(f64, f64)>>> = chart
        .lines
        .iter()
        .map(|line| {
            let mut runs = vec![Vec::new()];
            for &(x, y) in &line.points {
                if !(x.is_finite() && drawable(y)) {
                    if runs.last().is_some_and(|run: &Vec<_>| !run.is_empty()) {
                        runs.push(Vec::new());
                    }
                } else if let Some(run) = runs.last_mut() {
                    run.push((x, y));
                }
            }
            runs.retain(|run| !run.is_empty());
            runs
        })
        .collect();

    let xs = chart.lines.iter().flat_map(|l| &l.points).map(|&(x, _)| x).filter(|x| x.is_finite());
    let x = if chart.x_label == TIME_AXIS {
        let x_max = xs.fold(0.0_f64, f64::max);
        0.0..if x_max > 0.0 { x_max } else { 1.0 }
    } else {
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
        let pad = if hi > lo { (hi - lo) * 0.05 } else { lo.abs().max(1.0) * 0.1 };
        if lo > hi {
            0.0..1.0
        } else {
            lo - pad..hi + pad
        }
    };

    let bands: Vec<Vec<(f64, f64, f64)>> = chart
        .lines
        .iter()
        .map(|line| {
            line.band
                .iter()
                .copied()
                .filter(|&(x, lo, hi)| x.is_finite() && drawable(lo) && drawable(hi))
                .collect()
        })
        .collect();
    let band_ys = bands.iter().flatten().flat_map(|&(_, lo, hi)| [lo, hi]);
    let ys = segments.iter().flatten().flatten().map(|&(_, y)| y).chain(band_ys);
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| (lo.min(y), hi.max(y)));
    let y = if lo > hi {
        if log {
            1.0..10.0
        } else {
            0.0..1.0
        }
    } else if log {
        let factor = if lo == hi { 2.0 } else { (hi / lo).powf(0.04).min(1e10) };
        lo / factor..hi * factor
    } else {
        let span = hi - lo;
        let magnitude = lo.abs().max(hi.abs());
        // A span lost in float noise (all values ~equal) gets a visible range.
        let pad = if span > magnitude * 1e-6 && span.is_finite() {
            span * 0.05
        } else if lo == 0.0 {
            1.0
        } else {
            lo.abs() * 0.1
        };
        lo - pad..hi + pad
    };

    let mut title = chart.title.clone();
    let mut y_label = chart.y_label.clone();
    if chart.log_y && !log {
        title.push_str(" (linear scale: no positive values)");
    } else if log {
        y_label.push_str(" (log scale)");
    }
    Plan {
        title,
        x_label: &chart.x_label,
        y_label,
        log,
        x,
        y,
        labels: chart.lines.iter().map(|l| l.label.as_str()).collect(),
        segments,
        bands,
    }
}

type DrawResult<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plan: &Plan<'_>) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let body = root.margin(10, 6, 6, 6).titled(&plan.title, (FONT, TITLE_PX))?;
    let legend_width = legend_width(root, plan)?;
    let (plot_area, legend_area) =
        body.split_horizontally(body.dim_in_pixel().0.saturating_sub(legend_width));
    if plan.log {
        draw_plot(&plot_area, plan, plan.y.clone().log_scale())?;
    } else {
        draw_plot(&plot_area, plan, plan.y.clone())?;
    }
    draw_legend(&legend_area, plan)?;
    root.present()
}

fn draw_plot<DB, Y>(area: &DrawingArea<DB, Shift>, plan: &Plan<'_>, y: Y) -> DrawResult<DB>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(64)
        .y_label_area_size(112)
        .build_cartesian_2d(plan.x.clone(), y)?;
    let format = |v: &f64| tick_label(*v);
    chart
        .configure_mesh()
        .x_desc(plan.x_label)
        .y_desc(plan.y_label.as_str())
        .x_label_formatter(&format)
        .y_label_formatter(&format)
        .axis_desc_style((FONT, AXIS_PX))
        .label_style((FONT, TICK_PX))
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(BLACK.mix(0.05))
        .max_light_lines(4)
        .draw()?;
    for (index, band) in plan.bands.iter().enumerate() {
        if band.len() > 1 {
            let color = PALETTE[index % PALETTE.len()];
            let outline: Vec<(f64, f64)> = band
                .iter()
                .map(|&(x, _, hi)| (x, hi))
                .chain(band.iter().rev().map(|&(x, lo, _)| (x, lo)))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.18).filled())))?;
        }
    }
    for (index, runs) in plan.segments.iter().enumerate() {
        let color = PALETTE[index % PALETTE.len()];
        for run in runs {
            if let [point] = run.as_slice() {
                chart.draw_series(std::iter::once(Circle::new(*point, 3, color.filled())))?;
            } else {
                chart.draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}

/// Width of the legend column: the widest label plus the colour swatch.
fn legend_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plan: &Plan<'_>,
) -> std::result::Result<u32, DrawingAreaErrorKind<DB::ErrorType>> {
    let style = TextStyle::from((FONT, LEGEND_PX));
    let mut widest = 0;
    for label in &plan.labels {
        widest = widest.max(root.estimate_text_size(label, &style)?.0);
    }
    Ok((widest + 64).clamp(150, 380))
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, plan: &Plan<'_>) -> DrawResult<DB> {
    let style = TextStyle::from((FONT, LEGEND_PX)).pos(Pos::new(HPos::Left, VPos::Center));
    let (width, height) = area.dim_in_pixel();
    let text_room = width.saturating_sub(52);
    let rows = ((height as i32 - 40) / LEGEND_ROW_PX).max(1) as usize;
    let shown = if plan.labels.len() > rows { rows - 1 } else { plan.labels.len() };
    for (index, label) in plan.labels.iter().take(shown).enumerate() {
        let y = 24 + index as i32 * LEGEND_ROW_PX;
        let color = PALETTE[index % PALETTE.len()];
        area.draw(&PathElement::new(vec![(6, y), (34, y)], color.stroke_width(3)))?;
        let text = fit(area, label, &style, text_room)?;
        area.draw(&Text::new(text, (42, y), style.clone()))?;
    }
    if shown < plan.labels.len() {
        let y = 24 + shown as i32 * LEGEND_ROW_PX;
        let more = format!("… and {} more", plan.labels.len() - shown);
        area.draw(&Text::new(more, (42, y), style.clone()))?;
    }
    Ok(())
}

/// `label`, shortened with a leading `…` until it fits in `room` pixels.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    style: &TextStyle<'_>,
    room: u32,
) -> std::result::Result<String, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut text = label.to_owned();
    let mut skip = 0;
    while area.estimate_text_size(&text, style)?.0 > room && skip + 1 < label.chars().count() {
        skip += 1;
        text = format!("…{}", label.chars().skip(skip).collect::<String>());
    }
    Ok(text)
}

/// An axis tick label: at most 6 significant digits, plain for magnitudes in
/// `[1e-3, 1e6)`, scientific (`2.5e7`, `1e-9`) otherwise.
pub(crate) fn tick_label(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return if value == 0.0 { "0".to_owned() } else { value.to_string() };
    }
    let rounded: f64 = format!("{value:.5e}").parse().unwrap_or(value);
    if (1e-3..1e6).contains(&rounded.abs()) {
        rounded.to_string()
    } else {
        format!("{rounded:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(0.1 + 0.2), "0.3");
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(-0.0), "0");
        assert_eq!(tick_label(1000.0), "1000");
        assert_eq!(tick_label(0.001), "0.001");
        assert_eq!(tick_label(1e6), "1e6");
        assert_eq!(tick_label(2.5e-7), "2.5e-7");
        assert_eq!(tick_label(123_456_789.0), "1.23457e8");
    }

    #[test]
    fn gaps_and_log_fallback() {
        let chart = Chart {
            title: "t".into(),
            x_label: TIME_AXIS.into(),
            y_label: "y".into(),
            log_y: true,
            lines: vec![Line {
                band: Vec::new(),
                label: "a".into(),
                points: vec![(0.0, 1.0), (1.0, 2.0), (2.0, f64::NAN), (3.0, -1.0), (4.0, 4.0)],
            }],
        };
        let first = plan(&chart);
        assert!(first.log);
        assert_eq!(first.segments[0], vec![vec![(0.0, 1.0), (1.0, 2.0)], vec![(4.0, 4.0)]]);
        assert!(first.y.start < 1.0 && first.y.end > 4.0 && first.y.start > 0.0);
        assert_eq!(first.y_label, "y (log scale)");

        let negative = Chart {
            lines: vec![Line { label: "a".into(), points: vec![(0.0, -1.0), (1.0, 0.0)], band: Vec::new() }],
            ..chart
        };
        let second = plan(&negative);
        assert!(!second.log);
        assert!(second.title.contains("linear scale"), "{}", second.title);
        assert_eq!(second.segments[0], vec![vec![(0.0, -1.0), (1.0, 0.0)]]);
    }
}
