//! Monte Carlo through the study runner: `--until-ci` stops at the first
//! seed count whose interval meets the target, on a netlist whose final KPI
//! has a known spread (a GBM walk), the same for any number of workers; and
//! `tsp compare --seeds` writes numeric tables pandas can read, with
//! verdicts that judge the whole interval.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use tokenspice::study::monte_carlo::{relative_half_width, seed_band, MonteCarlo, MonteCarloReport, UntilCi};

/// A GBM with 20%/year volatility over 30 days: the final value's relative
/// standard deviation is sqrt(exp(0.2² · 30/365) − 1) ≈ 0.0574.
const WALK: &str = r#"
[sim]
name = "walk"
tick = "1d"
duration = "30d"
log_every = "1d"

[[series]]
name = "walk"
process = "gbm"
start = 100.0
drift = 0.02
volatility = 0.2

[[kpi]]
name = "walk.value"
expr = "series(\"walk\")"

[[agent]]
type = "eoa"
name = "watcher"
"#;

fn until_ci(netlist: &Path, out: &Path, jobs: usize, target: f64) -> MonteCarloReport {
    let designs = [("walk".to_string(), netlist.to_path_buf())];
    let targets = ["walk.value".to_string()];
    MonteCarlo {
        designs: &designs,
        overrides: &[],
        seeds: 2,
        until_ci: Some(UntilCi { target, max_seeds: 400 }),
        targets: &targets,
        out,
        jobs,
        stop: &AtomicBool::new(false),
        on_done: &|_, _| {},
    }
    .run()
    .unwrap()
}

fn finals(report: &MonteCarloReport) -> Vec<f64> {
    let column = report.outcomes[0][0].columns.iter().position(|c| c == "walk.value").unwrap();
    report.outcomes[0].iter().map(|o| o.rows.last().unwrap().2[column]).collect()
}

#[test]
fn until_ci_stops_at_the_first_seed_count_that_meets_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let netlist = dir.path().join("walk.toml");
    std::fs::write(&netlist, WALK).unwrap();
    let report = until_ci(&netlist, &dir.path().join("one"), 1, 0.02);
    assert_eq!(report.met, Some(true));
    let n = report.seeds as usize;
    let values = finals(&report);
    assert_eq!(values.len(), n);
    // The stopping count is the first that meets the target.
    assert!(relative_half_width(&values) <= 0.02);
    for count in 2..n {
        assert!(relative_half_width(&values[..count]) > 0.02, "{count} seeds already met the target");
    }
    // The known spread: n ≈ (1.96 · 0.0574 / 0.02)² ≈ 32; sampling noise in
    // the estimated deviation moves it, but not by a factor of two.
    assert!((16..=64).contains(&n), "stopped at {n} seeds");
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    assert!((0.035..0.085).contains(&(sd / mean)), "relative spread {}", sd / mean);

    // The band charts draw: per sampled day, the mean over seeds and its interval.
    let tokenspice::study::monte_carlo::SeedBand { mean: means, band } =
        seed_band(&report.outcomes[0], "walk.value");
    assert_eq!(means.len(), 30, "ticks 0..30, a day each");
    assert_eq!(means[29].0, 29.0);
    let mean = values.iter().sum::<f64>() / n as f64;
    assert!((means[29].1 - mean).abs() <= 1e-9 * mean, "{} vs {mean}", means[29].1);
    let (_, lo, hi) = band[29];
    assert!((((hi - lo) / 2.0) / mean - relative_half_width(&values)).abs() < 1e-12);
    assert_eq!(means[0].1, 100.0, "every walk starts at 100");

    // Two workers add seeds two at a time, yet stop at the same count with the same values.
    let two = until_ci(&netlist, &dir.path().join("two"), 2, 0.02);
    assert_eq!(two.seeds, report.seeds);
    assert_eq!(finals(&two), values);

    // A tighter target needs more seeds, and rerunning reuses the stored ones.
    let tighter = until_ci(&netlist, &dir.path().join("one"), 2, 0.01);
    assert!(tighter.seeds > report.seeds);
    assert_eq!(finals(&tighter)[..n], values[..]);
    assert!(tighter.outcomes[0][..n].iter().all(|o| o.reused));

    // A cap it cannot meet: the study says so.
    let designs = [("walk".to_string(), netlist)];
    let capped = MonteCarlo {
        designs: &designs,
        overrides: &[],
        seeds: 2,
        until_ci: Some(UntilCi { target: 0.001, max_seeds: 5 }),
        targets: &["walk.value".to_string()],
        out: &dir.path().join("one"),
        jobs: 2,
        stop: &AtomicBool::new(false),
        on_done: &|_, _| {},
    }
    .run()
    .unwrap();
    assert_eq!((capped.met, capped.seeds), (Some(false), 5));
    assert!(capped.widest.unwrap().relative > 0.001);
}

fn netlist(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists").join(name)
}

#[test]
fn compare_seeds_writes_numeric_criteria_with_interval_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(["compare", "--seeds", "4", "--jobs", "2", "--set", "sim.duration=\"30d\"", "--out"])
        .arg(&out)
        .arg(netlist("ocean_v3.toml"))
        .arg(netlist("ocean_v41.toml"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(out.join("criteria.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut judged = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if record[at("n")].parse::<usize>().unwrap() == 0 {
            continue; // simplicity: measured from sources
        }
        assert_eq!(&record[at("n")], "4");
        let number = |name: &str| record[at(name)].parse::<f64>().unwrap();
        let (mean, half, lo, hi) = (number("mean"), number("half_width"), number("lo"), number("hi"));
        assert_eq!((lo, hi), (mean - half, mean + half));
        let threshold = record[at("threshold")].parse::<f64>();
        let verdict = &record[at("verdict")];
        match (&record[at("rule")], threshold) {
            ("at_most", Ok(t)) if hi <= t => assert_eq!(verdict, "pass"),
            ("at_most", Ok(t)) if lo > t => assert_eq!(verdict, "FAIL"),
            ("at_least", Ok(t)) if lo >= t => assert_eq!(verdict, "pass"),
            ("at_least", Ok(t)) if hi < t => assert_eq!(verdict, "FAIL"),
            ("at_most" | "at_least", Ok(_)) => assert_eq!(verdict, "inconclusive"),
            (rule, _) => assert_eq!((rule, verdict), ("reported", "")),
        }
        judged += 1;
    }
    assert_eq!(judged, 2 * 7, "7 KPI criteria for each of 2 designs");
    // Per-seed values: each criterion, design and seed once.
    let seeds = std::fs::read_to_string(out.join("criteria_seeds.csv")).unwrap();
    assert_eq!(seeds.lines().count(), 1 + 7 * 2 * 4);
    let paired = std::fs::read_to_string(out.join("criteria_paired.csv")).unwrap();
    assert_eq!(paired.lines().count(), 1 + 7);
    // One chart per criterion (mean over seeds with its band), PNG and SVG.
    assert!(
        out.join("criteria-rug-staker-loss-pct.png").is_file()
            && out.join("criteria-rug-staker-loss-pct.svg").is_file()
    );
}
