//! `--set` on every path: each changes the run as predicted; a bad path
//! names the path and what exists; an error in an overridden value points
//! at the user's own file and says it came from `--set`.

use crate::common::{line_of, try_run_file, write, Ran};

const NETLIST: &str = r#"include = ["population.toml"]

[sim]
name = "sets"
tick = "1h"
ticks = 4
shuffle = false

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["USD", "USD", "to_wei(1000000)"]

[[series]]
name = "eth"
process = "gbm"
start = 2000.0
volatility = 0.8

[[agent]]
type = "eoa"
name = "alice"
eth = 1.0
fund = { "@usd" = 100.0 }
params = { amount = 1.0 }
[[agent.behaviour]]
to = "@usd"
function = "transfer(address,uint256)"
args = ["@deployer", "to_wei(amount)"]
[[agent.behaviour]]
probability = 0.0
do = "transfer"
token = "@usd"
to = "@deployer"
amount = 5.0

[[agent]]
type = "eoa"
name = "arb"
count = 2
eth = 2.0

[[kpi]]
name = "usd.supply"
expr = "total_supply(@usd)"

[[kpi]]
name = "eth.price"
expr = "series(\"eth\")"

[[invariant]]
name = "alice_keeps_98"
expr = "balance(@usd, @alice) >= to_wei(98)"
"#;

const POPULATION: &str =
    "# Agents shared by netlists.\n[[agent]]\ntype = \"eoa\"\nname = \"bob\"\neth = 3.0\n";

/// Run the netlist (and its included file) with `sets`; the error as text.
fn run(sets: &[&str]) -> Result<Ran, String> {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "population.toml", POPULATION);
    let file = write(dir.path(), "net.toml", NETLIST);
    try_run_file(&file, sets).map_err(|e| e.replace(&dir.path().display().to_string(), "DIR"))
}

#[test]
fn the_netlist_as_written() {
    let ran = run(&[]).unwrap();
    // alice sends 1 USD a tick; at tick 2 she holds 97 < 98: the invariant stops the run.
    assert_eq!(ran.column("agent.alice.usd"), [99.0, 98.0, 97.0]);
    assert!(ran.summary.stopped.as_deref().unwrap().contains("alice_keeps_98 violated at tick 2"));
    assert_eq!(ran.column("agent.alice.eth"), [1.0; 3]);
    assert_eq!(ran.column("agent.bob.eth"), [3.0; 3]);
    assert_eq!((ran.column("agent.arb0.eth"), ran.column("agent.arb1.eth")), (vec![2.0; 3], vec![2.0; 3]));
    assert_eq!(ran.column("usd.supply"), [1e6; 3]);
    let price = ran.column("eth.price");
    assert!(price[0] == 2000.0 && price[1] != price[0], "a GBM path from its start: {price:?}");
}

#[test]
fn every_path_changes_the_run_as_predicted() {
    let ran = run(&["invariant.alice_keeps_98.on_fail=\"record\""]).unwrap();
    assert_eq!(ran.summary.stopped, None);
    assert_eq!(ran.column("invariant.alice_keeps_98.violations"), [0.0, 0.0, 1.0, 2.0]);
    assert_eq!(ran.column("agent.alice.usd"), [99.0, 98.0, 97.0, 96.0]);

    let record = "invariant.alice_keeps_98.on_fail=record"; // a bare word is text
    let ran = run(&[record, "agent.alice.eth=5.0", "agent.bob.eth=4.5", "agent.arb.eth=7.25"]).unwrap();
    assert_eq!(ran.column("agent.alice.eth"), [5.0; 4], "agent.<name>.<key>");
    assert_eq!(ran.column("agent.bob.eth"), [4.5; 4], "an agent of an included file");
    assert_eq!(ran.column("agent.arb0.eth"), [7.25; 4], "a count group: every copy");
    assert_eq!(ran.column("agent.arb1.eth"), [7.25; 4]);

    let ran = run(&[record, "agent.alice.params.amount=2.5"]).unwrap();
    assert_eq!(ran.column("agent.alice.usd"), [97.5, 95.0, 92.5, 90.0], "agent.<name>.params.<key>");

    let ran = run(&[record, "agent.alice.behaviour.2.probability=1.0"]).unwrap();
    assert_eq!(ran.column("agent.alice.usd"), [94.0, 88.0, 82.0, 76.0], "agent.<name>.behaviour.<n>.<key>");

    let ran = run(&[record, "contract.usd.args=[\"USD\", \"USD\", \"to_wei(5000)\"]"]).unwrap();
    assert_eq!(ran.column("usd.supply"), [5000.0; 4], "contract.<name>.args");

    let ran = run(&[record, "kpi.usd.supply.expr=\"total_supply(@usd) / 4\""]).unwrap();
    assert_eq!(ran.column("usd.supply"), [250_000.0; 4], "kpi.<name>.expr, a name with a dot");

    let ran = run(&[record, "series.eth.volatility=0.0"]).unwrap();
    assert_eq!(ran.column("eth.price"), [2000.0; 4], "series.<name>.volatility: no drift, no noise");
}

const OCEAN: &str = r#"
[sim]
name = "ocean-sets"
tick = "1d"
ticks = 2

[[agent]]
type = "publisher"
name = "pub"
every = "365d"
ocean_in_pool = 1000.0
"#;

#[test]
fn model_paths_change_the_design_and_its_criteria() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "ocean.toml", OCEAN);
    let v3 = try_run_file(&file, &[]).unwrap();
    assert_eq!(v3.column("pool.0.dt")[0], 100.0, "V3: the publisher seeds 100 DT");
    let v4 = try_run_file(&file, &["ocean.design=\"v4\""]).unwrap();
    assert_eq!(v4.column("pool.0.dt")[0], 10_000.0, "V4: the bot seeds rate x OCEAN = 10 x 1,000 DT");
    // A single-sided stake of x of a 70/30 pool's OCEAN moves the DT price by exactly x.
    let moved = v3.column("criteria.stake_price_move_pct")[0];
    assert!((moved - 10.0).abs() < 1e-9, "default probe: 10% of the OCEAN: {moved}");
    let probed = try_run_file(&file, &["ocean.criteria.probe_stake_fraction=0.25"]).unwrap();
    let moved = probed.column("criteria.stake_price_move_pct")[0];
    assert!((moved - 25.0).abs() < 1e-9, "{moved}");
    let error = try_run_file(&file, &["ocean.design=\"v5\""]).unwrap_err();
    assert!(error.contains("v5") && error.contains("(changed by --set ocean.design=\"v5\")"), "{error}");
}

#[test]
fn bad_paths_name_the_path_and_what_exists() {
    for (set, says) in [
        ("agent.nobody.eth=1", "no [[agent]] named \"nobody\" (agents: alice, arb, bob"),
        ("agent.arb0.eth=1", "`count` copies share their table's name"),
        ("agent.alice.behaviour.3.probability=1", "behaviour has 2 items; 3 is not one of them"),
        ("kpi.nope.expr=\"1\"", "no [[kpi]] named \"nope\" (there are: usd.supply, eth.price)"),
        ("contract.nope.args=[]", "no [[contract]] named \"nope\" (there are: usd)"),
        ("invariant.nope.on_fail=record", "no [[invariant]] named \"nope\" (there are: alice_keeps_98)"),
        ("series.eth.volatility.x=1", "volatility is 0.8, not a table"),
        ("series.eth=1", "name the series and a key: series.<name>.<key>"),
    ] {
        let error = run(&[set]).err().unwrap_or_else(|| panic!("{set}: accepted"));
        eprintln!("{set}: {error}");
        assert!(
            error.contains(&format!("DIR/net.toml: --set {set}")),
            "{set}: names the file and the path: {error}"
        );
        assert!(error.contains(says), "{set}: expected {says:?} in: {error}");
    }
}

#[test]
fn errors_in_overridden_values_point_at_the_users_file_and_say_so() {
    let line = |needle: &str| line_of(NETLIST, needle);
    for (set, at, says) in [
        (
            "kpi.usd.supply.expr=\"total_supply(@nope)\"",
            format!("net.toml:{}", line("name = \"usd.supply\"") - 1),
            "unknown name @nope",
        ),
        ("invariant.alice_keeps_98.expr=\"1 +\"", format!("net.toml:{}", line("[[invariant]]")), "`1 +`"),
        (
            "contract.usd.args=[\"USD\"]",
            format!("net.toml:{}", line("[[contract]]")),
            "takes 3 argument(s), 1 given",
        ),
        (
            "agent.alice.behaviour.1.function=\"transfr(address,uint256)\"",
            format!("net.toml:{}", line("[[agent.behaviour]]")),
            "no transfr(address,uint256)",
        ),
        ("agent.arb.eth=\"lots(\"", format!("net.toml:{}", line("name = \"arb\"") - 2), "`lots(`"),
        ("agent.bob.fund={\"@nope\" = 1.0}", "population.toml:2".to_string(), "unknown name @nope"),
        ("series.eth.volatility=-1.0", format!("net.toml:{}", line("[[series]]")), "volatility = -1"),
    ] {
        let error = run(&[set]).err().unwrap_or_else(|| panic!("{set}: accepted"));
        eprintln!("{set}: {error}");
        assert!(error.contains(&format!("DIR/{at}:")), "{set}: should point at {at}: {error}");
        assert!(error.contains(says), "{set}: expected {says:?} in: {error}");
        assert!(
            error.contains(&format!("(changed by --set {set})")),
            "{set}: should say it came from --set: {error}"
        );
    }
}
