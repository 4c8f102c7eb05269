//! The JSON-RPC backend against a real anvil (installed from npm by
//! `scripts/anvil.sh`): the same ERC20 scenario on the embedded [`Chain`] and
//! on [`RpcChain`] gives the same addresses, receipts (outcome, revert
//! reason, gas, logs), balances and block clock; snapshots restore twice.
//! Each test runs in both mining modes: one block per transaction and a
//! batch of transactions per block.

#[path = "support/erc20_world.rs"]
mod erc20_world;
#[path = "support/node_scenarios.rs"]
mod node_scenarios;

use alloy_primitives::{Bytes, U256};
use erc20_world::{balance, token_init_code};
use node_scenarios::{anvil_binary, edge_cases, holders, scenario, snapshot_rounds, HOLDERS, TRANSFERS};
use std::time::Instant;
use tokenspice::chain::{
    AnvilProcess, Backend, Chain, ChainError, Mining, Outcome, RequestLog, RevertReason, RpcChain,
    GENESIS_TIMESTAMP, GOD, GOD_ETH,
};
use tokenspice::models::ocean::contracts::OceanToken;

/// Both mining modes.
const MODES: [Mining; 2] = [Mining::PerTransaction, Mining::PerTick];

/// A fresh anvil and an [`RpcChain`] on it (the process is killed when dropped).
fn rpc_chain(mining: Mining) -> Option<(AnvilProcess, RpcChain)> {
    let binary = anvil_binary()?;
    let anvil = AnvilProcess::start(&binary).expect("anvil starts");
    let chain = RpcChain::connect_with(anvil.url(), mining, RequestLog::default()).expect("connect to anvil");
    Some((anvil, chain))
}

#[test]
fn erc20_scenario_is_identical_on_embedded_and_rpc() {
    for mining in MODES {
        erc20_scenario_is_identical(mining);
    }
}

fn erc20_scenario_is_identical(mining: Mining) {
    let Some((anvil, mut rpc)) = rpc_chain(mining) else { return };
    let mut embedded = Chain::new();
    let (expected, embedded_seconds) = scenario(&mut embedded);
    let (actual, rpc_seconds) = scenario(&mut rpc);

    // The scenario is what it claims to be.
    let overdraft = RevertReason::Message("ERC20: insufficient balance".into());
    let reverts = expected.receipts.iter().filter(|r| r.revert_reason() == Some(&overdraft)).count();
    let successes = expected.receipts.iter().filter(|r| r.is_success()).count();
    assert!(reverts >= 20 && successes >= 1 + HOLDERS + 50, "{reverts} overdrafts, {successes} successes");
    assert_eq!(expected.receipts.len(), 1 + HOLDERS + TRANSFERS);
    assert_eq!(
        expected.clock,
        vec![
            (0, GENESIS_TIMESTAMP),
            (0, GENESIS_TIMESTAMP),
            (0, GENESIS_TIMESTAMP),
            (1, GENESIS_TIMESTAMP + 3_600),
            (1, GENESIS_TIMESTAMP + 3_600)
        ]
    );
    assert_eq!(expected.god_eth, U256::from(GOD_ETH));

    // Same address, clock, balances, ETH.
    assert_eq!(actual.token, expected.token, "contract address");
    assert_eq!(actual.clock, expected.clock, "block number / timestamp progression");
    assert_eq!(actual.balances, expected.balances, "token balances");
    assert_eq!(actual.supply, expected.supply, "total supply");
    assert_eq!(actual.god_eth, expected.god_eth, "GOD's ETH (gas costs nothing on either)");
    // Same receipts, one by one: outcome (return data, created address,
    // decoded revert reason), gas used and logs.
    for (i, (rpc_receipt, embedded_receipt)) in actual.receipts.iter().zip(&expected.receipts).enumerate() {
        assert_eq!(rpc_receipt, embedded_receipt, "receipt {i}");
    }

    // The node itself: its latest block has the simulation's timestamp; it
    // mined one block per transaction plus the one of `advance`, or, batched,
    // the deployment alone and the 150 transactions before `advance` and the
    // 100 after it in blocks of 9 (the replay budget: 0 + 1 + ... + 8 >= 32).
    assert_eq!(rpc.node_timestamp().unwrap(), rpc.timestamp());
    let blocks = match mining {
        Mining::PerTransaction => 1 + HOLDERS + TRANSFERS + 1,
        Mining::PerTick | Mining::Mirrored => {
            1 + (HOLDERS + TRANSFERS / 2).div_ceil(9) + (TRANSFERS / 2).div_ceil(9)
        }
    };
    assert_eq!(rpc.node_block_number().unwrap(), blocks as u64, "{mining:?}");

    // Per-call speed of the RPC backend.
    let token = actual.token;
    let views = 500;
    let started = Instant::now();
    for who in holders().iter().cycle().take(views) {
        balance(&mut rpc, token, *who);
    }
    let view_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{mining:?}: transfers: RpcChain {:.0}/s ({:.2} ms each), embedded {:.0}/s; balanceOf views: RpcChain {:.0}/s",
        TRANSFERS as f64 / rpc_seconds,
        rpc_seconds * 1e3 / TRANSFERS as f64,
        TRANSFERS as f64 / embedded_seconds,
        views as f64 / view_seconds,
    );
    drop(rpc);
    drop(anvil);
}

#[test]
fn snapshot_restores_twice_on_rpc() {
    for mining in MODES {
        snapshot_restores_twice(mining);
    }
}

fn snapshot_restores_twice(mining: Mining) {
    let Some((_anvil, mut chain)) = rpc_chain(mining) else { return };
    let node_time =
        |chain: &mut RpcChain, clock: (u64, u64)| assert_eq!(chain.node_timestamp().unwrap(), clock.1);
    let (token, holders, before) = snapshot_rounds(&mut chain, node_time);
    // A snapshot taken after a restore works as well.
    let again = chain.snapshot().unwrap();
    chain
        .send(holders[0], token, &OceanToken::transferCall { to: holders[1], amount: U256::from(1) })
        .unwrap();
    chain.restore(&again).unwrap();
    assert_eq!(balance(&mut chain, token, holders[0]), before[0]);
}

#[test]
fn edge_cases_match_the_embedded_chain() {
    for mining in MODES {
        edge_cases_match(mining);
    }
}

fn edge_cases_match(mining: Mining) {
    let Some((_anvil, mut rpc)) = rpc_chain(mining) else { return };
    let expected = edge_cases(&mut Chain::new());
    let actual = edge_cases(&mut rpc);
    assert_eq!(actual, expected, "{mining:?}");
    assert!(expected[4].contains("OceanToken: caller is not the minter"), "{}", expected[4]);
    assert!(expected[2].contains("ERC20: insufficient balance"), "{}", expected[2]);
    assert!(expected[7].contains("Revert(Empty)") && expected[8].contains("Halt(\"InvalidFEOpcode\")"));
    // A mined transaction's halt reason comes from the node's trace, in its words.
    let halt = rpc.deploy(GOD, Bytes::from_static(&[0xfe])).unwrap();
    assert_eq!(halt.outcome, Outcome::Halt("Bad instruction".into()));
}

#[test]
fn a_lost_node_gives_backend_errors_not_panics() {
    for mining in MODES {
        a_lost_node_gives_backend_errors(mining);
    }
}

fn a_lost_node_gives_backend_errors(mining: Mining) {
    let Some((anvil, mut chain)) = rpc_chain(mining) else { return };
    let token = chain.deploy_contract(GOD, token_init_code()).unwrap();
    // Batched, this waits in the pending block: `advance` has something to mine.
    let mint = OceanToken::mintCall { to: GOD, amount: U256::from(1) };
    chain.send(GOD, token, &mint).unwrap();
    let unreachable = RpcChain::connect("http://127.0.0.1:1");
    assert!(
        matches!(&unreachable, Err(ChainError::Backend(m)) if m.starts_with("eth_chainId")),
        "{unreachable:?}"
    );
    let missing = AnvilProcess::start(std::path::Path::new("/nonexistent/anvil"));
    assert!(matches!(missing, Err(ChainError::Backend(_))));

    drop(anvil); // killed
    let (block, time) = (chain.block_number(), chain.timestamp());
    chain.advance(60);
    assert_eq!((chain.block_number(), chain.timestamp()), (block, time), "a failed advance moves nothing");
    // The failed advance is reported by the next call that can fail, then the call's own failure.
    let deferred = chain.eth_balance(GOD);
    let failed = match mining {
        Mining::PerTransaction => "evm_mine",
        Mining::PerTick | Mining::Mirrored => "eth_sendTransaction",
    };
    assert!(matches!(&deferred, Err(ChainError::Backend(m)) if m.starts_with(failed)), "{deferred:?}");
    let sent = chain.transact(GOD, GOD, Bytes::new(), U256::ZERO);
    let first = match mining {
        Mining::PerTransaction => "eth_sendTransaction",
        Mining::PerTick | Mining::Mirrored => "eth_simulateV1",
    };
    assert!(matches!(&sent, Err(ChainError::Backend(m)) if m.starts_with(first)), "{sent:?}");
    let snapshot = chain.snapshot();
    assert!(
        matches!(&snapshot, Err(ChainError::Backend(m)) if m.starts_with("evm_snapshot")),
        "{snapshot:?}"
    );
}
