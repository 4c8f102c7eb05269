//! Functions that read the simulation, checked against the embedded EVM.

use super::host::{tokens, ChainHost};
use crate::chain::{Backend, GOD};
use crate::script::{Clock, Env};
use crate::wallet::Erc20;
use alloy_json_abi::JsonAbi;
use alloy_primitives::{hex, U256};
use alloy_sol_types::SolCall;
use rhai::{Array, Dynamic, Map};

alloy_sol_types::sol! {
    /// The fee collector's owner change (an event without a uint field).
    interface OwnerChange {
        function changeOwner(address newOwner) external;
    }
}

#[test]
fn names_self_and_addresses() {
    let mut h = ChainHost::new();
    let token = h.at("token");
    assert_eq!(h.show("@token"), token.to_checksum(None));
    assert_eq!(h.show("@deployer"), GOD.to_checksum(None));
    assert_eq!(
        h.eval(&format!("addr(\"{}\") == @token", token.to_string().to_lowercase())).map(|v| v.as_bool()),
        Ok(Ok(true))
    );
    assert_eq!(h.eval("@alice != @bob").map(|v| v.as_bool()), Ok(Ok(true)));
    // `@` inside a string literal is text.
    assert_eq!(h.show("\"mail @token\" + \"@bob\""), "mail @token@bob");
    assert_eq!(h.eval("(@ token) == @token").map(|v| v.as_bool()), Ok(Ok(true)));
    assert_eq!(h.error("@nobody"), "unknown name @nobody (not in the address book)");
    assert_eq!(h.error("addr(\"0x12\")"), "addr: \"0x12\" is not an address (0x and 40 hex digits)");
    assert_eq!(h.error("self"), "`self` is only defined for an agent's expressions (no acting agent here)");
    h.this = Some(h.at("alice"));
    assert_eq!(h.eval("self == @alice").map(|v| v.as_bool()), Ok(Ok(true)));
}

#[test]
fn clock_functions() {
    let mut h = ChainHost::new();
    let start = h.chain.timestamp();
    h.clock =
        Clock { tick: 5, tick_seconds: 3600, block: 12, timestamp: start + 172_800, start_timestamp: start };
    let int = |h: &mut ChainHost, source: &str| h.eval(source).expect(source).as_int().expect(source);
    assert_eq!(int(&mut h, "tick()"), 5);
    assert_eq!(int(&mut h, "time()"), 172_800);
    assert_eq!(int(&mut h, "block()"), 12);
    assert_eq!(int(&mut h, "timestamp()"), (start + 172_800) as i64);
    assert_eq!(h.eval("days()").map(|v| v.as_float()), Ok(Ok(2.0)));
}

#[test]
fn balances_supply_allowance_and_eth_match_the_chain() {
    let mut h = ChainHost::new();
    h.mint("alice", tokens(10));
    h.mint("bob", tokens(5));
    h.transfer("alice", "bob", tokens(3));
    let (token, alice, bob) = (h.at("token"), h.at("alice"), h.at("bob"));
    h.send(alice, token, &Erc20::approveCall { spender: bob, amount: tokens(2) });
    let on_chain = |h: &mut ChainHost, who| {
        let data = Erc20::balanceOfCall { who }.abi_encode();
        U256::from_be_slice(&h.chain.call(GOD, token, data.into()).expect("call").into_output().expect("ok"))
    };
    assert_eq!(h.show("balance(@token, @alice)"), on_chain(&mut h, alice).to_string());
    assert_eq!(h.show("balance(@token, @alice)"), tokens(7).to_string());
    assert_eq!(h.show("balance(@token, @bob)"), tokens(8).to_string());
    assert_eq!(h.show("total_supply(@token)"), tokens(15).to_string());
    assert_eq!(h.show("allowance(@token, @alice, @bob)"), tokens(2).to_string());
    assert_eq!(h.show("allowance(@token, @bob, @alice)"), "0");
    assert_eq!(h.show("eth_balance(@deployer)"), h.chain.eth_balance(GOD).expect("eth").to_string());
    h.chain.set_eth_balance(alice, tokens(4)).expect("faucet");
    assert_eq!(h.show("eth_balance(@alice)"), tokens(4).to_string());
    assert_eq!(h.eval("balance(@token, @alice) > to_wei(6.5)").map(|v| v.as_bool()), Ok(Ok(true)));
    assert_eq!(h.eval("from_wei(balance(@token, @bob))").map(|v| v.as_float()), Ok(Ok(8.0)));
    let no_code = h.error("balance(@alice, @bob)");
    assert_eq!(no_code, format!("balance(@alice, @bob): no code at {alice}"));
    assert_eq!(h.error("balance(@token, 5)"), "balance: who: expected an address, got int 5: a bare 0x… is a number in an expression; write addr(\"0x…\")");
}

#[test]
fn groups_name_count_copies_and_balances_sum_over_them() {
    let mut h = ChainHost::new();
    for (i, amount) in [3, 4, 5].into_iter().enumerate() {
        let name = format!("saver{i}");
        h.book.insert(name.clone(), crate::chain::address_for(&name));
        h.mint(&name, tokens(amount));
    }
    h.book.insert("saver4".into(), crate::chain::address_for("saver4")); // not consecutive: left out
    h.mint("alice", tokens(10));
    assert_eq!(h.eval("group(\"saver\").len()").map(|v| v.as_int()), Ok(Ok(3)));
    assert_eq!(h.show("group(\"alice\")"), format!("[{}]", h.at("alice").to_checksum(None)));
    assert_eq!(h.show("balance(@token, group(\"saver\"))"), tokens(12).to_string());
    assert_eq!(h.show("balance(@token, [@alice, @bob])"), tokens(10).to_string());
    assert_eq!(h.show("balance(@token, [])"), "0");
    assert_eq!(
        h.error("group(\"whale\")"),
        "group(\"whale\"): the address book has neither @whale nor @whale0"
    );
    assert_eq!(
        h.error("balance(@token, [@alice, 5])"),
        "balance: who, element 2: expected an address, got int 5: a bare 0x… is a number in an expression; write addr(\"0x…\")"
    );
}

#[test]
fn views_by_name_signature_and_stated_returns() {
    let mut h = ChainHost::new();
    h.mint("alice", tokens(2));
    let expected = tokens(2).to_string();
    assert_eq!(h.show("view(@token, \"balanceOf\", @alice)"), expected);
    assert_eq!(h.show("view(@token, \"balanceOf(address)\", @alice)"), expected);
    assert_eq!(h.show("view(@token, \"balanceOf(address) returns (uint256)\", @alice)"), expected);
    assert_eq!(
        h.show("view(@token, \"function balanceOf(address who) view returns (uint256)\", @alice)"),
        expected
    );
    assert_eq!(h.show("@token.view(\"decimals\")"), "18");
    assert_eq!(h.show("view(@token, \"name\")"), "Test Token");
    assert_eq!(h.show("view(@token, \"owner\")"), GOD.to_checksum(None));
    // A signature that states several return types gives an array: a string's
    // encoding read as two words is (offset 32, length).
    let name_length = h.show("view(@token, \"name\").len()");
    let words = h.eval("view(@token, \"name() returns (uint256, uint256)\")").expect("view").cast::<Array>();
    assert_eq!(
        words.iter().map(|w| w.clone().cast::<U256>().to_string()).collect::<Vec<_>>(),
        ["32", &name_length]
    );
    // Several outputs from the ABI.
    h.deploy("staking", "SideStaking", &[]);
    let vesting = h.eval("view(@staking, \"getVesting\", @token)").expect("view").cast::<Array>();
    assert_eq!(vesting.len(), 4);
    assert!(vesting.iter().all(|v| v.clone().cast::<U256>().is_zero()));
}

#[test]
fn views_with_six_arguments_and_with_arrays_of_bytes() {
    let mut h = ChainHost::new();
    h.deploy("math", "BalancerMathHarness", &[]);
    let out = h
        .eval("view(@math, \"calcOutGivenIn\", to_wei(1000), to_wei(5), to_wei(2000), to_wei(5), to_wei(10), to_wei(0.003))")
        .expect("view")
        .cast::<U256>();
    let got: f64 = out.to_string().parse::<f64>().expect("float") / 1e18;
    let reference = 2000.0 * (1.0 - 1000.0 / 10.0f64.mul_add(1.0 - 0.003, 1000.0));
    assert!((got / reference - 1.0).abs() < 1e-8, "{got} vs {reference}");

    h.mint("alice", tokens(6));
    h.deploy("reader", "BalanceReader", &[]);
    let (alice, reader) = (h.at("alice"), h.at("reader"));
    let mut env = Env::new();
    let call = hex::encode_prefixed(Erc20::balanceOfCall { who: alice }.abi_encode());
    env.set("data", Dynamic::from(call)).expect("bind");
    let results =
        h.eval_in(&mut env, "view(@reader, \"aggregate\", [@token, @token], [data, data])").expect("view");
    let results = results.cast::<Array>();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].to_string(), hex::encode_prefixed(tokens(6).to_be_bytes::<32>()));
    assert!(reader != alice);
}

#[test]
fn view_errors_name_the_call_the_target_and_the_reason() {
    let mut h = ChainHost::new();
    h.deploy("math", "BalancerMathHarness", &[]);
    let alice = h.at("alice");
    assert_eq!(
        h.error("view(@token, \"mint(address,uint256)\", @alice, 1)"),
        "view(@token, \"mint(address,uint256)\"): reverted: custom error 0x245aecd3"
    );
    assert_eq!(
        h.error("view(@token, \"balanceOf(address)\", 5)"),
        "view(@token, \"balanceOf(address)\"): argument 1: expected address: expected an address, got int 5: a bare 0x… is a number in an expression; write addr(\"0x…\")"
    );
    assert_eq!(
        h.error("view(@math, \"bmul(uint256,uint256)\", 1.5, 2)"),
        "view(@math, \"bmul(uint256,uint256)\"): argument 1: expected uint256, got float 1.5: use to_wei(x) for token amounts"
    );
    assert_eq!(
        h.error("view(@token, \"balanceOf(uint256)\", 1)"),
        "view(@token, \"balanceOf(uint256)\"): no ABI of the target has balanceOf(uint256); state its return types: \"balanceOf(uint256) returns (...)\""
    );
    assert_eq!(
        h.error("let s = \"balanceOf(address)\"; view(@token, s)"),
        "view(@token, \"balanceOf(address)\"): balanceOf(address) takes 1 argument(s), given 0"
    );
    assert_eq!(
        h.error("view(@alice, \"balanceOf(address) returns (uint256)\", @bob)"),
        format!("view(@alice, \"balanceOf(address) returns (uint256)\"): no code at {alice}")
    );
    assert_eq!(
        h.error("view(@alice, \"balanceOf\", @bob)"),
        "view(@alice, \"balanceOf\"): the target has no known ABI; give the full signature: \"balanceOf(types) returns (types)\""
    );
    assert_eq!(
        h.error("view(@token, \"nothing\")"),
        "view(@token, \"nothing\"): the ABI has no function nothing"
    );
    let overloaded = JsonAbi::parse([
        "function f(uint256) view returns (uint256)",
        "function f(address) view returns (uint256)",
    ])
    .expect("abi");
    h.abis.insert(alice, overloaded);
    assert_eq!(
        h.error("view(@alice, \"f\", 1)"),
        "view(@alice, \"f\"): f is overloaded, name one of: f(uint256), f(address)"
    );
    // Literal signatures are checked when the expression compiles.
    let malformed = h.eval("view(@token, \"balanceOf(address\", @alice)").unwrap_err();
    assert_eq!(
        malformed.to_string(),
        "test.toml:7: kpi `x`: `view(@token, \"balanceOf(address\", @alice)`: view: malformed signature \"balanceOf(address\": expected `)` (at column 14)"
    );
    assert_eq!(
        h.eval("view(@token, \"balanceOf(address)\")").unwrap_err().message,
        "view: balanceOf(address) takes 1 argument(s), given 0"
    );
    assert_eq!(
        h.eval("view(@token, \"f(uint257)\", 1)").unwrap_err().message,
        "view: malformed signature \"f(uint257)\": unknown type uint257"
    );
    assert_eq!(
        h.eval("@token.view(\"bad sig\")").unwrap_err().message,
        "view: malformed signature \"bad sig\": expected name(types), name(types) returns (types) or a function name"
    );
}

#[test]
fn events_counts_and_sums_match_the_transfers_made() {
    let mut h = ChainHost::new();
    h.mint("alice", tokens(10));
    h.mint("bob", tokens(5));
    h.transfer("alice", "bob", tokens(3));
    let events = h.eval("events(@token, \"Transfer\")").expect("events").cast::<Array>();
    assert_eq!(events.len(), 3);
    let last = events[2].clone().cast::<Map>();
    assert_eq!(last["from"].clone().cast::<alloy_primitives::Address>(), h.at("alice"));
    assert_eq!(last["to"].clone().cast::<alloy_primitives::Address>(), h.at("bob"));
    assert_eq!(last["value"].clone().cast::<U256>(), tokens(3));
    assert_eq!(
        h.eval(
            "events(@token, \"Transfer\")[0].from == addr(\"0x0000000000000000000000000000000000000000\")"
        )
        .map(|v| v.as_bool()),
        Ok(Ok(true))
    );
    assert_eq!(h.show("event_count(@token, \"Transfer\")"), "3");
    assert_eq!(h.show("event_sum(@token, \"Transfer\", \"value\")"), tokens(18).to_string());
    assert_eq!(h.show("event_count(@token, \"Transfer(address,address,uint256)\")"), "3");
    assert_eq!(h.show("event_count(@token, \"event Transfer(address indexed from, address indexed to, uint256 value)\")"), "3");
    assert_eq!(h.show("event_count(@token, \"Approval\")"), "0");
    // An event without a uint field is counted too.
    let collector = h.deploy("collector", "CommunityFeeCollector", &[&GOD.to_string()]);
    let alice = h.at("alice");
    h.send(GOD, collector, &OwnerChange::changeOwnerCall { newOwner: alice });
    assert_eq!(h.show("event_count(@collector, \"OwnerChanged\")"), "1");
    assert_eq!(h.error("events(@token, \"Swap\")"), "events(@token, \"Swap\"): the ABI has no event Swap");
    assert_eq!(
        h.error("event_sum(@token, \"Transfer\", \"from\")"),
        "event_sum(@token, \"Transfer\"): field from is address, not an unsigned integer"
    );
    assert_eq!(
        h.error("event_sum(@token, \"Transfer\", \"amount\")"),
        "event_sum(@token, \"Transfer\"): Transfer(address,address,uint256) has no field amount"
    );
    assert_eq!(
        h.error("event_count(@alice, \"Transfer\")"),
        "event_count(@alice, \"Transfer\"): the contract has no known ABI"
    );
}

#[test]
fn series_and_counters() {
    let mut h = ChainHost::new();
    h.series.insert("eth_usd".into(), 2000.0);
    h.counters.insert("swaps".into(), 3.0);
    assert_eq!(h.eval("series(\"eth_usd\") / 2").map(|v| v.as_float()), Ok(Ok(1000.0)));
    assert_eq!(h.error("series(\"btc\")"), "series(\"btc\"): no series btc");
    assert_eq!(h.eval("counter(\"swaps\")").map(|v| v.as_float()), Ok(Ok(3.0)));
    assert_eq!(h.eval("counter(\"never\")").map(|v| v.as_float()), Ok(Ok(0.0)));
    assert_eq!(
        h.error("add_counter(\"swaps\")"),
        "add_counter(\"swaps\", int 1): counters are read-only in KPIs"
    );
    h.this = Some(h.at("alice"));
    assert_eq!(
        h.eval("add_counter(\"swaps\"); add_counter(\"swaps\", 0.5)").map(|v| v.as_float()),
        Ok(Ok(4.5))
    );
    assert_eq!(h.eval("add_counter(\"profit\", -2)").map(|v| v.as_float()), Ok(Ok(-2.0)));
    assert_eq!(h.counters["swaps"], 4.5);
    assert!(h.error("add_counter(\"swaps\", to_wei(1))").contains("expected a number, got uint"));
}
