//! The ERC20 scenario shared by the embedded-chain and RPC-backend tests:
//! the OceanToken from `out/`, named holders, a deterministic generator, and
//! the state changes a snapshot must undo.

// Every test binary that includes this file uses a different subset of it.
#![allow(dead_code)]

use alloy_primitives::{Address, Bytes, U256};
use tokenspice::artifacts::own_artifact;
use tokenspice::chain::{address_for, Backend, GOD};
use tokenspice::models::ocean::contracts::OceanToken;

/// Init code of the OceanToken with [`GOD`] as its minter.
pub(crate) fn token_init_code() -> Bytes {
    own_artifact("OceanToken").unwrap().init_code_from_strs(&[&GOD.to_string()]).unwrap()
}

/// `count` holders with addresses derived from `prefix`.
pub(crate) fn holders(prefix: &str, count: usize) -> Vec<Address> {
    (0..count).map(|i| address_for(&format!("{prefix}-{i}"))).collect()
}

pub(crate) fn balance<B: Backend>(chain: &mut B, token: Address, who: Address) -> U256 {
    chain.view(token, &OceanToken::balanceOfCall(who)).expect("balanceOf")
}

pub(crate) fn balances<B: Backend>(chain: &mut B, token: Address, holders: &[Address]) -> Vec<U256> {
    holders.iter().map(|who| balance(chain, token, *who)).collect()
}

/// A small deterministic generator (xorshift64), so the tests need no RNG crate.
pub(crate) fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Mint 1,000 base units to each holder and give the first 7 wei of ETH:
/// the state a snapshot is taken of.
pub(crate) fn fund<B: Backend>(chain: &mut B, token: Address, holders: &[Address]) {
    for who in holders {
        chain.send(GOD, token, &OceanToken::mintCall { to: *who, amount: U256::from(1_000) }).unwrap();
    }
    chain.set_eth_balance(holders[0], U256::from(7)).unwrap();
}

/// Change what [`fund`] set up: transfers along the holders, an hour
/// later, the first holder's ETH set to 99 wei, and a new token deployed
/// (returned).
pub(crate) fn disturb<B: Backend>(chain: &mut B, token: Address, holders: &[Address]) -> Address {
    for pair in holders.windows(2) {
        chain
            .send(pair[0], token, &OceanToken::transferCall { to: pair[1], amount: U256::from(400) })
            .unwrap();
    }
    chain.advance(3_600);
    chain.set_eth_balance(holders[0], U256::from(99)).unwrap();
    chain.deploy_contract(GOD, token_init_code()).unwrap()
}
