//! `tsp run --trace`: the trace of a run checked against the chain and the
//! KPIs to the wei — every agent's OCEAN rebuilt from the `Transfer` events
//! of the trace alone, from genesis; a custom error decoded with its
//! arguments in the trace and in run.json; calls and views of an address
//! without code refused with the agent, the tick and the reason; and the
//! KPIs of a run unchanged, byte for byte, by tracing it.

use alloy_primitives::{Address, U256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tokenspice::chain::{Backend, SimChain};
use tokenspice::cli::{run_to_dir_with, FinishedRun, RunOptions};
use tokenspice::kpis::read_kpis;
use tokenspice::kpis::trace::{EVENTS_CSV, EVENTS_PARQUET, TRANSACTIONS_CSV, TRANSACTIONS_PARQUET};
use tokenspice::netlist::{load, LoadedNetlist};
use tokenspice::wallet::{from_base18, Erc20};

const DEAD: &str = "0x000000000000000000000000000000000000dEaD";

fn ocean_v3() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists/ocean_v3.toml")
}

fn ten_days() -> LoadedNetlist {
    load(&ocean_v3(), &["sim.duration=\"10d\"".to_string()]).expect("ocean_v3 loads")
}

fn run(loaded: &LoadedNetlist, out: &Path, trace: bool) -> anyhow::Result<FinishedRun> {
    run_to_dir_with(loaded, out, SimChain::embedded(), RunOptions { progress: false, trace })
}

/// A CSV file as one map from column to value per row.
fn read_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    reader
        .records()
        .map(|record| {
            let record = record.expect("a complete row");
            header.iter().cloned().zip(record.iter().map(str::to_string)).collect()
        })
        .collect()
}

/// `name=value; name=value` as a map.
fn fields(text: &str) -> BTreeMap<String, String> {
    text.split("; ")
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or_else(|| panic!("not name=value: {pair:?}"));
            (name.to_string(), value.to_string())
        })
        .collect()
}

fn address(text: &str) -> Address {
    Address::from_str(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn word(text: &str) -> U256 {
    U256::from_str(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// Rows of a Parquet file (the parquet crate's reader).
fn parquet_rows(path: &Path) -> usize {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = SerializedFileReader::new(file).expect("a finished parquet file");
    usize::try_from(reader.metadata().file_metadata().num_rows()).expect("a row count")
}

#[test]
fn ocean_balances_rebuilt_from_the_trace_match_the_chain_and_the_kpis_to_the_wei() {
    let loaded = ten_days();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut finished = run(&loaded, dir.path(), true).expect("the run");
    let trace = dir.path().join("trace");
    let transactions = read_rows(&trace.join(TRANSACTIONS_CSV));
    let events = read_rows(&trace.join(EVENTS_CSV));

    // Every committed transaction from genesis, numbered without a gap, each in
    // both formats; the market's set-up deployments at tick 0, named.
    let world = finished.engine.world_mut();
    let committed = world.chain.journal().count();
    assert_eq!(transactions.len() as u64, committed, "one row per committed transaction");
    for (i, tx) in transactions.iter().enumerate() {
        assert_eq!(tx["tx_index"], i.to_string());
    }
    assert_eq!(parquet_rows(&trace.join(TRANSACTIONS_PARQUET)), transactions.len());
    assert_eq!(parquet_rows(&trace.join(EVENTS_PARQUET)), events.len());
    let ocean = world.book.address("ocean").expect("@ocean");
    let deployment = &transactions[0];
    assert_eq!(
        (deployment["tick"].as_str(), deployment["function"].as_str(), deployment["created_name"].as_str()),
        ("0", "constructor", "ocean"),
        "{deployment:?}"
    );
    assert_eq!(deployment["created_address"], ocean.to_checksum(None));
    assert_eq!(deployment["from_name"], "deployer");
    assert_eq!(
        deployment["args"],
        format!("initialMinter={}", tokenspice::chain::GOD.to_checksum(None)),
        "constructor arguments decoded from the init code"
    );
    for tx in &transactions {
        // (The simulator's own batch reader is the one unnamed contract.)
        let deployed = tx["function"] == "constructor" && !tx["created_address"].is_empty();
        let called = tx["function"].contains('(') && !tx["to_name"].is_empty() && !tx["from_name"].is_empty();
        assert!(deployed || called, "every transaction named and decoded: {tx:?}");
    }

    // Replay every OCEAN Transfer, exactly, per holder; after each KPI row's
    // tick, compare each agent's sum with the KPI.
    let table = read_kpis(&dir.path().join("kpis.csv")).expect("kpis.csv");
    let agents: Vec<(String, Address)> = loaded
        .agents
        .iter()
        .filter(|a| table.column(&format!("agent.{}.ocean", a.name)).is_some())
        .map(|a| (a.name.clone(), world.book.address(&a.name).expect("agent in the book")))
        .collect();
    assert_eq!(agents.len(), 23, "every agent of ocean_v3 has an OCEAN column");
    let mut held: BTreeMap<Address, U256> = BTreeMap::new();
    let mut transfers = events
        .iter()
        .filter(|e| address(&e["contract_address"]) == ocean && e["event"] == "Transfer")
        .peekable();
    let mut seen = 0;
    for (row, &tick) in table.ticks.iter().enumerate() {
        while let Some(event) = transfers.next_if(|e| e["tick"].parse::<u64>().unwrap() <= tick) {
            assert_eq!(event["contract_name"], "ocean");
            let decoded = fields(&event["fields"]);
            let (from, to, value) =
                (address(&decoded["from"]), address(&decoded["to"]), word(&decoded["value"]));
            // The decoded fields are the raw topics and data.
            assert_eq!(from, Address::from_word(event["topic1"].parse().expect("topic1")));
            assert_eq!(to, Address::from_word(event["topic2"].parse().expect("topic2")));
            assert_eq!(value, U256::from_str_radix(event["data"].trim_start_matches("0x"), 16).unwrap());
            if from != Address::ZERO {
                let balance = held.entry(from).or_default();
                *balance = balance.checked_sub(value).expect("no holder sends more than it received");
            }
            *held.entry(to).or_default() += value;
            seen += 1;
        }
        for (name, who) in &agents {
            let kpi = table.column(&format!("agent.{name}.ocean")).unwrap()[row];
            let exact = held.get(who).copied().unwrap_or_default();
            assert_eq!(
                kpi.to_bits(),
                from_base18(exact).to_bits(),
                "agent {name} at tick {tick}: KPI {kpi} vs {exact} wei from the trace"
            );
        }
    }
    assert!(transfers.next().is_none(), "no Transfer after the last row");
    assert!(seen > 200, "{seen} OCEAN transfers");

    // And against the chain at the end: every agent's balance, and the supply.
    let mut holding = 0;
    for (name, who) in &agents {
        let on_chain: U256 = world.chain.view(ocean, &Erc20::balanceOfCall { who: *who }).expect("balanceOf");
        assert_eq!(held.get(who).copied().unwrap_or_default(), on_chain, "agent {name}");
        holding += usize::from(!on_chain.is_zero());
    }
    assert!(holding >= 20, "{holding} agents hold OCEAN");
    let supply: U256 = world.chain.view(ocean, &Erc20::totalSupplyCall {}).expect("totalSupply");
    assert_eq!(held.values().copied().sum::<U256>(), supply, "the holders' sums add up to the supply");

    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap()).unwrap();
    assert_eq!(run["trace"], "trace/");
}

#[test]
fn tracing_leaves_the_kpis_byte_identical_and_a_plain_run_keeps_no_transactions() {
    let loaded = ten_days();
    let traced = tempfile::tempdir().expect("tempdir");
    let plain = tempfile::tempdir().expect("tempdir");
    run(&loaded, traced.path(), true).expect("traced run");
    let mut finished = run(&loaded, plain.path(), false).expect("plain run");
    let kpis = |dir: &Path| std::fs::read(dir.join("kpis.csv")).expect("kpis.csv");
    assert_eq!(kpis(traced.path()), kpis(plain.path()), "kpis.csv byte for byte");
    assert!(!plain.path().join("trace").exists());
    let journal = finished.engine.world_mut().chain.journal();
    assert!(journal.count() > 100, "{} transactions", journal.count());
    assert!(journal.last().is_some() && journal.take().is_empty(), "only a count and the last one");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plain.path().join("run.json")).unwrap()).unwrap();
    assert!(run.get("trace").is_none());
}

/// A reserve token and a bonding curve (`contracts/examples`), and a buyer
/// that first asks for far more tokens than 10 USD buy (the curve reverts
/// with `Slippage(got, min)`), then buys the same amount with no minimum.
const CURVE: &str = r#"
[sim]
name = "curve"
tick = "1h"
ticks = 4
shuffle = false

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["US Dollar", "USD", "to_wei(1000000)"]

[[contract]]
name = "curve"
artifact = "BondingCurveToken"
args = ["Curve", "CRV", "@usd", "to_wei(0.1)", "to_wei(0.001)", 100, "@deployer"]

[[agent]]
type = "eoa"
name = "buyer"
fund = { "@usd" = 100.0 }

[[agent.behaviour]]
at = "1h"
to = "@curve"
function = "buy(uint256,uint256)"
args = ["to_wei(10)", "to_wei(1000000)"]
approve = [["@usd", "to_wei(10)"]]

[[agent.behaviour]]
at = "2h"
to = "@curve"
function = "buy(uint256,uint256)"
args = ["to_wei(10)", 0]
approve = [["@usd", "to_wei(10)"]]
"#;

#[test]
fn a_custom_error_is_decoded_with_its_arguments_in_the_trace_and_in_run_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let netlist = dir.path().join("curve.toml");
    std::fs::write(&netlist, CURVE).unwrap();
    let out = dir.path().join("out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(["run", "--quiet", "--no-charts", "--trace", "--out"])
        .arg(&out)
        .arg(&netlist)
        .output()
        .expect("tsp runs");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let transactions = read_rows(&out.join("trace").join(TRANSACTIONS_CSV));
    let events = read_rows(&out.join("trace").join(EVENTS_CSV));

    // The deployments, named, with their constructor arguments.
    let created: Vec<(&str, &str)> = transactions
        .iter()
        .filter(|tx| tx["function"] == "constructor" && tx["from_name"] == "deployer")
        .map(|tx| (tx["created_name"].as_str(), tx["args"].as_str()))
        .collect();
    assert!(
        created.contains(&(
            "usd",
            "name_=\"US Dollar\"; symbol_=\"USD\"; initialSupply=1000000000000000000000000"
        )),
        "{created:?}"
    );

    // The bought amount, from the successful buy's event.
    let bought: Vec<_> =
        events.iter().filter(|e| e["contract_name"] == "curve" && e["event"] == "Bought").collect();
    assert_eq!(bought.len(), 1, "{events:?}");
    let tokens_out = fields(&bought[0]["fields"])["tokensOut"].clone();
    assert!(word(&tokens_out) > U256::ZERO);

    // The first buy asked for 10^6 tokens; the curve offered what the second
    // buy (same reserve in, same supply, since the first reverted) got.
    let min = "1000000000000000000000000";
    let expected = format!("Slippage(got={tokens_out}, min={min})");
    let buys: Vec<_> = transactions.iter().filter(|tx| tx["to_name"] == "curve").collect();
    assert_eq!(buys.len(), 2);
    let failed = buys[0];
    assert_eq!(failed["from_name"], "buyer");
    assert_eq!(failed["function"], "buy(uint256,uint256)");
    assert_eq!(failed["args"], format!("reserveIn=10000000000000000000; minTokensOut={min}"));
    assert_eq!((failed["status"].as_str(), failed["revert_reason"].as_str()), ("revert", expected.as_str()));
    assert_eq!((buys[1]["status"].as_str(), buys[1]["revert_reason"].as_str()), ("success", ""));
    // One approval (unlimited, so the second buy needs none), decoded.
    let approvals: Vec<_> = transactions
        .iter()
        .filter(|tx| tx["to_name"] == "usd" && tx["function"] == "approve(address,uint256)")
        .collect();
    assert_eq!(approvals.len(), 1);
    let args = fields(&approvals[0]["args"]);
    assert_eq!(address(&args["spender"]), address(&failed["to_address"]));
    assert_eq!(word(&args["amount"]), U256::MAX);

    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["reverts_by_reason"], serde_json::json!({ "Slippage": 1 }));
    assert_eq!(run["first_reverts"][0]["reason"], expected.as_str());
    assert_eq!(run["first_reverts"][0]["agent"], "buyer");
    assert_eq!(run["trace"], "trace/");
}

fn dead_netlist(extra: &str) -> String {
    format!(
        r#"
[sim]
name = "dead"
tick = "1h"
ticks = 4
shuffle = false

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["US Dollar", "USD", "to_wei(1000000)"]

[[agent]]
type = "scripted"
name = "poker"
fund = {{ "@usd" = 1.0 }}
actions = [ {{ at = "2h", do = "call", to = "addr(\"{DEAD}\")", function = "poke()" }} ]
{extra}
"#
    )
}

fn run_text(text: &str, trace: bool) -> (tempfile::TempDir, anyhow::Result<FinishedRun>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let netlist = dir.path().join("dead.toml");
    std::fs::write(&netlist, text).unwrap();
    let loaded = load(&netlist, &[]).expect("the netlist loads");
    let result = run(&loaded, &dir.path().join("out"), trace);
    (dir, result)
}

#[test]
fn a_call_or_a_view_of_an_address_without_code_stops_the_run_and_says_so() {
    let (dir, result) = run_text(&dead_netlist(""), true);
    let error = format!("{:#}", result.expect_err("a call to an address without code"));
    assert!(error.contains("agent poker, tick 2"), "{error}");
    assert!(error.contains("has no code"), "{error}");
    assert!(error.to_lowercase().contains(&DEAD.to_lowercase()), "{error}");
    // The trace of a failed run is finished up to the failure: the funding
    // transfer at tick 0 is there, and the Parquet files are complete.
    let trace = dir.path().join("out").join("trace");
    let transactions = read_rows(&trace.join(TRANSACTIONS_CSV));
    assert!(transactions
        .iter()
        .any(|tx| tx["to_name"] == "usd" && tx["function"] == "transfer(address,uint256)"));
    assert!(transactions.iter().all(|tx| tx["tick"] == "0"), "nothing after tick 0 was sent");
    assert_eq!(parquet_rows(&trace.join(TRANSACTIONS_PARQUET)), transactions.len());

    let kpi = format!(
        "[[kpi]]\nname = \"dead.supply\"\nexpr = 'view(addr(\"{DEAD}\"), \"totalSupply() returns (uint256)\")'\n"
    );
    let (_dir, result) = run_text(&dead_netlist(&kpi), false);
    let error = format!("{:#}", result.expect_err("a view of an address without code"));
    assert!(error.contains("no code"), "{error}");
    assert!(error.contains("tick 0"), "{error}");
}
