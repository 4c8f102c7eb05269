//! Invariants (record, stop, checked after every agent's turn), KPI
//! expressions (decimals, int and float values), and what `tsp run` does
//! when an invariant stops the run.

use crate::common::{run_text, write};

/// alice and bob pass 10 USD back and forth: alice sends at her turn, bob
/// returns it at his (in that order), so alice is short only between the two turns.
const PASSING: &str = r#"
[sim]
name = "passing"
tick = "1h"
ticks = 3
shuffle = false

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["USD", "USD", "to_wei(1000000)"]

[[agent]]
type = "eoa"
name = "alice"
fund = { "@usd" = 100.0 }
[[agent.behaviour]]
to = "@usd"
function = "transfer(address,uint256)"
args = ["@bob", "to_wei(10)"]

[[agent]]
type = "eoa"
name = "bob"
[[agent.behaviour]]
when = "balance(@usd, self) >= to_wei(10)"
to = "@usd"
function = "transfer(address,uint256)"
args = ["@alice", "to_wei(10)"]

[[kpi]]
name = "usd.supply"
expr = "total_supply(@usd)"
[[kpi]]
name = "usd.supply_wei"
expr = "total_supply(@usd)"
decimals = 0
[[kpi]]
name = "usd.supply_millions"
expr = "total_supply(@usd)"
decimals = 24
[[kpi]]
name = "clock.double_tick"
expr = "tick() * 2"
[[kpi]]
name = "clock.half_hours"
expr = "tick() * 2.5"
"#;

fn with_invariant(check: &str, on_fail: &str) -> String {
    format!(
        "{PASSING}\n[[invariant]]\nname = \"alice_whole\"\nexpr = \"balance(@usd, @alice) >= to_wei(100)\"\ncheck = \"{check}\"\non_fail = \"{on_fail}\"\n"
    )
}

#[test]
fn kpis_scale_uints_by_their_decimals_and_keep_ints_and_floats() {
    let ran = run_text(PASSING, &[]);
    assert_eq!(ran.column("usd.supply"), [1e6; 3], "default decimals 18: tokens");
    assert_eq!(ran.column("usd.supply_wei"), [1e24; 3], "decimals 0: base units as they are");
    assert_eq!(ran.column("usd.supply_millions"), [1.0; 3]);
    assert_eq!(ran.column("clock.double_tick"), [0.0, 2.0, 4.0], "an int");
    assert_eq!(ran.column("clock.half_hours"), [0.0, 2.5, 5.0], "a float");
}

#[test]
fn checked_per_tick_the_round_trip_never_shows() {
    let ran = run_text(&with_invariant("tick", "stop"), &[]);
    assert_eq!(ran.summary.stopped, None);
    assert_eq!(ran.column("invariant.alice_whole.violations"), [0.0; 3]);
    assert_eq!(ran.column("agent.alice.usd"), [100.0; 3]);
}

#[test]
fn checked_per_action_it_fires_after_alices_turn_and_records() {
    let ran = run_text(&with_invariant("action", "record"), &[]);
    assert_eq!(ran.summary.stopped, None, "record: the run goes on");
    assert_eq!(ran.summary.ticks, 3);
    assert_eq!(
        ran.column("invariant.alice_whole.violations"),
        [1.0, 2.0, 3.0],
        "once a tick, after alice's turn"
    );
    let first = &ran.engine.violations()[0];
    assert_eq!((first.tick, first.after_agent.as_deref()), (0, Some("alice")));
    assert!(first.detail.contains("`balance(@usd, @alice)` = 90000000000000000000"), "{}", first.detail);
}

#[test]
fn stop_ends_the_run_after_that_tick_naming_the_tick_the_transaction_and_both_sides() {
    let mut ran = run_text(&with_invariant("action", "stop"), &[]);
    assert_eq!(ran.summary.ticks, 1, "stopped after tick 0");
    assert_eq!(ran.rows.len(), 1, "that tick's row is written");
    let message = ran.summary.stopped.clone().expect("stopped");
    // The tick ran to its end: bob's return is the last transaction, alice's the one before.
    let last = ran.engine.world_mut().chain.journal().last().expect("a transaction");
    assert_eq!(Some(last.from), ran.engine.world().book.address("bob"));
    // transfer(address,uint256) is 0xa9059cbb.
    let expected = format!(
        "invariant alice_whole violated at tick 0 after transaction {} from @alice to @usd 0xa9059cbb (agent alice's turn): \
         `balance(@usd, @alice) >= to_wei(100)` with `balance(@usd, @alice)` = 90000000000000000000 and `to_wei(100)` = 100000000000000000000",
        last.index - 1
    );
    assert_eq!(message, expected);
}

#[test]
fn tsp_run_writes_the_results_then_exits_1_with_the_violation() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "net.toml",
        &with_invariant("tick", "stop").replace("to_wei(100)\"", "to_wei(100) && tick() < 1\""),
    );
    let out = dir.path().join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: invariant alice_whole violated at tick 1"), "{stderr}");
    assert!(!stderr.contains("interrupted"), "a stop is not an interruption: {stderr}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(json["ticks"], 2);
    assert_eq!(json["interrupted"], false);
    assert!(json["stopped"].as_str().unwrap().contains("violated at tick 1"), "{json}");
    assert_eq!(json["violations"][0]["tick"], 1);
    let csv = std::fs::read_to_string(out.join("kpis.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "header and the rows of ticks 0 and 1: {csv}");
}
