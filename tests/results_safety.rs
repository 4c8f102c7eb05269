//! Results folders survive reruns: a netlist's name cannot write outside
//! `results/`; a rerun keeps the previous results as `<name>.prev`; a killed
//! or failed rerun leaves them untouched, its own rows readable in
//! `.<name>.partial` with run.json saying how it ended; a second writer is
//! refused; outputs never follow symbolic links; SIGTERM stops a run at a
//! row, marks it interrupted and exits 143.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn tsp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tsp")).args(args).current_dir(dir).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A scratch folder with the shipped netlists.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let netlists = Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists");
    std::fs::create_dir_all(dir.path().join("netlists/include")).unwrap();
    for entry in
        std::fs::read_dir(&netlists).unwrap().chain(std::fs::read_dir(netlists.join("include")).unwrap())
    {
        let path = entry.unwrap().path();
        if path.is_file() {
            let relative = path.strip_prefix(&netlists).unwrap();
            std::fs::copy(&path, dir.path().join("netlists").join(relative)).unwrap();
        }
    }
    dir
}

fn status(run_dir: &Path) -> String {
    let text = std::fs::read_to_string(run_dir.join("run.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["status"].as_str().unwrap().to_string()
}

const SHORT: [&str; 3] = ["--no-charts", "--set", "sim.duration=\"20d\""];

fn run(dir: &Path, netlist: &str, extra: &[&str]) -> Output {
    let mut args = vec!["run", netlist];
    args.extend_from_slice(&SHORT);
    args.extend_from_slice(extra);
    tsp(dir, &args)
}

/// A year of ocean_v4 in the background.
fn spawn_run(dir: &Path, extra: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(["run", "netlists/ocean_v4.toml"])
        .args(extra)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_netlist_name_cannot_write_outside_results() {
    let dir = scratch();
    for name in ["../escape", "..", "/tmp/abs", "a/b", "bad\tname"] {
        let text = std::fs::read_to_string(dir.path().join("netlists/simplepool.toml")).unwrap();
        let edited = text.replace("name = \"simplepool\"", &format!("name = {name:?}"));
        std::fs::write(dir.path().join("netlists/named.toml"), edited).unwrap();
        for command in ["run", "check"] {
            let output = tsp(dir.path(), &[command, "netlists/named.toml"]);
            assert!(!output.status.success(), "{command} accepts sim.name = {name:?}");
            assert!(stderr(&output).contains("cannot name a folder under results/"), "{}", stderr(&output));
        }
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["netlists"], "nothing written anywhere");
}

#[test]
fn a_rerun_keeps_the_previous_results_and_a_failed_one_leaves_them_alone() {
    let dir = scratch();
    assert!(run(dir.path(), "netlists/simplepool.toml", &[]).status.success());
    let results = dir.path().join("results/simplepool");
    assert_eq!(status(&results), "finished");
    let first = std::fs::read(results.join("kpis.csv")).unwrap();

    let seed2 = run(dir.path(), "netlists/simplepool.toml", &["--set", "sim.seed=2"]);
    assert!(seed2.status.success(), "{}", stderr(&seed2));
    assert!(
        stderr(&seed2).contains("previous results kept in results/simplepool.prev"),
        "{}",
        stderr(&seed2)
    );
    assert_eq!(std::fs::read(dir.path().join("results/simplepool.prev/kpis.csv")).unwrap(), first);
    let second = std::fs::read(results.join("kpis.csv")).unwrap();

    // A rerun that fails (no node at this address) changes nothing.
    let failed = run(dir.path(), "netlists/simplepool.toml", &["--rpc", "http://127.0.0.1:9"]);
    assert!(!failed.status.success());
    assert_eq!(std::fs::read(results.join("kpis.csv")).unwrap(), second, "results intact");
    assert_eq!(std::fs::read(dir.path().join("results/simplepool.prev/kpis.csv")).unwrap(), first);
    assert!(!dir.path().join("results/.simplepool.lock").exists(), "the lock is released");
}

#[test]
fn a_killed_rerun_leaves_the_results_and_its_rows_readable() {
    let dir = scratch();
    assert!(run(dir.path(), "netlists/ocean_v4.toml", &[]).status.success());
    let results = dir.path().join("results/ocean_v4");
    let before = std::fs::read(results.join("kpis.csv")).unwrap();
    let mut child = spawn_run(dir.path(), &["--no-charts"]);
    let partial = dir.path().join("results/.ocean_v4.partial");
    let rows = |path: &Path| std::fs::read_to_string(path.join("kpis.csv")).map_or(0, |t| t.lines().count());
    while rows(&partial) < 20 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = tsp(dir.path(), &["run", "netlists/ocean_v4.toml"]);
    assert!(!second.status.success(), "a second writer is refused");
    assert!(stderr(&second).contains("another tsp (pid"), "{}", stderr(&second));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(std::fs::read(results.join("kpis.csv")).unwrap(), before, "the previous results are intact");
    assert_eq!(status(&partial), "running", "a killed run is recognisable");
    assert!(rows(&partial) >= 20, "its rows are readable");
    // The killed writer's lock is stale: the next run takes it.
    assert!(run(dir.path(), "netlists/ocean_v4.toml", &[]).status.success());
    assert!(!partial.exists());
}

#[test]
fn sigterm_stops_a_run_at_a_row_and_exits_143() {
    let dir = scratch();
    let mut child = spawn_run(dir.path(), &[]);
    let partial = dir.path().join("results/.ocean_v4.partial/kpis.csv");
    while std::fs::read_to_string(&partial).map_or(0, |t| t.lines().count()) < 10 {
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: sends SIGTERM to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(143));
    let results = dir.path().join("results/ocean_v4");
    assert_eq!(status(&results), "interrupted");
    let table = std::fs::read_to_string(results.join("kpis.csv")).unwrap();
    let width = table.lines().next().unwrap().split(',').count();
    assert!(table.lines().all(|line| line.split(',').count() == width), "whole rows only");
    assert!(table.lines().count() < 367, "stopped before the end");
}

#[test]
fn outputs_never_follow_symbolic_links_or_replace_other_folders() {
    let dir = scratch();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("linked")).unwrap();
    let linked = run(dir.path(), "netlists/simplepool.toml", &["--out", "linked"]);
    assert!(stderr(&linked).contains("is a symbolic link"), "{}", stderr(&linked));
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let here = run(dir.path(), "netlists/simplepool.toml", &["--out", "."]);
    assert!(!here.status.success(), "the working directory is not a results folder");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");
}

#[test]
fn compare_never_writes_into_a_runs_folder() {
    let dir = scratch();
    assert!(run(dir.path(), "netlists/simplepool.toml", &[]).status.success());
    let report = std::fs::read(dir.path().join("results/simplepool/report.html")).unwrap();
    let output = tsp(dir.path(), &["compare", "results/simplepool", "--out", "results/simplepool"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("holds a run (kpis.csv)"), "{}", stderr(&output));
    assert_eq!(std::fs::read(dir.path().join("results/simplepool/report.html")).unwrap(), report);
}

#[test]
fn study_folders_are_locked_and_never_a_run_or_a_link() {
    let dir = scratch();
    let sweep = |out: &str| {
        let args = ["sweep", "netlists/simplegrant.toml", "--factor", "agent.foundation.amount=500,1000"];
        let mut args = args.to_vec();
        args.extend(["--seeds", "1", "--no-charts", "--quiet", "--out", out]);
        tsp(dir.path(), &args)
    };
    // A second writer is refused while the first (a live process) holds the lock.
    std::fs::create_dir_all(dir.path().join("results")).unwrap();
    std::fs::write(dir.path().join("results/.busy.lock"), std::process::id().to_string()).unwrap();
    let busy = sweep("results/busy");
    assert!(!busy.status.success());
    assert!(stderr(&busy).contains("is writing"), "{}", stderr(&busy));
    // A lock left by a process that is gone is taken over.
    std::fs::write(dir.path().join("results/.stale.lock"), "999999999").unwrap();
    let stale = sweep("results/stale");
    assert!(stale.status.success(), "{}", stderr(&stale));
    assert!(!dir.path().join("results/.stale.lock").exists(), "the lock is removed at the end");
    // Not into a run's folder, a symlink or a file.
    assert!(run(dir.path(), "netlists/simplegrant.toml", &[]).status.success());
    let into_run = sweep("results/simplegrant");
    assert!(
        stderr(&into_run).contains("holds a run (kpis.csv): sweep would overwrite"),
        "{}",
        stderr(&into_run)
    );
    std::os::unix::fs::symlink(dir.path().join("results/stale"), dir.path().join("linked")).unwrap();
    assert!(stderr(&sweep("linked")).contains("is a symbolic link"));
    std::fs::write(dir.path().join("file"), "mine").unwrap();
    assert!(stderr(&sweep("file")).contains("is a file"));
    assert_eq!(std::fs::read_to_string(dir.path().join("file")).unwrap(), "mine");
}

#[test]
fn sigterm_while_drawing_charts_stops_them_keeps_every_row_and_exits_143() {
    let dir = scratch();
    // simplegrant with 300 charts: drawing takes seconds, the run milliseconds.
    let mut netlist = std::fs::read_to_string(dir.path().join("netlists/simplegrant.toml")).unwrap();
    for i in 0..300 {
        netlist += &format!("\n[[chart]]\ntitle = \"USD {i}\"\nkpis = [\"agent.*.usd\"]\n");
    }
    std::fs::write(dir.path().join("netlists/charts.toml"), netlist).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(["run", "netlists/charts.toml", "--out", "res"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first chart in the staging folder, then signal.
    let staging = dir.path().join(".res.partial");
    let drawing = (0..3000).any(|_| {
        let started = std::fs::read_dir(&staging)
            .is_ok_and(|entries| entries.flatten().any(|e| e.path().extension().is_some_and(|x| x == "png")));
        if !started {
            std::thread::sleep(Duration::from_millis(10));
        }
        started
    });
    assert!(drawing, "no chart appeared");
    // SAFETY: signalling the child this test spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(143), "{err}");
    assert!(err.contains("interrupted while drawing charts"), "{err}");
    let pngs = std::fs::read_dir(dir.path().join("res"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "png"))
        .count();
    assert!(pngs < 300, "drawing stopped ({pngs} charts)");
    let rows = std::fs::read_to_string(dir.path().join("res/kpis.csv")).unwrap().lines().count();
    assert_eq!(rows, 366, "every row of the year is kept");
}
