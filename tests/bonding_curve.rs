//! The bonding-curve example (`contracts/examples/BondingCurveToken.sol`,
//! priced in `ReserveToken.sol`) from `out/`, driven only through its JSON
//! ABI (alloy-dyn-abi) on the embedded EVM: buys and sells against a float
//! reference of the same curve, the exact reserve invariant after every
//! trade of seeded random sequences, the buy fee to the beneficiary, the
//! custom errors, and the dust left when the whole supply is sold back.
//!
//! Run with `--nocapture` to see gas per buy and sell and the dust figures.

use alloy_dyn_abi::{DynSolValue, EventExt, FunctionExt, JsonAbiExt};
use alloy_json_abi::JsonAbi;
use alloy_primitives::{Address, Bytes, U256, U512};
use tokenspice::artifacts::Artifact;
use tokenspice::chain::{address_for, Backend, Chain, Outcome, Receipt, RevertReason, GOD};

/// One whole token (and the fixed-point scale of prices).
const WAD: u128 = 1_000_000_000_000_000_000;
/// Largest relative difference allowed between the contract and the float reference.
const TOLERANCE: f64 = 1e-12;

/// Constructor parameters of a curve (prices in reserve base units per whole token).
#[derive(Debug, Clone, Copy)]
struct Curve {
    base_price: u128,
    slope: u128,
    fee_bps: u64,
}

const GENTLE: Curve = Curve { base_price: WAD / 10, slope: WAD / 1_000, fee_bps: 100 };
const FROM_ZERO_STEEP: Curve = Curve { base_price: 0, slope: 2 * WAD, fee_bps: 0 };
const FLAT: Curve = Curve { base_price: WAD, slope: 0, fee_bps: 30 };
const NEARLY_FLAT: Curve = Curve { base_price: 3 * WAD, slope: 1_000_000_000, fee_bps: 5_000 };

fn uint(value: U256) -> DynSolValue {
    DynSolValue::Uint(value, 256)
}

fn wei(value: u128) -> U256 {
    U256::from(value)
}

fn to_f64(value: U256) -> f64 {
    value.to_string().parse().expect("a U256 prints as a decimal number")
}

fn artifact(name: &str) -> Artifact {
    Artifact::from_foundry_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/out"), name).expect("artifact in out/")
}

fn calldata(abi: &JsonAbi, function: &str, args: &[DynSolValue]) -> Bytes {
    let functions = abi.function(function).unwrap_or_else(|| panic!("no function {function} in the ABI"));
    functions[0].abi_encode_input(args).expect("arguments fit the ABI").into()
}

fn first_uint(abi: &JsonAbi, function: &str, output: &[u8]) -> U256 {
    let values = abi.function(function).expect("function")[0].abi_decode_output(output).expect("decodes");
    values[0].as_uint().expect("a uint").0
}

/// A reserve token and one curve on a fresh chain, both deployed by [`GOD`].
struct Market {
    chain: Chain,
    curve: Curve,
    reserve: Address,
    token: Address,
    reserve_abi: JsonAbi,
    curve_abi: JsonAbi,
    beneficiary: Address,
}

impl Market {
    fn new(curve: Curve) -> Self {
        let mut chain = Chain::new();
        let reserve_artifact = artifact("ReserveToken");
        let reserve_code = reserve_artifact
            .init_code(&[
                DynSolValue::String("Reserve".into()),
                DynSolValue::String("RSV".into()),
                uint(wei(1_000_000_000_000 * WAD)),
            ])
            .expect("reserve constructor");
        let reserve = chain.deploy_contract(GOD, reserve_code).expect("reserve deploys");
        let beneficiary = address_for("beneficiary");
        let curve_artifact = artifact("BondingCurveToken");
        let code = curve_artifact.init_code(&curve_args(reserve, curve, beneficiary)).expect("constructor");
        let token = chain.deploy_contract(GOD, code).expect("curve deploys");
        Self {
            chain,
            curve,
            reserve,
            token,
            reserve_abi: reserve_artifact.abi,
            curve_abi: curve_artifact.abi,
            beneficiary,
        }
    }

    fn curve_tx(&mut self, from: Address, function: &str, args: &[DynSolValue]) -> Receipt {
        let data = calldata(&self.curve_abi, function, args);
        self.chain.transact(from, self.token, data, U256::ZERO).expect("transaction runs")
    }

    fn curve_view(&mut self, function: &str, args: &[DynSolValue]) -> U256 {
        let data = calldata(&self.curve_abi, function, args);
        let output = self.chain.call(GOD, self.token, data).expect("call runs").into_output().expect("view");
        first_uint(&self.curve_abi, function, &output)
    }

    fn reserve_tx(&mut self, from: Address, function: &str, args: &[DynSolValue]) {
        let data = calldata(&self.reserve_abi, function, args);
        let receipt = self.chain.transact(from, self.reserve, data, U256::ZERO).expect("transaction runs");
        assert!(receipt.is_success(), "{function} on the reserve token: {:?}", receipt.outcome);
    }

    fn reserve_of(&mut self, who: Address) -> U256 {
        let data = calldata(&self.reserve_abi, "balanceOf", &[DynSolValue::Address(who)]);
        let output = self.chain.call(GOD, self.reserve, data).unwrap().into_output().unwrap();
        first_uint(&self.reserve_abi, "balanceOf", &output)
    }

    fn tokens_of(&mut self, who: Address) -> U256 {
        self.curve_view("balanceOf", &[DynSolValue::Address(who)])
    }

    fn supply(&mut self) -> U256 {
        self.curve_view("totalSupply", &[])
    }

    /// Give `who` reserve tokens and approve the curve to take all of them.
    fn fund(&mut self, who: Address, amount: U256) {
        self.reserve_tx(GOD, "transfer", &[DynSolValue::Address(who), uint(amount)]);
        self.reserve_tx(who, "approve", &[DynSolValue::Address(self.token), uint(U256::MAX)]);
    }

    fn buy(&mut self, who: Address, reserve_in: U256, min_tokens_out: U256) -> Receipt {
        self.curve_tx(who, "buy", &[uint(reserve_in), uint(min_tokens_out)])
    }

    fn sell(&mut self, who: Address, tokens_in: U256, min_reserve_out: U256) -> Receipt {
        self.curve_tx(who, "sell", &[uint(tokens_in), uint(min_reserve_out)])
    }

    fn returned(&self, function: &str, receipt: Receipt) -> U256 {
        let output = receipt.into_output().unwrap_or_else(|e| panic!("{function} failed: {e}"));
        first_uint(&self.curve_abi, function, &output)
    }

    /// The custom error a receipt reverted with, decoded by the curve's ABI.
    fn custom_error(&self, receipt: &Receipt) -> (String, Vec<DynSolValue>) {
        let Outcome::Revert(RevertReason::Custom(data)) = &receipt.outcome else {
            panic!("expected a custom-error revert, got {:?}", receipt.outcome);
        };
        let error = self
            .curve_abi
            .errors()
            .find(|error| data.starts_with(error.selector().as_slice()))
            .unwrap_or_else(|| panic!("no error in the ABI has selector {:?}", &data[..4]));
        (error.name.clone(), error.abi_decode_input(&data[4..]).expect("error arguments decode"))
    }

    /// The `(indexed, body)` values of the one `event` the curve emitted.
    fn event(&self, receipt: &Receipt, event: &str) -> (Vec<DynSolValue>, Vec<DynSolValue>) {
        let event = &self.curve_abi.event(event).expect("event in the ABI")[0];
        let mut logs = receipt
            .logs
            .iter()
            .filter(|log| log.address == self.token && log.topics().first() == Some(&event.selector()));
        let log = logs.next().expect("the event was emitted");
        assert!(logs.next().is_none(), "one {} event", event.name);
        let decoded = event.decode_log(&log.data).expect("event decodes");
        (decoded.indexed, decoded.body)
    }

    /// 2·WAD² · (reserve held − R(supply)), exact; `None` if the reserve is short.
    fn backing_surplus(&mut self) -> Option<U512> {
        let held = U512::from(self.reserve_of(self.token));
        let supply = U512::from(self.supply());
        let wad = U512::from(WAD);
        let integral = U512::from(2u8) * wad * U512::from(self.curve.base_price) * supply
            + U512::from(self.curve.slope) * supply * supply;
        (held * U512::from(2u8) * wad * wad).checked_sub(integral)
    }
}

fn curve_args(reserve: Address, curve: Curve, beneficiary: Address) -> Vec<DynSolValue> {
    vec![
        DynSolValue::String("Curve".into()),
        DynSolValue::String("CRV".into()),
        DynSolValue::Address(reserve),
        uint(wei(curve.base_price)),
        uint(wei(curve.slope)),
        uint(U256::from(curve.fee_bps)),
        DynSolValue::Address(beneficiary),
    ]
}

/// Float reference: tokens that `net` reserve buys at `supply` (base units),
/// the root of R(s + d) − R(s) = net in its cancellation-free form.
fn reference_tokens_out(curve: Curve, supply: f64, net: f64) -> f64 {
    let wad = WAD as f64;
    let spot = (curve.slope as f64).mul_add(supply / wad, curve.base_price as f64);
    let root = spot.mul_add(spot, 2.0 * curve.slope as f64 * net).sqrt();
    2.0 * net * wad / (spot + root)
}

/// Float reference: reserve paid for `tokens_in` at `supply`, R(s) − R(s − t).
fn reference_reserve_out(curve: Curve, supply: f64, tokens_in: f64) -> f64 {
    let wad = WAD as f64;
    let average = (curve.slope as f64)
        .mul_add(2.0f64.mul_add(supply, -tokens_in) / (2.0 * wad), curve.base_price as f64);
    tokens_in * average / wad
}

fn relative_error(got: U256, reference: f64) -> f64 {
    (to_f64(got) - reference).abs() / reference
}

/// A small deterministic generator (splitmix64), so the test needs no RNG crate.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What one random sequence measured.
#[derive(Debug, Default)]
struct Tally {
    buy_gas: Vec<u64>,
    sell_gas: Vec<u64>,
    worst_error: f64,
    /// Sum over trades of each trade's stated dust bound, in wei.
    dust_bound: f64,
    /// Largest dust one buy / one sell left, in wei.
    worst_dust: [f64; 2],
}

impl Tally {
    fn print(&mut self, label: &str, dust: U256) {
        let stats = |gas: &mut Vec<u64>| {
            gas.sort_unstable();
            let mean = gas.iter().sum::<u64>() / gas.len().max(1) as u64;
            format!("{} trades, gas min {} / mean {mean} / max {}", gas.len(), gas[0], gas[gas.len() - 1])
        };
        println!(
            "{label}: buys {}; sells {}; worst relative error {:.2e}; dust per trade at most {:.1} wei \
             (buy) / {:.1} wei (sell); left after selling out {dust} wei (bound {:.0} wei)",
            stats(&mut self.buy_gas),
            stats(&mut self.sell_gas),
            self.worst_error,
            self.worst_dust[0],
            self.worst_dust[1],
            self.dust_bound
        );
    }
}

/// One buy, checked against the quote, the float reference, the balances,
/// the fee and the event. Returns the tokens bought.
fn checked_buy(market: &mut Market, tally: &mut Tally, who: Address, reserve_in: U256) -> U256 {
    let fee = reserve_in * U256::from(market.curve.fee_bps) / U256::from(10_000);
    let supply = market.supply();
    let spot_before = market.curve_view("spotPrice", &[]);
    let quoted = market.curve_view("quoteBuy", &[uint(reserve_in)]);
    let before =
        [market.reserve_of(who), market.reserve_of(market.token), market.reserve_of(market.beneficiary)];
    let receipt = market.buy(who, reserve_in, quoted);
    let gas = receipt.gas_used;
    let (indexed, body) = market.event(&receipt, "Bought");
    let tokens_out = market.returned("buy", receipt);
    assert_eq!(tokens_out, quoted, "buy pays what quoteBuy said");
    assert_eq!(indexed, vec![DynSolValue::Address(who)]);
    assert_eq!(body, vec![uint(reserve_in), uint(tokens_out), uint(fee)]);
    let net = reserve_in - fee;
    let reference = reference_tokens_out(market.curve, to_f64(supply), to_f64(net));
    let error = relative_error(tokens_out, reference);
    assert!(
        error < TOLERANCE,
        "buy of {reserve_in} at supply {supply}: {tokens_out} vs {reference} ({error:e})"
    );
    assert!(to_f64(tokens_out) <= reference * (1.0 + 1e-15), "rounding favours the curve");
    let after =
        [market.reserve_of(who), market.reserve_of(market.token), market.reserve_of(market.beneficiary)];
    assert_eq!(
        after,
        [before[0] - reserve_in, before[1] + net, before[2] + fee],
        "fee to the beneficiary exact"
    );
    assert_eq!(market.supply(), supply + tokens_out);
    // Dust: tokens short of the exact root, at most 1.5·d²/(net·WAD) + 1 base
    // units (the rounded-up spot price and root), each worth at most the new spot price.
    let spot_after = to_f64(market.curve_view("spotPrice", &[])) + 1.0;
    let short = 1.5 * to_f64(tokens_out).powi(2) / (to_f64(net) * WAD as f64) + 1.0;
    tally.dust_bound += spot_after * short / WAD as f64;
    tally.worst_error = tally.worst_error.max(error);
    tally.buy_gas.push(gas);
    assert!(spot_before <= market.curve_view("spotPrice", &[]));
    tokens_out
}

/// One sell, checked against the quote, the float reference, the balances and the event.
fn checked_sell(market: &mut Market, tally: &mut Tally, who: Address, tokens_in: U256) -> U256 {
    let supply = market.supply();
    let quoted = market.curve_view("quoteSell", &[uint(tokens_in)]);
    let before = [market.reserve_of(who), market.reserve_of(market.token)];
    let receipt = market.sell(who, tokens_in, quoted);
    let gas = receipt.gas_used;
    let (indexed, body) = market.event(&receipt, "Sold");
    let reserve_out = market.returned("sell", receipt);
    assert_eq!(reserve_out, quoted, "sell pays what quoteSell said");
    assert_eq!(indexed, vec![DynSolValue::Address(who)]);
    assert_eq!(body, vec![uint(tokens_in), uint(reserve_out)]);
    let reference = reference_reserve_out(market.curve, to_f64(supply), to_f64(tokens_in));
    let error = relative_error(reserve_out, reference);
    assert!(
        error < TOLERANCE,
        "sell of {tokens_in} at supply {supply}: {reserve_out} vs {reference} ({error:e})"
    );
    let after = [market.reserve_of(who), market.reserve_of(market.token)];
    assert_eq!(after, [before[0] + reserve_out, before[1] - reserve_out]);
    assert_eq!(market.supply(), supply - tokens_in);
    // Dust: the average price rounded down (< 1 wei per token) and the product (< 1 wei).
    tally.dust_bound += to_f64(tokens_in) / WAD as f64 + 1.0;
    tally.worst_error = tally.worst_error.max(error);
    tally.sell_gas.push(gas);
    reserve_out
}

/// After every trade the reserve held backs the integral exactly, and no
/// trade draws on the dust earlier trades left. Returns the dust the trade
/// added, in wei.
fn check_backing(market: &mut Market, previous: &mut U512, step: &str) -> f64 {
    let surplus = market.backing_surplus().unwrap_or_else(|| panic!("reserve below R(supply) after {step}"));
    assert!(surplus >= *previous, "{step} took dust that backed the supply");
    let added = surplus - *previous;
    *previous = surplus;
    added.to_string().parse::<f64>().expect("decimal") / (2.0 * WAD as f64 * WAD as f64)
}

/// `steps` random buys and sells by four traders, then everyone sells out.
fn random_trading(curve: Curve, seed: u64, steps: usize, label: &str) {
    let mut market = Market::new(curve);
    let traders: Vec<Address> = (0..4).map(|i| address_for(&format!("trader-{i}"))).collect();
    for &trader in &traders {
        market.fund(trader, wei(100_000_000 * WAD));
    }
    let mut draws = Draws(seed);
    let mut tally = Tally::default();
    let mut surplus = U512::ZERO;
    for step in 0..steps {
        let who = traders[(draws.next() % traders.len() as u64) as usize];
        let held = market.tokens_of(who);
        let kind = if !held.is_zero() && draws.unit() < 0.4 {
            let share = draws.unit();
            let tokens_in =
                if share < 0.15 { held } else { wei((to_f64(held) * share) as u128).max(U256::ONE) };
            if market.curve_view("quoteSell", &[uint(tokens_in)]).is_zero() {
                continue;
            }
            checked_sell(&mut market, &mut tally, who, tokens_in);
            1
        } else {
            // Log-uniform between 0.01 and 10,000 reserve tokens.
            let reserve_in = wei((10f64.powf(draws.unit().mul_add(6.0, -2.0)) * WAD as f64) as u128);
            checked_buy(&mut market, &mut tally, who, reserve_in);
            0
        };
        let dust = check_backing(&mut market, &mut surplus, &format!("step {step}"));
        tally.worst_dust[kind] = tally.worst_dust[kind].max(dust);
    }
    for &trader in &traders {
        let held = market.tokens_of(trader);
        if !held.is_zero() {
            checked_sell(&mut market, &mut tally, trader, held);
            let dust = check_backing(&mut market, &mut surplus, "selling out");
            tally.worst_dust[1] = tally.worst_dust[1].max(dust);
        }
    }
    assert!(market.supply().is_zero(), "the whole supply was sold back");
    let dust = market.reserve_of(market.token);
    assert_eq!(U512::from(dust) * U512::from(2 * WAD) * U512::from(WAD), surplus, "dust is all that is left");
    assert!(to_f64(dust) <= tally.dust_bound, "dust {dust} wei above its bound {}", tally.dust_bound);
    tally.print(label, dust);
}

#[test]
fn random_trades_match_reference_and_keep_reserve_backed_gentle_curve_with_fee() {
    random_trading(GENTLE, 0x5eed_0001, 400, "gentle (0.1 + 0.001·s, 1% fee)");
}

#[test]
fn random_trades_match_reference_and_keep_reserve_backed_steep_curve_from_zero() {
    random_trading(FROM_ZERO_STEEP, 0x5eed_0002, 400, "steep from zero (2·s, no fee)");
}

#[test]
fn random_trades_match_reference_and_keep_reserve_backed_flat_price() {
    random_trading(FLAT, 0x5eed_0003, 200, "flat (1, 0.3% fee)");
}

#[test]
fn random_trades_match_reference_and_keep_reserve_backed_nearly_flat_with_half_fee() {
    random_trading(NEARLY_FLAT, 0x5eed_0004, 200, "nearly flat (3 + 1e-9·s, 50% fee)");
}

#[test]
fn slippage_and_zero_amounts_revert_with_custom_errors_and_change_nothing() {
    let mut market = Market::new(GENTLE);
    let alice = address_for("alice");
    market.fund(alice, wei(1_000 * WAD));

    let quoted = market.curve_view("quoteBuy", &[uint(wei(100 * WAD))]);
    let receipt = market.buy(alice, wei(100 * WAD), quoted + U256::ONE);
    assert_eq!(
        market.custom_error(&receipt),
        ("Slippage".into(), vec![uint(quoted), uint(quoted + U256::ONE)])
    );
    let selector = market.curve_abi.error("Slippage").unwrap()[0].selector();
    let label = receipt.revert_reason().expect("reverted").label();
    assert_eq!(label, format!("custom error {selector}"), "the chain's decoder keeps the selector");
    assert!(receipt.logs.is_empty());
    assert_eq!((market.supply(), market.reserve_of(alice)), (U256::ZERO, wei(1_000 * WAD)), "nothing moved");

    let receipt = market.buy(alice, wei(100 * WAD), quoted);
    let bought = market.returned("buy", receipt);
    let paid = market.curve_view("quoteSell", &[uint(bought)]);
    let receipt = market.sell(alice, bought, paid + U256::ONE);
    assert_eq!(market.custom_error(&receipt), ("Slippage".into(), vec![uint(paid), uint(paid + U256::ONE)]));
    assert_eq!(market.tokens_of(alice), bought, "nothing burnt");

    for receipt in [market.buy(alice, U256::ZERO, U256::ZERO), market.sell(alice, U256::ZERO, U256::ZERO)] {
        assert_eq!(market.custom_error(&receipt), ("ZeroAmount".into(), vec![]));
    }
    // One base unit is worth less than a wei of reserve: a zero output is refused too.
    let receipt = market.sell(alice, U256::ONE, U256::ZERO);
    assert_eq!(market.custom_error(&receipt).0, "ZeroAmount");

    let too_many = bought + U256::ONE;
    let data = calldata(&market.curve_abi, "quoteSell", &[uint(too_many)]);
    let receipt = market.chain.call(GOD, market.token, data).unwrap();
    assert_eq!(market.custom_error(&receipt), ("ExceedsSupply".into(), vec![uint(too_many), uint(bought)]));

    let bob = address_for("bob");
    let receipt = market.sell(bob, U256::ONE << 60, U256::ZERO);
    assert_eq!(receipt.revert_reason().and_then(RevertReason::message), Some("ERC20: burn exceeds balance"));
}

#[test]
fn constructor_refuses_bad_parameters_with_named_custom_error() {
    let mut market = Market::new(GENTLE);
    let curve_artifact = artifact("BondingCurveToken");
    let cases = [
        (Curve { fee_bps: 10_001, ..GENTLE }, market.reserve, "feeBps"),
        (Curve { base_price: 0, slope: 0, fee_bps: 0 }, market.reserve, "basePrice and slope"),
        (GENTLE, Address::ZERO, "reserveToken"),
    ];
    for (curve, reserve, which) in cases {
        let code = curve_artifact.init_code(&curve_args(reserve, curve, market.beneficiary)).unwrap();
        let receipt = market.chain.deploy(GOD, code).unwrap();
        let (name, args) = market.custom_error(&receipt);
        assert_eq!((name.as_str(), args), ("InvalidParameter", vec![DynSolValue::String(which.into())]));
    }
    let code = curve_artifact.init_code(&curve_args(market.reserve, GENTLE, Address::ZERO)).unwrap();
    let receipt = market.chain.deploy(GOD, code).unwrap();
    let (_, args) = market.custom_error(&receipt);
    assert_eq!(args, vec![DynSolValue::String("beneficiary".into())]);
}

#[test]
fn round_trip_costs_exactly_the_fee_plus_dust() {
    let mut market = Market::new(GENTLE);
    let carol = address_for("carol");
    let start = wei(50_000 * WAD);
    market.fund(carol, start);
    let mut tally = Tally::default();
    let reserve_in = wei(12_345 * WAD);
    let bought = checked_buy(&mut market, &mut tally, carol, reserve_in);
    let spot = market.curve_view("spotPrice", &[]);
    // 12,222.45 net at 0.1 + 0.001·s buys s with 0.1·s + s²/2000 = 12,222.45: s ≈ 4,848.
    assert!((4_840 * WAD..4_860 * WAD).contains(&bought.to::<u128>()), "{bought}");
    assert_eq!(spot, wei(WAD / 10) + bought * wei(WAD / 1_000) / wei(WAD));
    checked_sell(&mut market, &mut tally, carol, bought);
    let fee = reserve_in / U256::from(100);
    let dust = market.reserve_of(market.token);
    assert_eq!(market.reserve_of(carol), start - fee - dust, "the round trip costs the fee and the dust");
    assert_eq!(market.reserve_of(market.beneficiary), fee);
    assert!(dust <= U256::from(tally.dust_bound as u128), "dust {dust} wei, bound {}", tally.dust_bound);
}
