//! The shared harness of the Ocean V3 pool tests (`v3_pool_props.rs`,
//! `v3_pool_limits.rs`): a prepared world (OCEAN, the V3 factories, one
//! datatoken, two funded wallets) that each case restores from a snapshot,
//! a ledger of every balance the properties talk about, the random pools and
//! amounts, and small chain and float helpers that the V4 tests reuse too.
//!
//! Each test thread owns one [`World`] ([`with_world`]); a case restores
//! `World::base` first, so cases never see each other's state. A helper that
//! meets an unexpected revert panics: tests only.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

use crate::balancer_ref::{wei, Pow};
use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use proptest::prelude::*;
use std::cell::RefCell;
use tokenspice::chain::{Backend, Chain, ChainError, RevertReason, Snapshot, GOD};
use tokenspice::models::ocean::contracts::v3::{PoolFactory, WeightedPool};
use tokenspice::models::ocean::contracts::OceanV3;
use tokenspice::models::ocean::wallet::PoolSeed;
use tokenspice::wallet::AgentWallet;

/// Agreement with the `f64` model of ocean.md (its `pow` included), relative.
pub(crate) const SPEC_TOL: f64 = 1e-9;
/// Agreement with true math, relative. ocean.md's `pow` stops its series at
/// the first term below 1e-10, which leaves a relative error of up to about
/// 1e-10 / e for an exponent e; weight ratios go down to 1/49, so up to
/// ~5e-9 (see `Pow::Spec`).
pub(crate) const TRUE_TOL: f64 = 1e-8;
/// Tokens each of publisher and trader start with: 1e18 tokens, enough for
/// the dearest swap of the domain (buying a third of a weight-46 balance with
/// a weight-1 token costs ~1.5^46 = 1.3e8 times the in-balance).
pub(crate) const FUNDS: u128 = 1_000_000_000_000_000_000 * 1_000_000_000_000_000_000;

// ---------------------------------------------------------------------------
// The prepared world: OCEAN, the V3 factories, one datatoken, two funded
// wallets. Each case restores it and creates its own pool, which lands at
// the same address every time (same factory nonce), pre-approved by the
// trader.
// ---------------------------------------------------------------------------

pub(crate) struct World {
    pub(crate) chain: Chain,
    pub(crate) base: Snapshot,
    pub(crate) market: OceanV3,
    pub(crate) dt: Address,
    pub(crate) pool: Address,
    pub(crate) publisher: AgentWallet,
    pub(crate) trader: AgentWallet,
}

impl World {
    pub(crate) fn new() -> Self {
        let mut chain = Chain::new();
        let market = OceanV3::deploy(&mut chain).expect("deploy V3");
        let publisher = AgentWallet::new("publisher", 0.0);
        let trader = AgentWallet::new("trader", 0.0);
        let funds = U256::from(FUNDS);
        let dt = publisher.create_datatoken(&mut chain, &market, "DT", "DT", funds * U256::from(2)).unwrap();
        for who in [&publisher, &trader] {
            publisher.mint_datatoken(&mut chain, dt, who.address, funds).unwrap();
            market.ocean.mint(&mut chain, who.address, funds).unwrap();
        }
        let before = chain.snapshot().unwrap();
        let pool = chain.send(publisher.address, market.pool_factory, &PoolFactory::newPoolCall {}).unwrap();
        chain.restore(&before).unwrap();
        for token in [dt, market.ocean.address] {
            trader.approve(&mut chain, token, pool, U256::MAX).unwrap();
        }
        let base = chain.snapshot().unwrap();
        Self { chain, base, market, dt, pool, publisher, trader }
    }

    pub(crate) fn ocean(&self) -> Address {
        self.market.ocean.address
    }

    /// A fresh pool with these parameters, from the prepared state.
    pub(crate) fn fresh_pool(&mut self, params: &PoolParams) -> Address {
        self.chain.restore(&self.base).unwrap();
        let seed = PoolSeed {
            datatoken_amount: params.dt_balance,
            datatoken_weight: params.dt_weight,
            ocean_amount: params.ocean_balance,
            ocean_weight: params.ocean_weight,
            swap_fee: params.fee,
        };
        let pool =
            self.publisher.create_pool(&mut self.chain, &self.market, self.dt, &seed).expect("create pool");
        assert_eq!(pool, self.pool, "the pool lands at the pre-approved address");
        pool
    }

    pub(crate) fn holders(&self) -> [Address; HOLDERS] {
        [self.publisher.address, self.trader.address, self.pool, GOD, self.market.community_fee_collector]
    }

    /// Every balance the properties talk about.
    pub(crate) fn ledger(&mut self) -> Ledger {
        let (holders, pool) = (self.holders(), self.pool);
        let tokens = [self.ocean(), self.dt, pool];
        let record =
            |chain: &mut Chain, token| chain.view(pool, &WeightedPool::getBalanceCall { token }).unwrap();
        Ledger::read(&mut self.chain, tokens, holders, record, None)
    }
}

thread_local! {
    static WORLD: RefCell<World> = RefCell::new(World::new());
}

pub(crate) fn with_world(f: impl FnOnce(&mut World)) {
    WORLD.with(|world| f(&mut world.borrow_mut()));
}

pub(crate) fn f(x: U256) -> f64 {
    f64::from(x)
}

/// A base-18 amount as a float number of tokens.
pub(crate) fn tokens(x: U256) -> f64 {
    f(x) / 1e18
}

pub(crate) const HOLDERS: usize = 5;
pub(crate) const PUBLISHER: usize = 0;
pub(crate) const TRADER: usize = 1;
// Re-exported for the tests that include this harness; each uses some.
#[allow(unused_imports)]
pub(crate) use crate::ledger::{int, DT, OCEAN, POOL, SHARES};
pub(crate) type Ledger = crate::ledger::Ledger<HOLDERS>;

// ---------------------------------------------------------------------------
// Random pools and amounts.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(crate) struct PoolParams {
    pub(crate) ocean_balance: U256,
    pub(crate) dt_balance: U256,
    pub(crate) ocean_weight: U256,
    pub(crate) dt_weight: U256,
    pub(crate) fee: U256,
}

impl PoolParams {
    pub(crate) fn total_weight(&self) -> U256 {
        self.ocean_weight + self.dt_weight
    }
}

/// 10^x tokens with x in [0, 8], plus up to 1e9 wei of noise.
pub(crate) fn balance() -> impl Strategy<Value = U256> {
    (0.0_f64..8.0, 0_u64..1_000_000_000).prop_map(|(x, noise)| {
        U256::from((10_f64.powf(x) * 1e9) as u128) * U256::from(1_000_000_000_u64) + U256::from(noise)
    })
}

/// Denormalised weights, each >= 1, total <= 50: in thousandths of a token
/// (fractional weight ratios) or whole tokens (exact ratios such as 7/3).
pub(crate) fn weights() -> impl Strategy<Value = (U256, U256)> {
    let milli = (1_000_u64..=49_000).prop_flat_map(|a| (Just(a), 1_000_u64..=50_000 - a));
    let whole = (1_u64..=49).prop_flat_map(|a| (Just(a * 1_000), (1_u64..=50 - a).prop_map(|b| b * 1_000)));
    prop_oneof![3 => milli, 1 => whole].prop_flat_map(|(a, b)| {
        let milli_token = U256::from(1_000_000_000_000_000_u64);
        prop_oneof![
            Just((U256::from(a) * milli_token, U256::from(b) * milli_token)),
            Just((U256::from(b) * milli_token, U256::from(a) * milli_token)),
        ]
    })
}

/// Swap fee in [1e-6, 0.1]: the two ends, Ocean's 0.1%, or log-uniform.
pub(crate) fn fee() -> impl Strategy<Value = U256> {
    prop_oneof![
        Just(U256::from(1_000_000_000_000_u64)),
        Just(U256::from(100_000_000_000_000_000_u64)),
        Just(U256::from(1_000_000_000_000_000_u64)),
        (12.0_f64..17.0).prop_map(|x| U256::from(10_f64.powf(x) as u64)),
    ]
}

pub(crate) fn pool_params() -> impl Strategy<Value = PoolParams> {
    (balance(), balance(), weights(), fee()).prop_map(
        |(ocean_balance, dt_balance, (ocean_weight, dt_weight), fee)| PoolParams {
            ocean_balance,
            dt_balance,
            ocean_weight,
            dt_weight,
            fee,
        },
    )
}

/// `max * 10^-e`, at least 1 wei.
pub(crate) fn scaled(max: U256, e: f64) -> U256 {
    let ppq = (10_f64.powf(-e) * 1e15).round() as u64;
    (max * U256::from(ppq) / U256::from(1_000_000_000_000_000_u64)).max(U256::from(1))
}

/// Exponent of the amount fraction: amounts from 1e-5 to 1 times their cap.
pub(crate) fn fraction_exp() -> impl Strategy<Value = f64> {
    0.0_f64..5.0
}

// ---------------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------------

/// `got` within `tol` relative of `reference`.
pub(crate) fn assert_rel(label: &str, got: U256, reference: f64, tol: f64) {
    let got = f(got);
    let rel = (got - reference).abs() / reference.abs();
    assert!(
        rel <= tol,
        "{label}: chain {got:e} vs reference {reference:e}: relative error {rel:e} > {tol:e}"
    );
}

/// A result against the spec model and against true math.
pub(crate) fn assert_matches_float(label: &str, got: U256, model: impl Fn(Pow) -> f64) {
    assert_rel(&format!("{label} (ocean.md pow)"), got, model(Pow::Spec), SPEC_TOL);
    assert_rel(&format!("{label} (true math)"), got, model(Pow::Exact), TRUE_TOL);
}

/// The pool's spot price of `token_out` in units of `token_in`, fee included.
pub(crate) fn spot_price(world: &mut World, token_in: Address, token_out: Address) -> U256 {
    world
        .chain
        .view(world.pool, &WeightedPool::getSpotPriceCall { tokenIn: token_in, tokenOut: token_out })
        .unwrap()
}

// ---------------------------------------------------------------------------
// Chain helpers.
// ---------------------------------------------------------------------------

/// `tokens` whole tokens in base units.
pub(crate) fn e18(tokens: u64) -> U256 {
    U256::from(tokens) * wei::ONE
}

/// The revert message of a failed call.
pub(crate) fn reason<T: std::fmt::Debug>(result: Result<T, ChainError>) -> String {
    match result {
        Err(ChainError::Reverted { reason: RevertReason::Message(message), .. }) => message,
        other => panic!("expected a revert with a message, got {other:?}"),
    }
}

/// Runs a call without committing it and decodes its result.
pub(crate) fn preview<C: SolCall>(
    chain: &mut Chain,
    from: Address,
    to: Address,
    call: &C,
) -> Result<C::Return, ChainError> {
    chain.call(from, to, call.abi_encode().into())?.decode::<C>(to)
}
