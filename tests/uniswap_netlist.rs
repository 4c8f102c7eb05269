//! netlists/uniswap_v2.toml end to end, on Uniswap V2's npm builds
//! (installed by scripts/uniswap-builds.sh, as tests/uniswap_v2.rs does):
//!
//! * every Mint, Burn, Swap and Sync of the pair in the run's event log,
//!   replayed through the U256 reference of the V2 formulas
//!   (tests/support/uniswap_v2_ref.rs), matches it to the wei: each swap's
//!   output is getAmountOut of its input at the replayed reserves, each
//!   mint's shares and each burn's payout are the reference's, and every Sync
//!   reports the replayed reserves;
//! * the KPI columns (reserves, LP supply, swap count, fees) of every row are
//!   the replayed values at that tick, converted to floats as KPIs are, and
//!   the fee columns are exactly 0.3% of the replayed swap inputs;
//! * the arbitrageurs move the pool's price to the series' price with every
//!   trade and keep it within a few fees of it nearly all the time;
//! * the same seed gives the same kpis.csv bytes, another seed other bytes;
//! * the netlist's invariant (the constant product per LP share never
//!   falls) stops a run on a deliberately broken pool (contracts/examples/
//!   LeakyPair.sol) at the tick of the first leaking trade, naming that
//!   transaction and both sides; recorded instead, it counts each leak once.

#[path = "support/uniswap_builds.rs"]
mod uniswap_builds;
#[path = "support/uniswap_v2_ref.rs"]
mod uniswap_v2_ref;

use alloy_dyn_abi::{DynSolValue, EventExt};
use alloy_json_abi::JsonAbi;
use alloy_primitives::{keccak256, Address, U256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokenspice::artifacts::Build;
use tokenspice::cli::run_to_dir;
use tokenspice::netlist::load;
use tokenspice::script::units_to_f64;
use uniswap_builds::uniswap_build;
use uniswap_v2_ref::{amount_out, PairRef};

/// The fee, as the arbitrageurs' threshold.
const FEE: f64 = 0.003;

fn netlist() -> PathBuf {
    // The netlist reads the builds from vendor/uniswap/: install them first.
    uniswap_build("v2-core");
    uniswap_build("v2-periphery");
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists/uniswap_v2.toml")
}

fn overrides(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

fn uint(value: &DynSolValue) -> U256 {
    match value {
        DynSolValue::Uint(v, _) => *v,
        other => panic!("expected a uint, got {other:?}"),
    }
}

fn address(value: &DynSolValue) -> Address {
    value.as_address().unwrap_or_else(|| panic!("expected an address, got {value:?}"))
}

/// A KPI column as the engine turns an 18-decimal uint into a float.
fn tokens(units: U256) -> f64 {
    units_to_f64(units, 18)
}

/// The pair's state after one tick, as the replay computed it.
#[derive(Debug, Clone, Copy)]
struct TickState {
    pair: PairRef,
    swaps: u64,
    /// Swap inputs so far of token0 and token1.
    inputs: (U256, U256),
}

/// What replaying the pair's events found.
#[derive(Debug, Default)]
struct Replay {
    /// State at the end of each tick that had events of the pair.
    by_tick: BTreeMap<u64, TickState>,
    mints: usize,
    burns: usize,
    /// Arbitrage swaps: (tick, pool price after it in USD per asset).
    arb_prices: Vec<(u64, f64)>,
}

/// Replay every event of the pair at `pair` (ABI `abi`) in `entries` through
/// the reference, asserting that each matches it to the wei.
fn replay<'a>(
    entries: impl Iterator<Item = &'a tokenspice::world::EventEntry>,
    pair: Address,
    abi: &JsonAbi,
    usd_is_token0: bool,
    arbs: &[Address],
) -> Replay {
    let mut replay = Replay::default();
    let mut state = TickState { pair: PairRef::default(), swaps: 0, inputs: (U256::ZERO, U256::ZERO) };
    // Per transaction: shares minted and burnt (Transfer events), the last Sync.
    let (mut tx, mut minted, mut burnt, mut synced) = (u64::MAX, U256::ZERO, U256::ZERO, None);
    for entry in entries.filter(|e| e.log.address == pair) {
        if entry.tx != tx {
            assert!(minted.is_zero() && burnt.is_zero(), "tx {tx}: shares moved without Mint or Burn");
            (tx, minted, burnt, synced) = (entry.tx, U256::ZERO, U256::ZERO, None);
        }
        let topic = entry.log.data.topics()[0];
        let event = abi.events().find(|e| e.selector() == topic).expect("an event of the pair's ABI");
        let decoded = event.decode_log(&entry.log.data).unwrap();
        let at = format!("tick {}, tx {}: {}", entry.tick, entry.tx, event.name);
        let model = &mut state.pair;
        match event.name.as_str() {
            "Transfer" => {
                let (from, to, value) =
                    (address(&decoded.indexed[0]), address(&decoded.indexed[1]), uint(&decoded.body[0]));
                if from == Address::ZERO {
                    minted += value; // the first deposit also mints 1000 to address zero
                } else if to == Address::ZERO {
                    burnt += value;
                }
            }
            "Approval" => {}
            "Sync" => synced = Some((uint(&decoded.body[0]), uint(&decoded.body[1]))),
            "Mint" => {
                let supply = model.total_supply;
                model.mint(uint(&decoded.body[0]), uint(&decoded.body[1]));
                assert_eq!(model.total_supply - supply, minted, "{at}: shares minted");
                minted = U256::ZERO;
                replay.mints += 1;
            }
            "Burn" => {
                let paid = model.burn(burnt);
                assert_eq!(paid, (uint(&decoded.body[0]), uint(&decoded.body[1])), "{at}: amounts paid");
                burnt = U256::ZERO;
                replay.burns += 1;
            }
            "Swap" => {
                let [in0, in1, out0, out1] = [0, 1, 2, 3].map(|i| uint(&decoded.body[i]));
                let zero_for_one = !in0.is_zero();
                assert!(zero_for_one == in1.is_zero(), "{at}: one input, got {in0} and {in1}");
                let (paid, bought, other_out) =
                    if zero_for_one { (in0, out1, out0) } else { (in1, out0, out1) };
                let (reserve_in, reserve_out) = model.reserves_in_out(zero_for_one);
                assert!(other_out.is_zero(), "{at}: output of the input token");
                assert_eq!(bought, amount_out(paid, reserve_in, reserve_out), "{at}: getAmountOut");
                let k = model.k();
                model.swap(zero_for_one, paid, bought);
                assert!(model.k() > k, "{at}: k fell");
                state.swaps += 1;
                if zero_for_one {
                    state.inputs.0 += in0;
                } else {
                    state.inputs.1 += in1;
                }
                if arbs.contains(&address(&decoded.indexed[1])) {
                    let (usd, asset) = ordered(usd_is_token0, model.reserve0, model.reserve1);
                    replay.arb_prices.push((entry.tick, tokens(usd) / tokens(asset)));
                }
            }
            other => panic!("{at}: unexpected event {other}"),
        }
        if matches!(event.name.as_str(), "Mint" | "Burn" | "Swap") {
            let sync = synced.take().unwrap_or_else(|| panic!("{at}: no Sync before it"));
            assert_eq!(sync, (model.reserve0, model.reserve1), "{at}: Sync reports the replayed reserves");
        }
        replay.by_tick.insert(entry.tick, state);
    }
    replay
}

/// (usd, asset) from (token0, token1) values.
fn ordered<T>(usd_is_token0: bool, value0: T, value1: T) -> (T, T) {
    if usd_is_token0 {
        (value0, value1)
    } else {
        (value1, value0)
    }
}

/// The state at the end of `tick`: of the last tick up to it with events.
fn at_tick(replay: &Replay, tick: u64) -> TickState {
    *replay.by_tick.range(..=tick).next_back().map(|(_, s)| s).expect("the pool was seeded at tick 0")
}

#[test]
fn sixty_days_of_trading_match_the_reference_to_the_wei() {
    let set = ["sim.duration=\"61d\"", "agent.founder.behaviour.2.at=\"20d\""];
    let loaded = load(&netlist(), &overrides(&set)).unwrap_or_else(|e| panic!("{e:#}"));
    let mut engine = loaded.build().unwrap_or_else(|e| panic!("{e:#}"));
    let columns = engine.columns().to_vec();
    let (summary, rows) = engine.run_to_rows().unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(summary.stopped, None, "the invariant holds on Uniswap V2");
    assert_eq!(summary.reverts, 0, "no action reverts");
    let world = engine.world();
    assert!(world.events.keeps_history(), "KPIs that sum events keep the whole log");
    let book = |name: &str| world.book.address(name).unwrap_or_else(|| panic!("@{name} in the book"));
    let (pair, usd, asset) = (book("pair"), book("usd"), book("asset"));
    let usd_is_token0 = usd < asset;
    let core = Build::open(uniswap_build("v2-core")).unwrap();
    let abi = core.artifact("UniswapV2Pair").unwrap().abi;
    let arbs = [book("arb0"), book("arb1")];
    let replay = replay(world.events.since(0), pair, &abi, usd_is_token0, &arbs);
    // The founder and three LPs deposit at tick 0, the founder withdraws half on day 20.
    assert!(replay.mints >= 4 && replay.burns >= 1, "{} mints, {} burns", replay.mints, replay.burns);

    let column =
        |name: &str| columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("column {name}"));
    let [reserve_usd, reserve_asset, supply, swaps, fees_usd, fees_asset] =
        ["pair.reserve_usd", "pair.reserve_asset", "pair.lp_supply", "pair.swaps", "fees.usd", "fees.asset"]
            .map(column);
    assert_eq!(rows.len(), 62, "a row a day, and the last tick");
    for (tick, values) in &rows {
        let state = at_tick(&replay, *tick);
        let (usd_reserve, asset_reserve) = ordered(usd_is_token0, state.pair.reserve0, state.pair.reserve1);
        let (usd_in, asset_in) = ordered(usd_is_token0, state.inputs.0, state.inputs.1);
        let fee = |input: U256| tokens(input * U256::from(3) / U256::from(1000));
        let expected = [
            (reserve_usd, tokens(usd_reserve)),
            (reserve_asset, tokens(asset_reserve)),
            (supply, tokens(state.pair.total_supply)),
            (swaps, state.swaps as f64),
            (fees_usd, fee(usd_in)),
            (fees_asset, fee(asset_in)),
        ];
        for (index, value) in expected {
            assert_eq!(values[index], value, "tick {tick}: {}", columns[index]);
        }
    }

    // Every arbitrage trade leaves the pool at the series' price (to float
    // rounding of the amount); between them, random trades move it.
    let series = |tick: u64| world.series.value("asset_usd", tick).unwrap();
    assert!(replay.arb_prices.len() > 100, "{} arbitrage trades", replay.arb_prices.len());
    for (tick, price) in &replay.arb_prices {
        let gap = price / series(*tick) - 1.0;
        assert!(gap.abs() < 1e-9, "tick {tick}: an arbitrage left the pool {gap:e} off the series");
    }
    let ticks = rows.last().unwrap().0 + 1;
    let gaps: Vec<f64> = (0..ticks)
        .map(|tick| {
            let state = at_tick(&replay, tick);
            let (usd, asset) = ordered(usd_is_token0, state.pair.reserve0, state.pair.reserve1);
            (tokens(usd) / tokens(asset) / series(tick) - 1.0).abs()
        })
        .collect();
    let within = |bound: f64| gaps.iter().filter(|g| **g <= bound).count() as f64 / gaps.len() as f64;
    let rms = (gaps.iter().map(|g| g * g).sum::<f64>() / gaps.len() as f64).sqrt();
    eprintln!(
        "{} ticks, {} swaps ({} arbitrage), {} mints, {} burns; pool price within one fee of the series \
         after {:.1}% of ticks, within three fees after {:.1}%, rms gap {:.3}%",
        ticks,
        at_tick(&replay, ticks).swaps,
        replay.arb_prices.len(),
        replay.mints,
        replay.burns,
        100.0 * within(FEE),
        100.0 * within(3.0 * FEE),
        100.0 * rms
    );
    assert!(within(3.0 * FEE) > 0.9, "within three fees after only {:.3} of ticks", within(3.0 * FEE));
    assert!(within(FEE) > 0.6, "within one fee after only {:.3} of ticks", within(FEE));
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let run = |extra: &[&str]| {
        let mut set = vec!["sim.duration=\"7d\""];
        set.extend_from_slice(extra);
        let loaded = load(&netlist(), &overrides(&set)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        run_to_dir(&loaded, dir.path(), false).unwrap_or_else(|e| panic!("{e:#}"));
        std::fs::read(dir.path().join("kpis.csv")).unwrap()
    };
    let first = run(&[]);
    assert_eq!(first, run(&[]), "same netlist and seed, same kpis.csv");
    assert_ne!(first, run(&["sim.seed=8"]), "another seed, another run");
}

/// A run of the netlist's invariant against LeakyPair: an LP seeds 1,000,000
/// USD and 500 ASSET at tick 0; a trader sells 1,000 USD at 1h and 2,000 at
/// 2h (0.1% and 0.2% of the reserve: the fee still covers the leak), 20,000
/// at 5h (2%: the pool pays more than the curve allows), 500 at 6h (the
/// product grows again from there), and 30,000 at 8h (a second leak).
const LEAKY: &str = r#"
[sim]
name = "leaky"
tick = "1h"
ticks = 10
shuffle = false

[[contract]]
name = "usd"
artifact = "ReserveToken"
args = ["USD", "USD", "to_wei(1000000000)"]

[[contract]]
name = "asset"
artifact = "ReserveToken"
args = ["Asset", "ASSET", "to_wei(1000000000)"]

[[contract]]
name = "pair"
artifact = "LeakyPair"
args = ["@usd", "@asset"]

[script]
functions = '''
fn k_per_share2() {
    let s = total_supply(@pair);
    if s == 0 { uint(0) } else {
        let r = view(@pair, "getReserves");
        r[0] * r[1] * to_wei(1) / (s * s)
    }
}
'''

[[agent]]
type = "scripted"
name = "lp"
fund = { "@usd" = 1000000.0, "@asset" = 500.0 }
actions = [{ at = "0h", to = "@pair", function = "addLiquidity", args = ["to_wei(1000000)", "to_wei(500)"], approve = [["@usd", "to_wei(1000000)"], ["@asset", "to_wei(500)"]] }]

[[agent]]
type = "scripted"
name = "trader"
fund = { "@usd" = 100000.0 }
actions = [
  { at = "1h", to = "@pair", function = "swap", args = ["@usd", "to_wei(1000)"], approve = [["@usd", "to_wei(1000)"]] },
  { at = "2h", to = "@pair", function = "swap", args = ["@usd", "to_wei(2000)"], approve = [["@usd", "to_wei(2000)"]] },
  { at = "5h", to = "@pair", function = "swap", args = ["@usd", "to_wei(20000)"], approve = [["@usd", "to_wei(20000)"]] },
  { at = "6h", to = "@pair", function = "swap", args = ["@usd", "to_wei(500)"], approve = [["@usd", "to_wei(500)"]] },
  { at = "8h", to = "@pair", function = "swap", args = ["@usd", "to_wei(30000)"], approve = [["@usd", "to_wei(30000)"]] },
]

[[invariant]]
name = "k_per_share_never_falls"
expr = "k_per_share2() >= memory.last"
memory = { last = 0 }
update = "memory.last = k_per_share2()"
check = "action"
"#;

#[test]
fn the_invariant_stops_a_run_on_a_leaky_pool_at_the_leaking_trade() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leaky.toml");
    std::fs::write(&file, LEAKY).unwrap();
    // The invariant itself comes from the shipped netlist, word for word.
    let shipped = std::fs::read_to_string(netlist()).unwrap();
    for line in LEAKY.lines().filter(|l| l.starts_with("expr =") || l.starts_with("update =")) {
        assert!(shipped.contains(line), "netlists/uniswap_v2.toml has {line}");
    }

    let loaded = load(&file, &[]).unwrap_or_else(|e| panic!("{e:#}"));
    let out = dir.path().join("stopped");
    let error = run_to_dir(&loaded, &out, false).expect_err("the leak stops the run").to_string();
    eprintln!("{error}");
    let swap = alloy_primitives::hex::encode(&keccak256("swap(address,uint256)")[..4]);
    for part in [
        "invariant k_per_share_never_falls violated at tick 5 after transaction",
        &format!("from @trader to @pair 0x{swap} (agent trader's turn)"),
        "`k_per_share2() >= memory.last` with `k_per_share2()` = ",
        " and `memory.last` = ",
    ] {
        assert!(error.contains(part), "{part:?} in: {error}");
    }
    // Both sides are the exact k/S² values: after the leak, below before it.
    let number = |after: &str| -> U256 {
        let rest = &error[error.find(after).unwrap() + after.len()..];
        rest.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
    };
    let (now, before) = (number("`k_per_share2()` = "), number("`memory.last` = "));
    assert!(now < before && before > U256::from(10).pow(U256::from(18)), "{now} < {before}");
    let table = tokenspice::kpis::read_kpis(&out.join("kpis.csv")).unwrap();
    assert_eq!(table.len(), 6, "rows for ticks 0 to 5, the tick it stopped at");
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert!(run_json["stopped"].as_str().unwrap().contains("at tick 5"), "{run_json}");
    assert_eq!(run_json["interrupted"], false);

    // Recorded instead: each leak counts once (the memory follows the pool),
    // the small trade after the first does not.
    let record = ["invariant.k_per_share_never_falls.on_fail=\"record\""];
    let loaded = load(&file, &overrides(&record)).unwrap();
    let out = dir.path().join("recorded");
    run_to_dir(&loaded, &out, false).unwrap_or_else(|e| panic!("{e:#}"));
    let table = tokenspice::kpis::read_kpis(&out.join("kpis.csv")).unwrap();
    let violations = table.column("invariant.k_per_share_never_falls.violations").unwrap();
    assert_eq!(violations, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0]);
}

#[test]
fn without_the_builds_the_netlist_says_which_script_installs_them() {
    // A fresh clone: netlists/ and scripts/, no vendor/.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let clone = tempfile::tempdir().unwrap();
    for dir in ["netlists", "scripts"] {
        std::fs::create_dir(clone.path().join(dir)).unwrap();
    }
    std::fs::copy(root.join("netlists/uniswap_v2.toml"), clone.path().join("netlists/uniswap_v2.toml"))
        .unwrap();
    for script in ["ocean-builds.sh", "uniswap-builds.sh"] {
        std::fs::copy(root.join("scripts").join(script), clone.path().join("scripts").join(script)).unwrap();
    }
    let error = format!("{:#}", load(&clone.path().join("netlists/uniswap_v2.toml"), &[]).unwrap_err());
    for part in
        ["[[contract]] \"usd\"", "vendor/uniswap/v2-core-1.0.1", "run `bash scripts/uniswap-builds.sh` first"]
    {
        assert!(error.contains(part), "{part:?} in: {error}");
    }
}
