//! The engine on a JSON-RPC node (anvil, installed from npm by
//! scripts/anvil.sh) gives byte-identical KPIs to the embedded EVM on 24
//! ticks of the V3 netlist with the same seed, whether the node mines one
//! block per transaction, simulates a tick's transactions and mines them as
//! one block, or is mirrored by the embedded EVM (the default) and mines
//! each tick's transactions as one block. Batching sends fewer requests and
//! mines fewer blocks; the mirrored node receives nothing but the committed
//! transactions. `--node-mode` without a node, or of no known kind, is
//! refused before the run. Not timed.

use std::path::Path;
use tokenspice::bench::embedded_vs_rpc;
use tokenspice::chain::RequestLog;

/// Requests of the methods whose name starts with `prefix`.
fn sent(log: &RequestLog, prefix: &str) -> u64 {
    log.methods().iter().filter(|(method, ..)| method.starts_with(prefix)).map(|row| row.1).sum()
}

#[test]
fn embedded_and_anvil_give_identical_kpis_on_24_ticks_of_ocean_v3() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let report = embedded_vs_rpc(&root.join("netlists/ocean_v3.toml"), 24, scratch.path()).unwrap();
    assert_eq!(report.ticks, 24);
    let embedded = std::fs::read_to_string(scratch.path().join("embedded/kpis.csv")).unwrap();
    assert_eq!(embedded.lines().count(), 3, "header, tick 0 and the last tick (daily log)");
    assert!(report.identical, "kpis.csv differs between the embedded EVM and anvil (mirrored)");
    assert!(report.simulated_identical, "kpis.csv differs between the embedded EVM and anvil (simulated)");
    assert!(report.per_tx_identical, "kpis.csv differs between the embedded EVM and anvil (per transaction)");

    for (dir, mode) in [("rpc", "mirrored"), ("rpc-simulated", "simulated"), ("rpc-per-tx", "per-tx")] {
        let run = std::fs::read_to_string(scratch.path().join(dir).join("run.json")).unwrap();
        let run: serde_json::Value = serde_json::from_str(&run).unwrap();
        assert_eq!(run["node"]["mode"], mode, "{dir}/run.json");
    }
    let (mirrored, simulated, per_tx) =
        (&report.requests, &report.simulated_requests, &report.per_tx_requests);
    let mined = |log| sent(log, "evm_mine");
    assert!(
        mined(simulated) * 2 < mined(per_tx),
        "simulated mined {}, per tx {}",
        mined(simulated),
        mined(per_tx)
    );
    assert!(
        mined(mirrored) <= mined(simulated),
        "mirrored mined {}, simulated {}",
        mined(mirrored),
        mined(simulated)
    );
    assert!(simulated.requests() < per_tx.requests());
    // The mirror runs calls and what-ifs itself (the other modes send a
    // what-if's transactions too): the node only mines what was committed.
    assert_eq!(
        sent(mirrored, "eth_simulateV1") + sent(mirrored, "eth_call") + sent(mirrored, "evm_snapshot"),
        0
    );
    assert!(sent(mirrored, "eth_sendTransaction") < sent(per_tx, "eth_sendTransaction"));
    assert!(
        mirrored.requests() < simulated.requests(),
        "{} vs {}",
        mirrored.requests(),
        simulated.requests()
    );
}

#[test]
fn a_node_mode_without_a_node_or_of_no_kind_is_refused_before_the_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let refused = |args: &[&str]| {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_tsp"))
            .arg("run")
            .arg(root.join("netlists/simplepool.toml"))
            .args(args)
            .arg("--out")
            .arg(out.path().join("never"))
            .output()
            .unwrap();
        assert!(!run.status.success());
        assert!(!out.path().join("never").exists(), "nothing written");
        String::from_utf8_lossy(&run.stderr).into_owned()
    };
    let alone = refused(&["--node-mode", "simulated"]);
    assert!(alone.contains("--rpc <URL>|--anvil"), "{alone}");
    let bogus = refused(&["--anvil", "--node-mode", "batched"]);
    assert!(bogus.contains("mirrored, simulated, per-tx"), "{bogus}");
}
