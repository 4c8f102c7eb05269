//! Generic agents: funding from the deployer (a transfer when it holds
//! enough, a mint otherwise, a clear error when it can do neither), ETH,
//! their columns; calls to addresses without code.

use crate::common::{check_error, line_of, run_text, try_run_file, write};

const TOKENS: &str = r#"
[sim]
name = "funding"
tick = "1h"
ticks = 2
shuffle = false

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["USD", "USD", "to_wei(1000000)"]

[[contract]]
name = "gold"
artifact = "ReserveToken"
args = ["GOLD", "GOLD", 0]

[[contract]]
name = "half"
artifact = "ReserveToken"
args = ["HALF", "HALF", "to_wei(50)"]

[[kpi]]
name = "usd.supply"
expr = "total_supply(@usd)"
[[kpi]]
name = "usd.deployer"
expr = "balance(@usd, @deployer)"
[[kpi]]
name = "gold.supply"
expr = "total_supply(@gold)"
[[kpi]]
name = "half.supply"
expr = "total_supply(@half)"
[[kpi]]
name = "half.deployer"
expr = "balance(@half, @deployer)"
"#;

#[test]
fn the_deployer_transfers_what_it_holds_and_mints_otherwise() {
    let text = TOKENS.to_string()
        + "\n[[agent]]\ntype = \"eoa\"\nname = \"alice\"\neth = 1.5\nfund = { \"@usd\" = 100.0, \"@gold\" = 7.0, \"@half\" = 80.0 }\n";
    let ran = run_text(&text, &[]);
    let mut own: Vec<&str> =
        ran.columns.iter().map(String::as_str).filter(|c| c.starts_with("agent.")).collect();
    own.sort_unstable();
    assert_eq!(own, ["agent.alice.eth", "agent.alice.gold", "agent.alice.half", "agent.alice.usd"]);
    assert_eq!(ran.column("agent.alice.eth"), [1.5; 2], "eth = 1.5 is ether");
    assert_eq!(ran.column("agent.alice.usd"), [100.0; 2]);
    assert_eq!(ran.column("usd.supply"), [1e6; 2], "the deployer held enough: a transfer");
    assert_eq!(ran.column("usd.deployer"), [1e6 - 100.0; 2]);
    assert_eq!(ran.column("agent.alice.gold"), [7.0; 2]);
    assert_eq!(ran.column("gold.supply"), [7.0; 2], "the deployer held none: minted");
    // Holding 50 of the 80 asked, the deployer mints all 80 and keeps its 50.
    assert_eq!(ran.column("agent.alice.half"), [80.0; 2]);
    assert_eq!((ran.column("half.supply"), ran.column("half.deployer")), (vec![130.0; 2], vec![50.0; 2]));
}

#[test]
fn a_token_the_deployer_cannot_mint_is_an_error_naming_the_agent_and_the_token() {
    let text = TOKENS.to_string()
        + "\n[[contract]]\nname = \"curve\"\nartifact = \"BondingCurveToken\"\nargs = [\"C\", \"C\", \"@usd\", \"to_wei(1)\", 0, 0, \"@deployer\"]\n"
        + "\n[[agent]]\ntype = \"eoa\"\nname = \"bob\"\nfund = { \"@curve\" = 2.0 }\n";
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "net.toml", &text);
    let error = try_run_file(&file, &[]).unwrap_err();
    for needle in ["agent bob", "@curve", "2000000000000000000", "the deployer holds 0", "mint"] {
        assert!(error.contains(needle), "expected {needle:?} in: {error}");
    }
}

#[test]
fn a_call_to_an_address_without_code_is_an_error_naming_agent_and_tick() {
    let text = TOKENS.to_string()
        + "\n[[agent]]\ntype = \"scripted\"\nname = \"s\"\nactions = [{ at = \"1h\", do = \"call\", to = \"addr(\\\"0x00000000000000000000000000000000000000aa\\\")\", function = \"poke()\" }]\n";
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "net.toml", &text);
    let error = try_run_file(&file, &[]).unwrap_err();
    for needle in
        ["agent s, tick 1", "action 1 (call)", "0x00000000000000000000000000000000000000AA has no code"]
    {
        assert!(error.contains(needle), "expected {needle:?} in: {error}");
    }
}

#[test]
fn a_call_to_an_agent_by_name_is_refused_by_check() {
    let text = TOKENS.to_string()
        + "\n[[agent]]\ntype = \"eoa\"\nname = \"alice\"\n[[agent.behaviour]] # poke\nto = \"@alice\"\nfunction = \"poke()\"\n";
    let (error, file) = check_error(&text, &[]);
    let line = line_of(&text, "# poke");
    assert!(error.contains(&format!("{file}:{line}: agent alice, behaviour 1, `to`: `@alice`")), "{error}");
    assert!(error.contains("@alice is an agent's account") && error.contains("has no code"), "{error}");
}
