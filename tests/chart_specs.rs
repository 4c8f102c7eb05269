//! Charts people can read, checked from the drawing plan (no pixels): every
//! shipped netlist, run for a short while, gets charts whose series fit the
//! line limit, whose colours never repeat within a chart, and whose axes
//! all say their unit; every KPI column they write has a unit in the
//! column registry.

#[path = "support/uniswap_builds.rs"]
mod uniswap_builds;

use std::path::Path;
use tokenspice::cli::run_to_dir;
use tokenspice::kpis::{read_kpis, KpiTable};
use tokenspice::netlist::{load, LoadedNetlist};
use tokenspice::plot::units::{has_unit, Registry, UNKNOWN_UNIT};
use tokenspice::plot::{plan_run, run_charts, ChartSpec, DrawnChart, MAX_LINES_PER_CHART, TIME_AXIS};

/// Each shipped netlist and a duration short enough for a test.
const SHIPPED: &[(&str, &str)] = &[
    ("bonding_curve", "20d"),
    ("ocean_v3", "60d"),
    ("ocean_v4", "60d"),
    ("ocean_v41", "60d"),
    ("scheduler", "400d"),
    ("simplegrant", "30d"),
    ("simplepool", "30d"),
    ("uniswap_v2", "10d"),
    ("wsloop", "3y"),
];

/// The specs `tsp run` draws, then those `tsp plot --all` adds.
fn specs(loaded: &LoadedNetlist, table: &KpiTable) -> Vec<ChartSpec> {
    let own = &loaded.netlist.charts;
    let drawn = run_charts(own, table, false).specs;
    drawn.into_iter().chain(run_charts(own, table, true).specs).collect()
}

fn check(netlist: &str, chart: &DrawnChart) -> Vec<String> {
    let mut problems = Vec::new();
    let at = format!("{netlist}: {:?}", chart.title);
    if chart.series.len() > MAX_LINES_PER_CHART {
        problems.push(format!("{at}: {} series > {MAX_LINES_PER_CHART}", chart.series.len()));
    }
    for (i, a) in chart.series.iter().enumerate() {
        for b in &chart.series[i + 1..] {
            if a.color == b.color {
                problems.push(format!("{at}: {:?} and {:?} share colour {:?}", a.label, b.label, a.color));
            }
        }
    }
    if chart.x_label != TIME_AXIS {
        problems.push(format!("{at}: x axis {:?}", chart.x_label));
    }
    if !has_unit(&chart.y_label) {
        problems.push(format!("{at}: y axis {:?} has no unit", chart.y_label));
    }
    if chart.series.iter().any(|s| s.label.is_empty()) || chart.y_ticks.len() < 2 {
        problems.push(format!("{at}: empty legend entry or fewer than 2 y ticks: {:?}", chart.y_ticks));
    }
    problems
}

#[test]
fn every_shipped_chart_fits_its_limit_repeats_no_colour_and_names_its_units() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    uniswap_builds::uniswap_build("v2-core");
    uniswap_builds::uniswap_build("v2-periphery");
    let (mut problems, mut charts, mut columns_seen) = (Vec::new(), 0, 0);
    for (name, duration) in SHIPPED {
        let overrides = vec![format!("sim.duration=\"{duration}\"")];
        let loaded = load(&root.join("netlists").join(format!("{name}.toml")), &overrides).unwrap();
        let dir = tempfile::tempdir().unwrap();
        run_to_dir(&loaded, dir.path(), false).unwrap();
        let csv = dir.path().join("kpis.csv");
        let table = read_kpis(&csv).unwrap();
        let columns = &table.columns;
        // The netlist's own `[[kpi]]` units, as `tsp run` and `tsp plot` read them.
        let units = loaded.column_units();
        assert_eq!(units, Registry::of_results(dir.path()), "{name}: run.json records the same units");
        for column in columns {
            if units.describe(column).unit == UNKNOWN_UNIT {
                problems.push(format!("{name}: column {column} has no unit (registry or [[kpi]] unit)"));
            }
        }
        columns_seen += columns.len();
        let drawn = plan_run(&csv, &specs(&loaded, &table), &units).unwrap();
        assert!(!drawn.is_empty(), "{name} draws no chart");
        for chart in &drawn {
            problems.extend(check(name, chart));
        }
        charts += drawn.len();
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    // Nine netlists, each with what `tsp run` draws and what `tsp plot --all` adds.
    assert!(charts >= 60, "only {charts} charts checked");
    assert!(columns_seen >= 100, "only {columns_seen} columns checked");
    eprintln!("checked {charts} charts over {columns_seen} columns");
}

#[test]
fn condensed_charts_keep_the_median_grey_and_apart() {
    // 20 pools → 7 top lines and the grey median: 8 distinct colours.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kpis.csv");
    let mut text = String::from("tick,time_s");
    for pool in 0..20 {
        text.push_str(&format!(",pool.{pool}.spot_price"));
    }
    for tick in 0..5u32 {
        text.push_str(&format!("\n{tick},{}", tick * 86_400));
        for pool in 0..20u32 {
            text.push_str(&format!(",{}", f64::from(pool + 1) * 10f64.powi(i32::try_from(tick).unwrap())));
        }
    }
    std::fs::write(&csv, text + "\n").unwrap();
    let spec = ChartSpec {
        title: "Datatoken prices".into(),
        kpis: vec!["pool.*.spot_price".into()],
        log_y: true,
        y_label: Some("OCEAN per DT".into()),
    };
    let drawn = plan_run(&csv, &[spec], &Registry::EMPTY).unwrap().remove(0);
    assert!(check("synthetic", &drawn).is_empty(), "{:?}", check("synthetic", &drawn));
    assert_eq!(drawn.series.len(), MAX_LINES_PER_CHART);
    assert_eq!(drawn.series[0].label, "pool 13");
    let median = drawn.series.last().unwrap();
    assert!(median.summary && median.label.starts_with("median of 13"));
    assert_eq!(drawn.y_label, "DT price (OCEAN per DT, log scale)");
    // Drawn values from 4 (the band) to 200,000: every decade labelled, one style.
    assert_eq!(drawn.y_ticks, ["10", "100", "1,000", "10,000", "100,000"]);
}
