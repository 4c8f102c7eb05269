//! Charts drawn from small KPI tables written with the real writer.

use super::*;
use crate::kpis::KpiWriter;

/// The registry of a run whose netlist gives no units of its own.
const NO_UNITS: Registry = Registry::EMPTY;

const COLUMNS: [&str; 6] = [
    "pool.dt1.spot_price",
    "pool.dt2.spot_price",
    "agent.alice.usd",
    "agent.bob.usd",
    "global.consumes",
    "global.tvl",
];

/// A deterministic table: waves, a ramp, a gap, and a series spanning
/// 1e-3..1e3 for the log chart; `shift` makes runs differ.
fn write_table(path: &Path, shift: f64) {
    let columns = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let mut writer = KpiWriter::create(path, columns).unwrap();
    let ticks = 240_u64;
    for tick in 0..ticks {
        let t = tick as f64;
        let phase = t / 20.0 + shift;
        let tvl = 10f64.powf(6.0f64.mul_add(t / (ticks - 1) as f64, -3.0));
        let gap = if (100..110).contains(&tick) { f64::NAN } else { (20.0 * t).mul_add(1.0 + shift, 1000.0) };
        let row = [
            2.0 + phase.sin(),
            0.5f64.mul_add(phase.cos(), 2.5),
            gap,
            (t * 7.5).mul_add(-1.0 - shift, 3000.0),
            (t / 3.0).floor(),
            tvl,
        ];
        writer.write_row(tick, 1_700_000_000 + tick * 3600, &row).unwrap();
    }
    writer.finish().unwrap();
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
    assert!(bytes.len() > 10_000, "{} is only {} bytes", path.display(), bytes.len());
}

fn svg_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.starts_with("<svg"), "{} is not an SVG", path.display());
    text
}

#[test]
fn plot_run_writes_png_and_svg_per_chart() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kpis.csv");
    write_table(&csv, 0.0);
    let columns: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let mut charts = default_charts(&columns);
    charts.push(ChartSpec {
        title: "Total value locked (log)".into(),
        kpis: vec!["global.tvl".into()],
        log_y: true,
        y_label: Some("USD".into()),
    });
    charts.push(ChartSpec {
        title: "Spot prices".into(),
        kpis: vec!["pool.*.spot_price".into(), "pool.dt1.spot_price".into()],
        log_y: false,
        y_label: None,
    });
    let out = dir.path().join("charts");
    let drawn = plot_run(&csv, &out, &charts, &NO_UNITS).unwrap();
    assert_eq!(drawn.len(), charts.len());
    let stems: Vec<String> =
        drawn.iter().map(|c| c.png.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(stems.contains(&"pool-spot-price.png".to_owned()), "{stems:?}");
    assert!(drawn.iter().any(|c| c.svg.ends_with("total-value-locked-log.svg")), "{drawn:?}");
    for (spec, chart) in charts.iter().zip(&drawn) {
        assert_eq!(chart.png.extension().unwrap(), "png");
        assert_eq!(chart.svg.extension().unwrap(), "svg");
        assert_png(&chart.png);
        let svg = svg_text(&chart.svg);
        let title = if units::is_column_like(&spec.title) {
            NO_UNITS.title_of(&spec.title)
        } else {
            spec.title.clone()
        };
        assert_eq!(chart.title, title, "the chart file carries the title drawn");
        assert!(svg.contains(&title), "{} lacks title {title:?}", chart.svg.display());
        assert!(svg.contains("time (days)"));
        let drawn: Vec<&str> =
            COLUMNS.iter().copied().filter(|c| spec.kpis.iter().any(|p| matches(p, c))).collect();
        for label in NO_UNITS.legend_labels(&drawn) {
            assert!(svg.contains(&label), "{} lacks legend label {label}", chart.svg.display());
        }
    }
    let spot = svg_text(&out.join("spot-prices.svg"));
    assert_eq!(spot.matches("\npool dt1\n").count(), 1, "a column matched twice is drawn once");
    assert!(spot.contains("DT price (OCEAN per DT)"), "the registry labels the axis");
    let log = svg_text(&out.join("total-value-locked-log.svg"));
    assert!(log.contains("USD (log scale)"));
}

#[test]
fn log_chart_without_positive_values_falls_back_to_linear() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kpis.csv");
    let mut writer = KpiWriter::create(&csv, vec!["global.loss".into()]).unwrap();
    for tick in 0..10 {
        writer.write_row(tick, tick * 600, &[-(tick as f64)]).unwrap();
    }
    drop(writer);
    let spec =
        ChartSpec { title: "Loss".into(), kpis: vec!["global.loss".into()], log_y: true, y_label: None };
    let drawn = plot_run(&csv, dir.path(), &[spec], &NO_UNITS).unwrap();
    assert!(svg_text(&drawn[0].svg).contains("Loss (linear scale: no positive values)"));
}

#[test]
fn plot_compare_draws_one_line_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let (v3, v4) = (dir.path().join("v3.csv"), dir.path().join("v4.csv"));
    write_table(&v3, 0.0);
    write_table(&v4, 0.7);
    let runs = vec![("Design A".to_owned(), v3), ("Design B".to_owned(), v4)];
    let price_limit = Threshold { label: "pass: ≤ 1.5 OCEAN per DT".into(), value: 1.5 };
    let kpis = vec![
        KpiChart { kpi: "pool.dt1.spot_price".to_owned(), thresholds: vec![price_limit] },
        KpiChart { kpi: "agent.bob.usd".to_owned(), thresholds: Vec::new() },
    ];
    let out = dir.path().join("compare");
    let drawn = plot_compare(&runs, &out, &kpis, &NO_UNITS).unwrap();
    let names: Vec<_> =
        drawn.iter().map(|c| c.png.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["pool-dt1-spot-price.png", "agent-bob-usd.png"]);
    assert_png(&drawn[0].png);
    let svg = svg_text(&drawn[0].svg);
    for needle in ["DT price (OCEAN per DT)", "Design A", "Design B", "pass: ≤ 1.5 OCEAN per DT"] {
        assert!(svg.contains(needle), "compare chart lacks {needle:?}");
    }
    assert!(!svg_text(&drawn[1].svg).contains("pass:"), "no threshold where none is given");
}

#[test]
fn every_design_keeps_its_colour_on_every_chart() {
    let chart = |title: &str, designs: &[&str]| XyChart {
        title: title.into(),
        x_label: TIME_AXIS.into(),
        y_label: "x (count)".into(),
        lines: designs.iter().map(|d| ((*d).to_owned(), vec![(0.0, 1.0), (1.0, 2.0)])).collect(),
        bands: Vec::new(),
        thresholds: vec![Threshold { label: "pass: ≥ 1".into(), value: 1.0 }],
    };
    let designs = ["v3", "v4", "v41"];
    let plans = plan_xy(&[chart("a", &designs), chart("b", &designs)], &NO_UNITS);
    let colours =
        |plan: &DrawnChart| plan.series.iter().map(|s| (s.label.clone(), s.color)).collect::<Vec<_>>();
    assert_eq!(colours(&plans[0]), colours(&plans[1]));
    assert_eq!(plans[0].thresholds, ["pass: ≥ 1"]);
    let distinct: std::collections::BTreeSet<_> = plans[0].series.iter().map(|s| s.color).collect();
    assert_eq!(distinct.len(), 3);
}

#[test]
fn spec_matching_nothing_is_an_error_listing_columns() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kpis.csv");
    write_table(&csv, 0.0);
    let specs = [
        ChartSpec {
            title: "Prices".into(),
            kpis: vec!["pool.*.spot_price".into()],
            log_y: false,
            y_label: None,
        },
        ChartSpec { title: "Stakes".into(), kpis: vec!["agent.*.stake".into()], log_y: false, y_label: None },
    ];
    let out = dir.path().join("charts");
    let error = plot_run(&csv, &out, &specs, &NO_UNITS).unwrap_err();
    let PlotError::NoMatch { title, pattern, .. } = &error else { panic!("{error:?}") };
    assert_eq!((title.as_str(), pattern.as_str()), ("Stakes", "agent.*.stake"));
    let message = error.to_string();
    for needle in ["kpis.csv", "Stakes", "agent.*.stake", "agent.alice.usd", "agent.bob.usd"] {
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
    assert!(!out.exists(), "nothing is drawn when a spec is bad");
}

#[test]
fn compare_errors_name_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kpis.csv");
    write_table(&csv, 0.0);
    let runs = vec![("base".to_owned(), csv)];
    let nope = KpiChart { kpi: "global.nope".to_owned(), thresholds: Vec::new() };
    let error = plot_compare(&runs, dir.path(), &[nope], &NO_UNITS).unwrap_err();
    assert!(
        matches!(&error, PlotError::MissingKpi { run, kpi, .. } if run == "base" && kpi == "global.nope")
    );
    assert!(error.to_string().contains("kpis.csv"));
    assert!(matches!(plot_compare(&[], dir.path(), &[], &NO_UNITS), Err(PlotError::NoRuns)));
    let missing = vec![("gone".to_owned(), dir.path().join("gone.csv"))];
    let error = plot_compare(&missing, dir.path(), &[], &NO_UNITS).unwrap_err();
    assert!(error.to_string().contains("gone.csv"), "{error}");
}

#[test]
fn a_chart_file_that_cannot_be_written_is_named_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kpis.csv");
    write_table(&csv, 0.0);
    let spec =
        ChartSpec { title: "TVL".into(), kpis: vec!["global.tvl".into()], log_y: false, y_label: None };
    let out = dir.path().join("charts");
    std::fs::create_dir_all(out.join("tvl.png")).unwrap(); // a folder where the chart goes
    let message = plot_run(&csv, &out, &[spec], &NO_UNITS).unwrap_err().to_string();
    assert!(message.contains("tvl.png: cannot draw chart: Is a directory"), "{message}");
    assert!(!message.contains("IoError("), "no Rust debug output: {message}");
}

#[test]
fn twenty_thousand_columns_make_one_chart_of_top_lines_and_a_median() {
    // Default charts name every column; each name used to be matched
    // against every column (20,000 columns: minutes of `tsp plot`).
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kpis.csv");
    let columns: Vec<String> = (0..20_000).map(|i| format!("agent.a{i}.usd")).collect();
    let mut writer = KpiWriter::create(&csv, columns.clone()).unwrap();
    for tick in 0..5_u64 {
        let row: Vec<f64> = (0..20_000).map(|i| f64::from(i) + tick as f64).collect();
        writer.write_row(tick, tick * 3600, &row).unwrap();
    }
    writer.finish().unwrap();
    let charts = default_charts(&columns);
    assert_eq!(charts.len(), 1);
    let written = plot_run(&csv, &dir.path().join("charts"), &charts, &NO_UNITS).unwrap();
    assert_eq!(written.len(), 1);
    let svg = svg_text(&written[0].svg);
    assert!(svg.contains("median of 19993 others"), "legend names the aggregate");
    assert!(svg.contains("\na19999\n"), "the top line by final value is drawn");
}
