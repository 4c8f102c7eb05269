//! The engine on a JSON-RPC node (anvil, installed from npm by
//! scripts/anvil.sh) gives byte-identical KPIs to the embedded EVM on 24
//! ticks of the V3 netlist with the same seed, whether the node mines one
//! block per transaction or a tick's transactions as one block; batching
//! sends fewer requests and mines fewer blocks. Not timed.

use std::path::Path;
use tokenspice::bench::embedded_vs_rpc;

#[test]
fn embedded_and_anvil_give_identical_kpis_on_24_ticks_of_ocean_v3() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let report = embedded_vs_rpc(&root.join("netlists/ocean_v3.toml"), 24, scratch.path()).unwrap();
    assert_eq!(report.ticks, 24);
    let embedded = std::fs::read_to_string(scratch.path().join("embedded/kpis.csv")).unwrap();
    assert_eq!(embedded.lines().count(), 3, "header, tick 0 and the last tick (daily log)");
    assert!(report.identical, "kpis.csv differs between the embedded EVM and anvil (batched)");
    assert!(report.per_tx_identical, "kpis.csv differs between the embedded EVM and anvil (per transaction)");
    let mined = |log: &tokenspice::chain::RequestLog| {
        log.methods()
            .iter()
            .filter(|(method, ..)| method.starts_with("evm_mine"))
            .map(|row| row.1)
            .sum::<u64>()
    };
    let (batched, per_tx) = (mined(&report.requests), mined(&report.per_tx_requests));
    assert!(batched * 2 < per_tx, "batched mined {batched} blocks, per transaction {per_tx}");
    assert!(report.requests.requests() < report.per_tx_requests.requests());
}
