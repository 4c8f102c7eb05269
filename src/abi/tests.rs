//! Tests of the ABI registry: hand-encoded calls, logs and errors (encoded by
//! `sol!`, decoded from an ABI parsed from human-readable text), the
//! project's own artifacts, and a real `Transfer` log from the embedded EVM.

use super::*;
use crate::artifacts::{deploy_own, own_artifact, OWN_CONTRACTS};
use crate::chain::{address_for, Backend, Chain, RevertReason, GOD};
use alloy_dyn_abi::DynSolValue;
use alloy_json_abi::JsonAbi;
use alloy_primitives::{address, Address, Bytes, FixedBytes, Log, I256, U256};
use alloy_sol_types::{sol, Panic, Revert, SolCall, SolError, SolEvent};
use std::str::FromStr;

sol! {
    /// The owner-only mint of the example ReserveToken.
    interface Mintable {
        function mint(address to, uint256 amount) external;
    }
}

sol! {
    interface Exchange {
        struct Order { uint256 amount; address owner; }
        function settle(Order order, int256 delta, bytes data, string note, bool flag, uint256[] amounts, bytes4 tag) external;
        event Settled(address indexed owner, int256 indexed delta, string indexed note, uint256 amount, string memo, int256[2] pair);
        error Slippage(uint256 wanted, int256 got);
        error NotOwner(address);
    }

    interface Nft {
        event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    }
}

/// The `Exchange` ABI as a user would write it, independent of `sol!`.
fn exchange_abi() -> JsonAbi {
    JsonAbi::parse([
        "function settle((uint256,address) order, int256 delta, bytes data, string note, bool flag, uint256[] amounts, bytes4 tag)",
        "event Settled(address indexed owner, int256 indexed delta, string indexed note, uint256 amount, string memo, int256[2] pair)",
        "error Slippage(uint256 wanted, int256 got)",
        "error NotOwner(address)",
    ])
    .expect("human-readable ABI parses")
}

/// An EIP-55 test vector: the expected text of [`OWNER`] is independent of alloy.
const OWNER_TEXT: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const OWNER: Address = address!("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
/// Above 2^64 (and so far above 2^53).
const BIG: &str = "123456789012345678901234567890123456789";
/// -(2^53 + 1): not representable as an f64.
const NEGATIVE: &str = "-9007199254740993";
const INT256_MIN: &str = "-57896044618658097711785492504343953926634992332820282019728792003956564819968";
const UINT256_MAX: &str = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

fn u(text: &str) -> U256 {
    U256::from_str(text).expect("decimal U256")
}

fn i(text: &str) -> I256 {
    I256::from_dec_str(text).expect("decimal I256")
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
}

fn exchange_registry() -> AbiRegistry {
    let mut registry = AbiRegistry::new();
    registry.add("Exchange", &exchange_abi());
    registry
}

#[test]
fn describes_a_call_with_every_kind_of_value_exactly() {
    let call = Exchange::settleCall {
        order: Exchange::Order { amount: u(BIG), owner: OWNER },
        delta: i(NEGATIVE),
        data: Bytes::from(vec![0x00, 0xff, 0x10]),
        note: "say \"hi\"; bye\n".to_string(),
        flag: true,
        amounts: vec![U256::ZERO, u(UINT256_MAX)],
        tag: FixedBytes::from([0xca, 0xfe, 0xba, 0xbe]),
    };
    let described = exchange_registry().describe_call(Some("Exchange"), &call.abi_encode());
    assert_eq!(described.signature, "settle((uint256,address),int256,bytes,string,bool,uint256[],bytes4)");
    let expected_order = format!("[{BIG}, {OWNER_TEXT}]");
    let expected_amounts = format!("[0, {UINT256_MAX}]");
    assert_eq!(
        described.args,
        pairs(&[
            ("order", &expected_order),
            ("delta", NEGATIVE),
            ("data", "0x00ff10"),
            ("note", r#""say \"hi\"; bye\n""#),
            ("flag", "true"),
            ("amounts", &expected_amounts),
            ("tag", "0xcafebabe"),
        ])
    );
    assert!(described.args_text().starts_with(&format!("order={expected_order}; delta={NEGATIVE}; ")));
}

#[test]
fn unknown_short_empty_and_malformed_calldata_are_still_described() {
    let registry = exchange_registry();
    let unknown = registry.describe_call(None, &[0xde, 0xad, 0xbe, 0xef, 1, 2]);
    assert_eq!(unknown, Call { signature: "0xdeadbeef".into(), args: pairs(&[("data", "0x0102")]) });
    assert_eq!(registry.describe_call(None, &[1, 2]), Call { signature: "0x0102".into(), args: vec![] });
    assert_eq!(registry.describe_call(None, &[]), Call { signature: String::new(), args: vec![] });

    let mut truncated = Exchange::settleCall::SELECTOR.to_vec();
    truncated.extend_from_slice(&[7; 10]);
    let malformed = registry.describe_call(Some("Exchange"), &truncated);
    assert_eq!(malformed.signature, "settle((uint256,address),int256,bytes,string,bool,uint256[],bytes4)");
    assert_eq!(malformed.args, pairs(&[("data", "0x07070707070707070707")]));
}

#[test]
fn decodes_a_log_with_indexed_and_data_fields_in_abi_order() {
    let event = Exchange::Settled {
        owner: OWNER,
        delta: i(INT256_MIN),
        note: alloy_primitives::keccak256("indexed strings are hashed"),
        amount: u(BIG),
        memo: "tab\there".to_string(),
        pair: [i(NEGATIVE), I256::try_from(5).expect("small")],
    };
    let log = Log { address: OWNER, data: event.encode_log_data() };
    let decoded = exchange_registry().decode_log(None, &log).expect("known event");
    assert_eq!(decoded.name, "Settled");
    assert_eq!(decoded.signature, "Settled(address,int256,string,uint256,string,int256[2])");
    let note_hash = alloy_primitives::keccak256("indexed strings are hashed").to_string();
    let pair = format!("[{NEGATIVE}, 5]");
    assert_eq!(
        decoded.fields,
        pairs(&[
            ("owner", OWNER_TEXT),
            ("delta", INT256_MIN),
            ("note", &note_hash),
            ("amount", BIG),
            ("memo", r#""tab\there""#),
            ("pair", &pair),
        ])
    );
}

#[test]
fn unknown_and_anonymous_logs_give_none() {
    let registry = exchange_registry();
    let no_topics = Log::new_unchecked(OWNER, vec![], Bytes::new());
    assert_eq!(registry.decode_log(None, &no_topics), None);
    let unknown = Log::new_unchecked(OWNER, vec![FixedBytes::repeat_byte(9)], Bytes::new());
    assert_eq!(registry.decode_log(None, &unknown), None);
    // The right topic0 with too few topics fits no candidate.
    let short = Log::new_unchecked(OWNER, vec![Exchange::Settled::SIGNATURE_HASH], Bytes::new());
    assert_eq!(registry.decode_log(None, &short), None);
}

#[test]
fn describes_custom_errors_from_the_registry_and_others_as_today() {
    let registry = exchange_registry();
    let slippage = Exchange::Slippage { wanted: u(BIG), got: i(NEGATIVE) }.abi_encode();
    let reason = RevertReason::decode(&slippage);
    assert_eq!(registry.describe_revert(None, &reason), format!("Slippage(wanted={BIG}, got={NEGATIVE})"));
    let not_owner = RevertReason::decode(&Exchange::NotOwner(OWNER).abi_encode());
    assert_eq!(registry.describe_revert(Some("Exchange"), &not_owner), format!("NotOwner(0={OWNER_TEXT})"));

    let unknown = RevertReason::decode(&[0xde, 0xad, 0xbe, 0xef, 1]);
    assert_eq!(registry.describe_revert(None, &unknown), "custom error 0xdeadbeef");
    let message = RevertReason::decode(&Revert::from("ERR_MIN_OUT").abi_encode());
    assert_eq!(registry.describe_revert(None, &message), "ERR_MIN_OUT");
    let panic = RevertReason::decode(&Panic::from(0x11).abi_encode());
    assert_eq!(registry.describe_revert(None, &panic), panic.to_string());
    assert!(registry.describe_revert(None, &panic).starts_with("panic 0x11 ("));
    assert_eq!(registry.describe_revert(None, &RevertReason::Empty), "revert without reason");
    // A known selector whose data does not decode falls back to the label.
    let truncated = RevertReason::Custom(Bytes::copy_from_slice(&slippage[..20]));
    assert_eq!(registry.describe_revert(None, &truncated), truncated.label());
}

#[test]
fn shared_selectors_keep_every_candidate_and_prefer_the_named_contract() {
    let mut registry = AbiRegistry::new();
    let token = JsonAbi::parse(["function transfer(address to, uint256 amount)"]).expect("abi");
    let weth = JsonAbi::parse(["function transfer(address dst, uint256 wad)"]).expect("abi");
    registry.add("Token", &token);
    registry.add("WETH", &weth);
    registry.add("OtherToken", &token);
    let data = crate::wallet::Erc20::transferCall { to: OWNER, amount: u(BIG) }.abi_encode();
    let names = |contract: Option<&str>| -> Vec<String> {
        registry.describe_call(contract, &data).args.into_iter().map(|(name, _)| name).collect()
    };
    assert_eq!(names(Some("WETH")), ["dst", "wad"]);
    assert_eq!(names(Some("Token")), ["to", "amount"]);
    assert_eq!(names(Some("OtherToken")), ["to", "amount"]);
    assert_eq!(names(None), ["to", "amount"], "first added wins when no contract is named");
    assert_eq!(names(Some("Nobody")), ["to", "amount"]);
}

#[test]
fn same_topic0_with_other_indexed_fields_finds_the_candidate_that_fits() {
    let mut registry = AbiRegistry::new();
    registry.add_artifact(&own_artifact("ReserveToken").expect("own artifact"));
    registry.add(
        "Nft",
        &JsonAbi::parse([
            "event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)",
        ])
        .expect("abi"),
    );
    let nft_log = Log {
        address: OWNER,
        data: Nft::Transfer { from: Address::ZERO, to: OWNER, tokenId: u(BIG) }.encode_log_data(),
    };
    // The named contract's ABI is tried first; its ERC20 `Transfer` does not fit 4 topics.
    let decoded = registry.decode_log(Some("ReserveToken"), &nft_log).expect("ERC721 transfer");
    assert_eq!(decoded.fields.last(), Some(&("tokenId".to_string(), BIG.to_string())));
}

#[test]
fn format_value_is_exact_for_every_type() {
    assert_eq!(format_value(&DynSolValue::Uint(U256::MAX, 256)), UINT256_MAX);
    assert_eq!(format_value(&DynSolValue::Int(I256::MIN, 256)), INT256_MIN);
    assert_eq!(format_value(&DynSolValue::Int(I256::MINUS_ONE, 8)), "-1");
    assert_eq!(
        format_value(&DynSolValue::Uint(U256::from(u64::MAX) + U256::from(1), 128)),
        "18446744073709551616"
    );
    assert_eq!(format_value(&DynSolValue::Bool(false)), "false");
    assert_eq!(format_value(&DynSolValue::Address(OWNER)), OWNER_TEXT);
    assert_eq!(format_value(&DynSolValue::Bytes(vec![])), "0x");
    assert_eq!(format_value(&DynSolValue::FixedBytes(FixedBytes::repeat_byte(0xab), 2)), "0xabab");
    assert_eq!(format_value(&DynSolValue::String("a\"b\\c\u{1}é".into())), r#""a\"b\\c\u0001é""#);
    let nested = DynSolValue::Array(vec![
        DynSolValue::FixedArray(vec![
            DynSolValue::Uint(U256::from(1), 8),
            DynSolValue::Uint(U256::from(2), 8),
        ]),
        DynSolValue::Array(vec![]),
        DynSolValue::Tuple(vec![DynSolValue::Bool(true), DynSolValue::String(String::new())]),
    ]);
    assert_eq!(format_value(&nested), r#"[[1, 2], [], [true, ""]]"#);
    assert_eq!(format_fields(&pairs(&[("a", "1"), ("b", "\"x; y\"")])), r#"a=1; b="x; y""#);
}

/// Every contract the project ships, as a run would register them.
fn own_registry() -> AbiRegistry {
    let mut registry = AbiRegistry::new();
    for (name, _, _) in OWN_CONTRACTS {
        registry.add_artifact(&own_artifact(name).expect("own artifact"));
    }
    registry
}

#[test]
fn decodes_a_real_mint_on_the_embedded_chain() {
    let registry = own_registry();
    let mut chain = Chain::new();
    let token = deploy_own(&mut chain, "ReserveToken", &["Test Token", "TST", "0"]).expect("deploy");
    let alice = address_for("alice");
    // 10^24 + 7: above 2^53, so an f64 on the way would lose the 7.
    let amount = u("1000000000000000000000007");
    let mint = Mintable::mintCall { to: alice, amount }.abi_encode();
    let receipt = chain.transact(GOD, token, mint.clone().into(), U256::ZERO).expect("runs");
    assert!(receipt.is_success(), "{:?}", receipt.outcome);

    let call = registry.describe_call(Some("ReserveToken"), &mint);
    assert_eq!(call.signature, "mint(address,uint256)");
    let alice_text = alice.to_checksum(None);
    assert_eq!(call.args_text(), format!("to={alice_text}; amount=1000000000000000000000007"));

    let events: Vec<DecodedEvent> =
        receipt.logs.iter().filter_map(|log| registry.decode_log(Some("ReserveToken"), log)).collect();
    assert_eq!(events.len(), receipt.logs.len(), "every log of our own token decodes");
    let transfer = events.iter().find(|event| event.name == "Transfer").expect("a Transfer log");
    assert_eq!(transfer.signature, "Transfer(address,address,uint256)");
    assert_eq!(
        transfer.fields,
        pairs(&[
            ("from", "0x0000000000000000000000000000000000000000"),
            ("to", &alice_text),
            ("value", "1000000000000000000000007"),
        ])
    );
    let logged_value = U256::from_be_slice(&receipt.logs[0].data.data);
    assert_eq!(logged_value, amount, "the log itself carries the minted amount");

    // A mint by someone else reverts with the contract's custom error, decoded with its argument.
    let refused = chain.transact(alice, token, mint.into(), U256::ZERO).expect("runs");
    let reason = refused.revert_reason().expect("reverts");
    assert_eq!(
        registry.describe_revert(Some("ReserveToken"), reason),
        format!("NotOwner(caller={alice_text})")
    );
}

proptest::proptest! {
    /// Any amount and recipient of an ERC20 `transfer` comes back exactly.
    #[test]
    fn transfer_arguments_round_trip_through_text(limbs: [u64; 4], raw_address: [u8; 20], negative: bool) {
        let amount = U256::from_limbs(limbs);
        let to = Address::from(raw_address);
        let registry = own_registry_cached();
        let data = crate::wallet::Erc20::transferCall { to, amount }.abi_encode();
        let call = registry.describe_call(Some("ReserveToken"), &data);
        proptest::prop_assert_eq!(&call.args[0].1, &to.to_checksum(None));
        proptest::prop_assert_eq!(U256::from_str_radix(&call.args[1].1, 10).ok(), Some(amount));
        let signed = if negative { I256::from_raw(amount).wrapping_neg() } else { I256::from_raw(amount) };
        let text = format_value(&DynSolValue::Int(signed, 256));
        proptest::prop_assert_eq!(I256::from_dec_str(&text).ok(), Some(signed));
    }
}

fn own_registry_cached() -> &'static AbiRegistry {
    static REGISTRY: std::sync::OnceLock<AbiRegistry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(own_registry)
}
