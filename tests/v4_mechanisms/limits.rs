//! Each revert reason of the V4 contracts at its boundary: the call at the
//! boundary goes through (previewed, not committed) and one wei past it
//! reverts with the decoded reason (a boundary that is itself refused by the
//! next check says which).
//!
//! Not reachable, so not tested: `ERR_REENTRY` (neither OCEAN nor
//! DatatokenV4 calls back into the pool), `ERR_ERC20_FALSE`, "SideStaking:
//! transfer failed" and "PoolV4Factory: base transfer failed" (the
//! project's tokens revert rather than return false), `ERR_BOT_SHARES` (the
//! bot always holds exactly half the shares, asserted by every ledger of the
//! properties, so no holder's shares exceed the bot's) and
//! `ERR_BOT_CANNOT_EXIT` (the bot never calls the pool, and no transaction
//! can come from a contract address: EIP-3607, asserted below). The
//! Balancer math's own reasons are the V3 tests' (`v3_pool_limits.rs`).

use crate::balancer_ref::wei;
use crate::v3_world::{e18, preview, reason};
use crate::v4_ref::{self, COMMUNITY_SWAP_FEE_OCEAN, MAX_FEE};
use crate::world::{create, with_vesting, with_world, AssetParams, World, DT, LP_FEE, ONE, TRADER};
use alloy_primitives::{hex, Address, U256};
use alloy_sol_types::SolCall;
use tokenspice::artifacts::{deploy_own, own_artifact};
use tokenspice::chain::{address_for, Backend, Chain, ChainError, RevertReason, GOD};
use tokenspice::models::ocean::contracts::v4::{DatatokenV4, PoolV4, PoolV4Factory, SideStaking};
use tokenspice::wallet::Erc20;

/// An uninitialised minimal proxy (EIP-1167) of `template`, deployed by GOD.
fn clone_of(chain: &mut Chain, template: Address) -> Address {
    let mut code = hex!("3d602d80600a3d3981f3363d3d373d3d3d363d73").to_vec();
    code.extend_from_slice(template.as_slice());
    code.extend_from_slice(&hex!("5af43d82803e903d91602b57fd5bf3"));
    chain.deploy_contract(GOD, code.into()).unwrap()
}

/// `ok` goes through (not committed) and `bad` reverts with `expected`.
fn assert_boundary<C: SolCall>(w: &mut World, from: Address, to: Address, ok: &C, bad: &C, expected: &str)
where
    C::Return: std::fmt::Debug,
{
    if let Err(error) = preview(&mut w.chain, from, to, ok) {
        panic!("{expected}: the boundary itself reverted: {error}");
    }
    assert_eq!(reason(w.chain.send(from, to, bad)), expected);
}

/// The creation call of `base` changed by `change`.
fn edited(base: &AssetParams, change: impl FnOnce(&mut AssetParams)) -> PoolV4Factory::createAssetCall {
    let mut p = base.clone();
    change(&mut p);
    create(p)
}

#[test]
fn factory_limits_are_enforced() {
    with_world(|w| {
        w.chain.restore(&w.base).unwrap();
        let (factory, publisher, one) = (w.market.factory, w.publisher, U256::from(1));
        let base = w.params(e18(10_000), ONE);
        let start = |dt, b| edited(&base, |p| (p.dtStartWeight, p.baseStartWeight) = (dt, b));
        let end = |dt, b| edited(&base, |p| (p.dtEndWeight, p.baseEndWeight) = (dt, b));
        let lp_fee = |fee| edited(&base, |p| p.lpFee = fee);
        let publish_fee = |fee| edited(&base, |p| p.publishMarketFee = fee);
        let soft_cap = |cap| edited(&base, |p| p.softCap = cap);
        let slope = |slope| edited(&base, |p| p.feeSlope = slope);
        let seed = |b0, rate| edited(&base, |p| (p.baseAmount, p.rate, p.cap) = (b0, rate, ONE));
        let cap = |cap| edited(&base, |p| (p.cap, p.vestingAmount) = (cap, e18(5)));
        let (w1, w49, min_fee, trillion) =
            (e18(1), e18(49), U256::from(1_000_000_000_000_u64), e18(1_000_000_000_000));
        let (min_balance, d0) = (U256::from(1_000_000), e18(10_000));
        let cases = [
            (start(w1, w1), start(w1 - one, w1), "ERR_MIN_WEIGHT"),
            (end(w1, w1), end(w1, w1 - one), "ERR_MIN_WEIGHT"),
            (start(w49, w1), start(e18(50) + one, w1), "ERR_MAX_WEIGHT"),
            (end(w1, w49), end(w1 + one, w49), "ERR_MAX_TOTAL_WEIGHT"),
            (lp_fee(min_fee), lp_fee(min_fee - one), "ERR_MIN_FEE"),
            (lp_fee(MAX_FEE), lp_fee(MAX_FEE + one), "ERR_MAX_FEE"),
            (publish_fee(MAX_FEE), publish_fee(MAX_FEE + one), "ERR_MAX_MARKET_FEE"),
            (soft_cap(trillion), soft_cap(trillion + one), "ERR_MAX_SOFT_CAP"),
            (slope(e18(1_000_000)), slope(e18(1_000_000) + one), "ERR_MAX_FEE_SLOPE"),
            // MIN_BALANCE (1e6 wei) on either side; D0 = B0 * rate / 1e18.
            (seed(min_balance, trillion), seed(min_balance - one, trillion), "ERR_MIN_BALANCE"),
            (seed(e18(10_000), U256::from(100)), seed(e18(10_000), U256::from(99)), "ERR_MIN_BALANCE"),
            // D0 = 0 when B0 rate < 1e18 (at D0 = 1 wei the pool refuses it),
            // and a zero cap (a 1-wei cap is the bot's to refuse).
            (seed(min_balance, min_fee), seed(min_balance, min_fee - one), "SideStaking: zero seed"),
            (cap(d0 + e18(5)), cap(d0 + e18(5) - one), "SideStaking: cap below seed plus vesting"),
            (
                edited(&base, |p| p.cap = one),
                edited(&base, |p| p.cap = U256::ZERO),
                "DatatokenV4: cap is zero",
            ),
            (
                create(base.clone()),
                edited(&base, |p| p.baseToken = Address::ZERO),
                "PoolV4Factory: zero address",
            ),
        ];
        for (ok, bad, expected) in &cases {
            let result = preview(&mut w.chain, publisher, factory, ok);
            match *expected {
                "SideStaking: zero seed" => assert_eq!(reason(result), "ERR_MIN_BALANCE"),
                "DatatokenV4: cap is zero" => {
                    assert_eq!(reason(result), "SideStaking: cap below seed plus vesting")
                }
                _ => assert!(result.is_ok(), "{expected}: the boundary itself reverted: {result:?}"),
            }
            assert_eq!(reason(w.chain.send(publisher, factory, bad)), *expected);
        }

        // The creator's allowance for B0, to the wei (the trader approved none).
        let (trader, ocean) = (w.trader, w.ocean());
        let approve = |amount| Erc20::approveCall { spender: factory, amount };
        w.chain.send(trader, ocean, &approve(e18(10_000) - one)).unwrap();
        assert_eq!(
            reason(w.chain.send(trader, factory, &create(base.clone()))),
            "ERC20: insufficient allowance"
        );
        w.chain.send(trader, ocean, &approve(e18(10_000))).unwrap();
        assert!(preview(&mut w.chain, trader, factory, &create(base.clone())).is_ok());

        // The constructor refuses a zero address.
        let (zero, ocean) = (Address::ZERO.to_string(), ocean.to_string());
        let artifact = own_artifact("PoolV4Factory").unwrap();
        let init = artifact.init_code_from_strs(&[&ocean, &ocean, &ocean, &zero]).unwrap();
        let receipt = w.chain.deploy(GOD, init).unwrap();
        let expected = RevertReason::Message("PoolV4Factory: zero address".into());
        assert_eq!(receipt.revert_reason(), Some(&expected));
    });
}

/// On a 10,000 OCEAN : 10,000 DT pool (V4 as deployed), the trader holding
/// 1,000 DT: every swap, stake and unstake limit.
#[test]
fn pool_limits_are_enforced() {
    with_world(|w| {
        w.create(with_vesting(w.params(e18(10_000), ONE), e18(1_000), 0));
        w.give_premine_to_trader();
        let (pool, dt, ocean, trader, publisher) = (w.pool, w.dt, w.ocean(), w.trader, w.publisher);
        let (one, any, b) = (U256::from(1), U256::MAX, e18(10_000));
        let swap_in = |a: U256, min_out: U256, max_price: U256, fee: U256, collector: Address| {
            PoolV4::swapExactAmountInCall {
                tokenIn: ocean,
                tokenAmountIn: a,
                tokenOut: dt,
                minAmountOut: min_out,
                maxPrice: max_price,
                consumeMarketFeeCollector: collector,
                consumeMarketFee: fee,
            }
        };
        let swap_out = |o: U256, max_in: U256, max_price: U256| PoolV4::swapExactAmountOutCall {
            tokenIn: ocean,
            maxAmountIn: max_in,
            tokenOut: dt,
            tokenAmountOut: o,
            maxPrice: max_price,
            consumeMarketFeeCollector: Address::ZERO,
            consumeMarketFee: U256::ZERO,
        };
        let plain_in = |a: U256, min_out: U256, max_price: U256| {
            swap_in(a, min_out, max_price, U256::ZERO, Address::ZERO)
        };
        let zero = U256::ZERO;

        // Ratios: half the in-balance, a third of the out-balance (+1 wei).
        let max_in = wei::bmul(b, wei::MAX_IN_RATIO);
        assert_boundary(
            w,
            trader,
            pool,
            &plain_in(max_in, zero, any),
            &plain_in(max_in + one, zero, any),
            "ERR_MAX_IN_RATIO",
        );
        let max_out = wei::bmul(b, wei::MAX_OUT_RATIO);
        assert_boundary(
            w,
            trader,
            pool,
            &swap_out(max_out, any, any),
            &swap_out(max_out + one, any, any),
            "ERR_MAX_OUT_RATIO",
        );

        // Limits at the exact results.
        let a = e18(100);
        let out = preview(&mut w.chain, trader, pool, &plain_in(a, zero, any)).unwrap();
        let (got, after) = (out.tokenAmountOut, out.spotPriceAfter);
        assert_boundary(
            w,
            trader,
            pool,
            &plain_in(a, got, any),
            &plain_in(a, got + one, any),
            "ERR_LIMIT_OUT",
        );
        assert_boundary(
            w,
            trader,
            pool,
            &plain_in(a, zero, after),
            &plain_in(a, zero, after - one),
            "ERR_LIMIT_PRICE",
        );
        let o = e18(10);
        let cost = preview(&mut w.chain, trader, pool, &swap_out(o, any, any)).unwrap().tokenAmountIn;
        assert_boundary(
            w,
            trader,
            pool,
            &swap_out(o, cost, any),
            &swap_out(o, cost - one, any),
            "ERR_LIMIT_IN",
        );
        // The price before the swap, with the trade's fees, is capped too (at
        // the cap itself the price after the swap is the one refused).
        let listed = w.view(pool, &PoolV4::getSpotPriceCall { tokenIn: ocean, tokenOut: dt });
        assert_eq!(reason(w.chain.send(trader, pool, &plain_in(a, zero, listed))), "ERR_LIMIT_PRICE");
        assert_eq!(
            reason(w.chain.send(trader, pool, &plain_in(a, zero, listed - one))),
            "ERR_BAD_LIMIT_PRICE"
        );
        let fm = U256::from(50_000_000_000_000_000_u64);
        let with_fm =
            v4_ref::spot_with_fees((b, e18(25)), (b, e18(25)), LP_FEE, COMMUNITY_SWAP_FEE_OCEAN + fm);
        let collector = w.consume_market;
        let capped = |max_price| swap_in(e18(1), zero, max_price, fm, collector);
        assert_eq!(reason(w.chain.send(trader, pool, &capped(with_fm))), "ERR_LIMIT_PRICE");
        assert_eq!(reason(w.chain.send(trader, pool, &capped(with_fm - one))), "ERR_BAD_LIMIT_PRICE");

        // Consume-market fee: at most 10%, and its collector must exist once
        // the fee amount is not zero (1e-18 of 0.4 DT rounds to 0).
        let fee_in = |fee: U256| swap_in(a, zero, any, fee, collector);
        assert_boundary(w, trader, pool, &fee_in(MAX_FEE), &fee_in(MAX_FEE + one), "ERR_MAX_MARKET_FEE");
        let quote = |fee| PoolV4::getAmountOutExactInCall {
            tokenIn: ocean,
            tokenOut: dt,
            tokenAmountIn: a,
            consumeMarketFee: fee,
        };
        assert_eq!(reason(w.chain.view(pool, &quote(MAX_FEE + one))), "ERR_MAX_MARKET_FEE");
        let tiny = U256::from(400_000_000_000_000_000_u64);
        let ok = swap_in(tiny, zero, any, one, Address::ZERO);
        assert_boundary(
            w,
            trader,
            pool,
            &ok,
            &swap_in(e18(1), zero, any, one, Address::ZERO),
            "ERR_ZERO_ADDRESS",
        );

        // Tokens: unbound, or the same on both sides.
        let stranger = w.market.factory;
        let mut odd = plain_in(a, zero, any);
        odd.tokenOut = stranger;
        assert_eq!(reason(w.chain.send(trader, pool, &odd)), "ERR_NOT_BOUND");
        assert_eq!(reason(w.chain.view(pool, &PoolV4::getBalanceCall { token: stranger })), "ERR_NOT_BOUND");
        odd.tokenOut = ocean;
        assert_eq!(reason(w.chain.send(trader, pool, &odd)), "ERR_SAME_TOKEN");

        // Staking: the in-ratio, the least stake that earns a share (S a / 2B
        // >= 1 wei: a >= 2B / S = 200 wei), and the minimum shares.
        let join = |a: U256, min: U256| PoolV4::joinswapExternAmountInCall {
            baseAmountIn: a,
            minPoolAmountOut: min,
        };
        assert_boundary(w, trader, pool, &join(max_in, zero), &join(max_in + one, zero), "ERR_MAX_IN_RATIO");
        let least = U256::from(200);
        assert_boundary(w, trader, pool, &join(least, zero), &join(least - one, zero), "ERR_MATH_APPROX");
        let (shares, _) = v4_ref::stake(b, b, e18(100), a);
        assert_boundary(w, trader, pool, &join(a, shares), &join(a, shares + one), "ERR_LIMIT_OUT");

        // Unstaking: the out-ratio (2P B / S <= B/3 + 1 wei), the minimum.
        let exit =
            |p: U256, min: U256| PoolV4::exitswapPoolAmountInCall { poolAmountIn: p, minBaseAmountOut: min };
        let s = e18(100);
        let mut most = max_out * s / (U256::from(2) * b);
        while v4_ref::unstake(b, b, s, most + one).0 <= max_out {
            most += one;
        }
        assert_boundary(w, publisher, pool, &exit(most, zero), &exit(most + one, zero), "ERR_MAX_OUT_RATIO");
        let (paid, _) = v4_ref::unstake(b, b, s, e18(1));
        assert_boundary(w, publisher, pool, &exit(e18(1), paid), &exit(e18(1), paid + one), "ERR_LIMIT_OUT");
        // The trader holds no shares (the bot's half is not the trader's).
        assert_eq!(reason(w.chain.send(trader, pool, &exit(one, zero))), "ERC20: burn exceeds balance");
        // The bot is a contract: no transaction can come from it (EIP-3607),
        // so its ERR_BOT_CANNOT_EXIT guard is defence in depth.
        let from_bot = w.chain.send(w.bot(), pool, &exit(one, zero));
        assert!(matches!(from_bot, Err(ChainError::InvalidTransaction { .. })), "{from_bot:?}");

        // Only the datatoken records consumption; the pool is initialised once.
        assert_eq!(reason(w.chain.send(trader, pool, &PoolV4::recordConsumeCall {})), "ERR_NOT_DATATOKEN");
        let config = pool_config(w, dt, ocean, U256::ZERO);
        let init = PoolV4::initializeCall { c: config };
        assert_eq!(reason(w.chain.send(publisher, pool, &init)), "ERR_ALREADY_INITIALIZED");

        // startOrder takes exactly 1 DT: 1 DT is enough, 1 DT - 1 wei is not.
        let order = DatatokenV4::startOrderCall {
            consumer: trader,
            serviceIndex: zero,
            consumeMarketFeeCollector: collector,
        };
        let held = w.ledger().balance(DT, TRADER);
        w.chain.send(trader, dt, &Erc20::transferCall { to: publisher, amount: held - ONE }).unwrap();
        assert!(preview(&mut w.chain, trader, dt, &order).is_ok());
        w.chain.send(trader, dt, &Erc20::transferCall { to: publisher, amount: one }).unwrap();
        assert_eq!(reason(w.chain.send(trader, dt, &order)), "ERC20: insufficient balance");
    });
}

/// Unstaking so little that the base out rounds to 0, on a 1 OCEAN pool:
/// 2P B / S >= 1 wei needs P >= S / 2B = 50 wei.
#[test]
fn dust_unstake_is_refused() {
    with_world(|w| {
        w.create(w.params(e18(1), ONE));
        let exit = |p: u64| PoolV4::exitswapPoolAmountInCall {
            poolAmountIn: U256::from(p),
            minBaseAmountOut: U256::ZERO,
        };
        let (publisher, pool) = (w.publisher, w.pool);
        assert_boundary(w, publisher, pool, &exit(50), &exit(49), "ERR_MATH_APPROX");
    });
}

/// The bot lends only its free datatokens: the cap minus the seed minus the
/// premine not yet claimed. With rate 1 a stake of `a` asks for `a` DTs.
#[test]
fn side_staking_limits_are_enforced() {
    with_world(|w| {
        let (free, premine) = (e18(1_000), e18(500));
        let mut p = with_vesting(w.params(e18(10_000), ONE), premine, 1_000_000);
        p.cap = e18(10_000) + free + premine;
        w.create(p);
        let (pool, dt, bot, trader) = (w.pool, w.dt, w.bot(), w.trader);
        assert_eq!(w.view(bot, &SideStaking::datatokenReserveCall { datatoken: dt }), free);
        let join =
            |a: U256| PoolV4::joinswapExternAmountInCall { baseAmountIn: a, minPoolAmountOut: U256::ZERO };
        let one = U256::from(1);
        assert_boundary(
            w,
            trader,
            pool,
            &join(free),
            &join(free + one),
            "SideStaking: not enough datatokens",
        );

        // Only the pool takes DTs, only the factory registers assets.
        let stake = SideStaking::stakeDatatokensCall { datatoken: dt, amount: one };
        assert_eq!(reason(w.chain.send(trader, bot, &stake)), "SideStaking: not the pool");
        let ocean = w.ocean();
        let register =
            |datatoken: Address, pool: Address, publisher: Address| SideStaking::newDatatokenCreatedCall {
                datatoken,
                baseToken: ocean,
                pool,
                publisher,
                baseAmount: e18(1),
                rate: ONE,
                vestingAmount: U256::ZERO,
                vestingBlocks: U256::ZERO,
            };
        assert_eq!(
            reason(w.chain.send(trader, bot, &register(dt, pool, trader))),
            "SideStaking: not factory"
        );

        // A bot of GOD's own (GOD is its factory) and a datatoken it mints.
        let own_bot = deploy_own(&mut w.chain, "SideStaking", &[]).unwrap();
        let template = w.view(w.market.factory, &PoolV4Factory::datatokenTemplateCall {});
        let token = clone_of(&mut w.chain, template);
        let init = datatoken_init(w, own_bot, e18(100));
        w.chain.send(GOD, token, &init).unwrap();
        let register = |pool: Address, publisher: Address| register(token, pool, publisher);
        let fake_pool = address_for("v4-fake-pool");
        assert_boundary(
            w,
            GOD,
            own_bot,
            &register(fake_pool, trader),
            &register(Address::ZERO, trader),
            "SideStaking: zero address",
        );
        assert_eq!(
            reason(w.chain.send(GOD, own_bot, &register(fake_pool, Address::ZERO))),
            "SideStaking: zero address"
        );
        w.chain.send(GOD, own_bot, &register(fake_pool, trader)).unwrap();
        assert_eq!(
            w.view(token, &Erc20::balanceOfCall { who: fake_pool }),
            e18(1),
            "the seed went to the pool"
        );
        assert_eq!(
            reason(w.chain.send(GOD, own_bot, &register(fake_pool, trader))),
            "SideStaking: already registered"
        );
    });
}

fn datatoken_init(w: &World, minter: Address, cap: U256) -> DatatokenV4::initializeCall {
    DatatokenV4::initializeCall {
        name_: "DT".into(),
        symbol_: "DT".into(),
        minter_: minter,
        cap_: cap,
        communityFeeCollector_: w.market.community_fee_collector,
        paymentCollector_: w.publisher,
        pool_: Address::ZERO,
    }
}

/// A pool configuration like the factory's, for `datatoken` and `base`.
fn pool_config(w: &World, datatoken: Address, base: Address, amount: U256) -> PoolV4::Config {
    let fifty = e18(25);
    PoolV4::Config {
        datatoken,
        baseToken: base,
        sideStaking: w.bot(),
        publisher: w.publisher,
        communityFeeCollector: w.market.community_fee_collector,
        communityFee: COMMUNITY_SWAP_FEE_OCEAN,
        publishMarketFeeCollector: Address::ZERO,
        publishMarketFee: U256::ZERO,
        lpFee: LP_FEE,
        dtStartWeight: fifty,
        baseStartWeight: fifty,
        dtEndWeight: fifty,
        baseEndWeight: fifty,
        burnInSeconds: U256::ZERO,
        softCap: U256::ZERO,
        feeSlope: U256::ZERO,
        volumeHalfLifeSeconds: U256::ZERO,
        datatokenAmount: amount,
        baseAmount: amount,
    }
}

/// The initialisers of uninitialised clones (the factory initialises its
/// clones in the creating transaction; the templates are locked).
#[test]
fn initializer_limits_are_enforced() {
    with_world(|w| {
        w.chain.restore(&w.base).unwrap();
        let factory = w.market.factory;
        let dt_template = w.view(factory, &PoolV4Factory::datatokenTemplateCall {});
        let pool_template = w.view(factory, &PoolV4Factory::poolTemplateCall {});
        let (one, trader) = (U256::from(1), w.trader);

        // DatatokenV4: every argument, then the cap and the minter.
        let good = datatoken_init(w, GOD, e18(10));
        assert_eq!(reason(w.chain.send(GOD, dt_template, &good)), "DatatokenV4: already initialized");
        let token = clone_of(&mut w.chain, dt_template);
        let bad = |change: &dyn Fn(&mut DatatokenV4::initializeCall)| {
            let mut call = good.clone();
            change(&mut call);
            call
        };
        let cases = [
            (bad(&|c| c.minter_ = Address::ZERO), "DatatokenV4: minter is zero address"),
            (
                bad(&|c| c.communityFeeCollector_ = Address::ZERO),
                "DatatokenV4: fee collector is zero address",
            ),
            (bad(&|c| c.paymentCollector_ = Address::ZERO), "DatatokenV4: payment collector is zero address"),
            (bad(&|c| c.cap_ = U256::ZERO), "DatatokenV4: cap is zero"),
        ];
        for (call, expected) in &cases {
            assert_eq!(reason(w.chain.send(GOD, token, call)), *expected);
        }
        w.chain.send(GOD, token, &good).unwrap();
        assert_eq!(reason(w.chain.send(GOD, token, &good)), "DatatokenV4: already initialized");
        let mint = |amount| DatatokenV4::mintCall { to: GOD, amount };
        assert_boundary(w, GOD, token, &mint(e18(10)), &mint(e18(10) + one), "DatatokenV4: cap exceeded");
        assert_eq!(reason(w.chain.send(trader, token, &mint(one))), "DatatokenV4: not minter");
        w.chain.send(GOD, token, &mint(e18(10))).unwrap();
        let burn = |amount| DatatokenV4::burnCall { amount };
        assert_boundary(w, GOD, token, &burn(e18(10)), &burn(e18(10) + one), "ERC20: burn exceeds balance");

        // PoolV4: funded with 1 DT and 1 OCEAN.
        let pool = clone_of(&mut w.chain, pool_template);
        let ocean = w.ocean();
        w.chain.send(GOD, token, &Erc20::transferCall { to: pool, amount: ONE }).unwrap();
        w.market.ocean.mint(&mut w.chain, pool, ONE).unwrap();
        let good = pool_config(w, token, ocean, ONE);
        let init = |change: &dyn Fn(&mut PoolV4::Config)| {
            let mut c = good.clone();
            change(&mut c);
            PoolV4::initializeCall { c }
        };
        let min_balance = U256::from(1_000_000);
        let cases = [
            (
                init(&|c| c.sideStaking = Address::ZERO),
                init(&|c| c.datatoken = Address::ZERO),
                "ERR_ZERO_ADDRESS",
            ),
            (
                init(&|c| c.publishMarketFeeCollector = trader),
                init(&|c| c.publishMarketFee = one),
                "ERR_ZERO_ADDRESS",
            ),
            (init(&|_| ()), init(&|c| c.baseToken = token), "ERR_SAME_TOKEN"),
            (
                init(&|c| c.communityFee = MAX_FEE),
                init(&|c| c.communityFee = MAX_FEE + one),
                "ERR_MAX_MARKET_FEE",
            ),
            (
                init(&|c| c.datatokenAmount = min_balance),
                init(&|c| c.datatokenAmount = min_balance - one),
                "ERR_MIN_BALANCE",
            ),
            (init(&|_| ()), init(&|c| c.baseAmount = ONE + one), "ERR_NOT_FUNDED"),
            (init(&|_| ()), init(&|c| c.datatokenAmount = ONE + one), "ERR_NOT_FUNDED"),
        ];
        for (ok, bad, expected) in &cases {
            if *expected == "ERR_ZERO_ADDRESS" && ok.c.sideStaking.is_zero() {
                // Every address is required: a zero bot fails like a zero datatoken.
                assert_eq!(reason(w.chain.send(GOD, pool, ok)), *expected);
            } else {
                assert_boundary(w, GOD, pool, ok, bad, expected);
            }
            assert_eq!(reason(w.chain.send(GOD, pool, bad)), *expected);
        }
        w.chain.send(GOD, pool, &init(&|_| ())).unwrap();
        assert_eq!(reason(w.chain.send(GOD, pool, &init(&|_| ()))), "ERR_ALREADY_INITIALIZED");
        assert_eq!(reason(w.chain.send(GOD, pool_template, &init(&|_| ()))), "ERR_ALREADY_INITIALIZED");
        let shares = w.view(pool, &Erc20::balanceOfCall { who: w.publisher });
        assert_eq!(shares, e18(50), "the publisher's half of the initial shares");
    });
}
