//! Ocean V3 datatokens in the embedded EVM: the cap, the two-step minter
//! change, the exact `startOrder` fee split; the datatoken factory; the
//! community fee collector; and the EIP-170 code-size limit of every
//! contract the project ships.

use alloy_primitives::{Address, Log, U256};
use alloy_sol_types::{SolCall, SolEvent};
use proptest::prelude::*;
use tokenspice::artifacts::{deploy_own, own_artifact, OWN_CONTRACTS};
use tokenspice::chain::{address_for, Backend, Chain, ChainError, RevertReason, GOD};
use tokenspice::models::ocean::contracts::v3::{
    CommunityFeeCollector, Datatoken, DatatokenFactory, WeightedPool,
};
use tokenspice::models::ocean::contracts::OceanV3;
use tokenspice::models::ocean::wallet::PoolSeed;
use tokenspice::wallet::AgentWallet;

const ONE: u128 = 1_000_000_000_000_000_000;

fn e18(tokens: u64) -> U256 {
    U256::from(tokens) * U256::from(ONE)
}

/// The revert message of a failed call.
fn reason<T: std::fmt::Debug>(result: Result<T, ChainError>) -> String {
    match result {
        Err(ChainError::Reverted { reason: RevertReason::Message(message), .. }) => message,
        other => panic!("expected a revert with a message, got {other:?}"),
    }
}

/// Sends a call and returns the logs it emitted (it must succeed).
fn send_logs<C: SolCall>(chain: &mut Chain, from: Address, to: Address, call: &C) -> Vec<Log> {
    let receipt = chain.transact(from, to, call.abi_encode().into(), U256::ZERO).unwrap();
    assert!(receipt.is_success(), "{:?}", receipt.outcome);
    receipt.logs
}

/// The events of type `E` that `emitter` logged.
fn events<E: SolEvent>(logs: &[Log], emitter: Address) -> Vec<E> {
    logs.iter()
        .filter(|log| log.address == emitter && log.topics().first() == Some(&E::SIGNATURE_HASH))
        .map(|log| E::decode_log_data(&log.data).expect("decodes"))
        .collect()
}

fn balance(chain: &mut Chain, token: Address, who: Address) -> U256 {
    chain.view(token, &Datatoken::balanceOfCall(who)).unwrap()
}

struct Market {
    chain: Chain,
    market: OceanV3,
    publisher: AgentWallet,
}

fn market() -> Market {
    let mut chain = Chain::new();
    let market = OceanV3::deploy(&mut chain).expect("deploy V3");
    Market { chain, market, publisher: AgentWallet::new("publisher", 0.0) }
}

impl Market {
    fn datatoken(&mut self, cap: U256) -> Address {
        self.publisher.create_datatoken(&mut self.chain, &self.market, "Data", "DT", cap).unwrap()
    }
}

// ---------------------------------------------------------------------------
// Datatoken
// ---------------------------------------------------------------------------

#[test]
fn cap_is_enforced_to_the_wei() {
    let mut m = market();
    let zero_cap = m.publisher.create_datatoken(&mut m.chain, &m.market, "Zero", "Z", U256::ZERO);
    assert_eq!(reason(zero_cap), "Datatoken: cap is zero");

    let cap = e18(1_000) + U256::from(7);
    let dt = m.datatoken(cap);
    let (publisher, holder) = (m.publisher.address, address_for("holder"));
    assert_eq!(m.chain.view(dt, &Datatoken::capCall {}).unwrap(), cap);
    let mint = |amount: U256| Datatoken::mintCall { to: holder, amount };
    let one = U256::from(1);

    assert_eq!(reason(m.chain.send(publisher, dt, &mint(cap + one))), "Datatoken: cap exceeded");
    m.chain.send(publisher, dt, &mint(cap - one)).unwrap();
    assert_eq!(reason(m.chain.send(publisher, dt, &mint(U256::from(2)))), "Datatoken: cap exceeded");
    m.chain.send(publisher, dt, &mint(one)).unwrap();
    assert_eq!(m.chain.view(dt, &Datatoken::totalSupplyCall {}).unwrap(), cap, "minted up to the cap");
    assert_eq!(balance(&mut m.chain, dt, holder), cap);
    assert_eq!(reason(m.chain.send(publisher, dt, &mint(one))), "Datatoken: cap exceeded");
    // Burning makes room again: the cap bounds the supply, not the total ever minted.
    m.chain.send(holder, dt, &Datatoken::burnCall { amount: U256::from(5) }).unwrap();
    m.chain.send(publisher, dt, &mint(U256::from(5))).unwrap();
    assert_eq!(reason(m.chain.send(publisher, dt, &mint(one))), "Datatoken: cap exceeded");
    // Only the minter mints.
    assert_eq!(reason(m.chain.send(holder, dt, &mint(U256::ZERO))), "Datatoken: not minter");
}

#[test]
fn minter_changes_in_two_steps() {
    let mut m = market();
    let dt = m.datatoken(e18(1_000));
    let publisher = m.publisher.address;
    let (bob, carol) = (address_for("bob"), address_for("carol"));
    let mint = |to: Address| Datatoken::mintCall { to, amount: e18(1) };

    // Step 1 by anyone but the minter fails.
    let propose_bob = Datatoken::proposeMinterCall { newMinter: bob };
    assert_eq!(reason(m.chain.send(bob, dt, &propose_bob)), "Datatoken: not minter");
    assert_eq!(reason(m.chain.send(carol, dt, &propose_bob)), "Datatoken: not minter");
    // The minter proposes bob; nothing changes yet.
    let logs = send_logs(&mut m.chain, publisher, dt, &propose_bob);
    let proposed = events::<Datatoken::MinterProposed>(&logs, dt);
    assert_eq!((proposed[0].currentMinter, proposed[0].newMinter), (publisher, bob));
    assert_eq!(m.chain.view(dt, &Datatoken::proposedMinterCall {}).unwrap(), bob);
    assert_eq!(m.chain.view(dt, &Datatoken::minterCall {}).unwrap(), publisher);
    m.chain.send(publisher, dt, &mint(publisher)).unwrap();
    assert_eq!(reason(m.chain.send(bob, dt, &mint(bob))), "Datatoken: not minter");

    // Step 2 by a third party, or by the old minter, fails.
    assert_eq!(
        reason(m.chain.send(carol, dt, &Datatoken::approveMinterCall {})),
        "Datatoken: not proposed minter"
    );
    assert_eq!(
        reason(m.chain.send(publisher, dt, &Datatoken::approveMinterCall {})),
        "Datatoken: not proposed minter"
    );
    // Bob accepts.
    let logs = send_logs(&mut m.chain, bob, dt, &Datatoken::approveMinterCall {});
    let approved = events::<Datatoken::MinterApproved>(&logs, dt);
    assert_eq!((approved[0].currentMinter, approved[0].newMinter), (publisher, bob));
    assert_eq!(m.chain.view(dt, &Datatoken::minterCall {}).unwrap(), bob);
    assert!(m.chain.view(dt, &Datatoken::isMinterCall { account: bob }).unwrap());
    assert!(!m.chain.view(dt, &Datatoken::isMinterCall { account: publisher }).unwrap());
    assert_eq!(m.chain.view(dt, &Datatoken::proposedMinterCall {}).unwrap(), Address::ZERO);

    // The old minter can no longer mint or propose; the new one can.
    assert_eq!(reason(m.chain.send(publisher, dt, &mint(publisher))), "Datatoken: not minter");
    let propose_publisher = Datatoken::proposeMinterCall { newMinter: publisher };
    assert_eq!(reason(m.chain.send(publisher, dt, &propose_publisher)), "Datatoken: not minter");
    m.chain.send(bob, dt, &mint(bob)).unwrap();
    assert_eq!(balance(&mut m.chain, dt, bob), e18(1));
    // The proposal was used up.
    assert_eq!(
        reason(m.chain.send(bob, dt, &Datatoken::approveMinterCall {})),
        "Datatoken: not proposed minter"
    );
}

/// One `startOrder` from a funded consumer; checks every balance against
/// the expected split and returns (community fee, market fee, publisher's share).
fn order(m: &mut Market, dt: Address, amount: U256, market_collector: Address) -> (U256, U256, U256) {
    let consumer = address_for("consumer");
    let community = m.market.community_fee_collector;
    let publisher = m.publisher.address;
    let supply: U256 = m.chain.view(dt, &Datatoken::totalSupplyCall {}).unwrap();
    let watched = [consumer, community, market_collector, publisher];
    let before: Vec<U256> = watched.iter().map(|w| balance(&mut m.chain, dt, *w)).collect();

    let call = Datatoken::startOrderCall {
        consumer,
        amount,
        serviceId: U256::from(1),
        marketFeeCollector: market_collector,
    };
    let logs = send_logs(&mut m.chain, consumer, dt, &call);
    let after: Vec<U256> = watched.iter().map(|w| balance(&mut m.chain, dt, *w)).collect();

    let community_fee = after[1] - before[1];
    let market_fee = if market_collector.is_zero() { U256::ZERO } else { after[2] - before[2] };
    let to_publisher = after[3] - before[3];
    assert_eq!(before[0] - after[0], amount, "the consumer pays exactly the amount");
    assert_eq!(community_fee + market_fee + to_publisher, amount, "no wei lost or created");
    assert_eq!(m.chain.view(dt, &Datatoken::totalSupplyCall {}).unwrap(), supply);
    let started = events::<Datatoken::OrderStarted>(&logs, dt);
    assert_eq!(started.len(), 1);
    assert_eq!((started[0].consumer, started[0].payer, started[0].amount), (consumer, consumer, amount));
    assert_eq!((started[0].marketFeeCollector, started[0].marketFee), (market_collector, market_fee));
    (community_fee, market_fee, to_publisher)
}

/// A market with a datatoken and a consumer holding 10 of it.
fn market_with_consumer() -> (Market, Address) {
    let mut m = market();
    let dt = m.datatoken(e18(1_000_000));
    let consumer = address_for("consumer");
    m.publisher.mint_datatoken(&mut m.chain, dt, consumer, e18(10)).unwrap();
    (m, dt)
}

#[test]
fn start_order_splits_exactly_with_odd_amounts() {
    let (mut m, dt) = market_with_consumer();
    let market_collector = address_for("market");
    let u = |x: u128| U256::from(x);
    // (amount, market collector) -> (community, market, publisher); each fee
    // is floor(amount / 1000), the market's only if its collector is set.
    let cases = [
        (u(ONE), market_collector, (u(ONE / 1000), u(ONE / 1000), u(998 * ONE / 1000))),
        (u(ONE + 999), market_collector, (u(ONE / 1000), u(ONE / 1000), u(998_000_000_000_000_999))),
        (u(ONE + 999), Address::ZERO, (u(ONE / 1000), u(0), u(999_000_000_000_000_999))),
        (u(1_999), market_collector, (u(1), u(1), u(1_997))),
        (u(1_999), Address::ZERO, (u(1), u(0), u(1_998))),
        (u(1_000), market_collector, (u(1), u(1), u(998))),
        (u(999), market_collector, (u(0), u(0), u(999))),
        (u(999), Address::ZERO, (u(0), u(0), u(999))),
        (u(1), market_collector, (u(0), u(0), u(1))),
    ];
    for (amount, collector, expected) in cases {
        assert_eq!(
            order(&mut m, dt, amount, collector),
            expected,
            "amount {amount}, market collector {collector}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(1_000) })]

    /// Any amount: community = market = floor(a / 1000) (market 0 without a
    /// collector), the publisher gets the rest.
    #[test]
    fn start_order_split_for_any_amount(amount in 0_u128..=10 * ONE, with_market in any::<bool>()) {
        thread_local! {
            static WORLD: std::cell::RefCell<Option<(Market, Address, tokenspice::chain::Snapshot)>> =
                const { std::cell::RefCell::new(None) };
        }
        WORLD.with(|cell| {
            let mut slot = cell.borrow_mut();
            let (m, dt, base) = slot.get_or_insert_with(|| {
                let (mut m, dt) = market_with_consumer();
                let base = m.chain.snapshot().unwrap();
                (m, dt, base)
            });
            m.chain.restore(base).unwrap();
            let collector = if with_market { address_for("market") } else { Address::ZERO };
            let amount = U256::from(amount);
            let fee = amount / U256::from(1_000);
            let market_fee = if with_market { fee } else { U256::ZERO };
            assert_eq!(order(m, *dt, amount, collector), (fee, market_fee, amount - fee - market_fee));
        });
    }
}

// ---------------------------------------------------------------------------
// Factory and fee collector
// ---------------------------------------------------------------------------

#[test]
fn factory_emits_token_created_and_counts_tokens() {
    let mut m = market();
    let factory = m.market.datatoken_factory;
    let publisher = m.publisher.address;
    assert_eq!(m.chain.view(factory, &DatatokenFactory::tokenCountCall {}).unwrap(), U256::ZERO);

    let mut created = Vec::new();
    for (i, cap) in [e18(1_000), U256::from(1)].into_iter().enumerate() {
        let (name, symbol) = (format!("Dataset {i}"), format!("DT{i}"));
        let call = DatatokenFactory::createTokenCall { name: name.clone(), symbol: symbol.clone(), cap };
        let receipt = m.chain.transact(publisher, factory, call.abi_encode().into(), U256::ZERO).unwrap();
        let logs = receipt.logs.clone();
        let token = receipt.decode::<DatatokenFactory::createTokenCall>(factory).unwrap();
        let events = events::<DatatokenFactory::TokenCreated>(&logs, factory);
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!((event.token, event.creator, event.cap), (token, publisher, cap));
        assert_eq!((&event.name, &event.symbol), (&name, &symbol));
        assert_eq!(m.chain.view(factory, &DatatokenFactory::tokenCountCall {}).unwrap(), U256::from(i + 1));

        // The clone is a 45-byte EIP-1167 proxy, initialised for the caller.
        assert_eq!(m.chain.code(token).len(), 45);
        assert_eq!(m.chain.view(token, &Datatoken::nameCall {}).unwrap(), name);
        assert_eq!(m.chain.view(token, &Datatoken::symbolCall {}).unwrap(), symbol);
        assert_eq!(m.chain.view(token, &Datatoken::minterCall {}).unwrap(), publisher);
        assert_eq!(m.chain.view(token, &Datatoken::capCall {}).unwrap(), cap);
        let collector = m.chain.view(token, &Datatoken::communityFeeCollectorCall {}).unwrap();
        assert_eq!(collector, m.market.community_fee_collector);
        let again = Datatoken::initializeCall {
            name_: "Hijack".into(),
            symbol_: "H".into(),
            minter_: address_for("thief"),
            cap_: U256::MAX,
            communityFeeCollector_: address_for("thief"),
        };
        assert_eq!(
            reason(m.chain.send(address_for("thief"), token, &again)),
            "Datatoken: already initialized"
        );
        created.push(token);
    }
    assert_ne!(created[0], created[1], "every token is a new contract");
    // The template itself is locked.
    let again = Datatoken::initializeCall {
        name_: "T".into(),
        symbol_: "T".into(),
        minter_: publisher,
        cap_: U256::from(1),
        communityFeeCollector_: publisher,
    };
    assert_eq!(
        reason(m.chain.send(publisher, m.market.datatoken_template, &again)),
        "Datatoken: already initialized"
    );
    // A rejected creation (cap 0) does not count.
    let zero = m.publisher.create_datatoken(&mut m.chain, &m.market, "Z", "Z", U256::ZERO);
    assert_eq!(reason(zero), "Datatoken: cap is zero");
    assert_eq!(m.chain.view(factory, &DatatokenFactory::tokenCountCall {}).unwrap(), U256::from(2));
}

#[test]
fn community_fee_collector_pays_only_its_owner() {
    // As in Ocean V3's OPFCommunityFeeCollector, a withdrawal may be
    // triggered by anyone but always pays the owner; only the owner can
    // change the owner.
    let (mut m, dt) = market_with_consumer();
    let collector = m.market.community_fee_collector;
    let stranger = address_for("stranger");
    assert_eq!(m.chain.view(collector, &CommunityFeeCollector::ownerCall {}).unwrap(), GOD);
    order(&mut m, dt, e18(5), Address::ZERO);
    let fees = balance(&mut m.chain, dt, collector);
    assert_eq!(fees, e18(5) / U256::from(1_000));

    // The owner withdraws.
    m.chain.send(GOD, collector, &CommunityFeeCollector::withdrawTokenCall { token: dt }).unwrap();
    assert_eq!(balance(&mut m.chain, dt, GOD), fees);
    assert_eq!(balance(&mut m.chain, dt, collector), U256::ZERO);

    // A stranger's withdrawal cannot divert anything: it pays the owner.
    order(&mut m, dt, e18(3), Address::ZERO);
    m.chain.send(stranger, collector, &CommunityFeeCollector::withdrawTokenCall { token: dt }).unwrap();
    assert_eq!(balance(&mut m.chain, dt, stranger), U256::ZERO);
    assert_eq!(balance(&mut m.chain, dt, GOD), fees + e18(3) / U256::from(1_000));

    // Only the owner changes the owner.
    let new_owner = address_for("new owner");
    let change = CommunityFeeCollector::changeOwnerCall { newOwner: stranger };
    assert_eq!(reason(m.chain.send(stranger, collector, &change)), "CommunityFeeCollector: not owner");
    let zero = CommunityFeeCollector::changeOwnerCall { newOwner: Address::ZERO };
    assert_eq!(reason(m.chain.send(GOD, collector, &zero)), "CommunityFeeCollector: zero address");
    m.chain.send(GOD, collector, &CommunityFeeCollector::changeOwnerCall { newOwner: new_owner }).unwrap();
    assert_eq!(reason(m.chain.send(GOD, collector, &change)), "CommunityFeeCollector: not owner");

    // ETH too goes to the (new) owner, whoever triggers it.
    m.chain.set_eth_balance(stranger, e18(1)).unwrap();
    m.chain.transact(stranger, collector, Default::default(), e18(1)).unwrap().into_output().unwrap();
    m.chain.send(stranger, collector, &CommunityFeeCollector::withdrawETHCall {}).unwrap();
    assert_eq!(m.chain.eth_balance(new_owner).unwrap(), e18(1));
    assert_eq!(m.chain.eth_balance(collector).unwrap(), U256::ZERO);
    order(&mut m, dt, e18(2), Address::ZERO);
    m.chain.send(GOD, collector, &CommunityFeeCollector::withdrawTokenCall { token: dt }).unwrap();
    assert_eq!(balance(&mut m.chain, dt, new_owner), e18(2) / U256::from(1_000));
}

// ---------------------------------------------------------------------------
// Code size (EIP-170: runtime code of at most 24,576 bytes)
// ---------------------------------------------------------------------------

const MAX_CODE_SIZE: usize = 24_576;

fn runtime_len(name: &str) -> usize {
    let artifact = own_artifact(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    artifact.runtime_code().unwrap_or_else(|e| panic!("{name}: {e}")).map_or(0, |code| code.len())
}

#[test]
fn no_shipped_contract_exceeds_the_code_size_limit() {
    let mut checked = 0;
    for (name, _, _) in OWN_CONTRACTS {
        let len = runtime_len(name);
        assert!(len <= MAX_CODE_SIZE, "{name}: runtime code of {len} bytes exceeds {MAX_CODE_SIZE}");
        checked += usize::from(len > 0);
    }
    assert!(checked >= 7, "the V3 contracts and OCEAN have runtime code ({checked} checked)");
}

#[test]
fn deployed_v3_system_fits_the_code_size_limit() {
    let mut m = market();
    let dt = m.datatoken(e18(1_000));
    let publisher = m.publisher.address;
    m.publisher.mint_datatoken(&mut m.chain, dt, publisher, e18(100)).unwrap();
    m.market.ocean.mint(&mut m.chain, publisher, e18(1_000)).unwrap();
    let seed = PoolSeed {
        datatoken_amount: e18(100),
        datatoken_weight: e18(3),
        ocean_amount: e18(1_000),
        ocean_weight: e18(7),
        swap_fee: U256::from(ONE / 1_000),
    };
    let pool = m.publisher.create_pool(&mut m.chain, &m.market, dt, &seed).unwrap();
    assert!(m.chain.view(pool, &WeightedPool::isFinalizedCall {}).unwrap());
    let harness = deploy_own(&mut m.chain, "BalancerMathHarness", &[]).unwrap();

    let v3 = &m.market;
    let deployed = [
        ("OceanToken", v3.ocean.address),
        ("CommunityFeeCollector", v3.community_fee_collector),
        ("Datatoken", v3.datatoken_template),
        ("WeightedPool", v3.pool_template),
        ("DatatokenFactory", v3.datatoken_factory),
        ("PoolFactory", v3.pool_factory),
        ("BalancerMathHarness", harness),
    ];
    for (name, address) in deployed {
        let len = m.chain.code(address).len();
        assert!(len > 0 && len <= MAX_CODE_SIZE, "{name} at {address}: {len} bytes");
        // Immutables are filled in at deployment, so only the length must match.
        assert_eq!(len, runtime_len(name), "{name}: deployed code = artifact runtime code");
    }
    for clone in [dt, pool] {
        assert_eq!(m.chain.code(clone).len(), 45, "clones are EIP-1167 minimal proxies");
    }
}
