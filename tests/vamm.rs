//! The virtual AMM (`contracts/vamm/VirtualAMM.sol`) on the embedded EVM,
//! against a float reference of its math: a position's size and the mark
//! price after it from x·y = k and the peg, the 0.1% fees, a repeg's cost
//! (the change in what closing the traders' net position pays them), a
//! depth adjustment that keeps the mark, the cap of half the fee pool, and
//! the P&L of a round trip, hourly funding of (mark - oracle) / 24 per base. Then `netlists/vamm.toml` runs and its KPIs obey
//! the same accounting, and `tsp optimize` finds a repeg threshold whose
//! protocol P&L beats never repegging on every common seed.

use alloy_primitives::{Address, I256, U256};
use alloy_sol_types::{sol, SolCall};
#[path = "support/wad.rs"]
mod wad;
use std::path::Path;
use tokenspice::artifacts::deploy_own;
use tokenspice::chain::{address_for, Backend, Chain, GOD};
use tokenspice::cli::run_to_dir;
use tokenspice::kpis::read_kpis;
use tokenspice::netlist::load;
use wad::{deploy_test_dollar, f, wei, Token, WAD};

sol! {
    interface Vamm {
        function open(bool isLong, uint256 margin, uint256 leverage) external returns (uint256 base);
        function close() external returns (uint256 payout);
        function repeg(uint256 newPeg) external returns (int256 cost);
        function adjustDepth(uint256 scale) external returns (int256 cost);
        function markPrice() external view returns (uint256);
        function baseReserve() external view returns (uint256);
        function quoteReserve() external view returns (uint256);
        function peg() external view returns (uint256);
        function feePool() external view returns (uint256);
        function feesCollected() external view returns (uint256);
        function adjustmentCosts() external view returns (int256);
        function tradersPnl() external view returns (int256);
        function protocolPnl() external view returns (int256);
        function netBase() external view returns (int256);
        function setOracle(uint256 price) external;
        function settleFunding() external returns (int256 perBase);
        function cumulativeFunding() external view returns (int256);
        function protocolFunding() external view returns (int256);
    }
}

fn fi(value: I256) -> f64 {
    value.to_string().parse().expect("decimal")
}

fn close_to(actual: f64, expected: f64, what: &str) {
    let scale = expected.abs().max(1.0);
    assert!((actual - expected).abs() / scale < 1e-9, "{what}: contract {actual}, reference {expected}");
}

/// A vAMM with reserves x = y = 20,000 and peg 100 (mark 100 USD), an
/// operator, and two funded traders.
struct Setup {
    chain: Chain,
    usd: Address,
    vamm: Address,
    operator: Address,
    traders: [Address; 2],
}

impl Setup {
    fn new() -> Self {
        let mut chain = Chain::new();
        let usd = deploy_test_dollar(&mut chain);
        let operator = address_for("operator");
        let (x, y, peg) = (wei(20_000), wei(20_000), wei(100));
        let args = [usd.to_string(), x.to_string(), y.to_string(), peg.to_string(), operator.to_string()];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let vamm = deploy_own(&mut chain, "VirtualAMM", &args).expect("vamm");
        let traders = [address_for("alice"), address_for("bob")];
        let mut setup = Self { chain, usd, vamm, operator, traders };
        setup.send(GOD, usd, Token::transferCall { to: vamm, amount: wei(100_000) }.abi_encode());
        for trader in traders {
            setup.send(GOD, usd, Token::transferCall { to: trader, amount: wei(50_000) }.abi_encode());
            setup.send(trader, usd, Token::approveCall { spender: vamm, amount: U256::MAX }.abi_encode());
        }
        setup
    }

    fn send(&mut self, from: Address, to: Address, data: Vec<u8>) -> Vec<u8> {
        let receipt = self.chain.transact(from, to, data.into(), U256::ZERO).expect("runs");
        receipt.into_output().expect("succeeds").to_vec()
    }

    fn view<C: SolCall>(&mut self, call: &C) -> C::Return {
        self.chain.view(self.vamm, call).expect("view")
    }

    fn reserves(&mut self) -> (f64, f64, f64) {
        let x = f(self.view(&Vamm::baseReserveCall {}));
        let y = f(self.view(&Vamm::quoteReserveCall {}));
        let peg = f(self.view(&Vamm::pegCall {}));
        (x, y, peg)
    }
}

#[test]
fn a_position_moves_the_mark_as_x_times_y_equals_k_with_the_peg_says() {
    let mut s = Setup::new();
    let (x, y, peg) = s.reserves();
    // A long of 1,000 USD margin at 5x: 5,000 USD of quote in, at the peg.
    let notional = 5_000.0 * WAD;
    let out = s.send(
        s.traders[0],
        s.vamm,
        Vamm::openCall { isLong: true, margin: wei(1_000), leverage: U256::from(5) }.abi_encode(),
    );
    let base = f(Vamm::openCall::abi_decode_returns(&out).expect("base"));
    let dy = notional * WAD / peg;
    let expected_base = x - x * y / (y + dy);
    close_to(base, expected_base, "base bought");
    let mark = f(s.view(&Vamm::markPriceCall {}));
    close_to(mark, (y + dy) / (x - expected_base) * peg, "mark after the long");
    assert!(mark > 100.0 * WAD, "a long raises the mark");
    // The fee: 0.1% of the notional, into the fee pool.
    close_to(f(s.view(&Vamm::feePoolCall {})), notional * 0.001, "fee pool");
    // A short of the same notional from the other trader.
    let (x1, y1, _) = s.reserves();
    let out = s.send(
        s.traders[1],
        s.vamm,
        Vamm::openCall { isLong: false, margin: wei(1_000), leverage: U256::from(5) }.abi_encode(),
    );
    let sold = f(Vamm::openCall::abi_decode_returns(&out).expect("base"));
    close_to(sold, x1 * y1 / (y1 - dy) - x1, "base sold short");
    // The long and the short nearly cancel: compare at the scale of the positions.
    let net = fi(s.view(&Vamm::netBaseCall {}));
    assert!((net - (expected_base - sold)).abs() < 1e-9 * expected_base, "net base {net}");
}

#[test]
fn a_repeg_costs_what_closing_the_net_long_gains_and_depth_keeps_the_mark() {
    let mut s = Setup::new();
    s.send(
        s.traders[0],
        s.vamm,
        Vamm::openCall { isLong: true, margin: wei(2_000), leverage: U256::from(10) }.abi_encode(),
    );
    let (x, y, peg) = s.reserves();
    let net = fi(s.view(&Vamm::netBaseCall {}));
    let pool = f(s.view(&Vamm::feePoolCall {}));
    // Raising the peg 0.04% pays the net long (y - k/(x+N)) * Δpeg.
    let new_peg = peg * 1.0004;
    let expected = (y - x * y / (x + net)) * (new_peg - peg) / WAD;
    assert!(expected > 0.0 && expected <= pool / 2.0, "the case stays under the cap: {expected} of {pool}");
    let new_peg_wei = U256::from(new_peg as u128);
    s.send(s.operator, s.vamm, Vamm::repegCall { newPeg: new_peg_wei }.abi_encode());
    let cost = fi(s.view(&Vamm::adjustmentCostsCall {}));
    close_to(cost, expected, "repeg cost");
    close_to(f(s.view(&Vamm::feePoolCall {})), pool - expected, "fee pool after the repeg");
    // Only the operator adjusts; a repeg costing more than half the pool is refused.
    let refused = s.chain.transact(
        s.traders[0],
        s.vamm,
        Vamm::repegCall { newPeg: new_peg_wei }.abi_encode().into(),
        U256::ZERO,
    );
    assert!(refused.expect("runs").into_output().is_err(), "a trader cannot repeg");
    let far = s.chain.transact(
        s.operator,
        s.vamm,
        Vamm::repegCall { newPeg: U256::from((peg * 2.0) as u128) }.abi_encode().into(),
        U256::ZERO,
    );
    assert!(far.expect("runs").into_output().is_err(), "doubling the peg costs more than half the fee pool");
    // Making the curve 20% shallower keeps the mark and earns the change in the net long's closing value.
    let mark = f(s.view(&Vamm::markPriceCall {}));
    let (x, y, peg) = s.reserves();
    let value = |x: f64, y: f64| (y - x * y / (x + net)) * peg / WAD;
    let expected_depth = value(0.8 * x, 0.8 * y) - value(x, y);
    assert!(expected_depth < 0.0, "a shallower curve pays the net long less");
    let before = fi(s.view(&Vamm::adjustmentCostsCall {}));
    s.send(
        s.operator,
        s.vamm,
        Vamm::adjustDepthCall { scale: U256::from(8u128 * 10u128.pow(17)) }.abi_encode(),
    );
    close_to(f(s.view(&Vamm::markPriceCall {})), mark, "mark after the depth change");
    close_to(fi(s.view(&Vamm::adjustmentCostsCall {})) - before, expected_depth, "depth adjustment cost");
}

#[test]
fn a_round_trip_pays_margin_plus_profit_less_fees_and_the_books_balance() {
    let mut s = Setup::new();
    let trader = s.traders[0];
    let cash_before = f(s.chain.view(s.usd, &Token::balanceOfCall { who: trader }).expect("balance"));
    let open = Vamm::openCall { isLong: true, margin: wei(1_000), leverage: U256::from(5) }.abi_encode();
    let out = s.send(trader, s.vamm, open.clone());
    let bought = f(Vamm::openCall::abi_decode_returns(&out).expect("base"));
    // The other trader's long lifts the mark before the first one closes.
    s.send(s.traders[1], s.vamm, open);
    let (x, y, peg) = s.reserves();
    let exit_notional = (y - x * y / (x + bought)) * peg / WAD;
    let expected_pnl = 5_000.0f64.mul_add(-WAD, exit_notional);
    s.send(trader, s.vamm, Vamm::closeCall {}.abi_encode());
    let cash_after = f(s.chain.view(s.usd, &Token::balanceOfCall { who: trader }).expect("balance"));
    let pnl = fi(s.view(&Vamm::tradersPnlCall {}));
    close_to(pnl, expected_pnl, "the long's profit");
    assert!(pnl > 0.0, "the long made a profit when the mark rose after it: {pnl}");
    // Cash change = profit - opening fee - closing fee (0.1% of each notional).
    let fees_paid = 5.0f64.mul_add(WAD, exit_notional * 0.001);
    close_to(cash_after - cash_before, pnl - fees_paid, "trader's cash change");
    let fees = f(s.view(&Vamm::feesCollectedCall {}));
    close_to(fees, 5.0f64.mul_add(WAD, fees_paid), "fees of two opens and a close");
    close_to(fi(s.view(&Vamm::protocolPnlCall {})), fees - pnl, "protocol P&L = fees - traders' P&L");
}

#[test]
fn the_vamm_netlist_keeps_its_books_and_repegs_only_past_its_threshold() {
    let run = |threshold: &str| {
        let sets = [format!("agent.operator.params.repeg_threshold={threshold}")];
        run_30_days(&vamm_netlist(), &sets)
    };
    let table = run("0.02");
    let column = |name: &str| table.column(name).unwrap_or_else(|| panic!("column {name}")).to_vec();
    let (fees, pool, costs) =
        (column("vamm.fees_collected"), column("vamm.fee_pool"), column("vamm.adjustment_costs"));
    let (traders, protocol) = (column("vamm.traders_pnl"), column("vamm.protocol_pnl"));
    for row in 0..fees.len() {
        let near = |a: f64, b: f64| (a - b).abs() < 1e-6 * (1.0 + b.abs());
        assert!(near(pool[row], fees[row] - costs[row]), "row {row}: the fee pool is fees less adjustments");
        assert!(near(protocol[row], fees[row] - costs[row] - traders[row]), "row {row}: protocol P&L");
    }
    assert!(fees.last().copied().unwrap_or_default() > 100.0, "traders traded");
    assert!(costs.iter().any(|&c| c != 0.0), "the operator repegged at a 2% threshold");
    // Never repegging: no adjustment, and the mark drifts further from the oracle.
    let never = run("1000");
    assert!(never.column("vamm.adjustment_costs").expect("column").iter().all(|&c| c == 0.0));
    let widest = |t: &tokenspice::kpis::KpiTable| {
        t.column("vamm.gap_pct").expect("gap").iter().fold(0.0f64, |m, g| m.max(g.abs()))
    };
    assert!(widest(&never) > widest(&table), "repegging keeps the mark closer to the oracle");
}

#[test]
fn funding_charges_longs_the_mark_premium_over_the_oracle_and_the_protocol_takes_the_net_side() {
    let mut s = Setup::new();
    let out = s.send(
        s.traders[0],
        s.vamm,
        Vamm::openCall { isLong: true, margin: wei(1_000), leverage: U256::from(5) }.abi_encode(),
    );
    let base = f(Vamm::openCall::abi_decode_returns(&out).expect("base"));
    let mark = f(s.view(&Vamm::markPriceCall {}));
    // The oracle 2% below the mark: longs pay (mark - oracle) / 24 per base for the hour.
    let oracle = (mark * 0.98).floor();
    s.send(s.operator, s.vamm, Vamm::setOracleCall { price: U256::from(oracle as u128) }.abi_encode());
    s.send(s.operator, s.vamm, Vamm::settleFundingCall {}.abi_encode());
    let per_base = (mark - oracle) / 24.0;
    close_to(fi(s.view(&Vamm::cumulativeFundingCall {})), per_base, "funding per base");
    close_to(fi(s.view(&Vamm::protocolFundingCall {})), base * per_base / WAD, "the protocol's side of it");
    let (x, y, peg) = s.reserves();
    let exit = (y - x * y / (x + base)) * peg / WAD;
    s.send(s.traders[0], s.vamm, Vamm::closeCall {}.abi_encode());
    close_to(
        fi(s.view(&Vamm::tradersPnlCall {})),
        5_000.0f64.mul_add(-WAD, exit) - base * per_base / WAD,
        "the long's P&L net of funding",
    );
}

/// `netlists/vamm.toml`.
fn vamm_netlist() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists/vamm.toml")
}

/// The KPIs of `netlist` run for 30 days with `sets`.
fn run_30_days(netlist: &Path, sets: &[String]) -> tokenspice::kpis::KpiTable {
    let mut sets = sets.to_vec();
    sets.push(r#"sim.duration="30d""#.to_string());
    let loaded = load(netlist, &sets).expect("loads");
    let dir = tempfile::tempdir().expect("tempdir");
    run_to_dir(&loaded, dir.path(), false).expect("runs");
    read_kpis(&dir.path().join("kpis.csv")).expect("kpis.csv")
}

/// Final protocol P&L of `netlist` over 30 days on `seed`, with `sets`.
fn protocol_pnl(netlist: &Path, seed: u64, sets: &[String]) -> f64 {
    let mut sets = sets.to_vec();
    sets.push(format!("sim.seed={seed}"));
    *run_30_days(netlist, &sets).column("vamm.protocol_pnl").expect("column").last().expect("a row")
}

/// `tsp optimize` of the vAMM's repeg threshold (log range 0.002..1000) for
/// protocol P&L, with `sets`, on `seeds` seeds for `iterations`; its folder.
fn optimize_threshold(sets: &[&str], seeds: &str, iterations: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tsp"));
    command.args(["optimize", vamm_netlist().to_str().expect("utf-8")]);
    for set in sets {
        command.args(["--set", set]);
    }
    let output = command
        .args(["--param", "agent.operator.params.repeg_threshold=0.002..1000:log"])
        .args(["--maximize", r#"kpi("vamm.protocol_pnl")"#, "--seeds", seeds, "--iterations", iterations])
        .args(["--out", out.path().to_str().expect("utf-8")])
        .output()
        .expect("tsp runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    out
}

#[test]
fn tsp_optimize_finds_a_repeg_threshold_that_beats_never_repegging_on_every_seed() {
    let out = optimize_threshold(&[r#"sim.duration="30d""#], "3", "8");
    let best = out.path().join("best.toml");
    let never = ["agent.operator.params.repeg_threshold=1000".to_string()];
    for seed in 1..=3 {
        let (found, without) = (protocol_pnl(&best, seed, &[]), protocol_pnl(&vamm_netlist(), seed, &never));
        assert!(
            found > without,
            "seed {seed}: the best threshold's protocol P&L {found} beats never repegging's {without}"
        );
    }
}

#[test]
fn tsp_optimize_starts_from_a_set_value_of_its_parameter() {
    let out =
        optimize_threshold(&[r#"sim.duration="2d""#, "agent.operator.params.repeg_threshold=0.05"], "1", "1");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("optimize.json")).expect("optimize.json"),
    )
    .expect("JSON");
    let start =
        report["start"]["params"]["agent.operator.params.repeg_threshold"].as_f64().expect("a number");
    assert!((start - 0.05).abs() < 1e-9, "the start is the --set value, not the netlist's 0.02: {start}");
}
