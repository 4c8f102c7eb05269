//! `tokenspice::attack` against a vulnerability planted for this test:
//! contracts/examples/SpotBuyback.sol, a treasury that buys a token back at
//! a pool's spot price, which a buyer can move in the same block. The
//! search, given only the three calls an attacker may make (buy in the pool,
//! sell to the treasury, sell in the pool) with amount ranges, must find the
//! three-step drain; its profit is recomputed with a float model of the
//! pool's and treasury's math, the replay netlist must earn it again in a
//! run, and the fixed twin (FixedBuyback, which pays the price the block
//! opened at) must leave nothing above fees.

use tokenspice::attack::{attack, AttackReport, AttackSettings, AttackSpec, Move, SearchSettings};

fn netlist(buyback: &str) -> String {
    format!(
        r#"
[sim]
name = "buyback"
tick = "1h"
ticks = 3
shuffle = false

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["USD", "USD", "to_wei(1000000000)"]

[[contract]]
name = "gem"
artifact = "ReserveToken"
args = ["Gem", "GEM", "to_wei(1000000000)"]

[[contract]]
name = "pool"
artifact = "FairPool"
args = ["@usd", "@gem"]

[[contract]]
name = "buyback"
artifact = "{buyback}"
args = ["@pool", "to_wei(100)"]

[[agent]]
type = "scripted"
name = "lp"
fund = {{ "@usd" = 1000.0, "@gem" = 1000.0 }}
actions = [{{ at = "0h", to = "@pool", function = "addLiquidity", args = ["to_wei(1000)", "to_wei(1000)"], approve = [["@usd", "to_wei(1000)"], ["@gem", "to_wei(1000)"]] }}]

[[agent]]
type = "scripted"
name = "treasurer"
fund = {{ "@usd" = 1000.0 }}
actions = [{{ at = "0h", do = "transfer", token = "@usd", to = "@buyback", amount = 1000.0 }}]
"#
    )
}

/// What the attacker may do: amounts are a share `x` of what it holds, or
/// of the treasury's cap of 100 GEM a call.
const SPEC: &str = r#"
numeraire = "USD"
value = "balance(@usd, self)"
pool = "buyback"
fund = { "@usd" = 1000.0 }

[[action]]
to = "@pool"
function = "swap(address,uint256)"
args = ["@usd", "x * balance(@usd, self)"]
approve = [["@usd", "x * balance(@usd, self)"]]

[[action]]
to = "@pool"
function = "swap(address,uint256)"
args = ["@gem", "x * balance(@gem, self)"]
approve = [["@gem", "x * balance(@gem, self)"]]

[[action]]
to = "@buyback"
function = "sell(uint256)"
args = ["x * to_wei(100)"]
approve = [["@gem", "x * to_wei(100)"]]
"#;

fn settings(seed: u64) -> AttackSettings {
    AttackSettings {
        at: "1h".into(),
        search: SearchSettings { horizon: 4, budget: 1500, population: 100, seed },
        keep: 0.9,
    }
}

fn run_attack(buyback: &str, seed: u64) -> (AttackReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("buyback.toml");
    std::fs::write(&file, netlist(buyback)).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let spec = AttackSpec::parse(SPEC, "spec.toml").unwrap();
    let report = attack(&file, &[], &spec, &settings(seed), &out).unwrap();
    (report, dir)
}

/// The pool and treasury in floats: the attacker's USD after `moves` (a
/// move whose contract would revert changes nothing).
fn float_reference(moves: &[Move]) -> f64 {
    let (mut pool_usd, mut pool_gem, mut treasury) = (1000.0, 1000.0, 1000.0);
    let (mut usd, mut gem) = (1000.0f64, 0.0f64);
    let swap = |reserve_in: f64, reserve_out: f64, amount: f64| {
        let after_fee = amount * 0.997;
        after_fee * reserve_out / (reserve_in + after_fee)
    };
    for m in moves {
        match m.action {
            0 if m.x * usd > 0.0 => {
                let (paid, got) = (m.x * usd, swap(pool_usd, pool_gem, m.x * usd));
                (usd, gem, pool_usd, pool_gem) = (usd - paid, gem + got, pool_usd + paid, pool_gem - got);
            }
            1 if m.x * gem > 0.0 => {
                let (paid, got) = (m.x * gem, swap(pool_gem, pool_usd, m.x * gem));
                (gem, usd, pool_gem, pool_usd) = (gem - paid, usd + got, pool_gem + paid, pool_usd - got);
            }
            2 if m.x * 100.0 <= gem && m.x * 100.0 * pool_usd / pool_gem <= treasury => {
                let sold = m.x * 100.0;
                let paid = sold * pool_usd / pool_gem;
                (gem, usd, treasury) = (gem - sold, usd + paid, treasury - paid);
            }
            _ => {}
        }
    }
    usd
}

#[test]
fn the_search_finds_the_three_step_drain_of_the_spot_priced_buyback() {
    let (report, dir) = run_attack("SpotBuyback", 1);
    assert!(
        report.profit > 100.0,
        "profit {} from {:?}; reverts {:?}",
        report.profit,
        report.moves,
        report.reverts
    );
    assert!(report.moves.len() >= 3, "{:?}", report.moves);
    let used: std::collections::BTreeSet<usize> = report.moves.iter().map(|m| m.action).collect();
    assert_eq!(used.len(), 3, "buy, sell to the treasury and sell back are all needed: {:?}", report.moves);
    // Recomputed independently of the EVM.
    let reference = float_reference(&report.moves) - 1000.0;
    assert!((reference - report.profit).abs() < 1e-6 * report.profit, "{reference} vs {}", report.profit);
    // Shrinking kept at least 90% of what the search found.
    assert!(report.profit >= 0.9 * report.found_profit);
    // The treasury lost it: what the named accounts lost adds up to the attacker's profit.
    assert_eq!(report.losses[0].0, "buyback");
    let lost: f64 = report.losses.iter().map(|(_, l)| l).sum();
    assert!((lost - report.profit).abs() < 1e-6, "{lost} vs {}", report.profit);
    let pct = report.profit_pct_of_pool.unwrap();
    assert!((pct - report.profit / 10.0).abs() < 1e-9, "{pct}");
    // The budget's record: best profit never falls, ends at what was found.
    assert_eq!(report.evaluated, 1500);
    assert!(report.growth.windows(2).all(|w| w[0].1 <= w[1].1 && w[0].0 < w[1].0));
    assert_eq!(report.growth.last().unwrap().1, report.found_profit);

    // The replay netlist, run as `tsp run` would, earns the same.
    let replay = dir.path().join("out/replay.toml");
    std::fs::write(&replay, &report.replay).unwrap();
    let loaded = tokenspice::netlist::load(&replay, &[]).unwrap();
    let mut engine = loaded.build().unwrap();
    let (_, rows) = engine.run_to_rows().unwrap();
    let column = engine.columns().iter().position(|c| c == "agent.attacker.usd").unwrap();
    let earned = rows.last().unwrap().1[column] - 1000.0;
    assert!((earned - report.profit).abs() < 1e-6, "{earned} vs {}", report.profit);

    // Deterministic for a seed.
    let (again, _) = run_attack("SpotBuyback", 1);
    assert_eq!((again.moves, again.profit, again.growth), (report.moves, report.profit, report.growth));
}

#[test]
fn the_same_search_finds_nothing_above_fees_on_the_fixed_twin() {
    let (report, _dir) = run_attack("FixedBuyback", 1);
    assert_eq!(report.evaluated, 1500);
    assert!(report.found_profit <= 1e-9, "profit {} from {:?}", report.found_profit, report.found);
    assert!(report.moves.is_empty());
    assert!(report.losses.is_empty(), "{:?}", report.losses);
}
