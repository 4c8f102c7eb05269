//! The prepared world of the V4 mechanism tests: OCEAN and the V4 factory
//! with its bot, funded and approved wallets, asset creation from a
//! snapshot, and the [`Ledger`] of every balance the properties talk about.
//!
//! Each test thread owns one [`World`] ([`with_world`]); every case restores
//! `World::base` first, so cases never see each other's state. A helper that
//! meets an unexpected revert panics: tests only.

use crate::balancer_ref::wei;
use crate::v3_world::{e18, FUNDS};
use crate::v4_ref::Schedule;
use alloy_primitives::{Address, Log, U256};
use alloy_sol_types::{SolCall, SolEvent};
use std::cell::RefCell;
use tokenspice::chain::{address_for, Backend, Chain, Receipt, Snapshot};
use tokenspice::models::ocean::contracts::v4::{PoolV4, PoolV4Factory, SideStaking};
use tokenspice::models::ocean::contracts::OceanV4;
use tokenspice::wallet::Erc20;

pub(crate) type AssetParams = PoolV4Factory::AssetParams;

pub(crate) const ONE: U256 = wei::ONE;
/// The LP fee of Ocean V4 as deployed (0.1%).
pub(crate) const LP_FEE: U256 = U256::from_limbs([1_000_000_000_000_000, 0, 0, 0]);

// ---------------------------------------------------------------------------
// The prepared world: OCEAN, the V4 factory with its bot, funded and
// approved wallets. Each case restores it and creates one asset, whose
// datatoken and pool land at the same addresses every time (same factory
// nonce); the trader has pre-approved the pool for OCEAN.
// ---------------------------------------------------------------------------

pub(crate) struct World {
    pub(crate) chain: Chain,
    pub(crate) base: Snapshot,
    pub(crate) market: OceanV4,
    pub(crate) dt: Address,
    pub(crate) pool: Address,
    pub(crate) publisher: Address,
    pub(crate) trader: Address,
    pub(crate) publish_market: Address,
    pub(crate) consume_market: Address,
    pub(crate) payment: Address,
}

/// Holder columns of a [`Ledger`].
pub(crate) const HOLDERS: usize = 8;
pub(crate) const PUBLISHER: usize = 0;
pub(crate) const TRADER: usize = 1;
pub(crate) const BOT: usize = 3;
pub(crate) const COMMUNITY: usize = 4;
pub(crate) const PUBLISH_MARKET: usize = 5;
pub(crate) const CONSUME_MARKET: usize = 6;
pub(crate) const PAYMENT: usize = 7;
pub(crate) use crate::ledger::{DT, OCEAN, POOL, SHARES};
/// The bot holds half the shares: every mint and burn of shares is paired.
pub(crate) type Ledger = crate::ledger::Ledger<HOLDERS>;

impl World {
    pub(crate) fn new() -> Self {
        let mut chain = Chain::new();
        let market = OceanV4::deploy(&mut chain).expect("deploy V4");
        let [publisher, trader, publish_market, consume_market, payment] =
            ["publisher", "trader", "publish-market", "consume-market", "payment"]
                .map(|name| address_for(&format!("v4-{name}")));
        for who in [publisher, trader] {
            market.ocean.mint(&mut chain, who, U256::from(FUNDS)).unwrap();
        }
        let ocean = market.ocean.address;
        chain
            .send(publisher, ocean, &Erc20::approveCall { spender: market.factory, amount: U256::MAX })
            .unwrap();
        let mut world = Self {
            base: chain.snapshot().unwrap(),
            chain,
            market,
            dt: Address::ZERO,
            pool: Address::ZERO,
            publisher,
            trader,
            publish_market,
            consume_market,
            payment,
        };
        let params = world.params(e18(100), ONE);
        let created = world.chain.send(publisher, world.market.factory, &create(params)).unwrap();
        (world.dt, world.pool) = (created.datatoken, created.pool);
        world.chain.restore(&world.base).unwrap();
        world
            .chain
            .send(trader, ocean, &Erc20::approveCall { spender: world.pool, amount: U256::MAX })
            .unwrap();
        world.base = world.chain.snapshot().unwrap();
        world
    }

    pub(crate) fn ocean(&self) -> Address {
        self.market.ocean.address
    }

    pub(crate) fn bot(&self) -> Address {
        self.market.side_staking
    }

    /// Ocean V4 as deployed: 50/50 weights, no burn-in, LP fee 0.1%, no soft
    /// cap, no vesting; D0 = B0 * rate; cap 4 D0 (room for the bot to
    /// mirror any stake), publish-market fee to its own collector.
    pub(crate) fn params(&self, base_amount: U256, rate: U256) -> AssetParams {
        let fifty_fifty = e18(25);
        AssetParams {
            name: "DT".into(),
            symbol: "DT".into(),
            cap: U256::from(4) * base_amount * rate / ONE,
            baseToken: self.ocean(),
            baseAmount: base_amount,
            rate,
            lpFee: LP_FEE,
            publishMarketFee: U256::ZERO,
            vestingAmount: U256::ZERO,
            vestingBlocks: U256::ZERO,
            dtStartWeight: fifty_fifty,
            baseStartWeight: fifty_fifty,
            dtEndWeight: fifty_fifty,
            baseEndWeight: fifty_fifty,
            burnInSeconds: U256::ZERO,
            softCap: U256::ZERO,
            feeSlope: U256::ZERO,
            volumeHalfLifeSeconds: U256::ZERO,
            paymentCollector: Address::ZERO,
            publishMarketFeeCollector: self.publish_market,
        }
    }

    /// Restore the prepared state and create the asset.
    pub(crate) fn create(&mut self, params: AssetParams) {
        self.chain.restore(&self.base).unwrap();
        let created = self.chain.send(self.publisher, self.market.factory, &create(params)).expect("create");
        assert_eq!((created.datatoken, created.pool), (self.dt, self.pool), "the asset lands where expected");
    }

    /// The publisher claims its whole (already vested) premine and hands it
    /// to the trader, who approves the pool for it.
    pub(crate) fn give_premine_to_trader(&mut self) {
        let (bot, dt) = (self.bot(), self.dt);
        let amount =
            self.chain.send(self.trader, bot, &SideStaking::claimVestingCall { datatoken: dt }).unwrap();
        self.chain.send(self.publisher, dt, &Erc20::transferCall { to: self.trader, amount }).unwrap();
        self.chain
            .send(self.trader, dt, &Erc20::approveCall { spender: self.pool, amount: U256::MAX })
            .unwrap();
    }

    pub(crate) fn view<C: SolCall>(&mut self, to: Address, call: &C) -> C::Return {
        self.chain.view(to, call).unwrap()
    }

    /// Current `(dt, base)` weights.
    pub(crate) fn weights(&mut self) -> (U256, U256) {
        let (pool, dt, ocean) = (self.pool, self.dt, self.ocean());
        let dt_weight = self.view(pool, &PoolV4::getDenormalizedWeightCall { token: dt });
        (dt_weight, self.view(pool, &PoolV4::getDenormalizedWeightCall { token: ocean }))
    }

    /// Price of one DT in OCEAN, without fees.
    pub(crate) fn dt_price(&mut self) -> U256 {
        let call = PoolV4::getSpotPriceSansFeeCall { tokenIn: self.ocean(), tokenOut: self.dt };
        self.view(self.pool, &call)
    }

    pub(crate) fn holders(&self) -> [Address; HOLDERS] {
        [
            self.publisher,
            self.trader,
            self.pool,
            self.bot(),
            self.market.community_fee_collector,
            self.publish_market,
            self.consume_market,
            self.payment,
        ]
    }

    /// Every balance the properties talk about.
    pub(crate) fn ledger(&mut self) -> Ledger {
        let (holders, pool) = (self.holders(), self.pool);
        let tokens = [self.ocean(), self.dt, pool];
        let record = |chain: &mut Chain, token| chain.view(pool, &PoolV4::getBalanceCall { token }).unwrap();
        Ledger::read(&mut self.chain, tokens, holders, record, Some(BOT))
    }
}

pub(crate) fn create(p: AssetParams) -> PoolV4Factory::createAssetCall {
    PoolV4Factory::createAssetCall { p }
}

thread_local! {
    static WORLD: RefCell<World> = RefCell::new(World::new());
}

pub(crate) fn with_world(f: impl FnOnce(&mut World)) {
    WORLD.with(|world| f(&mut world.borrow_mut()));
}

/// Swap exactly `a` of `token_in` for at least `min_out` of `token_out`,
/// with no price limit and no consume-market fee.
pub(crate) fn swap_in(
    token_in: Address,
    a: U256,
    token_out: Address,
    min_out: U256,
) -> PoolV4::swapExactAmountInCall {
    PoolV4::swapExactAmountInCall {
        tokenIn: token_in,
        tokenAmountIn: a,
        tokenOut: token_out,
        minAmountOut: min_out,
        maxPrice: U256::MAX,
        consumeMarketFeeCollector: Address::ZERO,
        consumeMarketFee: U256::ZERO,
    }
}

/// An 18-decimal fixed-point number.
pub(crate) fn fixed(x: f64) -> U256 {
    U256::from((x * 1e18) as u128)
}

/// The weights and burn-in of `s`.
pub(crate) fn with_schedule(mut p: AssetParams, s: &Schedule) -> AssetParams {
    (p.dtStartWeight, p.baseStartWeight, p.dtEndWeight, p.baseEndWeight) =
        (s.dt_start, s.base_start, s.dt_end, s.base_end);
    p.burnInSeconds = U256::from(s.seconds);
    p
}

/// Adds a premine of `amount` vesting over `blocks` (on top of the cap).
pub(crate) fn with_vesting(mut p: AssetParams, amount: U256, blocks: u64) -> AssetParams {
    p.cap += amount;
    p.vestingAmount = amount;
    p.vestingBlocks = U256::from(blocks);
    p
}

/// The one event `E` that `emitter` logged in `receipt`.
pub(crate) fn event<E: SolEvent>(receipt: &Receipt, emitter: Address) -> E {
    let mut found = receipt
        .logs
        .iter()
        .filter(|log: &&Log| log.address == emitter && log.topics().first() == Some(&E::SIGNATURE_HASH))
        .map(|log| E::decode_log(log).expect("decode event").data);
    let first = found.next().expect("the event was emitted");
    assert!(found.next().is_none(), "the event was emitted once");
    first
}
