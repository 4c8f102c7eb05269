//! `type = "attacker"` in a netlist: an agent that searches the live world
//! on its schedule and carries out what pays. Against the spot-priced
//! buyback (tests/support/buyback.rs) it drains the treasury across ticks,
//! and what it earns is what the treasury loses; against the fixed twin it
//! never acts. Its realised profit counter matches its balance, and the run
//! is the same for the same seed.

#[path = "support/buyback.rs"]
mod buyback;

use buyback::{netlist, SPEC};

const ATTACKER: &str = r#"
[[agent]]
type = "attacker"
name = "mev"
spec = "spec.toml"
every = "1h"
horizon = 4
budget = 800
population = 100

[[kpi]]
name = "mev.attacks"
expr = "counter(\"mev.attacks\")"

[[kpi]]
name = "mev.profit"
expr = "counter(\"mev.attack_profit\")"

[[kpi]]
name = "mev.candidates"
expr = "counter(\"mev.candidates\")"

[[kpi]]
name = "buyback.usd"
expr = "balance(@usd, @buyback)"
"#;

/// Run the buyback netlist of `contract` for 6 hours with the attacker; the KPI columns and rows.
fn run(contract: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spec.toml"), SPEC).unwrap();
    let file = dir.path().join("attacked.toml");
    let text = netlist(contract).replace("ticks = 3", "ticks = 6");
    std::fs::write(&file, format!("{text}{ATTACKER}")).unwrap();
    let loaded = tokenspice::netlist::load(&file, &[]).unwrap();
    let mut engine = loaded.build().unwrap();
    let (_, rows) = engine.run_to_rows().unwrap();
    (engine.columns().to_vec(), rows.into_iter().map(|(_, row)| row).collect())
}

/// The searches of an attacker acting every tick but the first.
fn searches_after_first(rows: &[Vec<f64>]) -> f64 {
    (rows.len() - 1) as f64
}

fn column(columns: &[String], rows: &[Vec<f64>], name: &str) -> Vec<f64> {
    let index = columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no {name} in {columns:?}"));
    rows.iter().map(|row| row[index]).collect()
}

#[test]
fn the_attacker_drains_the_spot_priced_buyback_across_ticks_and_leaves_the_fixed_twin_alone() {
    let (columns, rows) = run("SpotBuyback");
    let attacks = column(&columns, &rows, "mev.attacks");
    let profit = column(&columns, &rows, "mev.profit");
    let usd = column(&columns, &rows, "agent.mev.usd");
    let treasury = column(&columns, &rows, "buyback.usd");
    let last = rows.len() - 1;
    // It did not act at tick 0, then attacked, more than once as the treasury refilled its spot price.
    assert_eq!(attacks[0], 0.0);
    assert!(attacks[last] >= 2.0, "attacks per row {attacks:?}");
    assert!(attacks.windows(2).all(|w| w[1] >= w[0]));
    // Realised profit is what its balance gained; it came out of the treasury (which lost more:
    // the pool's liquidity provider keeps the rest of what the treasury overpaid).
    assert!(profit[last] > 100.0, "{profit:?}");
    assert!((usd[last] - 1000.0 - profit[last]).abs() < 1e-6, "{} vs {}", usd[last], profit[last]);
    assert!(1000.0 - treasury[last] > profit[last], "{} vs {}", treasury[last], profit[last]);
    // Attacks stop once the treasury is drained.
    assert!(treasury[last] < 10.0 && attacks[last] < searches_after_first(&rows), "{treasury:?} {attacks:?}");
    // Every search spent its budget: one per tick after the first.
    let searches = searches_after_first(&rows);
    assert_eq!(column(&columns, &rows, "mev.candidates")[last], 800.0 * searches);
    // Same seed, same run.
    assert_eq!(run("SpotBuyback").1, rows);

    let (columns, rows) = run("FixedBuyback");
    assert!(column(&columns, &rows, "mev.attacks").iter().all(|a| *a == 0.0));
    assert!(column(&columns, &rows, "agent.mev.usd").iter().all(|u| *u == 1000.0));
    assert!(column(&columns, &rows, "buyback.usd").iter().all(|u| *u == 1000.0));
}

#[test]
fn a_bad_attacker_is_refused_when_the_netlist_loads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spec.toml"), SPEC).unwrap();
    let cases = [
        (ATTACKER.replace("spec = \"spec.toml\"\n", ""), "an attacker needs `spec`"),
        (ATTACKER.replace("spec.toml", "missing.toml"), "spec = \"missing.toml\""),
        (ATTACKER.replace("budget = 800", "budget = 0"), "`budget` must be an integer from 1 to 1000000"),
        (ATTACKER.replace("every = \"1h\"", "every = \"often\""), "`every`: duration \"often\""),
        (ATTACKER.replace("population = 100", "populace = 100"), "unknown key `populace`"),
    ];
    for (agent, expected) in cases {
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, format!("{}{agent}", netlist("SpotBuyback"))).unwrap();
        let error = format!("{:#}", tokenspice::netlist::load(&file, &[]).unwrap_err());
        assert!(error.contains("agent mev") && error.contains(expected), "expected {expected:?} in {error}");
    }
    // A spec whose step names a function the contract lacks: the spec and its step are named.
    std::fs::write(dir.path().join("spec.toml"), SPEC.replace("sell(uint256)", "sel(uint256)")).unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, format!("{}{ATTACKER}", netlist("SpotBuyback"))).unwrap();
    let error = format!("{:#}", tokenspice::netlist::load(&file, &[]).unwrap_err());
    assert!(error.contains("spec.toml (its [[action]]s") && error.contains("behaviour 3"), "{error}");
}
