//! Agent behaviour on small hand-made netlists: scripted actions against the
//! pool formulas, reverts recorded without stopping the run, a rug pull that
//! marks the pool and costs its stakers, and agents avoiding rugged pools.

#[path = "support/scenario.rs"]
mod scenario;

use scenario::{publisher_netlist, rug_netlist, run_text};

/// Single-sided join, float reference: P = S * ((1 + a(1-f')/b)^(w/W) - 1), f' = (1 - w/W) f.
fn shares_for_stake(stake: f64, ocean: f64, supply: f64) -> f64 {
    let (w, total, fee) = (7.0, 10.0, 0.001);
    let effective = (1.0 - w / total) * fee;
    supply * ((1.0 + stake * (1.0 - effective) / ocean).powf(w / total) - 1.0)
}

#[test]
fn scripted_stake_buy_and_consume_match_the_formulas() {
    let text = publisher_netlist("1h", 6, 700.0)
        + r#"
[[agent]]
type = "scripted"
name = "alice"
fund = { "@ocean" = 1000.0 }
actions = [
  { at = "1h", do = "stake", pool = 0, ocean = 70.0 },
  { at = "2h", do = "buy", pool = 0, ocean = 50.0 },
  { at = "3h", do = "consume", pool = 0 },
  { at = "4h", do = "call", to = "@pool0", function = "setSwapFee(uint256)", args = [2000000000000000] },
  { at = "5h", do = "transfer", token = "@ocean", to = "@pub", amount = 1.0 },
]
"#;
    let (table, run) = run_text(&text);
    let shares = table.column("pool.0.shares").unwrap();
    let ocean = table.column("pool.0.ocean").unwrap();
    // Row 0: the pool as set up (100 shares, 700 OCEAN); row 1: after the stake.
    assert_eq!((shares[0], ocean[0]), (100.0, 700.0));
    let expected = 100.0 + shares_for_stake(70.0, 700.0, 100.0);
    assert!((shares[1] - expected).abs() / expected < 1e-9, "{} vs {expected}", shares[1]);
    assert!((ocean[1] - 770.0).abs() < 1e-12);
    // The buy moved 50 OCEAN in; the consume spent one DT.
    assert!((ocean[2] - 820.0).abs() < 1e-12);
    let dt_held = table.column("agent.alice.dt").unwrap();
    assert!((dt_held[3] - (dt_held[2] - 1.0)).abs() < 1e-12, "consume spends exactly 1 DT");
    assert_eq!(table.column("global.consumes").unwrap()[3], 1.0);
    // The pool is finalised, so setSwapFee reverts: recorded, and the run goes on.
    assert_eq!(run["reverts_by_reason"]["ERR_IS_FINALIZED"], 1);
    assert_eq!(run["ticks"], 6);
    let alice_ocean = table.column("agent.alice.ocean").unwrap();
    assert!((alice_ocean[5] - (1000.0 - 70.0 - 50.0 - 1.0)).abs() < 1e-9);
}

#[test]
fn a_rug_pull_marks_the_pool_and_costs_its_stakers() {
    let text = rug_netlist(12, "5d", 2000.0)
        + r#"
[[agent]]
type = "speculator"
name = "spec"
ocean = 1000.0
every = "1d"
trade_probability = 1.0
"#;
    let (table, _run) = run_text(&text);
    let rugged = table.column("global.rugged_pools").unwrap();
    assert_eq!(rugged[4], 0.0);
    assert_eq!(rugged[5], 1.0, "rugged on day 5");
    let worth = table.column("agent.victim.net_worth_ocean").unwrap();
    assert!(worth[5] < worth[4] * 0.9, "the staker loses over 10%: {} -> {}", worth[4], worth[5]);
    // After the rug pull nobody trades in the pool: its volume stops growing.
    let volume = table.column("pool.0.swap_volume_ocean").unwrap();
    assert_eq!(volume[6], volume[11], "other agents avoid the rugged pool");
}
