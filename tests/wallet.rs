//! `AgentWallet` against the real OCEAN token in the embedded EVM.

use alloy_primitives::U256;
use tokenspice::chain::{Backend, Chain, ChainError};
use tokenspice::models::ocean::contracts::Ocean;
use tokenspice::wallet::{from_base18, to_base18, AgentWallet};

#[test]
fn wallet_moves_ocean_and_eth_and_reads_balances() -> anyhow::Result<()> {
    let mut chain = Chain::new();
    let ocean = Ocean::deploy(&mut chain)?;
    let alice = AgentWallet::new("alice", 100.0);
    let bob = AgentWallet::new("bob", 0.0);
    assert_ne!(alice.address, bob.address);
    assert_eq!(alice.address, AgentWallet::new("alice", 5.0).address, "EOA derives from the name");

    ocean.mint(&mut chain, alice.address, to_base18(1_000.0)?)?;
    alice.transfer_token(&mut chain, ocean.address, bob.address, to_base18(2.5)?)?;
    assert_eq!(from_base18(alice.token_balance(&mut chain, ocean.address)?), 997.5);
    assert_eq!(bob.token_balance(&mut chain, ocean.address)?, to_base18(2.5)?);
    assert_eq!(ocean.total_supply(&mut chain)?, to_base18(1_000.0)?);

    let overdraft = bob.transfer_token(&mut chain, ocean.address, alice.address, to_base18(3.0)?);
    assert!(matches!(overdraft, Err(ChainError::Reverted { .. })));
    assert_eq!(bob.token_balance(&mut chain, ocean.address)?, to_base18(2.5)?, "a revert moves nothing");

    alice.ensure_allowance(&mut chain, ocean.address, bob.address, to_base18(10.0)?)?;
    let allowance: U256 = chain.view(
        ocean.address,
        &tokenspice::wallet::Erc20::allowanceCall { owner: alice.address, spender: bob.address },
    )?;
    assert_eq!(allowance, U256::MAX);

    chain.set_eth_balance(alice.address, to_base18(1.0)?)?;
    alice.transfer_eth(&mut chain, bob.address, to_base18(0.25)?)?;
    assert_eq!(bob.eth(&mut chain)?, to_base18(0.25)?);
    assert_eq!(alice.eth(&mut chain)?, to_base18(0.75)?);
    Ok(())
}
