//! Fork mode (`tsp run --fork URL[@BLOCK]`) against a local anvil (installed
//! from npm by scripts/anvil.sh, stopped by PID): the test deploys the Ocean
//! V3 market onto the node and trades on it (`tsp run netlists/ocean_v3.toml
//! --rpc`), then runs a netlist that names that market's OCEAN, pool and
//! datatoken by address:
//! 1. forked from the node at its latest block, on the embedded EVM;
//! 2. forked again at that block: no state request reaches the node (and
//!    `tsp check --fork` sets it up there);
//! 3. on the node itself (`--rpc`): the same `kpis.csv`, byte for byte;
//! 4. forked at that block with the node stopped, from the cache file alone.
//!
//! Also: `address` refused with constructor `args` at load, and an address
//! without code refused at run time. Not timed.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use tokenspice::chain::AnvilProcess;

const TRADERS: &str = "tests/data/fork/ocean_v3_traders.toml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Run `tsp` with `args` from the project root; its stderr when it fails.
fn tsp(args: &[&str]) -> Result<String, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_tsp")).args(args).current_dir(root()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        Ok(stdout)
    } else {
        Err(format!("tsp {}: {}\n{stdout}{stderr}", args.join(" "), output.status))
    }
}

fn run_json(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap()
}

fn kpis(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("kpis.csv")).unwrap()
}

/// `--set contract.<name>.address=…` for the traders' netlist, from the deploying run's address book.
fn address_sets(deployed: &Value) -> Vec<String> {
    [("ocean", "ocean"), ("pool", "pool0"), ("dt", "datatoken0")]
        .iter()
        .flat_map(|(name, entry)| {
            let address = deployed["addresses"][entry].as_str().unwrap();
            ["--set".to_string(), format!("contract.{name}.address={address}")]
        })
        .collect()
}

/// Run the traders' netlist into `out` with the address sets and extra flags.
fn traders(out: &Path, sets: &[String], flags: &[&str]) -> Result<String, String> {
    let out = out.display().to_string();
    let mut args: Vec<&str> = vec!["run", TRADERS, "--out", &out, "--no-charts", "--quiet"];
    args.extend(sets.iter().map(String::as_str));
    args.extend(flags);
    tsp(&args)
}

#[test]
fn a_forked_run_equals_a_run_on_the_node_and_a_second_one_needs_no_node() {
    std::env::set_current_dir(root()).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let at = |name: &str| -> PathBuf { scratch.path().join(name) };
    let cache = at("cache").display().to_string();
    let anvil = tokenspice::bench::install_anvil().unwrap();
    let node = AnvilProcess::start(&anvil).unwrap();
    let url = node.url().to_string();

    // The Ocean V3 market on the node, traded for two days.
    let v3 = at("v3").display().to_string();
    let deploy = ["run", "netlists/ocean_v3.toml", "--rpc", &url, "--set", "sim.duration=2d"];
    tsp(&[&deploy[..], &["--out", &v3, "--no-charts", "--quiet"]].concat()).unwrap();
    let sets = address_sets(&run_json(&at("v3")));

    // 1. Forked at the node's latest block.
    let started = std::time::Instant::now();
    traders(&at("fork1"), &sets, &["--fork", &url, "--fork-cache", &cache]).unwrap();
    let first_s = started.elapsed().as_secs_f64();
    let fork = run_json(&at("fork1"))["fork"].clone();
    let block = fork["block"].as_u64().unwrap();
    let first_calls = fork["rpc_calls"]["state"].as_u64().unwrap();
    assert!(first_calls > 0, "the first forked run reads the market from the node: {fork}");
    assert!(block > 0, "{fork}");
    assert!(Path::new(fork["cache"].as_str().unwrap()).is_file(), "the cache file is written: {fork}");
    let forked = kpis(&at("fork1"));
    assert!(forked.lines().count() > 2, "{forked}");

    // 2. Again at that block: everything it reads is cached.
    let pinned = format!("{url}@{block}");
    traders(&at("fork2"), &sets, &["--fork", &pinned, "--fork-cache", &cache]).unwrap();
    let again = run_json(&at("fork2"))["fork"].clone();
    assert_eq!(again["rpc_calls"]["state"], 0, "the second forked run asked the node for state: {again}");
    assert_eq!(kpis(&at("fork2")), forked);
    let mut check = vec!["check", TRADERS, "--fork", &pinned, "--fork-cache", &cache];
    check.extend(sets.iter().map(String::as_str));
    let checked = tsp(&check).unwrap();
    assert!(checked.contains(": ok"), "{checked}");

    // 3. On the node itself, from the same block.
    traders(&at("node"), &sets, &["--rpc", &url]).unwrap();
    assert_eq!(kpis(&at("node")), forked, "kpis.csv differs between the forked run and the run on the node");

    // 4. The node stopped: the fork runs from its cache file.
    drop(node);
    let started = std::time::Instant::now();
    traders(&at("fork3"), &sets, &["--fork", &pinned, "--fork-cache", &cache]).unwrap();
    let offline_s = started.elapsed().as_secs_f64();
    let offline = run_json(&at("fork3"))["fork"].clone();
    assert_eq!(offline["offline"], true, "{offline}");
    assert_eq!(offline["rpc_calls"]["state"], 0, "{offline}");
    assert_eq!(kpis(&at("fork3")), forked);
    eprintln!(
        "fork at block {block}: {first_calls} state requests in the first run ({first_s:.2} s), \
         0 in the second, offline run {offline_s:.2} s"
    );

    // Without the node and without a cache of that block, the error says so.
    let error =
        traders(&at("fork4"), &sets, &["--fork", &format!("{url}@{}", block + 1), "--fork-cache", &cache])
            .unwrap_err();
    assert!(error.contains("holds no cached fork of this URL at block"), "{error}");
}

#[test]
fn an_address_is_refused_with_constructor_args_and_without_code() {
    std::env::set_current_dir(root()).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let netlist = scratch.path().join("named.toml");
    let text = std::fs::read_to_string(TRADERS).unwrap();
    let with_args = text.replacen(
        "artifact = \"OceanToken\"\n",
        "artifact = \"OceanToken\"\nargs = [\"0x0000000000000000000000000000000000000900\"]\n",
        1,
    );
    std::fs::write(&netlist, with_args).unwrap();
    let out = scratch.path().join("out").display().to_string();
    let shown = netlist.display().to_string();
    let error = tsp(&["run", &shown, "--out", &out, "--no-charts", "--quiet"]).unwrap_err();
    assert!(
        error.contains("names a contract already on the chain, and `args` is for deploying one"),
        "{error}"
    );

    // On a fresh embedded chain nothing is at the placeholder addresses.
    let error = tsp(&["run", TRADERS, "--out", &out, "--no-charts", "--quiet"]).unwrap_err();
    assert!(
        error.contains("address = 0x0000000000000000000000000000000000000001 has no code on this chain"),
        "{error}"
    );
}
