//! The ERC20 from `out/` in the embedded EVM: conservation over 1,000 EOAs,
//! decoded reverts, exact snapshot/restore, what-ifs, and recorded
//! executions replayed on bare revm.

#[path = "support/erc20_world.rs"]
mod erc20_world;

use alloy_primitives::{Address, U256};
use erc20_world::{balance, balances, disturb, fund, next, token_init_code};
use tokenspice::chain::{
    address_for, Backend, Chain, ChainError, Execution, RawEvm, RevertReason, GOD, GOD_ETH,
};
use tokenspice::models::ocean::contracts::OceanToken;

const HOLDERS: usize = 1_000;

fn deploy_token(chain: &mut Chain) -> Address {
    chain.deploy_contract(GOD, token_init_code()).expect("deploy")
}

fn holders() -> Vec<Address> {
    erc20_world::holders("holder", HOLDERS)
}

#[test]
fn transfers_between_1000_eoas_conserve_supply() {
    let mut chain = Chain::new();
    let token = deploy_token(&mut chain);
    let holders = holders();
    for (i, who) in holders.iter().enumerate() {
        let amount = U256::from(1_000 + i as u64) * U256::from(10u64.pow(18));
        chain.send(GOD, token, &OceanToken::mintCall { to: *who, amount }).expect("mint");
    }
    let supply: U256 = chain.view(token, &OceanToken::totalSupplyCall {}).expect("supply");
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut successes = 0;
    for _ in 0..5_000 {
        let from = holders[(next(&mut state) % HOLDERS as u64) as usize];
        let to = holders[(next(&mut state) % HOLDERS as u64) as usize];
        let amount = U256::from(next(&mut state) % 3_000) * U256::from(10u64.pow(17));
        let data = alloy_sol_types::SolCall::abi_encode(&OceanToken::transferCall { to, amount });
        let receipt = chain.transact(from, token, data.into(), U256::ZERO).expect("runs");
        if receipt.is_success() {
            successes += 1;
            assert!(receipt.gas_used > 21_000, "gas is metered: {}", receipt.gas_used);
            assert_eq!(receipt.logs.len(), 1, "one Transfer event");
        } else {
            assert_eq!(
                receipt.revert_reason(),
                Some(&RevertReason::Message("ERC20: insufficient balance".into()))
            );
        }
    }
    assert!(successes > 1_000, "most transfers succeed ({successes})");
    let total: U256 = holders.iter().map(|who| balance(&mut chain, token, *who)).sum();
    assert_eq!(total, supply, "balances sum to the total supply");
    assert_eq!(supply, U256::from(1_000 * 1_000 + 999 * 1_000 / 2) * U256::from(10u64.pow(18)));
}

#[test]
fn revert_carries_decoded_reason_and_changes_nothing() {
    let mut chain = Chain::new();
    let token = deploy_token(&mut chain);
    let alice = address_for("alice");
    let bob = address_for("bob");
    chain.send(GOD, token, &OceanToken::mintCall { to: alice, amount: U256::from(5) }).unwrap();

    let call = OceanToken::transferCall { to: bob, amount: U256::from(6) };
    let error = chain.send(alice, token, &call).expect_err("overdraft reverts");
    match error {
        ChainError::Reverted { reason, gas_used } => {
            assert_eq!(reason.message(), Some("ERC20: insufficient balance"));
            assert!(gas_used > 21_000);
        }
        other => panic!("expected a revert, got {other}"),
    }
    let not_minter = chain.send(alice, token, &OceanToken::mintCall { to: alice, amount: U256::from(1) });
    assert!(matches!(not_minter, Err(ChainError::Reverted { reason: RevertReason::Message(m), .. })
        if m == "OceanToken: caller is not the minter"));
    assert_eq!(balance(&mut chain, token, alice), U256::from(5));
    assert_eq!(balance(&mut chain, token, bob), U256::ZERO);
}

#[test]
fn snapshot_and_restore_return_state_exactly() {
    let mut chain = Chain::new();
    let token = deploy_token(&mut chain);
    let holders = &holders()[..50];
    fund(&mut chain, token, holders);
    let snapshot = chain.snapshot().unwrap();
    let before = balances(&mut chain, token, holders);
    let (block, time, nonce) = (chain.block_number(), chain.timestamp(), chain.nonce(holders[0]));

    let later = disturb(&mut chain, token, holders);
    assert_ne!(balance(&mut chain, token, holders[0]), before[0]);

    chain.restore(&snapshot).unwrap();
    assert_eq!(balances(&mut chain, token, holders), before);
    assert_eq!((chain.block_number(), chain.timestamp(), chain.nonce(holders[0])), (block, time, nonce));
    assert_eq!(chain.eth_balance(holders[0]).unwrap(), U256::from(7));
    assert!(chain.code(later).is_empty(), "a contract deployed after the snapshot is gone");
    assert!(!chain.code(token).is_empty());
    // The same deployment after restoring lands at the same address again.
    assert_eq!(deploy_token(&mut chain), later);
}

#[test]
fn advance_moves_block_and_time_and_eth_moves_by_value() {
    let mut chain = Chain::new();
    let (n0, t0) = (chain.block_number(), chain.timestamp());
    chain.advance(86_400);
    assert_eq!((chain.block_number(), chain.timestamp()), (n0 + 1, t0 + 86_400));

    let alice = address_for("alice");
    chain.set_eth_balance(alice, U256::from(10u64.pow(18))).unwrap();
    let bob = address_for("bob");
    let receipt = chain.transact(alice, bob, Default::default(), U256::from(250)).unwrap();
    assert!(receipt.is_success());
    assert_eq!(chain.eth_balance(bob).unwrap(), U256::from(250));
    assert_eq!(chain.eth_balance(alice).unwrap(), U256::from(10u64.pow(18) - 250), "gas costs no ETH");
    let too_much = chain.transact(bob, alice, Default::default(), U256::from(251));
    assert!(matches!(too_much, Err(ChainError::InvalidTransaction { .. })), "{too_much:?}");
}

#[test]
fn what_if_sees_its_own_transactions_and_leaves_nothing_behind() {
    let mut chain = Chain::new();
    let token = deploy_token(&mut chain);
    let (alice, bob) = (address_for("alice"), address_for("bob"));
    chain.send(GOD, token, &OceanToken::mintCall { to: alice, amount: U256::from(100) }).unwrap();
    let gas_before = chain.gas_used_total();
    let seen = chain.what_if(|chain| {
        chain.send(GOD, token, &OceanToken::mintCall { to: bob, amount: U256::from(7) }).unwrap();
        chain.send(alice, token, &OceanToken::transferCall { to: bob, amount: U256::from(30) }).unwrap();
        let reverted =
            chain.send(bob, token, &OceanToken::transferCall { to: alice, amount: U256::from(1_000) });
        assert!(reverted.is_err(), "a revert inside a what-if is still a revert");
        (balance(chain, token, alice), balance(chain, token, bob))
    });
    assert_eq!(seen, (U256::from(70), U256::from(37)), "later transactions see earlier ones");
    assert_eq!(balance(&mut chain, token, alice), U256::from(100));
    assert_eq!(balance(&mut chain, token, bob), U256::ZERO);
    assert_eq!(chain.gas_used_total(), gas_before);
    // Committing still works afterwards.
    chain.send(alice, token, &OceanToken::transferCall { to: bob, amount: U256::from(1) }).unwrap();
    assert_eq!(balance(&mut chain, token, bob), U256::from(1));
}

#[test]
fn recorded_executions_replay_on_bare_revm_with_the_same_outcomes() {
    let mut chain = Chain::new();
    chain.start_recording();
    let token = deploy_token(&mut chain);
    let (alice, bob) = (address_for("alice"), address_for("bob"));
    let all = U256::from(100);
    chain.send(GOD, token, &OceanToken::mintCall { to: alice, amount: all }).unwrap();
    // Two what-ifs back to back, each spending alice's whole balance: the
    // second (and the commit after them) succeed only if the first is dropped.
    for _ in 0..2 {
        chain.what_if(|chain| {
            chain.send(alice, token, &OceanToken::transferCall { to: bob, amount: all }).unwrap();
            let broke =
                chain.send(alice, token, &OceanToken::transferCall { to: bob, amount: U256::from(1) });
            assert!(broke.is_err());
        });
    }
    assert_eq!(balance(&mut chain, token, alice), all);
    assert_eq!(balance(&mut chain, token, alice), all, "the second read is a cache hit, not recorded");
    chain.send(alice, token, &OceanToken::transferCall { to: bob, amount: all }).unwrap();

    let recorded = chain.take_recording();
    let kinds: Vec<Execution> = recorded.iter().map(|tx| tx.execution).collect();
    let what_if = |opens| Execution::WhatIf { opens };
    assert_eq!(
        kinds,
        [
            Execution::Committed,
            Execution::Committed,
            what_if(true),
            what_if(false),
            what_if(true),
            what_if(false),
            Execution::Call,
            Execution::Committed
        ]
    );
    let successes: Vec<bool> = recorded.iter().map(|tx| tx.success).collect();
    assert_eq!(successes, [true, true, true, false, true, false, true, true]);
    let mut raw = RawEvm::new();
    raw.fund(GOD, U256::from(GOD_ETH));
    assert_eq!(raw.replay(&recorded), successes);
}
