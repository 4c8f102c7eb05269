//! The edit-and-rerun loop in a scratch copy of the project: `tsp run` in
//! the project's folder runs `out/` from disk (not the copy compiled into
//! tsp), refuses a stale `out/` naming the edited file, and after
//! `tsp build` runs the new code — its code hash in run.json changes and
//! the KPIs move. Needs Node.js (installs the pinned solc-js if missing).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tokenspice::artifacts::solc::SolcJs;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The project's contracts, out/, netlists and pinned compiler, copied.
fn scratch_clone() -> tempfile::TempDir {
    SolcJs::pinned_in(&repo()).expect("solc-js installs").expect("tools/solc pins solc");
    let dir = tempfile::tempdir().unwrap();
    for folder in ["contracts", "out", "netlists"] {
        copy_tree(&repo().join(folder), &dir.path().join(folder));
    }
    let solc = dir.path().join("tools/solc");
    std::fs::create_dir_all(&solc).unwrap();
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(repo().join("tools/solc").join(file), solc.join(file)).unwrap();
    }
    std::os::unix::fs::symlink(repo().join("tools/solc/node_modules"), solc.join("node_modules")).unwrap();
    dir
}

fn tsp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tsp")).args(args).current_dir(dir).output().unwrap()
}

fn run(dir: &Path, out: &str) -> Output {
    tsp(
        dir,
        &["run", "netlists/ocean_v3.toml", "--out", out, "--no-charts", "--set", "sim.duration=\"120d\""],
    )
}

fn pool_code_hash(dir: &Path, out: &str) -> String {
    let text = std::fs::read_to_string(dir.join(out).join("run.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["bytecode_keccak"]["WeightedPool"].as_str().expect("run.json has the pool's code hash").to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn edit_build_run_uses_the_new_code_and_a_stale_out_is_refused() {
    let clone = scratch_clone();
    let dir = clone.path();
    let before = run(dir, "results/before");
    assert!(before.status.success(), "{}", stderr(&before));
    assert!(stderr(&before).contains("contracts: out/"), "says which build runs: {}", stderr(&before));
    let run_json = std::fs::read_to_string(dir.join("results/before/run.json")).unwrap();
    assert!(run_json.contains(&dir.join("out").display().to_string()), "run.json names the out/ that ran");

    // A 1% exit fee: every unstake now pays it.
    let math = dir.join("contracts/v3/BalancerMath.sol");
    let source = std::fs::read_to_string(&math).unwrap();
    let edited = source
        .replace("uint256 public constant EXIT_FEE = 0;", "uint256 public constant EXIT_FEE = ONE / 100;");
    assert_ne!(source, edited, "the edit applies");
    std::fs::write(&math, edited).unwrap();

    let stale = run(dir, "results/stale");
    assert!(!stale.status.success(), "a stale out/ is refused");
    let message = stderr(&stale);
    assert!(message.contains("out/ is stale"), "{message}");
    assert!(message.contains("contracts/v3/BalancerMath.sol (changed)"), "names the edited file: {message}");
    assert!(message.contains("run `tsp build`"), "says what to do: {message}");
    assert!(!dir.join("results/stale").exists(), "nothing was run");
    let embedded = tsp(dir, &["check", "netlists/ocean_v3.toml", "--embedded"]);
    assert!(embedded.status.success(), "--embedded runs the built-in copy: {}", stderr(&embedded));

    let built = tsp(dir, &["build"]);
    assert!(built.status.success(), "{}", stderr(&built));
    let after = run(dir, "results/after");
    assert!(after.status.success(), "{}", stderr(&after));
    assert_ne!(
        pool_code_hash(dir, "results/before"),
        pool_code_hash(dir, "results/after"),
        "new pool code ran"
    );
    let kpis = |name: &str| std::fs::read_to_string(dir.join("results").join(name).join("kpis.csv")).unwrap();
    assert_ne!(kpis("before"), kpis("after"), "the KPIs move with the exit fee");
}
