//! What `tsp check` refuses (load, then build — deploying the contracts and
//! making their set-up calls): every message names the file, the line and
//! what was written.

use crate::common::{check_error, line_of, write};

/// A token, an agent that funds itself with it and sends some of it back.
const BASE: &str = r#"[sim]
name = "errors"
tick = "1h"
ticks = 2

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["USD", "USD", "to_wei(1000000)"]

[[agent]]
type = "eoa"
name = "alice"
fund = { "@usd" = 10.0 }
[[agent.behaviour]]
every = "1h"
to = "@usd"
function = "transfer(address,uint256)"
args = ["@deployer", "to_wei(1)"]

[[kpi]]
name = "alice.usd"
expr = "balance(@usd, @alice)"

[[invariant]]
name = "supply_kept"
expr = "total_supply(@usd) >= to_wei(1000000)"
"#;

/// `BASE` with `from` replaced by `to` (which must occur once).
fn with(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "{from:?} must occur once in BASE");
    BASE.replace(from, to)
}

/// `tsp check` on `text` fails naming the file, the line holding `at`, and each of `says`.
fn refused(case: &str, text: &str, at: &str, says: &[&str]) -> String {
    let (error, file) = check_error(text, &[]);
    let line = line_of(text, at);
    eprintln!("{case}: {error}");
    assert!(error.contains(&format!("{file}:{line}:")), "{case}: should name {file}:{line}, says: {error}");
    for needle in says {
        assert!(error.contains(needle), "{case}: expected {needle:?} in: {error}");
    }
    error
}

#[test]
fn the_base_netlist_passes() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "net.toml", BASE);
    let loaded = tokenspice::netlist::load(&file, &[]).unwrap();
    loaded.build().unwrap();
}

#[test]
fn bad_expressions_and_unknown_names() {
    let text = with("\"to_wei(1)\"]", "\"to_wei(1\"]");
    refused("syntax", &text, "[[agent.behaviour]]", &["`to_wei(1`", "transfer(address,uint256) amount"]);

    let text = with("[\"@deployer\", \"to_wei(1)\"]", "[\"@nope\", \"to_wei(1)\"]");
    let e = refused(
        "unknown @name in an agent's args",
        &text,
        "[[agent.behaviour]]",
        &["`@nope`", "unknown name @nope"],
    );
    assert!(e.contains("alice") && e.contains("usd") && e.contains("deployer"), "lists the book: {e}");

    let text = with("balance(@usd, @alice)", "balance(@nope, @alice)");
    refused(
        "unknown @name in a KPI",
        &text,
        "[[kpi]]",
        &["`balance(@nope, @alice)`", "unknown name @nope", "kpi"],
    );

    let text = with("total_supply(@usd) >=", "total_supply(@nope) >=");
    refused(
        "unknown @name in an invariant",
        &text,
        "[[invariant]]",
        &["total_supply(@nope)", "unknown name @nope", "supply_kept"],
    );

    let text = with("[\"@deployer\", \"to_wei(1)\"]", "[\"@bob\", \"to_wei(1)\"]");
    refused("unknown agent", &text, "[[agent.behaviour]]", &["`@bob`", "unknown name @bob"]);

    let text = BASE.to_string()
        + "\n[[contract]] # curve\nname = \"curve\"\nartifact = \"BondingCurveToken\"\nargs = [\"C\", \"C\", \"@nope\", \"to_wei(1)\", 0, 0, \"@deployer\"]\n";
    let e = refused(
        "unknown @name in a [[contract]] argument",
        &text,
        "# curve",
        &["`@nope`", "unknown name @nope", "curve"],
    );
    assert!(e.contains("the address book has alice, deployer, usd"), "{e}");
}

#[test]
fn bad_calls() {
    let text = with("\"transfer(address,uint256)\"", "\"transfer(address,uint256\"");
    refused(
        "signature does not parse",
        &text,
        "[[agent.behaviour]]",
        &["\"transfer(address,uint256\"", "does not parse"],
    );

    let text = with("\"transfer(address,uint256)\"", "\"transfr(address,uint256)\"");
    refused(
        "not in the target's ABI",
        &text,
        "[[agent.behaviour]]",
        &["\"transfr(address,uint256)\"", "ABI has no transfr(address,uint256)"],
    );

    let text = with("\"to_wei(1)\"]", "1.5]");
    refused(
        "float for uint",
        &text,
        "[[agent.behaviour]]",
        &["1.5 is a float, uint256 an integer", "to_wei(1.5)"],
    );

    let text = with("[\"@deployer\", \"to_wei(1)\"]", "[true, \"to_wei(1)\"]");
    refused(
        "true for address",
        &text,
        "[[agent.behaviour]]",
        &["true does not fit address", "transfer(address,uint256)"],
    );

    let text = with("[\"@deployer\", \"to_wei(1)\"]", "[\"@deployer\"]");
    refused(
        "wrong count",
        &text,
        "[[agent.behaviour]]",
        &["transfer(address,uint256) takes 2 argument(s), 1 given"],
    );
}

#[test]
fn bind_needs_a_return_value() {
    // The target's ABI is unknown when the netlist loads: the signature must state what it returns.
    let text = with(
        "every = \"1h\"\nto = \"@usd\"\nfunction = \"transfer(address,uint256)\"",
        "every = \"1h\"\nto = \"memory.token\"\nfunction = \"transfer(address,uint256)\"\nbind = \"sent\"",
    );
    refused(
        "bind without return types",
        &text,
        "[[agent.behaviour]]",
        &[
            "bind = \"sent\"",
            "function = \"transfer(address,uint256)\" names no return types",
            "transfer(address,uint256) returns (uint256)",
        ],
    );
    let text = with("to = \"@usd\"", "to = \"memory.token\"\nbind = \"sent\"")
        .replace("transfer(address,uint256)", "transfer(address,uint256) returns (bool)");
    check_passes_load(&text);
}

/// `text` loads (its expressions compile, its calls resolve).
fn check_passes_load(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "net.toml", text);
    tokenspice::netlist::load(&file, &[]).unwrap();
}

#[test]
fn bad_behaviours() {
    let text = with("every = \"1h\"\nto", "every = \"1h\"\ncolour = \"red\"\nto");
    refused("unknown key", &text, "[[agent.behaviour]]", &["unknown key `colour`", "alice"]);

    let text = with("every = \"1h\"", "every = \"1x\"");
    refused("bad every", &text, "[[agent.behaviour]]", &["`every`", "1x", "alice"]);

    let text = with("every = \"1h\"", "every = \"0h\"");
    refused("zero every", &text, "[[agent.behaviour]]", &["`every` must be longer than 0s"]);

    let text = with("every = \"1h\"", "every = \"1h\"\nprobability = 1.5");
    refused(
        "probability 1.5",
        &text,
        "[[agent.behaviour]]",
        &["`probability` = 1.5 must be a number from 0 to 1"],
    );
}

#[test]
fn contracts_that_cannot_deploy_or_set_up() {
    let text = with("artifact = \"ReserveToken\"", "artifact = \"ReserveTokn\"");
    let e = refused("unknown artifact", &text, "[[contract]]", &["ReserveTokn", "usd"]);
    assert!(e.contains("ReserveToken") && e.contains("BondingCurveToken"), "lists what the build has: {e}");

    let text = BASE.to_string()
        + "\n[[contract]] # curve\nname = \"curve\"\nartifact = \"BondingCurveToken\"\nargs = [\"C\", \"C\", \"@usd\", 0, 0, 0, \"@deployer\"]\n";
    refused(
        "constructor reverts",
        &text,
        "# curve",
        &[
            "the constructor(\"C\", \"C\", ",
            ", 0, 0, 0, ",
            "reverted",
            "InvalidParameter(which=\"basePrice and slope\")",
            "curve",
        ],
    );

    let call = "\n[[contract.call]]\nfunction = \"transfer(address,uint256)\"\nargs = [\"addr(\\\"0x0000000000000000000000000000000000000000\\\")\", 1]\n";
    let text = with("\"to_wei(1000000)\"]\n", &format!("\"to_wei(1000000)\"]\n{call}"));
    refused(
        "set-up call reverts",
        &text,
        "[[contract.call]]",
        &[
            "transfer(0x0000000000000000000000000000000000000000, 1) reverted",
            "ERC20: transfer to zero address",
        ],
    );

    let call = "\n[[contract.call]]\nfunction = \"transfer(address,uint256)\"\nargs = [\"0x0000000000000000000000000000000000000001\", 1]\n";
    let text = with("\"to_wei(1000000)\"]\n", &format!("\"to_wei(1000000)\"]\n{call}"));
    refused(
        "a bare 0x… is a number",
        &text,
        "[[contract.call]]",
        &["`0x0000000000000000000000000000000000000001`", "got int 1", "write addr(\"0x…\")"],
    );

    let call = "\n[[contract.call]]\nfunction = \"totalSupply()\"\nbind = \"supply\"\n";
    let text = with("\"to_wei(1000000)\"]\n", &format!("\"to_wei(1000000)\"]\n{call}"));
    refused(
        "bind of a non-address",
        &text,
        "[[contract.call]]",
        &["bind = \"supply\"", "totalSupply() returned 1000000000000000000000000, not an address"],
    );
}

#[test]
fn tsp_check_exits_1_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let text = with("balance(@usd, @alice)", "balance(@nope, @alice)");
    let file = write(dir.path(), "net.toml", &text);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tsp")).arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = line_of(&text, "[[kpi]]");
    assert!(stderr.contains(&format!("{}:{line}:", file.display())), "{stderr}");
    assert!(stderr.contains("`balance(@nope, @alice)`") && stderr.contains("unknown name @nope"), "{stderr}");
    let ok = write(dir.path(), "ok.toml", BASE);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tsp")).arg("check").arg(&ok).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
