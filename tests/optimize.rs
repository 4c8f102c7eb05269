//! `tsp optimize` and `tsp corners` end to end, on 20 simulated days of
//! Ocean V3 and three common seeds. The claims are checked with runs made
//! apart from the search: `tsp run` of the netlist as written and of the
//! written `best.toml` / `corner-1.toml` on each seed. The optimiser's best
//! design is feasible and better than the start on every seed; the worst
//! corner is worse than the default population on every seed; the same
//! command gives byte-identical files whatever the number of workers; a bad
//! expression or path is an error naming it before any run.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tokenspice::kpis::read_kpis;

const SEEDS: [u64; 3] = [1, 2, 3];
const DURATION: &str = "sim.duration=\"20d\"";
const VOLUME: &str = "global.swap_volume_ocean";
const NET_WORTH: &str = "criteria.publisher_net_worth_change_ocean";

const NETLIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/netlists/ocean_v3.toml");

fn netlist() -> PathBuf {
    PathBuf::from(NETLIST)
}

fn tsp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tsp")).args(args).output().expect("tsp runs")
}

fn ok(args: &[&str]) -> String {
    let output = tsp(args);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "tsp {args:?} failed:\n{stdout}\n{stderr}");
    stdout.into_owned()
}

/// The final values of `columns` of `tsp run NETLIST` on `seed`.
fn final_values(netlist: &Path, seed: u64, columns: &[&str]) -> Vec<f64> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let seed = format!("sim.seed={seed}");
    ok(&[
        "run",
        netlist.to_str().unwrap(),
        "--set",
        DURATION,
        "--set",
        &seed,
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ]);
    let table = read_kpis(&out.join("kpis.csv")).unwrap();
    columns
        .iter()
        .map(|name| {
            let i =
                table.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
            *table.values[i].last().unwrap()
        })
        .collect()
}

fn optimize_args<'a>(out: &'a str, jobs: &'a str, iterations: &'a str) -> Vec<&'a str> {
    vec![
        "optimize",
        NETLIST,
        "--set",
        DURATION,
        "--param",
        "agent.publisher.ocean_in_pool=200..5000",
        "--param",
        "agent.publisher.dt_in_pool=20..400",
        "--maximize",
        "kpi(\"global.swap_volume_ocean\")",
        "--constraint",
        "kpi(\"criteria.publisher_net_worth_change_ocean\") >= 300000",
        "--seeds",
        "3",
        "--iterations",
        iterations,
        "--jobs",
        jobs,
        "--out",
        out,
    ]
}

#[test]
fn optimize_finds_a_feasible_design_better_than_the_start_on_every_seed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("opt");
    let stdout = ok(&optimize_args(out.to_str().unwrap(), "2", "12"));
    assert!(stdout.lines().filter(|l| l.starts_with("iteration")).count() >= 2, "{stdout}");
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("optimize.json")).unwrap()).unwrap();
    assert_eq!(summary["improved_on_every_seed"], true, "{summary:#}");

    // Runs apart from the search: the netlist as written (the start) and best.toml.
    let best = out.join("best.toml");
    for (k, seed) in SEEDS.into_iter().enumerate() {
        let start = final_values(&netlist(), seed, &[VOLUME, NET_WORTH]);
        let found = final_values(&best, seed, &[VOLUME, NET_WORTH]);
        assert!(
            found[0] > start[0],
            "seed {seed}: swap volume {} is not above the start's {}",
            found[0],
            start[0]
        );
        assert!(found[1] >= 300_000.0, "seed {seed}: the constraint fails: net worth change {}", found[1]);
        // The search's own numbers are those of these runs (to the last
        // digits a CSV round trip may change).
        for (what, run) in [("start", start[0]), ("best", found[0])] {
            let searched = summary[what]["objective_by_seed"][k].as_f64().unwrap();
            assert!((searched - run).abs() <= 1e-9 * run.abs(), "seed {seed}: {what} {searched} vs {run}");
        }
    }
    // The constraint was active: some candidates broke it.
    let evaluations = std::fs::read_to_string(out.join("evaluations.csv")).unwrap();
    let best_volume = summary["best"]["objective"].as_f64().unwrap();
    let blocked =
        evaluations.lines().skip(1).map(|l| l.split(',').collect::<Vec<_>>()).filter(|r| r[5] == "false");
    assert!(blocked.count() > 0, "no candidate broke the constraint:\n{evaluations}");
    assert!(best_volume > summary["start"]["objective"].as_f64().unwrap());
    // The path never gets worse, and its last line is the best design.
    let path = std::fs::read_to_string(out.join("optimize.csv")).unwrap();
    let objectives: Vec<f64> =
        path.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse().unwrap()).collect();
    assert!(objectives.windows(2).all(|w| w[1] >= w[0]), "{path}");
    // Equal to the last ulp or so: serde_json's default float parsing is
    // not always correctly rounded (24491.44782633984 came back 1 ulp off).
    let last = *objectives.last().unwrap();
    assert!((last - best_volume).abs() <= 1e-12 * best_volume.abs(), "{last} vs {best_volume}");
}

#[test]
fn the_same_optimisation_gives_byte_identical_files_whatever_the_workers() {
    let dirs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let outs: Vec<PathBuf> = dirs.iter().map(|d| d.path().join("opt")).collect();
    ok(&optimize_args(outs[0].to_str().unwrap(), "1", "6"));
    ok(&optimize_args(outs[1].to_str().unwrap(), "2", "6"));
    for file in ["optimize.csv", "evaluations.csv", "best.toml"] {
        let (a, b) = (std::fs::read(outs[0].join(file)).unwrap(), std::fs::read(outs[1].join(file)).unwrap());
        assert!(a == b, "{file} differs between --jobs 1 and --jobs 2");
    }
    // A rerun reuses every stored run and writes the same path.
    let before = std::fs::read(outs[0].join("optimize.csv")).unwrap();
    ok(&optimize_args(outs[0].to_str().unwrap(), "2", "6"));
    assert_eq!(before, std::fs::read(outs[0].join("optimize.csv")).unwrap());
}

#[test]
fn corners_find_a_corner_worse_than_the_default_population_on_every_seed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("corners");
    let stdout = ok(&[
        "corners",
        NETLIST,
        "--set",
        DURATION,
        "--range",
        "agent.consumer.count=2..20:int",
        "--range",
        "agent.speculator.trade_probability=0.05..0.95",
        "--worst",
        &format!("min:{NET_WORTH}"),
        "--seeds",
        "3",
        "--points",
        "10",
        "--refine",
        "5",
        "--corners",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    let table = std::fs::read_to_string(out.join("corners.csv")).unwrap();
    let rows: Vec<Vec<&str>> = table.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 1 + 1 + 3, "the default and three corners:\n{table}");
    assert_eq!(rows[1][1], "default");
    let regions: std::collections::BTreeSet<&str> = rows[2..].iter().map(|r| r[1]).collect();
    assert_eq!(regions.len(), 3, "one corner per region:\n{table}");
    for k in 2..=3 {
        assert!(out.join(format!("corner-{k}.toml")).exists(), "{stdout}");
    }
    for seed in SEEDS {
        let default = final_values(&netlist(), seed, &[NET_WORTH])[0];
        let corner = final_values(&out.join("corner-1.toml"), seed, &[NET_WORTH])[0];
        assert!(
            corner < default,
            "seed {seed}: corner 1 gives {corner}, not worse than the default population's {default}\n{table}"
        );
    }
    // The corners are ranked worst first.
    let means: Vec<f64> = rows[2..].iter().map(|r| r[5].parse().unwrap()).collect();
    assert!(means.windows(2).all(|w| w[0] <= w[1]), "{table}");
}

#[test]
fn bad_expressions_and_paths_are_errors_naming_them_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bad");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--param",
                "agent.publisher.swap_fee=0.001..0.01",
                "--maximize",
                "kpi(\"global.swap_volume_ocean\" +",
            ],
            "--maximize \"kpi(\\\"global.swap_volume_ocean\\\" +\"",
        ),
        (
            &["--param", "agent.publisher.swap_fee=0.001..0.01", "--minimize", "kpi(\"global.no_such\")"],
            "no KPI column \"global.no_such\"",
        ),
        (
            &[
                "--param",
                "agent.nobody.swap_fee=0.001..0.01",
                "--minimize",
                "kpi(\"global.swap_volume_ocean\")",
            ],
            "nobody",
        ),
        (
            &[
                "--param",
                "agent.publisher.swap_fee=0.001..0.01",
                "--minimize",
                "kpi(\"global.swap_volume_ocean\")",
                "--constraint",
                "kpi(\"global.pools\")",
            ],
            "--constraint \"kpi(\\\"global.pools\\\")\": write one comparison",
        ),
        (
            &[
                "--param",
                "agent.publisher.swap_fee=0.01..0.001",
                "--minimize",
                "kpi(\"global.swap_volume_ocean\")",
            ],
            "lo < hi",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["optimize", NETLIST, "--set", DURATION, "--out", out];
        args.extend_from_slice(extra);
        let output = tsp(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr} does not say {expected:?}");
        assert!(!Path::new(out).join("units").exists(), "{args:?} ran something");
    }
    let output = tsp(&[
        "corners",
        NETLIST,
        "--range",
        "agent.consumer.count=2..20:int",
        "--worst",
        "max:criteria.no_such",
        "--out",
        out,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("no KPI column \"criteria.no_such\""), "{stderr}");
    assert!(!Path::new(out).join("units").exists());
}
