//! The mirrored node mode against a real anvil (installed from npm by
//! `scripts/anvil.sh`, stopped by PID): the embedded EVM runs over the
//! node's latest state and the node mines what it committed. The ERC20
//! scenario and the edge cases give exactly the embedded chain's receipts,
//! balances and clock; the node itself ends up holding what the mirror
//! says (read back through a separate connection) after receiving only the
//! committed transactions; the EVM takes the node's chain id and coinbase;
//! snapshots restore twice on both; a node that
//! someone else changed behind the mirror's back stops the run with an
//! error naming the transaction; a lost node gives errors, not panics.

#[path = "support/erc20_world.rs"]
mod erc20_world;
#[path = "support/node_scenarios.rs"]
mod node_scenarios;

use alloy_primitives::{Address, Bytes, U256};
use erc20_world::{balance, balances, fund, token_init_code};
use node_scenarios::{
    anvil_binary, edge_cases, holders, runtime, scenario, snapshot_rounds, HOLDERS, TRANSFERS,
};
use tokenspice::chain::{address_for, AnvilProcess, Backend, Chain, ChainError, RequestLog, RpcChain, GOD};
use tokenspice::models::ocean::contracts::OceanToken;

/// A fresh anvil, a chain mirroring it, and the log of the mirror's requests.
fn mirrored() -> Option<(AnvilProcess, Chain, RequestLog)> {
    let binary = anvil_binary()?;
    let anvil = AnvilProcess::start(&binary).expect("anvil starts");
    let log = RequestLog::default();
    let chain = Chain::mirrored(anvil.url(), log.clone()).expect("mirror anvil");
    Some((anvil, chain, log))
}

/// Requests of `method` in `log`.
fn sent(log: &RequestLog, method: &str) -> u64 {
    log.methods().iter().filter(|row| row.0 == method).map(|row| row.1).sum()
}

#[test]
fn erc20_scenario_is_identical_on_embedded_and_a_mirrored_node() {
    let Some((anvil, mut mirror, log)) = mirrored() else { return };
    let (expected, _) = scenario(&mut Chain::new());
    let (actual, _) = scenario(&mut mirror);
    assert_eq!(actual.receipts.len(), 1 + HOLDERS + TRANSFERS);
    for (i, (got, want)) in actual.receipts.iter().zip(&expected.receipts).enumerate() {
        assert_eq!(got, want, "receipt {i}");
    }
    assert_eq!(actual, expected);
    mirror.settle().unwrap();

    // The node holds what the mirror says, read through a connection of its own.
    let mut node = RpcChain::connect(anvil.url()).unwrap();
    let on_node: Vec<U256> = holders().iter().map(|who| balance(&mut node, actual.token, *who)).collect();
    assert_eq!(on_node, expected.balances, "balances on the node");
    // Two blocks: the deployment, the mints and the transfers before
    // `advance`, then the transfers after it, mined when the run settled.
    assert_eq!(node.node_block_number().unwrap(), 2);
    assert_eq!(node.node_timestamp().unwrap(), mirror.timestamp());
    // Only the committed transactions reached the node: no call, no simulation.
    let transactions = (1 + HOLDERS + TRANSFERS) as u64;
    assert_eq!((sent(&log, "eth_sendTransaction"), sent(&log, "evm_mine_detailed")), (transactions, 2));
    assert_eq!(
        sent(&log, "eth_simulateV1") + sent(&log, "eth_simulateV1 (batches)") + sent(&log, "eth_call"),
        0
    );
}

#[test]
fn edge_cases_match_the_embedded_chain_and_reach_the_node() {
    let Some((anvil, mut mirror, _)) = mirrored() else { return };
    let expected = edge_cases(&mut Chain::new());
    assert_eq!(edge_cases(&mut mirror), expected);
    mirror.settle().unwrap();
    let mut node = RpcChain::connect(anvil.url()).unwrap();
    for who in [address_for("rpc-alice"), address_for("rpc-bob")] {
        assert_eq!(node.eth_balance(who).unwrap(), mirror.eth_balance(who).unwrap(), "{who}'s ETH");
    }
}

#[test]
fn snapshots_restore_twice_on_the_mirror_and_the_node() {
    let Some((anvil, mut chain, _)) = mirrored() else { return };
    let (token, holders, before) = snapshot_rounds(&mut chain, |_, _| {});
    // What the node holds after the restores is the snapshot's state, plus one transfer.
    chain
        .send(holders[0], token, &OceanToken::transferCall { to: holders[1], amount: U256::from(1) })
        .unwrap();
    chain.settle().unwrap();
    let mut node = RpcChain::connect(anvil.url()).unwrap();
    let mut expected = before;
    expected[0] -= U256::from(1);
    expected[1] += U256::from(1);
    assert_eq!(balances(&mut node, token, &holders), expected);
}

#[test]
fn a_node_changed_behind_the_mirror_stops_the_run_naming_the_transaction() {
    let Some((anvil, mut mirror, _)) = mirrored() else { return };
    let token = mirror.deploy_contract(GOD, token_init_code()).unwrap();
    let holders = &holders()[..2];
    fund(&mut mirror, token, holders);
    let spender = address_for("rpc-spender");
    mirror.send(holders[0], token, &OceanToken::approveCall { spender, amount: U256::MAX }).unwrap();
    mirror.advance(60);
    // Someone else moves holder 0's tokens on the node: the mirror cannot know.
    let mut other = RpcChain::connect(anvil.url()).unwrap();
    let taken = OceanToken::transferFromCall { from: holders[0], to: spender, amount: U256::from(1) };
    assert!(other.send(spender, token, &taken).unwrap());
    other.node_block_number().unwrap(); // mines it
                                        // On the mirror, holder 0 sends everything it holds there: one token more than on the node.
    let all = balance(&mut mirror, token, holders[0]);
    let spent = mirror.send(holders[0], token, &OceanToken::transferCall { to: holders[1], amount: all });
    assert!(spent.is_ok(), "{spent:?}");
    mirror.advance(60);
    let error = mirror.eth_balance(GOD).unwrap_err().to_string();
    assert!(
        error.contains("the mined block is not the one run before: transaction 0x")
            && error.contains("returned"),
        "{error}"
    );
}

#[test]
fn a_lost_node_gives_errors_not_panics() {
    // State the mirror never read cannot be read once the node is gone: an error naming the method.
    let Some((anvil, mut chain, _)) = mirrored() else { return };
    drop(anvil); // killed
    let stranger: Address = address_for("never-seen");
    let unread = chain.transact(stranger, GOD, Bytes::new(), U256::ZERO);
    assert!(matches!(&unread, Err(ChainError::Backend(m)) if m.contains("eth_getBalance")), "{unread:?}");
    assert!(Chain::mirrored("http://127.0.0.1:1", RequestLog::default()).is_err());

    let Some((anvil, mut chain, _)) = mirrored() else { return };
    let token = chain.deploy_contract(GOD, token_init_code()).unwrap();
    chain.send(GOD, token, &OceanToken::mintCall { to: GOD, amount: U256::from(1) }).unwrap();
    drop(anvil); // killed
    let (block, time) = (chain.block_number(), chain.timestamp());
    chain.advance(60);
    assert_eq!((chain.block_number(), chain.timestamp()), (block, time), "a failed advance moves nothing");
    // The failed advance is reported by the next call that can fail...
    let deferred = chain.eth_balance(GOD);
    assert!(
        matches!(&deferred, Err(ChainError::Backend(m)) if m.starts_with("eth_sendTransaction")),
        "{deferred:?}"
    );
    // ... and every later one says the node and the chain differ for good.
    let later = chain.send(GOD, token, &OceanToken::mintCall { to: GOD, amount: U256::from(1) });
    assert!(matches!(&later, Err(ChainError::Backend(m)) if m.contains("no longer mirrors")), "{later:?}");
    assert!(matches!(chain.settle(), Err(ChainError::Backend(_))));
    assert!(matches!(chain.snapshot(), Err(ChainError::Backend(_))));
}

/// One JSON-RPC request to `url` over plain HTTP; the answer's `result`.
fn node_request(url: &str, method: &str, params: serde_json::Value) -> serde_json::Value {
    use std::io::{Read, Write};
    let body =
        serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).expect("connect to anvil");
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let json = answer.split("\r\n\r\n").nth(1).expect("an HTTP body");
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    assert!(value.get("error").is_none(), "{method}: {value}");
    value["result"].clone()
}

#[test]
fn the_mirror_runs_in_the_nodes_chain_and_coinbase() {
    let Some(binary) = anvil_binary() else { return };
    let anvil = AnvilProcess::start(&binary).expect("anvil starts");
    let coinbase = address_for("rpc-coinbase");
    node_request(anvil.url(), "anvil_setChainId", serde_json::json!([31337]));
    node_request(anvil.url(), "anvil_setCoinbase", serde_json::json!([coinbase]));
    node_request(anvil.url(), "evm_mine", serde_json::json!([]));
    let mut mirror = Chain::mirrored(anvil.url(), RequestLog::default()).unwrap();
    // CHAINID COINBASE: each returned as a word.
    let chain_id = mirror.deploy_contract(GOD, runtime(&[0x46, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3])).unwrap();
    let beneficiary =
        mirror.deploy_contract(GOD, runtime(&[0x41, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3])).unwrap();
    let id = mirror.transact(GOD, chain_id, Bytes::new(), U256::ZERO).unwrap().into_output().unwrap();
    assert_eq!(U256::from_be_slice(&id), U256::from(31337));
    let miner = mirror.transact(GOD, beneficiary, Bytes::new(), U256::ZERO).unwrap().into_output().unwrap();
    assert_eq!(Address::from_word(alloy_primitives::B256::from_slice(&miner)), coinbase);
    // The node mined them and returned the same.
    mirror.settle().unwrap();
}
