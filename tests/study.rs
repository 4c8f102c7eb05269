//! Studies end to end: a 64-run sweep gives byte-identical tables whatever
//! the number of workers and whether runs fork a set-up world or deploy
//! anew; a rerun reuses every stored run; a bad point is refused before any
//! run; a sweep killed by SIGTERM or SIGKILL resumes without losing a
//! finished run, and SIGTERM marks it interrupted.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use tokenspice::study::{parse_factor, Design, Sweep, SweepReport};

fn netlist(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists").join(name)
}

/// 16 points (publisher sizes × swap amounts) × 4 seeds of 20 days of V3.
fn sweep(out: &Path, jobs: usize, fork: bool) -> Sweep {
    Sweep {
        shard: None,
        netlists: vec![netlist("ocean_v3.toml")],
        overrides: vec!["sim.duration=\"20d\"".into()],
        factors: vec![
            parse_factor("agent.publisher.dt_in_pool=50,80,100,150").unwrap(),
            parse_factor("agent.publisher.ocean_in_pool=500,800,1000,2000").unwrap(),
        ],
        design: Design::Grid,
        points: None,
        seeds: vec![1, 2, 3, 4],
        design_seed: 0,
        columns: vec!["global.*".into(), "criteria.*".into()],
        out: out.to_path_buf(),
        jobs,
        fork,
        charts: false,
    }
}

fn run(sweep: &Sweep) -> SweepReport {
    sweep.run(&AtomicBool::new(false), &|_, _| {}).unwrap()
}

const TABLES: [&str; 4] = ["summary.csv", "summary.parquet", "tidy.csv", "tidy.parquet"];

fn assert_same_tables(a: &Path, b: &Path) {
    for table in TABLES {
        let (left, right) = (std::fs::read(a.join(table)).unwrap(), std::fs::read(b.join(table)).unwrap());
        assert!(left == right, "{table} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn a_64_run_sweep_is_byte_identical_for_any_worker_count_and_with_or_without_forking() {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let one = run(&sweep(dirs[0].path(), 1, true));
    assert_eq!((one.planned, one.outcomes.len(), one.failed(), one.reused()), (64, 64, 0, 0));
    let two = run(&sweep(dirs[1].path(), 2, true));
    assert_eq!((two.outcomes.len(), two.failed()), (64, 0));
    let fresh = run(&sweep(dirs[2].path(), 2, false));
    assert_eq!((fresh.outcomes.len(), fresh.failed()), (64, 0));
    assert_same_tables(dirs[0].path(), dirs[1].path());
    assert_same_tables(dirs[0].path(), dirs[2].path());

    // The summary has one row per run with the factors as numbers, and the
    // points differ: the sweep did reach the agents' parameters.
    let summary = std::fs::read_to_string(dirs[0].path().join("summary.csv")).unwrap();
    let rows: Vec<&str> = summary.lines().collect();
    assert_eq!(rows.len(), 65);
    assert!(
        rows[0].starts_with("run,point,agent.publisher.dt_in_pool,agent.publisher.ocean_in_pool,seed,status")
    );
    let volume = rows[0].split(',').position(|c| c == "global.swap_volume_ocean").unwrap();
    let volumes: std::collections::BTreeSet<&str> =
        rows[1..].iter().map(|r| r.split(',').nth(volume).unwrap()).collect();
    assert!(volumes.len() > 32, "only {} distinct swap volumes over 64 runs", volumes.len());

    // A rerun reuses every stored run and writes the same tables.
    let again = run(&sweep(dirs[1].path(), 2, true));
    assert_eq!(again.reused(), 64);
    assert_same_tables(dirs[0].path(), dirs[1].path());
}

#[test]
fn a_bad_point_is_refused_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = sweep(dir.path(), 1, true);
    bad.factors = vec![parse_factor("ocean.swap_fee=0.001,0.003").unwrap()];
    let error = format!("{:#}", bad.run(&AtomicBool::new(false), &|_, _| {}).unwrap_err());
    assert!(error.contains("point 0 of the study (ocean.swap_fee=0.001)"), "{error}");
    assert!(error.contains("unknown field `swap_fee`"), "{error}");
    assert!(!dir.path().join("units").exists(), "nothing may run");
}

/// `tsp sweep` of 12 runs of 60 days on one worker, in the background.
fn spawn_sweep(out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tsp"))
        .arg("sweep")
        .arg(netlist("ocean_v3.toml"))
        .args(["--factor", "agent.publisher.dt_in_pool=50,100,150", "--seeds", "4", "--jobs", "1", "--quiet"])
        .args(["--set", "sim.duration=\"60d\"", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn markers(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join("units"))
        .map(|dir| dir.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.retain(|n| n.ends_with(".json"));
    names.sort();
    names
}

/// Wait until `count` runs are stored, then send `signal` to the sweep.
fn interrupt(child: &mut std::process::Child, out: &Path, count: usize, signal: &str) -> Vec<String> {
    let start = Instant::now();
    while markers(out).len() < count {
        assert!(child.try_wait().unwrap().is_none(), "the sweep ended before it could be interrupted");
        assert!(start.elapsed() < Duration::from_secs(120), "no runs stored after 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let done = markers(out);
    let status = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    done
}

fn resume_and_compare(out: &Path, done_before: &[String]) {
    let output = spawn_sweep(out).wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let study: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("study.json")).unwrap()).unwrap();
    assert_eq!(study["status"], "complete");
    assert_eq!(study["done"], 12);
    let whole = tempfile::tempdir().unwrap();
    let output = spawn_sweep(whole.path()).wait_with_output().unwrap();
    assert!(output.status.success());
    assert_same_tables(out, whole.path());
    // The runs stored before the kill were not run again: their markers are untouched.
    for name in done_before {
        assert!(markers(out).contains(name));
    }
}

#[test]
fn a_sweep_killed_with_sigkill_resumes_and_loses_no_finished_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_sweep(dir.path());
    let done = interrupt(&mut child, dir.path(), 3, "-KILL");
    child.wait().unwrap();
    let stamps: Vec<_> = done
        .iter()
        .map(|n| std::fs::metadata(dir.path().join("units").join(n)).unwrap().modified().unwrap())
        .collect();
    resume_and_compare(dir.path(), &done);
    for (name, stamp) in done.iter().zip(stamps) {
        let now = std::fs::metadata(dir.path().join("units").join(name)).unwrap().modified().unwrap();
        assert_eq!(now, stamp, "{name} was written again");
    }
}

#[test]
fn a_sweep_stopped_with_sigterm_exits_non_zero_says_interrupted_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_sweep(dir.path());
    let done = interrupt(&mut child, dir.path(), 2, "-TERM");
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("interrupted"), "{stderr}");
    let study: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("study.json")).unwrap()).unwrap();
    assert_eq!(study["status"], "interrupted");
    assert!(study["done"].as_u64().unwrap() >= 2 && study["done"].as_u64().unwrap() < 12, "{study}");
    resume_and_compare(dir.path(), &done);
}

#[test]
fn several_netlists_are_designs_swept_over_the_same_points_with_factor_effects() {
    let dir = tempfile::tempdir().unwrap();
    let mut study = sweep(dir.path(), 2, true);
    study.netlists = vec![netlist("ocean_v3.toml"), netlist("ocean_v41.toml")];
    study.factors = vec![parse_factor("agent.publisher.swap_fee=0.001,0.01").unwrap()];
    study.seeds = vec![1, 2];
    study.charts = true;
    let report = run(&study);
    assert_eq!((report.planned, report.outcomes.len(), report.failed()), (8, 8, 0));
    assert_eq!(report.designs, ["ocean_v3", "ocean_v41"]);
    assert!(dir.path().join("ocean-v3/units").is_dir() && dir.path().join("ocean-v41/units").is_dir());

    let summary = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[..4], ["design", "run", "point", "agent.publisher.swap_fee"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let runs: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(runs, ["0", "1", "2", "3", "4", "5", "6", "7"]);

    // Each effect is the mean of the summary's final values at that design and value.
    let effects = std::fs::read_to_string(dir.path().join("effects.csv")).unwrap();
    let mut effects_reader = csv::Reader::from_reader(effects.as_bytes());
    let mut checked = 0;
    for effect in effects_reader.records().map(|r| r.unwrap()) {
        let (design, value, kpi) = (&effect[0], effect[2].parse::<f64>().unwrap(), &effect[3]);
        let column = header.iter().position(|h| h == kpi).unwrap();
        let finals: Vec<f64> = rows
            .iter()
            .filter(|r| &r[0] == design && r[3].parse::<f64>().unwrap() == value)
            .map(|r| r[column].parse::<f64>().unwrap())
            .collect();
        assert_eq!(finals.len(), 2, "{design} at {value}");
        assert_eq!(&effect[4], "2");
        let mean = effect[5].parse::<f64>().unwrap();
        assert!(
            (mean - (finals[0] + finals[1]) / 2.0).abs() <= 1e-12 * mean.abs().max(1.0),
            "{kpi}: {mean} vs {finals:?}"
        );
        checked += 1;
    }
    assert_eq!(checked, 2 * 2 * 7, "2 designs × 2 values × 7 criteria");
    let charts = dir.path().join("charts");
    assert!(charts.join("criteria-rug-staker-loss-pct-vs-agent-publisher-swap-fee.png").is_file());
    assert_eq!(std::fs::read_dir(&charts).unwrap().count(), 2 * 7, "a PNG and an SVG per criterion");
}
