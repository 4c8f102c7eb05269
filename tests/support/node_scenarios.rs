//! What the node backends' tests share: anvil installed from npm, and
//! scenarios generic over [`Backend`] whose traces are compared between
//! the embedded chain and a node.

use super::erc20_world::{self, balance, balances, disturb, fund, next, token_init_code};
use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;
use tokenspice::chain::{address_for, Backend, ChainError, Outcome, Receipt, GOD};
use tokenspice::models::ocean::contracts::OceanToken;

pub(crate) const HOLDERS: usize = 50;
pub(crate) const TRANSFERS: usize = 200;
pub(crate) const TOKEN: u64 = 1_000_000_000_000_000_000;

/// Install anvil (idempotent) and return its binary, or `None` without npm.
pub(crate) fn anvil_binary() -> Option<PathBuf> {
    if Command::new("npm").arg("--version").output().is_err() {
        eprintln!("SKIPPED: npm is missing, so scripts/anvil.sh cannot install anvil");
        return None;
    }
    let output = Command::new("bash")
        .arg("scripts/anvil.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run bash scripts/anvil.sh");
    assert!(output.status.success(), "scripts/anvil.sh failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let path = PathBuf::from(String::from_utf8(output.stdout).expect("utf-8 path").trim());
    assert!(path.is_file(), "scripts/anvil.sh printed {path:?}, which is not a file");
    Some(path)
}

pub(crate) fn holders() -> Vec<Address> {
    erc20_world::holders("rpc-holder", HOLDERS)
}

/// Everything the scenario observed, to compare between backends.
#[derive(Debug, PartialEq)]
pub(crate) struct Trace {
    pub(crate) token: Address,
    /// Receipts of the deployment, the mints and the transfers, in order.
    pub(crate) receipts: Vec<Receipt>,
    /// `(block number, timestamp)` at each phase.
    pub(crate) clock: Vec<(u64, u64)>,
    pub(crate) balances: Vec<U256>,
    pub(crate) supply: U256,
    pub(crate) god_eth: U256,
}

/// Deploy, mint to 50 EOAs, 200 transfers (some overdrafts) around an
/// `advance(3600)`; returns the trace and the seconds spent on transfers.
pub(crate) fn scenario<B: Backend>(chain: &mut B) -> (Trace, f64) {
    let holders = holders();
    let mut receipts = Vec::new();
    let mut clock = vec![(chain.block_number(), chain.timestamp())];
    let deployed = chain.deploy(GOD, token_init_code()).expect("deploy runs");
    let Outcome::Success { created: Some(token), .. } = deployed.outcome else {
        panic!("deployment failed: {deployed:?}");
    };
    receipts.push(deployed);
    for (i, who) in holders.iter().enumerate() {
        let amount = U256::from(1_000 + i as u64) * U256::from(TOKEN);
        let data = OceanToken::mintCall { to: *who, amount }.abi_encode();
        receipts.push(chain.transact(GOD, token, data.into(), U256::ZERO).expect("mint runs"));
    }
    clock.push((chain.block_number(), chain.timestamp()));
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let started = Instant::now();
    for i in 0..TRANSFERS {
        if i == TRANSFERS / 2 {
            clock.push((chain.block_number(), chain.timestamp()));
            chain.advance(3_600);
            clock.push((chain.block_number(), chain.timestamp()));
        }
        let from = holders[(next(&mut state) % HOLDERS as u64) as usize];
        let to = holders[(next(&mut state) % HOLDERS as u64) as usize];
        // Up to 3,000 tokens against holdings of 1,000..1,050: many overdrafts.
        let amount = U256::from(next(&mut state) % 3_000) * U256::from(TOKEN);
        let data = OceanToken::transferCall { to, amount }.abi_encode();
        receipts.push(chain.transact(from, token, data.into(), U256::ZERO).expect("transfer runs"));
    }
    let seconds = started.elapsed().as_secs_f64();
    clock.push((chain.block_number(), chain.timestamp()));
    let balances = holders.iter().map(|who| balance(chain, token, *who)).collect();
    let supply = chain.view(token, &OceanToken::totalSupplyCall {}).expect("totalSupply");
    let god_eth = chain.eth_balance(GOD).expect("GOD's ETH");
    (Trace { token, receipts, clock, balances, supply, god_eth }, seconds)
}

/// ETH transfers, a refused transaction, reverts and halts of calls and
/// deployments: the same outcomes on both backends.
pub(crate) fn edge_cases<B: Backend>(chain: &mut B) -> Vec<String> {
    let mut seen = Vec::new();
    let (alice, bob) = (address_for("rpc-alice"), address_for("rpc-bob"));
    chain.set_eth_balance(alice, U256::from(10u64.pow(18))).unwrap();
    let paid = chain.transact(alice, bob, Bytes::new(), U256::from(250)).unwrap();
    seen.push(format!("{paid:?}"));
    seen.push(format!("{} {}", chain.eth_balance(alice).unwrap(), chain.eth_balance(bob).unwrap()));
    let too_much = chain.transact(bob, alice, Bytes::new(), U256::from(251));
    assert!(matches!(too_much, Err(ChainError::InvalidTransaction { .. })), "{too_much:?}");

    let token = chain.deploy_contract(GOD, token_init_code()).unwrap();
    let overdraft = OceanToken::transferCall { to: bob, amount: U256::from(1) }.abi_encode();
    let call = chain.call(alice, token, overdraft.into()).unwrap();
    seen.push(format!("{call:?}"));
    let view = chain.call(alice, token, OceanToken::totalSupplyCall {}.abi_encode().into()).unwrap();
    seen.push(format!("{view:?}"));
    let not_minter = chain.send(alice, token, &OceanToken::mintCall { to: alice, amount: U256::from(1) });
    seen.push(format!("{not_minter:?}"));

    // Init code that reverts without data, and one that halts (INVALID).
    let empty_revert = chain.deploy(alice, Bytes::from_static(&[0x60, 0x00, 0x60, 0x00, 0xfd])).unwrap();
    seen.push(format!("{empty_revert:?}"));
    let halt = chain.deploy(alice, Bytes::from_static(&[0xfe])).unwrap();
    assert!(matches!(halt.outcome, Outcome::Halt(_)), "{halt:?}");
    seen.push(format!("halt, gas {}", halt.gas_used));

    // Calls into code that reverts without data, and into code that halts.
    let reverter = chain.deploy_contract(alice, runtime(&[0x60, 0x00, 0x60, 0x00, 0xfd])).unwrap();
    let invalid = chain.deploy_contract(alice, runtime(&[0xfe])).unwrap();
    seen.push(format!("{:?}", chain.call(alice, reverter, Bytes::new()).unwrap()));
    seen.push(format!("{:?}", chain.call(alice, invalid, Bytes::new()).unwrap()));
    seen
}

/// Init code that deploys `code` (at most 32 bytes) as the runtime code.
pub(crate) fn runtime(code: &[u8]) -> Bytes {
    let mut init = vec![0x7f]; // PUSH32 code, left-aligned
    init.extend_from_slice(code);
    init.resize(33, 0);
    // PUSH0 MSTORE PUSH1 len PUSH0 RETURN
    init.extend_from_slice(&[0x5f, 0x52, 0x60, code.len() as u8, 0x5f, 0xf3]);
    init.into()
}

/// Deploy a token and fund 10 holders, take a snapshot, then twice: change
/// things, take another snapshot, restore the first and check that the
/// balances, clock and ETH are back (and whatever `restored` checks of the
/// backend, given the snapshot's clock) and that the later snapshot is gone
/// (a node drops the snapshots taken after the one restored). Returns the
/// token, the holders and their balances at the snapshot.
pub(crate) fn snapshot_rounds<B: Backend>(
    chain: &mut B,
    mut restored: impl FnMut(&mut B, (u64, u64)),
) -> (Address, Vec<Address>, Vec<U256>) {
    let token = chain.deploy_contract(GOD, token_init_code()).unwrap();
    let holders = holders()[..10].to_vec();
    fund(chain, token, &holders);
    let snapshot = chain.snapshot().unwrap();
    let before = balances(chain, token, &holders);
    let clock = (chain.block_number(), chain.timestamp());
    let mut later_token = None;
    for round in 0..2 {
        let later = disturb(chain, token, &holders);
        assert_ne!(balance(chain, token, holders[0]), before[0]);
        assert_eq!(*later_token.get_or_insert(later), later, "round {round}: same nonce, same address");
        let after_changes = chain.snapshot().unwrap();
        chain.restore(&snapshot).unwrap();
        assert_eq!(balances(chain, token, &holders), before, "round {round}: balances");
        assert_eq!((chain.block_number(), chain.timestamp()), clock, "round {round}: clock");
        restored(chain, clock);
        assert_eq!(chain.eth_balance(holders[0]).unwrap(), U256::from(7), "round {round}: ETH");
        assert!(matches!(chain.restore(&after_changes), Err(ChainError::Backend(_))));
    }
    (token, holders, before)
}
