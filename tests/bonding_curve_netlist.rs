//! `netlists/bonding_curve.toml` end to end, against an independent replay:
//! every `Bought` and `Sold` event of the run goes through a U256
//! reference of the curve's formulas (written here from the contract's
//! documented maths, not from its code), and the supply, reserve, spot
//! price, fee, trade-count and surplus KPIs must equal the replay's state on
//! every daily row, exactly. Also: the invariants never fire (and a stricter
//! one does, naming the tick and both sides), the same seed gives the same
//! `kpis.csv` bytes and another seed other bytes, and `--set` of a saver's
//! share or of the curve's fee changes the KPIs as predicted.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolEvent};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokenspice::cli::run_to_dir;
use tokenspice::kpis::read_kpis;
use tokenspice::netlist::load;
use tokenspice::script::units_to_f64;

sol! {
    event Bought(address indexed buyer, uint256 reserveIn, uint256 tokensOut, uint256 fee);
    event Sold(address indexed seller, uint256 tokensIn, uint256 reserveOut);
    event Transfer(address indexed from, address indexed to, uint256 value);
}

/// One whole token; prices are reserve base units per whole token.
const WAD: u128 = 1_000_000_000_000_000_000;

fn netlist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists/bonding_curve.toml")
}

fn overrides(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The curve's maths in U256, from its formulas: price(s) = base + slope·s,
/// buys solve R(s + d) − R(s) = net for d with the spot price and the square
/// root rounded up and the quotient down; sells pay the area between s − t
/// and s, the average price and the product rounded down.
#[derive(Debug, Clone)]
struct Reference {
    base: U256,
    slope: U256,
    fee_bps: U256,
    supply: U256,
    reserve: U256,
    fees: U256,
    buys: u64,
    sells: u64,
    /// Tokens each buyer holds: bought minus sold (no one transfers them here).
    held: BTreeMap<Address, U256>,
}

fn wad() -> U256 {
    U256::from(WAD)
}

fn div_up(a: U256, b: U256) -> U256 {
    if a.is_zero() {
        U256::ZERO
    } else {
        (a - U256::ONE) / b + U256::ONE
    }
}

/// floor(sqrt(x)) by bisection on the answer (slow and obviously right).
fn sqrt_floor(x: U256) -> U256 {
    let (mut lo, mut hi) = (U256::ZERO, U256::ONE << 128);
    while lo < hi {
        let mid = (lo + hi + U256::ONE) >> 1;
        if mid * mid <= x {
            lo = mid;
        } else {
            hi = mid - U256::ONE;
        }
    }
    lo
}

fn sqrt_up(x: U256) -> U256 {
    let root = sqrt_floor(x);
    if root * root < x {
        root + U256::ONE
    } else {
        root
    }
}

impl Reference {
    fn new(base: u128, slope: u128, fee_bps: u64) -> Self {
        Self {
            base: U256::from(base),
            slope: U256::from(slope),
            fee_bps: U256::from(fee_bps),
            supply: U256::ZERO,
            reserve: U256::ZERO,
            fees: U256::ZERO,
            buys: 0,
            sells: 0,
            held: BTreeMap::new(),
        }
    }

    /// Tokens `reserve_in` buys now, and the fee.
    fn buy_quote(&self, reserve_in: U256) -> (U256, U256) {
        let fee = reserve_in * self.fee_bps / U256::from(10_000);
        let net = reserve_in - fee;
        let spot_up = self.base + div_up(self.slope * self.supply, wad());
        let root_up = sqrt_up(spot_up * spot_up + U256::from(2) * self.slope * net);
        (U256::from(2) * net * wad() / (spot_up + root_up), fee)
    }

    /// Reserve paid now for `tokens_in`.
    fn sell_quote(&self, tokens_in: U256) -> U256 {
        let average =
            self.base + self.slope * (U256::from(2) * self.supply - tokens_in) / (U256::from(2) * wad());
        tokens_in * average / wad()
    }

    fn spot(&self) -> U256 {
        self.base + self.slope * self.supply / wad()
    }

    /// R(supply) rounded up, in reserve base units.
    fn integral_up(&self) -> U256 {
        let scale = U256::from(2) * wad() * wad();
        let twice = U256::from(2) * wad() * self.base * self.supply + self.slope * self.supply * self.supply;
        div_up(twice, scale)
    }

    /// Tokens held by these addresses together.
    fn held_by(&self, who: &[Address]) -> U256 {
        who.iter().map(|a| self.held.get(a).copied().unwrap_or_default()).sum()
    }

    /// Reserve above R(supply), in base units, as the KPI shows it.
    fn surplus_wei(&self) -> f64 {
        let owed = self.integral_up();
        if self.reserve >= owed {
            units_to_f64(self.reserve - owed, 0)
        } else {
            -units_to_f64(owed - self.reserve, 0)
        }
    }

    /// Apply one log of the curve; panics when it disagrees with the formulas.
    fn apply(&mut self, data: &alloy_primitives::LogData, tick: u64) {
        match data.topics().first() {
            Some(&topic) if topic == Bought::SIGNATURE_HASH => {
                let event = Bought::decode_log_data(data).expect("a Bought log decodes");
                let (tokens, fee) = self.buy_quote(event.reserveIn);
                assert_eq!(
                    (event.tokensOut, event.fee),
                    (tokens, fee),
                    "tick {tick}: buy of {}",
                    event.reserveIn
                );
                self.supply += tokens;
                self.reserve += event.reserveIn - fee;
                self.fees += fee;
                self.buys += 1;
                *self.held.entry(event.buyer).or_default() += tokens;
            }
            Some(&topic) if topic == Sold::SIGNATURE_HASH => {
                let event = Sold::decode_log_data(data).expect("a Sold log decodes");
                let paid = self.sell_quote(event.tokensIn);
                assert_eq!(event.reserveOut, paid, "tick {tick}: sell of {}", event.tokensIn);
                self.supply -= event.tokensIn;
                self.reserve -= paid;
                self.sells += 1;
                let held = self.held.get_mut(&event.seller).expect("a seller bought first");
                *held = held.checked_sub(event.tokensIn).expect("sells no more than it bought");
            }
            Some(&topic) if topic == Transfer::SIGNATURE_HASH => {}
            other => panic!("tick {tick}: unexpected log of the curve with topic {other:?}"),
        }
    }
}

/// A run's rows: `(tick, values)` with the engine's column names.
struct Rows {
    columns: Vec<String>,
    rows: Vec<(u64, Vec<f64>)>,
}

impl Rows {
    fn column(&self, name: &str) -> Vec<f64> {
        let index = self.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
        self.rows.iter().map(|(_, values)| values[index]).collect()
    }
}

#[test]
fn kpis_equal_a_replay_of_every_trade_through_the_curve_formulas() {
    let loaded = load(&netlist(), &[]).unwrap();
    let mut engine = loaded.build().unwrap();
    let columns = engine.columns().to_vec();
    let (summary, rows) = engine.run_to_rows().unwrap();
    assert_eq!((summary.ticks, summary.stopped.as_deref()), (180 * 24, None), "the run goes the distance");
    assert!(engine.violations().is_empty(), "{:?}", engine.violations());
    let table = Rows { columns, rows };
    assert_eq!(table.rows.len(), 181, "a row per day and the last tick");

    let world = engine.world();
    let curve = world.book.address("curve").unwrap();
    assert!(world.events.keeps_history(), "KPIs use events, so the run keeps the log");
    let mut events = world.events.since(0).filter(|e| e.log.address == curve).peekable();
    // Independent expectation: the netlist's constructor arguments 0.1, 0.001, 100 bps.
    let mut reference = Reference::new(WAD / 10, WAD / 1_000, 100);
    let names = [
        "curve.supply",
        "curve.reserve",
        "curve.spot_price",
        "treasury.fees",
        "curve.buys",
        "curve.sells",
        "curve.surplus_wei",
        "invariant.reserve_backs_supply.violations",
        "invariant.fees_reach_treasury.violations",
    ];
    let kpis: Vec<Vec<f64>> = names.iter().map(|name| table.column(name)).collect();
    // Holders by population, from the address book (count copies are name0, name1, ...).
    let population = |name: &str, count: usize| -> Vec<Address> {
        if count == 1 {
            return vec![world.book.address(name).unwrap()];
        }
        (0..count).map(|i| world.book.address(&format!("{name}{i}")).unwrap()).collect()
    };
    let holders = [
        ("deployer.curve", population("deployer", 1)),
        ("retail.curve", population("retail", 6)),
        ("whale.curve", population("whale", 2)),
        ("swing.curve", population("swing", 4)),
        ("momentum.curve", population("momentum", 1)),
        ("partner.curve", population("partner", 1)),
    ];
    let held: Vec<Vec<f64>> = holders.iter().map(|(name, _)| table.column(name)).collect();
    // The profit takers count their round trips and realised profit (each sale
    // sells one 1,000-USD entry) in counters, in the order they happen.
    let swing = population("swing", 4);
    let (trips, profit) = (table.column("swing.round_trips"), table.column("swing.profit_usd"));
    let (mut expected_trips, mut expected_profit) = (0.0, 0.0);
    let mut previous_surplus = f64::NEG_INFINITY;
    for (row, (tick, _)) in table.rows.iter().enumerate() {
        while let Some(entry) = events.next_if(|e| e.tick <= *tick) {
            reference.apply(&entry.log.data, entry.tick);
            if entry.log.data.topics().first() == Some(&Sold::SIGNATURE_HASH) {
                let sold = Sold::decode_log_data(&entry.log.data).unwrap();
                if swing.contains(&sold.seller) {
                    expected_trips += 1.0;
                    expected_profit += units_to_f64(sold.reserveOut, 18) - 1_000.0;
                }
            }
        }
        assert_eq!((trips[row], profit[row]), (expected_trips, expected_profit), "row {row}: swing counters");
        let expected = [
            units_to_f64(reference.supply, 18),
            units_to_f64(reference.reserve, 18),
            units_to_f64(reference.spot(), 18),
            units_to_f64(reference.fees, 18),
            reference.buys as f64,
            reference.sells as f64,
            reference.surplus_wei(),
            0.0,
            0.0,
        ];
        for (i, name) in names.iter().enumerate() {
            assert_eq!(kpis[i][row], expected[i], "row {row} (tick {tick}): {name}");
        }
        let mut everyone = U256::ZERO;
        for (i, (name, who)) in holders.iter().enumerate() {
            let tokens = reference.held_by(who);
            assert_eq!(held[i][row], units_to_f64(tokens, 18), "row {row} (tick {tick}): {name}");
            everyone += tokens;
        }
        assert_eq!(everyone, reference.supply, "row {row}: the populations hold the whole supply");
        // Rounding favours the curve: the dust only grows, and R(supply) is always covered.
        let surplus = reference.surplus_wei();
        assert!(surplus >= 0.0 && surplus >= previous_surplus, "row {row}: surplus {surplus}");
        previous_surplus = surplus;
    }
    assert!(events.next().is_none(), "every event was replayed");
    // The run is not trivial: every kind of trader traded, and prices moved both ways.
    println!(
        "bonding_curve: {} buys, {} sells; supply {:.2}, reserve {:.2} USD, spot {:.4} USD, fees {:.2} USD, dust {} wei",
        reference.buys,
        reference.sells,
        units_to_f64(reference.supply, 18),
        units_to_f64(reference.reserve, 18),
        units_to_f64(reference.spot(), 18),
        units_to_f64(reference.fees, 18),
        reference.surplus_wei()
    );
    assert!(
        reference.buys > 300 && reference.sells > 30,
        "{} buys, {} sells",
        reference.buys,
        reference.sells
    );
    let price = table.column("curve.spot_price");
    assert!(price.windows(2).any(|w| w[1] < w[0]) && price.windows(2).any(|w| w[1] > w[0]));
    for trader in ["retail0", "whale0", "swing0", "momentum", "partner"] {
        let who = world.book.address(trader).unwrap();
        let sold = world.events.since(0).filter(|e| e.log.address == curve).any(|e| {
            e.log.data.topics().first() == Some(&Sold::SIGNATURE_HASH)
                && e.log.data.topics().get(1) == Some(&who.into_word())
        });
        assert!(sold, "{trader} sold at least once");
    }
    assert_eq!(table.column("global.reverts").last(), Some(&0.0), "no action reverted");
}

/// A stricter invariant (10,000 wei of dust on top of R(supply)) fails at
/// once, and the run stops there with both sides in the message.
#[test]
fn a_stricter_invariant_stops_the_run_and_names_both_sides() {
    let strict =
        "invariant.reserve_backs_supply.expr=\"balance(@usd, @curve) >= curve_integral(@curve) + 10000\"";
    let loaded = load(&netlist(), &overrides(&[strict, "sim.duration=\"10d\""])).unwrap();
    let mut engine = loaded.build().unwrap();
    let summary = engine.run(|_, _, _| Ok(()), |_| true).unwrap();
    let stopped = summary.stopped.expect("the invariant fires");
    assert_eq!(summary.ticks, 1, "{stopped}");
    assert!(
        stopped.starts_with("invariant reserve_backs_supply violated at tick 0 after transaction"),
        "{stopped}"
    );
    assert!(
        stopped.contains("with `balance(@usd, @curve)` = ")
            && stopped.contains("`curve_integral(@curve) + 10000` = "),
        "{stopped}"
    );
    let last = engine.world_mut().chain.journal().last().expect("transactions ran");
    assert!(stopped.contains(&format!("after transaction {} from @", last.index)), "{stopped}");
}

/// `tsp run` says so too: the message on stderr, a failing exit status,
/// and `run.json` records the stop and the violation (not an interruption).
#[test]
fn tsp_run_fails_when_an_invariant_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tsp"))
        .args(["run", "--quiet", "--no-charts", "--set"])
        .arg(
            "invariant.reserve_backs_supply.expr=\"balance(@usd, @curve) >= curve_integral(@curve) + 10000\"",
        )
        .arg("--out")
        .arg(dir.path())
        .arg(netlist())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("error: invariant reserve_backs_supply violated at tick 0 after transaction"),
        "{stderr}"
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("run.json")).unwrap()).unwrap();
    assert_eq!((run["interrupted"].as_bool(), run["ticks"].as_u64()), (Some(false), Some(1)));
    assert!(run["stopped"]
        .as_str()
        .unwrap()
        .starts_with("invariant reserve_backs_supply violated at tick 0"));
    assert_eq!(run["violations"][0]["invariant"], "reserve_backs_supply");
    assert_eq!(
        read_kpis(&dir.path().join("kpis.csv")).unwrap().len(),
        1,
        "the row of the failing tick is kept"
    );
}

fn run_csv(list: &[&str]) -> (tempfile::TempDir, Vec<u8>) {
    let loaded = load(&netlist(), &overrides(list)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    run_to_dir(&loaded, dir.path(), false).unwrap();
    let bytes = std::fs::read(dir.path().join("kpis.csv")).unwrap();
    (dir, bytes)
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let short = "sim.duration=\"30d\"";
    let (_a, first) = run_csv(&[short]);
    let (_b, second) = run_csv(&[short]);
    assert_eq!(first, second, "same netlist and seed give byte-identical kpis.csv");
    let (_c, other) = run_csv(&[short, "sim.seed=8"]);
    assert_ne!(first, other, "another seed changes the run");
}

/// With the same seed every saver draws the same days to buy, and a buy
/// spends `share` of its cash: after k buys it holds 1000·(1 − share)^k.
/// Reading k from the base run (share 0.05), the run with share 0.2 must
/// show 1000·0.8^k on every row before its savers can sell (cash < 100).
#[test]
fn a_larger_saver_share_spends_cash_as_predicted() {
    let short = "sim.duration=\"40d\"";
    let (base_dir, _) = run_csv(&[short]);
    let (more_dir, _) = run_csv(&[short, "agent.retail.params.share=0.2"]);
    let base = read_kpis(&base_dir.path().join("kpis.csv")).unwrap();
    let more = read_kpis(&more_dir.path().join("kpis.csv")).unwrap();
    let mut checked = 0;
    for saver in 0..6 {
        let column = format!("agent.retail{saver}.usd");
        let (before, after) = (base.column(&column).unwrap(), more.column(&column).unwrap());
        for row in 0..before.len() {
            let buys = (before[row] / 1_000.0).log(0.95);
            assert!((buys - buys.round()).abs() < 1e-6, "{column} row {row}: {} is 1000·0.95^k", before[row]);
            let predicted = 1_000.0 * 0.8f64.powi(buys.round() as i32);
            if predicted < 100.0 {
                break;
            }
            assert!(
                (after[row] - predicted).abs() <= 1e-9 * predicted,
                "{column} row {row}: {} vs {predicted}",
                after[row]
            );
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked} rows checked");
    let bought = |t: &tokenspice::kpis::KpiTable| *t.column("curve.bought_usd").unwrap().last().unwrap();
    assert!(bought(&more) > bought(&base), "savers put more into the curve");
}

/// The fee is the constructor's sixth argument: 0 sends nothing to the
/// treasury, 250 bps sends 2.5% of every buy (to a wei per trade).
#[test]
fn the_fee_argument_sets_what_the_treasury_receives() {
    let short = "sim.duration=\"30d\"";
    let (free_dir, _) = run_csv(&[short, "contract.curve.args.6=0"]);
    let free = read_kpis(&free_dir.path().join("kpis.csv")).unwrap();
    assert!(free.column("treasury.fees").unwrap().iter().all(|&f| f == 0.0));
    assert!(*free.column("curve.buys").unwrap().last().unwrap() > 50.0);
    let (dear_dir, _) = run_csv(&[short, "contract.curve.args.6=250"]);
    let dear = read_kpis(&dear_dir.path().join("kpis.csv")).unwrap();
    let (fees, bought, buys) = (
        dear.column("treasury.fees").unwrap(),
        dear.column("curve.bought_usd").unwrap(),
        dear.column("curve.buys").unwrap(),
    );
    for row in 0..fees.len() {
        let predicted = 0.025 * bought[row];
        assert!(
            (fees[row] - predicted).abs() <= 1e-18f64.mul_add(buys[row], 1e-12 * predicted),
            "row {row}: {} vs {predicted}",
            fees[row]
        );
    }
    for table in [&free, &dear] {
        for name in ["invariant.reserve_backs_supply.violations", "invariant.fees_reach_treasury.violations"]
        {
            assert!(table.column(name).unwrap().iter().all(|&v| v == 0.0), "{name}");
        }
    }
}

/// Every TOML snippet of `docs/model-your-own.md` is copied from a netlist a
/// test runs: from `netlists/bonding_curve.toml`, or from the file named by
/// a `<!-- from PATH -->` line just before the snippet.
#[test]
fn the_guide_quotes_only_real_netlists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("docs/model-your-own.md")).unwrap();
    let default_source = std::fs::read_to_string(netlist()).unwrap();
    let lines: Vec<&str> = guide.lines().collect();
    let mut snippets = 0;
    let mut i = 0;
    while i < lines.len() {
        if lines[i] != "```toml" {
            i += 1;
            continue;
        }
        let end = i + 1 + lines[i + 1..].iter().position(|l| *l == "```").expect("a closed snippet");
        let snippet = lines[i + 1..end].join("\n");
        let source = match lines[..i].iter().rev().find(|l| !l.trim().is_empty()) {
            Some(l) if l.starts_with("<!-- from ") => {
                let path = l.trim_start_matches("<!-- from ").trim_end_matches(" -->");
                std::fs::read_to_string(root.join(path)).unwrap()
            }
            _ => default_source.clone(),
        };
        assert!(
            source.contains(&snippet),
            "docs/model-your-own.md:{}: not copied from its netlist:\n{snippet}",
            i + 1
        );
        snippets += 1;
        i = end + 1;
    }
    assert!(snippets >= 15, "{snippets} snippets");
}
