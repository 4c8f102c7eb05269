//! Netlists end to end: every netlist in `netlists/` runs (shortened) and a
//! KPI matches an independently computed expectation; the same seed gives a
//! byte-identical `kpis.csv`, another seed a different one; a killed run
//! leaves only complete lines.

use std::path::{Path, PathBuf};
use std::process::Command;
use tokenspice::cli::run_to_dir;
use tokenspice::kpis::read_kpis;
use tokenspice::netlist::load;

fn netlist(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists").join(name)
}

fn run(name: &str, overrides: &[&str]) -> (tempfile::TempDir, Vec<u8>) {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = load(&netlist(name), &overrides).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run_to_dir(&loaded, dir.path(), false).unwrap();
    let bytes = std::fs::read(dir.path().join("kpis.csv")).unwrap();
    (dir, bytes)
}

#[test]
fn every_netlist_has_a_test_here() {
    let mut names: Vec<String> = std::fs::read_dir(netlist(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bonding_curve.toml", // tests/bonding_curve_netlist.rs
            "lp_rewards.toml",    // tests/lp_rewards.rs
            "ocean_v3.toml",
            "ocean_v4.toml",
            "ocean_v41.toml",
            "scheduler.toml",
            "simplegrant.toml",
            "simplepool.toml",
            "two_market_makers.toml", // tests/two_market_makers.rs, tests/python/test_two_market_makers.py
            "uniswap_v2.toml",        // tests/uniswap_netlist.rs (it needs scripts/uniswap-builds.sh)
            "vamm.toml",              // tests/vamm.rs
            "wsloop.toml"             // tests/wsloop.rs
        ],
        "add a test for each new netlist"
    );
}

#[test]
fn simplepool_creates_a_pool_every_7_days_and_conserves_nothing_it_should_not() {
    let (dir, _) = run("simplepool.toml", &["sim.duration=\"30d\""]);
    let table = read_kpis(&dir.path().join("kpis.csv")).unwrap();
    let pools = table.column("global.pools").unwrap();
    // Independent expectation: publications at days 0, 7, 14, 21, 28 → 5 pools.
    assert_eq!(*pools.last().unwrap(), 5.0);
    // The pool's spot price (sans fee) follows from its own balances and the
    // 70/30 weights: (ocean/7)/(dt/3), checked on every sampled row.
    let (price, ocean, dt) = (
        table.column("pool.0.spot_price").unwrap(),
        table.column("pool.0.ocean").unwrap(),
        table.column("pool.0.dt").unwrap(),
    );
    for row in 0..table.len() {
        let expected = (ocean[row] / 7.0) / (dt[row] / 3.0);
        assert!((price[row] - expected).abs() <= 1e-9 * expected, "row {row}: {} vs {expected}", price[row]);
    }
    // Seeded with 1,000 OCEAN and 100 DT, buys only raise the price above (1000/7)/(100/3).
    assert!(price[0] >= (1000.0 / 7.0) / (100.0 / 3.0) - 1e-12);
    // Consumes happen (3 consumers, daily) and each buys exactly one DT.
    let consumes = *table.column("global.consumes").unwrap().last().unwrap();
    assert!(consumes > 60.0 && consumes <= 90.0, "{consumes}");
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap()).unwrap();
    assert_eq!(run_json["seed"], 42);
    assert!(run_json["bytecode_keccak"]["WeightedPool"].as_str().unwrap().starts_with("0x"));
    let loaded = load(&netlist("simplepool.toml"), &[]).unwrap();
    let (charts, _) = tokenspice::cli::write_charts(&loaded, dir.path(), false).unwrap();
    assert!(!charts.is_empty() && charts.iter().all(|c| c.png.is_file() && c.svg.is_file()), "{charts:?}");
}

#[test]
fn simplegrant_pays_the_taker_on_schedule() {
    let (dir, _) = run("simplegrant.toml", &[]);
    let table = read_kpis(&dir.path().join("kpis.csv")).unwrap();
    let giver = table.column("agent.foundation.usd").unwrap();
    // Grants at days 0, 30, ..., 270 drain the 10,000 USD budget: 10 grants.
    assert_eq!(*giver.last().unwrap(), 0.0);
    // Independently (shuffle off, giver first): by tick 45 the taker got grants at days 0 and 30
    // and spent 20 USD on each of 46 ticks.
    let taker = table.column("agent.researcher.usd").unwrap();
    assert!((taker[45] - 1_080.0).abs() < 1e-9, "{}", taker[45]);
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let short = ["sim.duration=\"21d\""];
    let (_a, first) = run("simplepool.toml", &short);
    let (_b, second) = run("simplepool.toml", &short);
    assert_eq!(first, second, "same netlist and seed give byte-identical kpis.csv");
    let (_c, other) = run("simplepool.toml", &["sim.duration=\"21d\"", "sim.seed=7"]);
    assert_ne!(first, other, "another seed changes the run");
}

/// SIGTERM (as `kill` sends, or Ctrl-C's SIGINT) stops the run at a row
/// boundary and exits 143; the file then holds only complete lines and
/// run.json says so. (The rows grow in the staging folder beside `--out`.)
#[test]
fn a_killed_run_leaves_only_complete_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args([
            "run",
            "--quiet",
            "--no-charts",
            "--set",
            "sim.duration=\"3650d\"",
            "--set",
            "sim.log_every=\"1h\"",
            "--out",
        ])
        .arg(dir.path())
        .arg(netlist("simplepool.toml"))
        .spawn()
        .unwrap();
    let name = dir.path().file_name().unwrap().to_string_lossy();
    let staging = dir.path().with_file_name(format!(".{name}.partial")).join("kpis.csv");
    let csv = dir.path().join("kpis.csv");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::read_to_string(&staging).map_or(0, |t| t.lines().count()) < 200 {
        assert!(std::time::Instant::now() < deadline, "the run writes rows as it goes");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(143), "a stopped run exits 128 + SIGTERM: {exit:?}");
    let run_json = std::fs::read_to_string(dir.path().join("run.json")).unwrap();
    assert!(run_json.contains("\"interrupted\": true"), "{run_json}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.ends_with('\n'), "the last line is complete");
    let width = text.lines().next().unwrap().split(',').count();
    assert!(text.lines().all(|line| line.split(',').count() == width));
    let table = read_kpis(&csv).unwrap();
    assert!(table.len() >= 199);
}

#[test]
fn scheduler_vests_linearly_and_claims_monthly() {
    let (dir, _) = run("scheduler.toml", &[]);
    let table = read_kpis(&dir.path().join("kpis.csv")).unwrap();
    let claimed = table.column("agent.team.ocean").unwrap();
    let locked = table.column("agent.treasury.vesting_locked_ocean").unwrap();
    // Independently: claims at days 0, 30, 60, ...; by a claim on day d the
    // vested amount is 1e6 * min(d, 1095) / 1095 (3 years of 365 days).
    let vested = |day: f64| 1e6 * day.min(1_095.0) / 1_095.0;
    for day in [0usize, 29, 30, 31, 364, 365, 1_094, 1_095, 1_100, 1_459] {
        let last_claim = (day / 30 * 30) as f64;
        assert!((claimed[day] - vested(last_claim)).abs() < 1e-6, "day {day}: {}", claimed[day]);
        assert!((claimed[day] + locked[day] - 1e6).abs() < 1e-6, "day {day}: conservation");
    }
    assert_eq!(*claimed.last().unwrap(), 1e6, "everything is released after 3 years");
}

#[test]
fn ocean_designs_run_the_same_population_and_publish_on_schedule() {
    for name in ["ocean_v3.toml", "ocean_v4.toml", "ocean_v41.toml"] {
        let (dir, _) = run(name, &["sim.duration=\"61d\""]);
        let table = read_kpis(&dir.path().join("kpis.csv")).unwrap();
        // Independently: 4 publishers every 30 days (days 0, 30, 60) and the
        // rugger every 60 days (days 0, 60): 14 pools; the rugger's day-0 pool
        // is pulled on day 10.
        assert_eq!(*table.column("global.pools").unwrap().last().unwrap(), 14.0, "{name}");
        assert_eq!(*table.column("global.rugged_pools").unwrap().last().unwrap(), 1.0, "{name}");
        let run_json = std::fs::read_to_string(dir.path().join("run.json")).unwrap();
        let design = if name == "ocean_v41.toml" {
            "v41"
        } else if name == "ocean_v4.toml" {
            "v4"
        } else {
            "v3"
        };
        assert!(run_json.contains(&format!("\"design\": \"{design}\"")), "{name}");
    }
}

#[test]
fn ocean_v41_prices_follow_the_dutch_burn_in_weights() {
    let (dir, _) = run("ocean_v41.toml", &["sim.duration=\"2d\""]);
    let table = read_kpis(&dir.path().join("kpis.csv")).unwrap();
    let (price, ocean, dt, time) = (
        table.column("pool.0.spot_price").unwrap(),
        table.column("pool.0.ocean").unwrap(),
        table.column("pool.0.dt").unwrap(),
        &table.times,
    );
    // Row k is sampled one tick (3600 s) after its tick starts; the pool was
    // created at time 0. DT weight falls linearly 45 → 5 over 7 days, OCEAN stays 5.
    for row in 0..table.len() {
        let elapsed = (time[row] + 3_600) as f64;
        let dt_weight = 45.0 - 40.0 * elapsed / (7.0 * 86_400.0);
        let expected = (ocean[row] / 5.0) / (dt[row] / dt_weight);
        assert!((price[row] - expected).abs() <= 1e-9 * expected, "row {row}: {} vs {expected}", price[row]);
    }
}
