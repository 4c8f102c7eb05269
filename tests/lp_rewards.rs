//! Liquidity commitments (`contracts/lp/LiquidityCommitments.sol`) on the
//! embedded EVM, against a float reference of their rules written here: a
//! hand-worked case of three makers (the fee chosen from the bids and the
//! target stake, each day's reward split by stake / entry valuation, a
//! maker under its obligation forfeiting its share, the target's look-back
//! rolling over), amending and withdrawing, and bad arguments reverting with
//! their reasons. Then `netlists/lp_rewards.toml` runs through the netlist
//! runner: its fee equals the reference's from the recorded open interest,
//! stakes and bids at every row, and so does the fee each day was charged;
//! rewards paid plus fees forfeited equal fees
//! collected to the wei, as the makers' and the operator's USD balances say.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall};
#[path = "support/wad.rs"]
mod wad;
use std::path::Path;
use tokenspice::artifacts::deploy_own;
use tokenspice::chain::{address_for, Backend, Chain, GOD};
use tokenspice::netlist::load;
use wad::{deploy_test_dollar, f, wei, Token, WAD};

sol! {
    interface Lp {
        function commit(uint256 stake, uint256 feeBid) external;
        function amend(uint256 stake, uint256 feeBid) external;
        function withdraw() external;
        function setQuotedNotional(uint256 notional) external;
        function recordDay(uint256 volume, uint256 openInterest) external returns (uint256 fees);
        function liquidityFee() external view returns (uint256);
        function targetStake() external view returns (uint256);
        function marketValue() external view returns (uint256);
        function entryValuationOf(address maker) external view returns (uint256);
        function equityShare(address maker) external view returns (uint256);
        function virtualStake(address maker) external view returns (uint256);
        function rewardsOf(address maker) external view returns (uint256);
        function stakeOf(address maker) external view returns (uint256);
        function makers(uint256 index) external view returns (address);
        function makerCount() external view returns (uint256);
        function totalStake() external view returns (uint256);
        function feesCollected() external view returns (uint256);
        function rewardsPaid() external view returns (uint256);
        function feesForfeited() external view returns (uint256);
        function stakeTargetPeriod() external view returns (uint256);
        function targetStakeFactor() external view returns (uint256);
    }
}

/// A fee of `bps` basis points, 18-decimal.
fn bps(bps: u64) -> U256 {
    U256::from(bps) * U256::from(10u64).pow(U256::from(14))
}

fn close_to(actual: f64, expected: f64, what: &str) {
    let scale = expected.abs().max(1e-30);
    assert!((actual - expected).abs() / scale < 1e-9, "{what}: contract {actual}, reference {expected}");
}

/// The reference: the fee is the bid at which the stake, walking `(stake,
/// bid)` from the lowest bid up, first reaches `target`; the highest bid
/// when it never does; 0 with no stake.
fn reference_fee(makers: &[(f64, f64)], target: f64) -> f64 {
    let mut by_bid: Vec<(f64, f64)> = makers.iter().copied().filter(|&(stake, _)| stake > 0.0).collect();
    by_bid.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut cumulative = 0.0;
    for &(stake, bid) in &by_bid {
        cumulative += stake;
        if cumulative >= target {
            return bid;
        }
    }
    by_bid.last().map_or(0.0, |&(_, bid)| bid)
}

/// The reference target stake: `factor` × the largest of the last `period` open interests.
fn reference_target(open_interests: &[f64], period: usize, factor: f64) -> f64 {
    let from = open_interests.len().saturating_sub(period);
    factor * open_interests[from..].iter().fold(0.0f64, |m, &x| m.max(x))
}

/// The reference shares: stake / entry valuation, normalised.
fn reference_shares(makers: &[(f64, f64)]) -> Vec<f64> {
    let weights: Vec<f64> = makers.iter().map(|&(stake, entry)| stake / entry).collect();
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

/// A market with stake-target period 3 days, target factor 0.5, valuation
/// period 2 days, obligation 2 × stake; three makers with 100,000 USD each
/// and an operator with 1,000,000, all approving the market.
struct Market {
    chain: Chain,
    usd: Address,
    lp: Address,
    operator: Address,
    makers: [Address; 3],
}

impl Market {
    fn new() -> Self {
        let mut chain = Chain::new();
        let usd = deploy_test_dollar(&mut chain);
        let operator = address_for("operator");
        let lp = deploy_lp(&mut chain, usd, operator, 3).expect("lp");
        let makers = [address_for("a"), address_for("b"), address_for("c")];
        let mut market = Self { chain, usd, lp, operator, makers };
        for (who, amount) in makers.iter().map(|&m| (m, wei(100_000))).chain([(operator, wei(1_000_000))]) {
            market.send_to(GOD, usd, Token::transferCall { to: who, amount }.abi_encode());
            market.send_to(who, usd, Token::approveCall { spender: lp, amount: U256::MAX }.abi_encode());
        }
        market
    }

    fn send_to(&mut self, from: Address, to: Address, data: Vec<u8>) -> Vec<u8> {
        let receipt = self.chain.transact(from, to, data.into(), U256::ZERO).expect("runs");
        receipt.into_output().expect("succeeds").to_vec()
    }

    fn send(&mut self, from: Address, call: &impl SolCall) {
        self.send_to(from, self.lp, call.abi_encode());
    }

    /// The revert reason of `call` from `from` (panics when it succeeds).
    fn refused(&mut self, from: Address, call: &impl SolCall) -> String {
        let receipt = self.chain.transact(from, self.lp, call.abi_encode().into(), U256::ZERO).expect("runs");
        receipt.revert_reason().expect("reverts").label()
    }

    fn view<C: SolCall>(&mut self, call: &C) -> C::Return {
        self.chain.view(self.lp, call).expect("view")
    }

    fn day(&mut self, volume: u64, open_interest: u64) {
        let call = Lp::recordDayCall { volume: wei(volume), openInterest: wei(open_interest) };
        self.send(self.operator, &call);
    }

    fn rewards(&mut self) -> [f64; 3] {
        self.makers.map(|maker| f(self.view(&Lp::rewardsOfCall { maker })) / WAD)
    }

    fn fee(&mut self) -> f64 {
        f(self.view(&Lp::liquidityFeeCall {})) / WAD
    }
}

fn deploy_lp(chain: &mut Chain, usd: Address, operator: Address, period: u64) -> anyhow::Result<Address> {
    let args = [usd.to_string(), operator.to_string(), period.to_string()];
    let (half, two) = ((WAD as u128 / 2).to_string(), (2 * WAD as u128).to_string());
    deploy_own(chain, "LiquidityCommitments", &[&args[0], &args[1], &args[2], &half, "2", &two])
}

#[test]
fn a_hand_worked_case_chooses_the_fee_and_splits_rewards_by_stake_and_entry() {
    let mut m = Market::new();
    let [a, b, c] = m.makers;
    // Day 0: A commits 10,000 at 0.3%; the market value is its own stake
    // (no volume yet), so A's entry valuation is 10,000. A quotes exactly
    // its obligation (2 × 10,000). No open interest yet: target 0, the
    // lowest bid (A's) is the fee; 0.3% of 40,000 = 120, all to A.
    m.send(a, &Lp::commitCall { stake: wei(10_000), feeBid: bps(30) });
    m.send(a, &Lp::setQuotedNotionalCall { notional: wei(20_000) });
    close_to(f(m.view(&Lp::entryValuationOfCall { maker: a })), 10_000.0 * WAD, "A's entry valuation");
    m.day(40_000, 30_000);
    assert_eq!(m.rewards(), [120.0, 0.0, 0.0], "day 0: 0.3% of 40,000 to A");
    // Day 1: B commits 20,000 at 0.1%; market value = max(40,000 of volume
    // over 2 days, 30,000 of stake) = 40,000. Target 0.5 × 30,000 = 15,000:
    // B's 20,000 at the lowest bid reaches it, so the fee is 0.1% and the
    // day pays 60. Weights: A 10,000 / 10,000 = 1, B 20,000 / 40,000 = 0.5:
    // A gets 2/3 (40), B 1/3 (20).
    m.send(b, &Lp::commitCall { stake: wei(20_000), feeBid: bps(10) });
    m.send(b, &Lp::setQuotedNotionalCall { notional: wei(50_000) });
    close_to(f(m.view(&Lp::entryValuationOfCall { maker: b })), 40_000.0 * WAD, "B's entry valuation");
    close_to(m.fee(), 0.001, "day 1 fee");
    m.day(60_000, 50_000);
    assert_eq!(m.rewards(), [160.0, 20.0, 0.0], "day 1: 40 to A, 20 to B");
    // Day 2: C commits 30,000 at 0.2% when the market value is 100,000
    // (40,000 + 60,000): weight 0.3. C quotes 10,000, under its 60,000
    // obligation. Target 0.5 × max(30,000, 50,000) = 25,000: B's 20,000 at
    // 0.1% falls short, C's 30,000 at 0.2% reaches it: fee 0.2%, 180 paid.
    // Shares of 1.8: A 100, B 50, C 30 — forfeited, and not given to others.
    m.send(c, &Lp::commitCall { stake: wei(30_000), feeBid: bps(20) });
    m.send(c, &Lp::setQuotedNotionalCall { notional: wei(10_000) });
    close_to(m.fee(), 0.002, "day 2 fee");
    m.day(90_000, 20_000);
    assert_eq!(m.rewards(), [260.0, 70.0, 0.0], "day 2: 100 to A, 50 to B, C's 30 forfeited");
    assert_eq!(m.view(&Lp::feesForfeitedCall {}), wei(30));
    // The reference agrees, from the stakes, bids and entry valuations alone.
    let entries = [(10_000.0, 10_000.0), (20_000.0, 40_000.0), (30_000.0, 100_000.0)];
    let shares = reference_shares(&entries);
    for (maker, share) in m.makers.into_iter().zip(&shares) {
        close_to(f(m.view(&Lp::equityShareCall { maker })) / WAD, *share, "equity share");
    }
    let bids = [(10_000.0, 0.003), (20_000.0, 0.001), (30_000.0, 0.002)];
    close_to(reference_fee(&bids, reference_target(&[30e3, 50e3], 3, 0.5)), 0.002, "reference fee, day 2");
    // Day 3: C quotes its obligation; 20 paid at 0.2%: A 20/1.8, B 10/1.8,
    // C the rest (it is the last maker paid: roundings land on it).
    m.send(c, &Lp::setQuotedNotionalCall { notional: wei(60_000) });
    let before = m.rewards();
    m.day(10_000, 200_000);
    let paid: Vec<f64> = m.rewards().iter().zip(before).map(|(after, before)| after - before).collect();
    for (paid, share) in paid.iter().zip(&shares) {
        close_to(*paid, 20.0 * share, "day 3 split");
    }
    // Rewards plus forfeits are the fees, to the wei: 120 + 60 + 180 + 20.
    let (collected, rewarded) = (m.view(&Lp::feesCollectedCall {}), m.view(&Lp::rewardsPaidCall {}));
    assert_eq!(collected, wei(380));
    assert_eq!(rewarded + m.view(&Lp::feesForfeitedCall {}), collected);
    let sum = m.makers.map(|maker| m.view(&Lp::rewardsOfCall { maker })).into_iter().sum::<U256>();
    assert_eq!(sum, rewarded, "the makers' rewards add up to the wei");
    // Open interest of 200,000 puts the target (100,000) above the 60,000
    // committed: the fee is the highest bid. Three quiet days later the
    // 200,000 has left the 3-day look-back and the lowest bid is enough.
    close_to(f(m.view(&Lp::targetStakeCall {})), 100_000.0 * WAD, "target stake");
    close_to(m.fee(), 0.003, "the highest bid when the stake falls short");
    for _ in 0..3 {
        m.day(0, 10_000);
    }
    close_to(m.fee(), 0.001, "the lowest bid once the target is 5,000");
}

#[test]
fn amending_re_averages_the_entry_valuation_and_withdrawing_returns_the_stake() {
    let mut m = Market::new();
    let [a, b, _] = m.makers;
    m.send(a, &Lp::commitCall { stake: wei(10_000), feeBid: bps(30) });
    m.send(b, &Lp::commitCall { stake: wei(20_000), feeBid: bps(10) });
    m.day(50_000, 10_000);
    m.day(70_000, 10_000);
    // A adds 10,000 when the market value is 120,000: its weight goes from
    // 10,000 / 10,000 = 1 to 1 + 10,000 / 120,000; entry = 20,000 / weight.
    let value = f(m.view(&Lp::marketValueCall {})) / WAD;
    close_to(value, 120_000.0, "market value: two days of volume");
    m.send(a, &Lp::amendCall { stake: wei(20_000), feeBid: bps(5) });
    let weight = 1.0 + 10_000.0 / 120_000.0;
    close_to(f(m.view(&Lp::entryValuationOfCall { maker: a })) / WAD, 20_000.0 / weight, "re-averaged entry");
    close_to(m.fee(), 0.0005, "A's new bid is the lowest and the target is 5,000");
    close_to(f(m.view(&Lp::virtualStakeCall { maker: a })) / WAD, weight * value, "virtual stake");
    // Halving B keeps its entry valuation (30,000: the stake committed when
    // B joined, before any volume) and returns 10,000.
    let entry_b = m.view(&Lp::entryValuationOfCall { maker: b });
    assert_eq!(entry_b, wei(30_000));
    let cash = |m: &mut Market, who| f(m.chain.view(m.usd, &Token::balanceOfCall { who }).expect("balance"));
    let before = cash(&mut m, b);
    m.send(b, &Lp::amendCall { stake: wei(10_000), feeBid: bps(10) });
    assert_eq!(m.view(&Lp::entryValuationOfCall { maker: b }), entry_b);
    close_to(cash(&mut m, b) - before, 10_000.0 * WAD, "returned stake");
    // A withdraws: its stake comes back, B is the only maker, A's rewards stay on record.
    let (before, rewards) = (cash(&mut m, a), m.view(&Lp::rewardsOfCall { maker: a }));
    m.send(a, &Lp::withdrawCall {});
    close_to(cash(&mut m, a) - before, 20_000.0 * WAD, "withdrawn stake");
    assert_eq!(m.view(&Lp::makerCountCall {}), U256::from(1));
    assert_eq!(m.view(&Lp::makersCall { index: U256::ZERO }), b);
    assert_eq!(m.view(&Lp::rewardsOfCall { maker: a }), rewards);
    assert_eq!(m.view(&Lp::equityShareCall { maker: b }), wei(1), "B holds every share");
    assert_eq!(m.view(&Lp::totalStakeCall {}), wei(10_000));
}

#[test]
fn bad_arguments_revert_with_their_reasons() {
    let mut m = Market::new();
    let [a, b, _] = m.makers;
    assert_eq!(m.refused(a, &Lp::commitCall { stake: U256::ZERO, feeBid: bps(10) }), "LP_ZERO_STAKE");
    assert_eq!(m.refused(a, &Lp::commitCall { stake: wei(1), feeBid: bps(1_001) }), "LP_FEE_BID_TOO_HIGH");
    assert_eq!(m.refused(a, &Lp::amendCall { stake: wei(1), feeBid: bps(10) }), "LP_NO_COMMITMENT");
    assert_eq!(m.refused(a, &Lp::withdrawCall {}), "LP_NO_COMMITMENT");
    assert_eq!(m.refused(a, &Lp::setQuotedNotionalCall { notional: wei(1) }), "LP_NO_COMMITMENT");
    m.send(a, &Lp::commitCall { stake: wei(1_000), feeBid: bps(10) });
    assert_eq!(m.refused(a, &Lp::commitCall { stake: wei(1), feeBid: bps(10) }), "LP_ALREADY_COMMITTED");
    assert_eq!(m.refused(a, &Lp::amendCall { stake: U256::ZERO, feeBid: bps(10) }), "LP_ZERO_STAKE");
    assert_eq!(m.refused(a, &Lp::amendCall { stake: wei(1), feeBid: wei(1) }), "LP_FEE_BID_TOO_HIGH");
    let day = Lp::recordDayCall { volume: wei(1), openInterest: wei(1) };
    assert_eq!(m.refused(b, &day), "LP_NOT_OPERATOR");
    // A maker without the stake it commits: the token's own reason.
    let poor = address_for("poor");
    m.send_to(poor, m.usd, Token::approveCall { spender: m.lp, amount: U256::MAX }.abi_encode());
    assert!(m.refused(poor, &Lp::commitCall { stake: wei(1), feeBid: bps(10) }).contains("balance"));
    // The constructor refuses a look-back of 0 or over 366 days.
    let (usd_token, operator) = (m.usd, m.operator);
    for period in [0, 367] {
        let error = deploy_lp(&mut m.chain, usd_token, operator, period).expect_err("refused");
        assert!(format!("{error:#}").contains("LP_BAD_STAKE_TARGET_PERIOD"), "{error:#}");
    }
}

/// The runs of `netlists/lp_rewards.toml`: its rows by column name, and the
/// final chain to read exact values from.
struct NetlistRun {
    columns: Vec<String>,
    rows: Vec<Vec<f64>>,
    engine: tokenspice::engine::SimEngine,
}

impl NetlistRun {
    fn column(&self, name: &str) -> Vec<f64> {
        let index = self.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("column {name}"));
        self.rows.iter().map(|row| row[index]).collect()
    }

    fn address(&self, name: &str) -> Address {
        self.engine.world().book.address(name).unwrap_or_else(|| panic!("@{name}"))
    }

    fn view<C: SolCall>(&mut self, to: &str, call: &C) -> C::Return {
        let to = self.address(to);
        self.engine.world_mut().chain.view(to, call).expect("view")
    }
}

const MAKERS: [&str; 4] = ["early", "leaver", "whale", "late"];

fn run_netlist() -> NetlistRun {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("netlists/lp_rewards.toml");
    let mut engine = load(&file, &[]).expect("loads").build().expect("builds");
    let (_, rows) = engine.run_to_rows().expect("runs");
    let columns = engine.columns().to_vec();
    NetlistRun { columns, rows: rows.into_iter().map(|(_, values)| values).collect(), engine }
}

#[test]
fn the_netlist_fee_follows_the_bids_and_open_interest_and_every_fee_is_accounted_to_the_wei() {
    let mut run = run_netlist();
    let days = run.column("lp.days");
    assert_eq!(days.len(), 365, "a row per day");
    for (row, day) in days.iter().enumerate() {
        assert_eq!(*day, (row + 1) as f64, "row {row}: the operator recorded every day");
    }
    // (b) At every row: target = the factor (0.3) × the largest open
    // interest of the last 30 recorded days, and the fee is the reference's
    // from the makers' stakes and bids as recorded.
    let period = usize::try_from(run.view("lp", &Lp::stakeTargetPeriodCall {})).expect("small");
    let factor = f(run.view("lp", &Lp::targetStakeFactorCall {})) / WAD;
    assert_eq!((period, factor), (30, 0.3), "the netlist's parameters");
    let open_interest = run.column("lp.open_interest");
    let (fee, target) = (run.column("lp.fee_pct"), run.column("lp.target_stake"));
    let (volume, collected) = (run.column("lp.volume"), run.column("lp.fees_collected"));
    let stakes: Vec<Vec<f64>> = MAKERS.iter().map(|m| run.column(&format!("lp.{m}.stake"))).collect();
    let bids: Vec<Vec<f64>> = MAKERS.iter().map(|m| run.column(&format!("lp.{m}.bid_pct"))).collect();
    for row in 0..days.len() {
        let expected_target = reference_target(&open_interest[..=row], period, factor);
        close_to(target[row], expected_target, &format!("row {row}: target stake"));
        let makers: Vec<(f64, f64)> = (0..MAKERS.len()).map(|i| (stakes[i][row], bids[i][row])).collect();
        let expected = reference_fee(&makers, expected_target);
        assert!((fee[row] - expected).abs() < 1e-12, "row {row}: fee {} %, reference {expected} %", fee[row]);
        // The day was charged the fee in force when the operator recorded
        // it: today's stakes and bids, the open interest up to yesterday.
        let in_force = reference_fee(&makers, reference_target(&open_interest[..row], period, factor));
        let charged = collected[row] - row.checked_sub(1).map_or(0.0, |r| collected[r]);
        close_to(charged, in_force / 100.0 * volume[row], &format!("row {row}: fees charged"));
    }
    let mut distinct = fee;
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    assert!(distinct.len() >= 3, "the fee moved between bids over the year: {distinct:?}");
    // The whale, quoting a fixed 1,300 contracts against an obligation of
    // 120,000 USD, is paid exactly on the days the price is at least 92.31.
    let (price, whale) = (run.column("lp.price"), run.column("lp.whale.rewards"));
    let mut forfeits = 0;
    for row in 45..days.len() {
        let covered = 1_300.0 * price[row] >= 120_000.0;
        assert_eq!(whale[row] > whale[row - 1], covered, "row {row}: price {}", price[row]);
        forfeits += usize::from(!covered);
    }
    assert!(forfeits > 0 && forfeits < days.len() - 45, "the whale both forfeited and was paid");
    // Every invariant held at every row.
    for name in ["fees_accounted", "rewards_summed", "usd_held"] {
        let violations = run.column(&format!("invariant.{name}.violations"));
        assert!(violations.iter().all(|&v| v == 0.0), "{name} was violated");
    }
    // (c) To the wei, on the final chain: fees collected = rewards paid +
    // fees forfeited; each maker's USD = its funding - its stake + its rewards;
    // the operator paid exactly the fees collected.
    let collected = run.view("lp", &Lp::feesCollectedCall {});
    let (paid, forfeited) =
        (run.view("lp", &Lp::rewardsPaidCall {}), run.view("lp", &Lp::feesForfeitedCall {}));
    assert_eq!(paid + forfeited, collected);
    assert!(forfeited > U256::ZERO && paid > forfeited, "paid {paid}, forfeited {forfeited}");
    let usd_token = run.address("usd");
    let mut rewards = U256::ZERO;
    for (maker, funded) in MAKERS.into_iter().zip([50_000, 50_000, 100_000, 50_000]) {
        let who = run.address(maker);
        let (stake, reward) = (
            run.view("lp", &Lp::stakeOfCall { maker: who }),
            run.view("lp", &Lp::rewardsOfCall { maker: who }),
        );
        let balance =
            run.engine.world_mut().chain.view(usd_token, &Token::balanceOfCall { who }).expect("balance");
        assert_eq!(balance + stake, wei(funded) + reward, "{maker}: USD = funding - stake + rewards");
        rewards += reward;
    }
    assert_eq!(rewards, paid);
    let operator = run.address("operator");
    let left = run
        .engine
        .world_mut()
        .chain
        .view(usd_token, &Token::balanceOfCall { who: operator })
        .expect("balance");
    assert_eq!(left + collected, wei(10_000_000), "the operator paid the fees collected");
    assert_eq!(
        run.view("lp", &Lp::stakeOfCall { maker: run.address("leaver") }),
        U256::ZERO,
        "the leaver left"
    );
}
