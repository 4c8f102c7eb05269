//! Netlists on Ocean Protocol's published contract builds (npm
//! `@oceanprotocol/contracts` 0.6.9 for V3 and 1.1.15 for V4, installed by
//! scripts/ocean-builds.sh) driven through their adapters:
//!
//! * the V3 netlist on 0.6.9 and on the project's own build, same seed, agree
//!   hour by hour on every pool price, reserve, share supply and agent balance;
//! * the V4 netlist runs to the end on 1.1.15 and run.json names the build;
//! * a day of the V3 netlist on 0.6.9 gives the same KPIs on anvil as embedded;
//! * a scripted agent's swaps, stake and unstake on each build match the float
//!   reference of the pool formulas;
//! * the own-v3 and own-v4 adapters on the project's out/ folder give the
//!   typed bindings' KPIs (the adapter machinery adds nothing of its own).

#[path = "support/balancer_ref.rs"]
mod balancer_ref;
#[path = "support/ocean_builds.rs"]
mod ocean_builds;
#[path = "support/scenario.rs"]
mod scenario;

use balancer_ref::{out_given_in, pool_out_given_single_in, single_out_given_pool_in, Pow};
use ocean_builds::{build_override, ocean_build, repo};
use std::path::Path;
use tokenspice::cli::run_to_dir;
use tokenspice::kpis::{read_kpis, KpiTable};
use tokenspice::netlist::load;

/// Run netlist `file` with `overrides`; its KPI table and run.json.
fn run(file: &Path, overrides: &[String]) -> (KpiTable, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let loaded = load(file, overrides).unwrap_or_else(|e| panic!("{e:#}"));
    run_to_dir(&loaded, dir.path(), false).unwrap_or_else(|e| panic!("{e:#}"));
    let table = read_kpis(&dir.path().join("kpis.csv")).unwrap();
    let run = serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap()).unwrap();
    (table, run)
}

/// Relative difference, 0 for two equal values (NaN included).
fn relative(a: f64, b: f64) -> f64 {
    if a == b || (a.is_nan() && b.is_nan()) {
        0.0
    } else {
        (a - b).abs() / a.abs().max(b.abs())
    }
}

#[test]
fn v3_netlist_on_ocean_0_6_9_agrees_with_the_own_build_hour_by_hour() {
    let build = ocean_build("0.6.9");
    let netlist = repo("netlists/ocean_v3.toml");
    let hourly = "sim.log_every=\"1h\"".to_string();
    let (own, _) = run(&netlist, std::slice::from_ref(&hourly));
    let (ocean, run_json) = run(&netlist, &[hourly, build_override(&build)]);

    assert_eq!(run_json["build"]["adapter"], "ocean-0.6.9");
    let described = run_json["build"]["build"].as_str().unwrap();
    assert!(described.contains("@oceanprotocol/contracts@0.6.9"), "{described}");
    assert_eq!(run_json["build"]["roles"]["pool_template"], "BPool");
    assert_eq!(own.ticks, ocean.ticks);
    assert_eq!(own.len(), 8760, "one row per simulated hour of the year");
    assert_eq!(own.columns, ocean.columns);
    assert_eq!(own.column("global.pools").unwrap().last(), Some(&59.0));
    assert!(own.column("global.consumes").unwrap().last().unwrap() > &1000.0);

    let mut checked_prices = 0;
    for (name, (a, b)) in own.columns.iter().zip(own.values.iter().zip(&ocean.values)) {
        // Gas differs by design: other bytecode (solc 0.5.7) for the same math.
        if name == "global.gas_used" {
            continue;
        }
        for (row, (x, y)) in a.iter().zip(b).enumerate() {
            let diff = relative(*x, *y);
            assert!(diff <= 1e-12, "{name} at tick {}: own {x} vs 0.6.9 {y} ({diff:e})", own.ticks[row]);
        }
        checked_prices += usize::from(name.ends_with(".spot_price"));
    }
    assert!(checked_prices >= 59, "every pool's price is compared");
    // The builds really differ: other bytecode, other gas.
    assert_ne!(own.column("global.gas_used"), ocean.column("global.gas_used"));
}

#[test]
fn ocean_0_6_9_on_anvil_gives_the_embedded_kpis() {
    use tokenspice::chain::{AnvilProcess, SimChain};
    let overrides = [
        build_override(&ocean_build("0.6.9")),
        "sim.duration=\"24h\"".to_string(),
        "sim.log_every=\"1h\"".to_string(),
    ];
    let loaded = load(&repo("netlists/ocean_v3.toml"), &overrides).unwrap_or_else(|e| panic!("{e:#}"));
    let scratch = tempfile::tempdir().unwrap();
    tokenspice::cli::run_to_dir_on(&loaded, &scratch.path().join("embedded"), false, SimChain::embedded())
        .unwrap();
    let anvil = AnvilProcess::start(&tokenspice::bench::install_anvil().unwrap()).unwrap();
    let node = SimChain::rpc(anvil.url()).unwrap();
    tokenspice::cli::run_to_dir_on(&loaded, &scratch.path().join("anvil"), false, node).unwrap();
    drop(anvil);
    let read = |dir: &str| std::fs::read_to_string(scratch.path().join(dir).join("kpis.csv")).unwrap();
    let embedded = read("embedded");
    assert_eq!(embedded.lines().count(), 25, "header and 24 hourly rows");
    assert!(embedded == read("anvil"), "kpis.csv differs between the embedded EVM and anvil");
}

#[test]
fn v4_netlist_on_ocean_1_1_15_runs_to_the_end() {
    let build = ocean_build("1.1.15");
    let (table, run_json) = run(&repo("netlists/ocean_v4.toml"), &[build_override(&build)]);
    assert_eq!(run_json["ticks"], run_json["ticks_planned"]);
    assert_eq!(run_json["interrupted"], false);
    assert_eq!(run_json["build"]["adapter"], "ocean-1.1.15");
    assert!(run_json["build"]["build"].as_str().unwrap().contains("@oceanprotocol/contracts@1.1.15"));
    let hashes = run_json["bytecode_keccak"].as_object().unwrap();
    assert!(hashes.contains_key("side_staking (SideStaking)"), "{hashes:?}");
    assert!(hashes.contains_key("nft_factory (ERC721Factory)"), "{hashes:?}");
    assert_eq!(table.column("global.pools").unwrap().last(), Some(&59.0));
    assert!(table.column("global.consumes").unwrap().last().unwrap() > &1000.0);
    // The first pool's reserves and price stay positive and finite all year.
    for column in ["pool.0.dt", "pool.0.ocean", "pool.0.spot_price", "pool.0.shares"] {
        for value in table.column(column).unwrap() {
            assert!(value.is_finite() && *value > 0.0, "{column}: {value}");
        }
    }
}

#[test]
fn own_adapters_on_out_give_the_typed_bindings_kpis() {
    for (netlist, adapter) in [("ocean_v3", "own-v3"), ("ocean_v41", "own-v4")] {
        let netlist = repo(&format!("netlists/{netlist}.toml"));
        let short = "sim.duration=\"90d\"".to_string();
        let (typed, _) = run(&netlist, std::slice::from_ref(&short));
        let (adapted, run_json) = run(&netlist, &[short, build_override(&repo("out"))]);
        assert_eq!(run_json["build"]["adapter"], adapter);
        assert_eq!(typed.columns, adapted.columns);
        for (name, (a, b)) in typed.columns.iter().zip(typed.values.iter().zip(&adapted.values)) {
            // own-v3 approves an unlimited allowance once where the typed path
            // approves the exact amount: same balances, other gas.
            if name != "global.gas_used" {
                for (row, (x, y)) in a.iter().zip(b).enumerate() {
                    assert_eq!(relative(*x, *y), 0.0, "{adapter}: {name} at row {row}: {x} vs {y}");
                }
            }
        }
    }
}

#[test]
fn a_solc_standard_json_output_file_is_a_build() {
    // The project's out/ re-packed as solc's standard-JSON output (one file,
    // contracts.<source>.<name>.{abi, evm.bytecode, evm.deployedBytecode}).
    let mut units = serde_json::Map::new();
    for entry in std::fs::read_dir(repo("out")).unwrap() {
        let source = entry.unwrap().path();
        let mut contracts = serde_json::Map::new();
        for artifact in std::fs::read_dir(&source).unwrap() {
            let artifact = artifact.unwrap().path();
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&artifact).unwrap()).unwrap();
            let name = artifact.file_stem().unwrap().to_string_lossy().into_owned();
            let evm = serde_json::json!({ "bytecode": json["bytecode"], "deployedBytecode": json["deployedBytecode"] });
            contracts.insert(name, serde_json::json!({ "abi": json["abi"], "evm": evm }));
        }
        units
            .insert(format!("contracts/{}", source.file_name().unwrap().to_string_lossy()), contracts.into());
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("solc-output.json");
    std::fs::write(&file, serde_json::json!({ "contracts": units }).to_string()).unwrap();

    let netlist = repo("netlists/ocean_v3.toml");
    let short = "sim.duration=\"30d\"".to_string();
    let (typed, _) = run(&netlist, std::slice::from_ref(&short));
    let (solc, run_json) = run(&netlist, &[short, build_override(&file)]);
    assert_eq!(run_json["build"]["adapter"], "own-v3");
    let pools = |table: &KpiTable| table.column("global.pools").unwrap().to_vec();
    assert_eq!(pools(&typed), pools(&solc));
    assert_eq!(typed.column("pool.0.spot_price"), solc.column("pool.0.spot_price"));
    assert_eq!(typed.column("global.swap_volume_ocean"), solc.column("global.swap_volume_ocean"));
}

/// A pool, then alice buys with 50 OCEAN, sells 5 DT, stakes 70 OCEAN and
/// unstakes 1 share, one action per hour; `contracts` and `publisher` are
/// the design's settings.
fn scripted_netlist(contracts: &str, publisher: &str) -> String {
    format!(
        r#"
[sim]
name = "scripted_on_build"
tick = "1h"
ticks = 6
shuffle = false

[contracts]
{contracts}

[[agent]]
type = "publisher"
name = "pub"
ocean = 10000.0
every = "365d"
swap_fee = 0.001
{publisher}

[[agent]]
type = "scripted"
name = "alice"
fund = {{ "@ocean" = 1000.0 }}
actions = [
  {{ at = "1h", do = "buy", pool = 0, ocean = 50.0 }},
  {{ at = "2h", do = "sell", pool = 0, dt = 5.0 }},
  {{ at = "3h", do = "stake", pool = 0, ocean = 70.0 }},
  {{ at = "4h", do = "unstake", pool = 0, shares = 1.0 }},
]
"#
    )
}

/// Pool reserves, share supply and alice's holdings at each row.
#[derive(Debug, Clone, Copy)]
struct State {
    ocean: f64,
    dt: f64,
    shares: f64,
    alice_ocean: f64,
    alice_dt: f64,
}

impl State {
    /// This state after the pool's reserves moved by `pool` (OCEAN, DT), its
    /// share supply by `shares`, and alice's holdings by `alice` (OCEAN, DT).
    fn moved(self, pool: (f64, f64), shares: f64, alice: (f64, f64)) -> Self {
        Self {
            ocean: self.ocean + pool.0,
            dt: self.dt + pool.1,
            shares: self.shares + shares,
            alice_ocean: self.alice_ocean + alice.0,
            alice_dt: self.alice_dt + alice.1,
        }
    }
}

fn states(table: &KpiTable) -> Vec<State> {
    let column = |name: &str| table.column(name).unwrap_or_else(|| panic!("no column {name}"));
    (0..table.len())
        .map(|row| State {
            ocean: column("pool.0.ocean")[row],
            dt: column("pool.0.dt")[row],
            shares: column("pool.0.shares")[row],
            alice_ocean: column("agent.alice.ocean")[row],
            alice_dt: column("agent.alice.dt")[row],
        })
        .collect()
}

/// Assert that `got` is `expected` within 1e-9 relative.
fn assert_close(what: &str, got: f64, expected: f64) {
    let diff = relative(got, expected);
    assert!(diff <= 1e-9, "{what}: contract {got} vs reference {expected} ({diff:e})");
}

fn assert_state(what: &str, got: State, expected: State) {
    assert_close(&format!("{what}: pool OCEAN"), got.ocean, expected.ocean);
    assert_close(&format!("{what}: pool DT"), got.dt, expected.dt);
    assert_close(&format!("{what}: share supply"), got.shares, expected.shares);
    assert_close(&format!("{what}: alice's OCEAN"), got.alice_ocean, expected.alice_ocean);
    assert_close(&format!("{what}: alice's DT"), got.alice_dt, expected.alice_dt);
}

#[test]
fn scripted_trades_on_ocean_0_6_9_match_the_balancer_formulas() {
    let build = ocean_build("0.6.9");
    let contracts = format!("build = {:?}\n\n[ocean]\ndesign = \"v3\"", build.display().to_string());
    let publisher =
        "dt_mint = 1000.0\ndt_in_pool = 100.0\nocean_in_pool = 700.0\ndt_weight = 3.0\nocean_weight = 7.0";
    let (table, run_json) = scenario::run_text(&scripted_netlist(&contracts, publisher));
    assert_eq!(run_json["build"]["adapter"], "ocean-0.6.9");
    assert_eq!(run_json["reverts"], 0);
    let s = states(&table);
    let (w_dt, w_ocean, fee, pow) = (3.0, 7.0, 0.001, Pow::Exact);
    assert_eq!((s[0].ocean, s[0].dt, s[0].shares), (700.0, 100.0, 100.0));

    let dt_out = out_given_in(pow, s[0].ocean, w_ocean, s[0].dt, w_dt, 50.0, fee);
    assert_state("buy with 50 OCEAN", s[1], s[0].moved((50.0, -dt_out), 0.0, (-50.0, dt_out)));

    let ocean_out = out_given_in(pow, s[1].dt, w_dt, s[1].ocean, w_ocean, 5.0, fee);
    assert_state("sell 5 DT", s[2], s[1].moved((-ocean_out, 5.0), 0.0, (ocean_out, -5.0)));

    let shares = pool_out_given_single_in(pow, s[2].ocean, w_ocean, s[2].shares, 10.0, 70.0, fee);
    assert_state("stake 70 OCEAN", s[3], s[2].moved((70.0, 0.0), shares, (-70.0, 0.0)));

    let back = single_out_given_pool_in(pow, s[3].ocean, w_ocean, s[3].shares, 10.0, 1.0, fee);
    assert_state("unstake 1 share", s[4], s[3].moved((-back, 0.0), -1.0, (back, 0.0)));
}

#[test]
fn scripted_trades_on_ocean_1_1_15_match_the_v4_formulas() {
    let build = ocean_build("1.1.15");
    let contracts = format!("build = {:?}\n\n[ocean]\ndesign = \"v4\"", build.display().to_string());
    let publisher = "ocean_in_pool = 1000.0\nrate = 0.5";
    let (table, run_json) = scenario::run_text(&scripted_netlist(&contracts, publisher));
    assert_eq!(run_json["build"]["adapter"], "ocean-1.1.15");
    assert_eq!(run_json["reverts"], 0);
    let s = states(&table);
    // 1.1.15 pools: 50/50, LP fee + OPC fee (0.1% with OCEAN as base token),
    // no publish-market swap fee here; the in-token's record grows by the
    // amount less the OPC fee (the LP fee stays in the pool).
    let (lp, opc) = (0.001, 0.001);
    let total_fee = lp + opc;
    assert_eq!((s[0].ocean, s[0].dt, s[0].shares), (1000.0, 500.0, 100.0));

    let x = 50.0 * (1.0 - total_fee);
    let dt_out = s[0].dt * x / (s[0].ocean + x);
    let pool_in = 50.0 * (1.0 - opc);
    assert_state("buy with 50 OCEAN", s[1], s[0].moved((pool_in, -dt_out), 0.0, (-50.0, dt_out)));

    let x = 5.0 * (1.0 - total_fee);
    let ocean_out = s[1].ocean * x / (s[1].dt + x);
    let pool_in = 5.0 * (1.0 - opc);
    assert_state("sell 5 DT", s[2], s[1].moved((-ocean_out, pool_in), 0.0, (ocean_out, -5.0)));

    // Stake: alice and the bot each get S a / 2B shares; the bot adds D a / B datatokens.
    let each = s[2].shares * 70.0 / (2.0 * s[2].ocean);
    let bot_dt = s[2].dt * 70.0 / s[2].ocean;
    assert_state("stake 70 OCEAN", s[3], s[2].moved((70.0, bot_dt), 2.0 * each, (-70.0, 0.0)));

    // Unstake p: alice gets 2pB/S OCEAN; the bot burns p shares for 2pD/S datatokens.
    let back = 2.0 * s[3].ocean / s[3].shares;
    let bot_dt = 2.0 * s[3].dt / s[3].shares;
    assert_state("unstake 1 share", s[4], s[3].moved((-back, -bot_dt), -2.0, (back, 0.0)));
}
