//! Drawing one chart to a PNG and an SVG file with plotters.

use super::error::{PlotError, Result};
use super::spec::MAX_LINES_PER_CHART;
use super::ticks::{linear_labels, linear_ticks, log_labels, log_ticks};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
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

/// Tableau 10 without its grey: distinct, readable on white, friendly to
/// most colour blindness. More than [`MAX_LINES_PER_CHART`] lines are never
/// drawn from a spec, so a chart of KPIs never repeats a colour; charts of
/// more runs than this get evenly spaced hues instead.
const PALETTE: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The condensed median line and its band: grey, unlike every series.
const SUMMARY_COLOR: RGBColor = RGBColor(90, 90, 90);

/// Threshold lines: dashed near-black, unlike every series.
const THRESHOLD_COLOR: RGBColor = RGBColor(40, 40, 40);

const _: () = assert!(PALETTE.len() >= MAX_LINES_PER_CHART, "a chart of KPIs must not repeat a colour");

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
    /// The median of condensed lines (drawn grey).
    pub(crate) summary: bool,
}

/// A horizontal line at a value a criterion judges against.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// Legend text, e.g. `threshold: ≤ 20 %`.
    pub label: String,
    /// Where the line is drawn (in the chart's y units).
    pub value: f64,
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
    /// Dashed horizontal lines, drawn after the series and listed after them in the legend.
    pub(crate) thresholds: Vec<Threshold>,
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
    colors: Vec<RGBColor>,
    /// Ticks in drawn coordinates (log10 of the value on a log axis) and their labels.
    x_ticks: Vec<(f64, String)>,
    y_ticks: Vec<(f64, String)>,
    /// Per line, its runs of drawable points (y as drawn).
    segments: Vec<Vec<Vec<(f64, f64)>>>,
    /// Per line, its band's drawable `(x, lo, hi)` (y as drawn).
    bands: Vec<Vec<(f64, f64, f64)>>,
    /// Drawable thresholds: legend text and y as drawn.
    thresholds: Vec<(&'a str, f64)>,
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
    let thresholds: Vec<(&str, f64)> =
        chart.thresholds.iter().filter(|t| drawable(t.value)).map(|t| (t.label.as_str(), t.value)).collect();
    let ys = segments
        .iter()
        .flatten()
        .flatten()
        .map(|&(_, y)| y)
        .chain(band_ys)
        .chain(thresholds.iter().map(|t| t.1));
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
        y_label = match y_label.strip_suffix(')') {
            Some(open) => format!("{open}, log scale)"),
            None => format!("{y_label} (log scale)"),
        };
    }
    let x_values = linear_ticks(x.start, x.end);
    let x_ticks = x_values.iter().copied().zip(linear_labels(&x_values)).collect();
    let (y, y_ticks, segments, bands, thresholds) = if log {
        let values = log_ticks(y.start, y.end);
        let ticks = values.iter().map(|v| v.log10()).zip(log_labels(&values)).collect();
        let segments = segments
            .into_iter()
            .map(|runs| {
                runs.into_iter().map(|run| run.into_iter().map(|(x, y)| (x, y.log10())).collect()).collect()
            })
            .collect();
        let bands = bands
            .into_iter()
            .map(|b| b.into_iter().map(|(x, lo, hi)| (x, lo.log10(), hi.log10())).collect())
            .collect();
        let thresholds = thresholds.into_iter().map(|(label, v)| (label, v.log10())).collect();
        (y.start.log10()..y.end.log10(), ticks, segments, bands, thresholds)
    } else {
        let values = linear_ticks(y.start, y.end);
        let ticks = values.iter().copied().zip(linear_labels(&values)).collect();
        (y, ticks, segments, bands, thresholds)
    };
    Plan {
        title,
        x_label: &chart.x_label,
        y_label,
        log,
        x,
        y,
        labels: chart.lines.iter().map(|l| l.label.as_str()).collect(),
        colors: colors(&chart.lines),
        x_ticks,
        y_ticks,
        segments,
        bands,
        thresholds,
    }
}

/// One colour per line, none repeated: the palette in order (evenly spaced
/// hues past its length), grey for the condensed median.
fn colors(lines: &[Line]) -> Vec<RGBColor> {
    let series = lines.iter().filter(|l| !l.summary).count();
    let mut next = 0;
    lines
        .iter()
        .map(|line| {
            if line.summary {
                return SUMMARY_COLOR;
            }
            next += 1;
            if series <= PALETTE.len() {
                PALETTE[next - 1]
            } else {
                let hsl = HSLColor((next - 1) as f64 / series as f64, 0.7, 0.45);
                let (r, g, b) = hsl.rgb();
                RGBColor(r, g, b)
            }
        })
        .collect()
}

/// What a chart draws, read from its drawing plan without drawing it.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnChart {
    /// The title as drawn.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label (with `, log scale` inside its parentheses on a log axis).
    pub y_label: String,
    /// Whether the y axis is logarithmic.
    pub log_y: bool,
    /// Legend entries in order, each with its line's colour.
    pub series: Vec<DrawnSeries>,
    /// Legend text of the threshold lines drawn.
    pub thresholds: Vec<String>,
    /// Tick labels of the x and y axes, in order.
    pub x_ticks: Vec<String>,
    /// See `x_ticks`.
    pub y_ticks: Vec<String>,
}

/// One line of a [`DrawnChart`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnSeries {
    /// Legend text.
    pub label: String,
    /// Line colour, RGB.
    pub color: (u8, u8, u8),
    /// Whether it is the median of condensed lines.
    pub summary: bool,
}

/// The drawing plan of `chart` as a [`DrawnChart`].
pub(crate) fn drawn(chart: &Chart) -> DrawnChart {
    let plan = plan(chart);
    DrawnChart {
        title: plan.title.clone(),
        x_label: plan.x_label.to_owned(),
        y_label: plan.y_label.clone(),
        log_y: plan.log,
        series: chart
            .lines
            .iter()
            .zip(&plan.colors)
            .map(|(line, c)| DrawnSeries {
                label: line.label.clone(),
                color: (c.0, c.1, c.2),
                summary: line.summary,
            })
            .collect(),
        thresholds: plan.thresholds.iter().map(|(label, _)| (*label).to_owned()).collect(),
        x_ticks: plan.x_ticks.iter().map(|(_, l)| l.clone()).collect(),
        y_ticks: plan.y_ticks.iter().map(|(_, l)| l.clone()).collect(),
    }
}

type DrawResult<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, plan: &Plan<'_>) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let body = root.margin(10, 6, 6, 6).titled(&plan.title, (FONT, TITLE_PX))?;
    let legend_width = legend_width(root, plan)?;
    let (plot_area, legend_area) =
        body.split_horizontally(body.dim_in_pixel().0.saturating_sub(legend_width));
    draw_plot(&plot_area, plan)?;
    draw_legend(&legend_area, plan)?;
    root.present()
}

fn draw_plot<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, plan: &Plan<'_>) -> DrawResult<DB> {
    let keys = |ticks: &[(f64, String)]| ticks.iter().map(|(v, _)| *v).collect::<Vec<f64>>();
    let mut chart =
        ChartBuilder::on(area).margin(12).x_label_area_size(64).y_label_area_size(112).build_cartesian_2d(
            Ticked { range: plan.x.clone(), ticks: keys(&plan.x_ticks) },
            Ticked { range: plan.y.clone(), ticks: keys(&plan.y_ticks) },
        )?;
    let x_format = |v: &f64| label_at(&plan.x_ticks, *v);
    let y_format = |v: &f64| label_at(&plan.y_ticks, *v);
    chart
        .configure_mesh()
        .x_desc(plan.x_label)
        .y_desc(plan.y_label.as_str())
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .axis_desc_style((FONT, AXIS_PX))
        .label_style((FONT, TICK_PX))
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(BLACK.mix(0.05))
        .max_light_lines(4)
        .draw()?;
    for (index, band) in plan.bands.iter().enumerate() {
        if band.len() > 1 {
            let color = plan.colors[index];
            let outline: Vec<(f64, f64)> = band
                .iter()
                .map(|&(x, _, hi)| (x, hi))
                .chain(band.iter().rev().map(|&(x, lo, _)| (x, lo)))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.18).filled())))?;
        }
    }
    for (index, runs) in plan.segments.iter().enumerate() {
        let color = plan.colors[index];
        for run in runs {
            if let [point] = run.as_slice() {
                chart.draw_series(std::iter::once(Circle::new(*point, 3, color.filled())))?;
            } else {
                chart.draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(2)))?;
            }
        }
    }
    for &(_, y) in &plan.thresholds {
        let ends = [(plan.x.start, y), (plan.x.end, y)];
        chart.draw_series(DashedLineSeries::new(ends, 10, 6, THRESHOLD_COLOR.stroke_width(2)))?;
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
    for label in plan.labels.iter().chain(plan.thresholds.iter().map(|(label, _)| label)) {
        widest = widest.max(root.estimate_text_size(label, &style)?.0);
    }
    Ok((widest + 64).clamp(150, 380))
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, plan: &Plan<'_>) -> DrawResult<DB> {
    let style = TextStyle::from((FONT, LEGEND_PX)).pos(Pos::new(HPos::Left, VPos::Center));
    let (width, height) = area.dim_in_pixel();
    let text_room = width.saturating_sub(52);
    let rows = ((height as i32 - 40) / LEGEND_ROW_PX).max(1) as usize;
    let rows = rows.saturating_sub(plan.thresholds.len()).max(1);
    let shown = if plan.labels.len() > rows { rows - 1 } else { plan.labels.len() };
    for (index, label) in plan.labels.iter().take(shown).enumerate() {
        let y = 24 + index as i32 * LEGEND_ROW_PX;
        let color = plan.colors[index];
        area.draw(&PathElement::new(vec![(6, y), (34, y)], color.stroke_width(3)))?;
        let text = fit(area, label, &style, text_room)?;
        area.draw(&Text::new(text, (42, y), style.clone()))?;
    }
    if shown < plan.labels.len() {
        let y = 24 + shown as i32 * LEGEND_ROW_PX;
        let more = format!("… and {} more", plan.labels.len() - shown);
        area.draw(&Text::new(more, (42, y), style.clone()))?;
    }
    let first_row = shown + usize::from(shown < plan.labels.len());
    for (index, (label, _)) in plan.thresholds.iter().enumerate() {
        let y = 24 + (first_row + index) as i32 * LEGEND_ROW_PX;
        let dashes = [(6, 15), (21, 30)]
            .map(|(from, to)| PathElement::new(vec![(from, y), (to, y)], THRESHOLD_COLOR.stroke_width(3)));
        for dash in dashes {
            area.draw(&dash)?;
        }
        let text = fit(area, label, &style, text_room)?;
        area.draw(&Text::new(text, (42, y), style.clone()))?;
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

/// A linear axis over `range` with our own ticks (plotters picks none).
struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span == 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let along = (value - self.range.start) / span;
        limit.0 + f64::from(limit.1 - limit.0).mul_add(along, 1e-3).floor() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// The label of the tick at `value` (plotters hands back the key points).
fn label_at(ticks: &[(f64, String)], value: f64) -> String {
    ticks
        .iter()
        .min_by(|a, b| (a.0 - value).abs().total_cmp(&(b.0 - value).abs()))
        .map_or_else(String::new, |(_, label)| label.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_log_fallback() {
        let chart = Chart {
            title: "t".into(),
            x_label: TIME_AXIS.into(),
            y_label: "y".into(),
            log_y: true,
            lines: vec![Line {
                band: Vec::new(),
                summary: false,
                label: "a".into(),
                points: vec![(0.0, 1.0), (1.0, 2.0), (2.0, f64::NAN), (3.0, -1.0), (4.0, 4.0)],
            }],
            thresholds: vec![Threshold { label: "at most 8".into(), value: 8.0 }],
        };
        let first = plan(&chart);
        assert!(first.log);
        let lg = |v: f64| v.log10();
        assert_eq!(first.segments[0], vec![vec![(0.0, lg(1.0)), (1.0, lg(2.0))], vec![(4.0, lg(4.0))]]);
        assert!(first.y.start < 0.0 && first.y.end > lg(4.0) && first.y.start > -1.0, "{:?}", first.y);
        assert_eq!(first.y_label, "y (log scale)");
        assert_eq!(first.thresholds, vec![("at most 8", lg(8.0))], "drawn on the log axis");
        assert!(first.y.end > lg(8.0), "the threshold is inside the range: {:?}", first.y);

        let negative = Chart {
            lines: vec![Line {
                label: "a".into(),
                points: vec![(0.0, -1.0), (1.0, 0.0)],
                band: Vec::new(),
                summary: false,
            }],
            ..chart
        };
        let second = plan(&negative);
        assert!(!second.log);
        assert!(second.title.contains("linear scale"), "{}", second.title);
        assert_eq!(second.segments[0], vec![vec![(0.0, -1.0), (1.0, 0.0)]]);
    }
}
