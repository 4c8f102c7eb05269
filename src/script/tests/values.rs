//! Conversions between expression values and chain values, against exact
//! integer references.

use crate::script::{
    decimal_to_units, float_to_units, from_sol, from_toml, to_amount, to_bool, to_f64, to_sol, units_to_f64,
};
use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{Address, B256, I256, U256};
use proptest::prelude::*;
use rhai::{Array, Dynamic};

fn ty(text: &str) -> DynSolType {
    DynSolType::parse(text).expect("type")
}

fn u(text: &str) -> U256 {
    U256::from_str_radix(text, 10).expect("decimal")
}

fn sol(value: Dynamic, ty_text: &str) -> Result<DynSolValue, String> {
    to_sol(&value, &ty(ty_text))
}

#[test]
fn decimal_strings_convert_exactly_or_say_why_not() {
    assert_eq!(decimal_to_units("1.5", 18, false), Ok(u("1500000000000000000")));
    assert_eq!(decimal_to_units("0.000000000000000001", 18, false), Ok(U256::from(1)));
    assert_eq!(decimal_to_units("1e-18", 18, false), Ok(U256::from(1)));
    assert_eq!(decimal_to_units("2.5e3", 6, false), Ok(U256::from(2_500_000_000u64)));
    assert_eq!(decimal_to_units("12", 0, false), Ok(U256::from(12)));
    assert_eq!(decimal_to_units("1.50000000000000000000", 18, false), Ok(u("1500000000000000000")));
    assert_eq!(
        decimal_to_units("0.0000000000000000001", 18, false),
        Err("0.0000000000000000001 has more than 18 decimals".into())
    );
    assert_eq!(decimal_to_units("0.0000000000000000005", 18, true), Ok(U256::from(1)));
    assert_eq!(decimal_to_units("0.0000000000000000004", 18, true), Ok(U256::ZERO));
    assert_eq!(decimal_to_units("-1", 18, false), Err("-1 is negative".into()));
    assert_eq!(decimal_to_units("1.2.3", 18, false), Err("\"1.2.3\" is not a decimal number".into()));
    assert_eq!(decimal_to_units("", 18, false), Err("\"\" is not a decimal number".into()));
    assert!(decimal_to_units("1e60", 18, false).unwrap_err().contains("too large for a uint256"));
    let max = U256::MAX.to_string();
    assert_eq!(decimal_to_units(&max, 0, false), Ok(U256::MAX));
}

#[test]
fn floats_convert_through_their_shortest_decimal() {
    assert_eq!(float_to_units(0.1, 18), Ok(u("100000000000000000")));
    assert_eq!(float_to_units(1.5, 18), Ok(u("1500000000000000000")));
    assert_eq!(float_to_units(123.456789, 18), Ok(u("123456789000000000000")));
    assert_eq!(float_to_units(1e-18, 18), Ok(U256::from(1)));
    assert_eq!(float_to_units(5e-19, 18), Ok(U256::from(1)));
    assert_eq!(float_to_units(4e-19, 18), Ok(U256::ZERO));
    assert_eq!(float_to_units(-0.0, 18), Ok(U256::ZERO));
    assert_eq!(float_to_units(-1.0, 18), Err("-1 is negative".into()));
    assert_eq!(float_to_units(f64::NAN, 18), Err("NaN is not a finite number".into()));
    assert_eq!(float_to_units(f64::INFINITY, 18), Err("inf is not a finite number".into()));
    assert_eq!(units_to_f64(u("1500000000000000000"), 18), 1.5);
    assert_eq!(units_to_f64(U256::MAX, 0), 1.157_920_892_373_162e77);
}

proptest! {
    /// n / 10^k as an f64 is the float nearest that decimal, whose shortest
    /// form is that decimal: it converts to exactly n * 10^(18-k) base units,
    /// and those base units convert back to the same float.
    #[test]
    fn floats_with_at_most_18_decimals_are_exact_to_the_wei(n in 0u64..1_000_000_000_000_000, k in 0u32..=18) {
        let x = n as f64 / 10f64.powi(k as i32);
        let expected = U256::from(n) * U256::from(10u64).pow(U256::from(18 - k));
        prop_assert_eq!(float_to_units(x, 18), Ok(expected));
        prop_assert_eq!(units_to_f64(expected, 18), x);
        prop_assert_eq!(to_amount(&Dynamic::from_float(x)), Ok(expected));
    }

    /// Base units to float is correctly rounded: neither neighbouring float
    /// is closer to units / 10^decimals (checked in exact integers).
    #[test]
    fn units_to_float_is_correctly_rounded(hi in any::<u64>(), lo in 1u64.., decimals in 0u8..=18) {
        let units = (U256::from(hi) << 64) | U256::from(lo);
        let x = units_to_f64(units, decimals);
        let scale = U256::from(10u64).pow(U256::from(decimals));
        let error = |candidate: f64| {
            // candidate = m * 2^e exactly; compare m * 2^(e+120) * scale with units * 2^120.
            let bits = candidate.to_bits();
            let m = U256::from((bits & ((1u64 << 52) - 1)) | (1u64 << 52));
            let e = ((bits >> 52) & 0x7ff) as i32 - 1075;
            let lhs = (m * scale) << ((e + 120) as usize);
            let rhs = units << 120;
            if lhs > rhs { lhs - rhs } else { rhs - lhs }
        };
        prop_assert!(error(x) <= error(f64::from_bits(x.to_bits() + 1)));
        prop_assert!(error(x) <= error(f64::from_bits(x.to_bits() - 1)));
    }
}

#[test]
fn uints_come_from_uints_and_non_negative_ints_never_from_floats() {
    assert_eq!(sol(Dynamic::from(U256::from(7)), "uint256"), Ok(DynSolValue::Uint(U256::from(7), 256)));
    assert_eq!(sol(Dynamic::from_int(7), "uint8"), Ok(DynSolValue::Uint(U256::from(7), 8)));
    assert_eq!(
        sol(Dynamic::from_float(1.5), "uint256"),
        Err("expected uint256, got float 1.5: use to_wei(x) for token amounts".into())
    );
    assert_eq!(sol(Dynamic::from_int(-1), "uint256"), Err("expected uint256, got int -1".into()));
    assert_eq!(sol(Dynamic::from_int(256), "uint8"), Err("256 does not fit in uint8".into()));
    assert_eq!(sol(Dynamic::from("12"), "uint256"), Err("expected uint256, got string \"12\"".into()));
}

#[test]
fn ints_addresses_bools_strings_and_bytes_convert() {
    assert_eq!(sol(Dynamic::from_int(-5), "int8"), Ok(DynSolValue::Int(I256::try_from(-5).unwrap(), 8)));
    assert_eq!(sol(Dynamic::from_int(-129), "int8"), Err("-129 does not fit in int8".into()));
    assert_eq!(sol(Dynamic::from_int(127), "int8"), Ok(DynSolValue::Int(I256::try_from(127).unwrap(), 8)));
    assert!(sol(Dynamic::from(U256::MAX), "int256").unwrap_err().contains("does not fit in int256"));
    let address = Address::repeat_byte(0xab);
    assert_eq!(sol(Dynamic::from(address), "address"), Ok(DynSolValue::Address(address)));
    assert_eq!(sol(Dynamic::from(address.to_string()), "address"), Ok(DynSolValue::Address(address)));
    assert_eq!(
        sol(Dynamic::from("0x12"), "address"),
        Err("expected address: \"0x12\" is not an address (0x and 40 hex digits)".into())
    );
    assert_eq!(sol(Dynamic::from_bool(true), "bool"), Ok(DynSolValue::Bool(true)));
    assert_eq!(sol(Dynamic::from_int(1), "bool"), Err("expected bool, got int 1".into()));
    assert_eq!(sol(Dynamic::from("hi"), "string"), Ok(DynSolValue::String("hi".into())));
    assert_eq!(sol(Dynamic::from("0x0102"), "bytes"), Ok(DynSolValue::Bytes(vec![1, 2])));
    assert_eq!(sol(Dynamic::from_blob(vec![1, 2]), "bytes"), Ok(DynSolValue::Bytes(vec![1, 2])));
    let mut word = B256::ZERO;
    word[..2].copy_from_slice(&[1, 2]);
    assert_eq!(sol(Dynamic::from("0x0102"), "bytes2"), Ok(DynSolValue::FixedBytes(word, 2)));
    assert_eq!(sol(Dynamic::from("0x01"), "bytes2"), Err("expected bytes2, got 1 bytes".into()));
    assert_eq!(sol(Dynamic::from("0xzz"), "bytes"), Err("\"0xzz\" is not hex bytes".into()));
}

#[test]
fn arrays_and_tuples_convert_element_by_element() {
    let items: Array = vec![Dynamic::from_int(1), Dynamic::from(U256::from(2))];
    let expected = DynSolValue::Array(vec![
        DynSolValue::Uint(U256::from(1), 256),
        DynSolValue::Uint(U256::from(2), 256),
    ]);
    assert_eq!(sol(Dynamic::from_array(items.clone()), "uint256[]"), Ok(expected));
    assert_eq!(
        sol(Dynamic::from_array(items), "uint256[3]"),
        Err("expected uint256[3], got an array of 2".into())
    );
    let mixed: Array = vec![Dynamic::from_int(1), Dynamic::from_float(2.5)];
    assert_eq!(
        sol(Dynamic::from_array(mixed), "uint256[]"),
        Err("element 1: expected uint256, got float 2.5: use to_wei(x) for token amounts".into())
    );
    let tuple: Array = vec![Dynamic::from_bool(true), Dynamic::from("x")];
    assert_eq!(
        sol(Dynamic::from_array(tuple), "(bool,string)"),
        Ok(DynSolValue::Tuple(vec![DynSolValue::Bool(true), DynSolValue::String("x".into())]))
    );
    assert_eq!(
        sol(Dynamic::from_int(1), "uint256[]"),
        Err("expected uint256[] (an array), got int 1".into())
    );
}

#[test]
fn abi_values_come_back_as_expression_values() {
    let back = from_sol(&DynSolValue::Uint(U256::from(9), 8));
    assert_eq!(back.clone_cast::<U256>(), U256::from(9));
    assert_eq!(from_sol(&DynSolValue::Int(I256::try_from(-3).unwrap(), 256)).as_int(), Ok(-3));
    let huge = I256::MIN;
    assert_eq!(from_sol(&DynSolValue::Int(huge, 256)).as_float(), Ok(-5.789_604_461_865_81e76));
    let address = Address::repeat_byte(1);
    assert_eq!(from_sol(&DynSolValue::Address(address)).clone_cast::<Address>(), address);
    assert_eq!(from_sol(&DynSolValue::Bytes(vec![0xde, 0xad])).to_string(), "0xdead");
    let nested = from_sol(&DynSolValue::Tuple(vec![DynSolValue::Bool(true), DynSolValue::Array(vec![])]));
    let items = nested.cast::<Array>();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].as_bool(), Ok(true));
    // Round trip through to_sol.
    let value = DynSolValue::Array(vec![DynSolValue::Address(address), DynSolValue::Address(Address::ZERO)]);
    assert_eq!(to_sol(&from_sol(&value), &ty("address[]")), Ok(value));
}

#[test]
fn floats_amounts_and_bools_for_models_and_kpis() {
    assert_eq!(to_f64(&Dynamic::from(U256::from(1_234_567)), 6), Ok(1.234567));
    assert_eq!(to_f64(&Dynamic::from_int(3), 18), Ok(3.0));
    assert_eq!(to_f64(&Dynamic::from_float(0.25), 18), Ok(0.25));
    assert_eq!(to_f64(&Dynamic::from("x"), 18), Err("expected a number, got string \"x\"".into()));
    assert_eq!(to_amount(&Dynamic::from_int(2)), Ok(u("2000000000000000000")));
    assert_eq!(to_amount(&Dynamic::from_float(0.1)), Ok(u("100000000000000000")));
    assert_eq!(to_amount(&Dynamic::from(U256::from(5))), Ok(U256::from(5)));
    assert_eq!(to_amount(&Dynamic::from("1.25")), Ok(u("1250000000000000000")));
    assert_eq!(to_amount(&Dynamic::from_int(-1)), Err("amount -1 is negative".into()));
    assert_eq!(to_amount(&Dynamic::from_float(-0.5)), Err("amount -0.5 is negative".into()));
    assert_eq!(to_amount(&Dynamic::from_float(f64::NAN)), Err("amount NaN is not a finite number".into()));
    assert_eq!(
        to_amount(&Dynamic::from_float(f64::NEG_INFINITY)),
        Err("amount -inf is not a finite number".into())
    );
    assert_eq!(to_bool(&Dynamic::from_bool(true)), Ok(true));
    assert_eq!(to_bool(&Dynamic::from_int(1)), Err("expected true or false, got int 1".into()));
}

#[test]
fn toml_values_become_expression_values() {
    let table: toml::Table = toml::from_str("a = 1\nb = 2.5\nc = 'x'\nd = [true]\n[e]\nf = 3").expect("toml");
    let value = from_toml(&toml::Value::Table(table));
    let map = value.cast::<rhai::Map>();
    assert_eq!(map["a"].as_int(), Ok(1));
    assert_eq!(map["b"].as_float(), Ok(2.5));
    assert_eq!(map["c"].to_string(), "x");
    assert_eq!(map["d"].clone().cast::<Array>()[0].as_bool(), Ok(true));
    assert_eq!(map["e"].clone().cast::<rhai::Map>()["f"].as_int(), Ok(3));
}
