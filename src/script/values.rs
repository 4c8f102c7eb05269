//! Conversions between expression values (Rhai `Dynamic`) and the chain's
//! values: ABI values for calls ([`to_sol`], [`from_sol`]), token amounts
//! ([`to_amount`]), floats for decisions and KPIs ([`to_f64`]), and TOML
//! parameters ([`from_toml`]). Also the exact decimal arithmetic behind
//! `to_wei`, uint × float and the like.
//!
//! # Errors
//! Every conversion that can lose meaning is checked and returns a readable
//! `Err(String)`: a float where a uint is expected, a negative amount, a
//! value too large for its ABI type, NaN or infinity. Nothing here panics.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{hex, Address, Function, Signed, B256, I256, U256};
use rhai::{Array, Blob, Dynamic, Map, FLOAT, INT};
use std::str::FromStr;

/// Decimals of a token amount written as a plain number (`1.5` = 1.5 tokens).
pub const TOKEN_DECIMALS: u8 = 18;

/// A short readable name of a value's type, for messages.
pub(crate) fn kind_of(value: &Dynamic) -> &'static str {
    if value.is_int() {
        "int"
    } else if value.is_float() {
        "float"
    } else if value.is_bool() {
        "bool"
    } else if value.is_string() {
        "string"
    } else if value.is_array() {
        "array"
    } else if value.is_map() {
        "map"
    } else if value.is_blob() {
        "blob"
    } else if value.is_unit() {
        "()"
    } else if value.is::<U256>() {
        "uint"
    } else if value.is::<Address>() {
        "address"
    } else {
        "value"
    }
}

/// A value's type and the value itself, for messages ("float 1.5").
pub fn describe(value: &Dynamic) -> String {
    let kind = kind_of(value);
    if value.is_string() {
        format!("{kind} {:?}", value.to_string())
    } else if value.is_array() || value.is_map() || value.is_blob() || value.is_unit() {
        kind.to_string()
    } else {
        format!("{kind} {}", display(value))
    }
}

/// How a value reads in messages and text columns: uints in decimal,
/// addresses checksummed, strings as they are, arrays and maps element by
/// element (`[1, "0xAb…"]`, `#{a: 1}`).
pub fn display(value: &Dynamic) -> String {
    if let Some(u) = value.read_lock::<U256>() {
        return u.to_string();
    }
    if let Some(a) = value.read_lock::<Address>() {
        return a.to_checksum(None);
    }
    if let Some(items) = value.read_lock::<Array>() {
        let items: Vec<String> = items.iter().map(display_inner).collect();
        return format!("[{}]", items.join(", "));
    }
    if let Some(map) = value.read_lock::<Map>() {
        let entries: Vec<String> =
            map.iter().map(|(key, item)| format!("{key}: {}", display_inner(item))).collect();
        return format!("#{{{}}}", entries.join(", "));
    }
    value.to_string()
}

/// An element inside an array or map: strings quoted.
fn display_inner(value: &Dynamic) -> String {
    match value.read_lock::<rhai::ImmutableString>() {
        Some(text) => format!("{:?}", text.as_str()),
        None => display(value),
    }
}

/// 10^exponent, or None past `U256::MAX`.
pub(crate) fn pow10(exponent: u32) -> Option<U256> {
    U256::from(10u8).checked_pow(U256::from(exponent))
}

/// Parse a non-negative decimal (`"12"`, `"0.25"`, `"1.5e6"`) into base
/// units with `decimals` decimals. Digits past the unit are rounded half up
/// when `round`, else an error (a string the user typed must be exact).
pub fn decimal_to_units(text: &str, decimals: u8, round: bool) -> Result<U256, String> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err(format!("{text} is negative"));
    }
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => {
            let exponent: i64 =
                text[at + 1..].parse().map_err(|_| format!("{text:?} is not a decimal number"))?;
            (&text[..at], exponent)
        }
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return Err(format!("{text:?} is not a decimal number"));
    }
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    let scale = i64::from(decimals) + exponent - fraction.len() as i64;
    let too_large = || format!("{text} with {decimals} decimals is too large for a uint256");
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    if scale >= 0 {
        let value = U256::from_str_radix(digits, 10).map_err(|_| too_large())?;
        let factor = u32::try_from(scale).ok().and_then(pow10).ok_or_else(too_large)?;
        return value.checked_mul(factor).ok_or_else(too_large);
    }
    // Drop the `cut` last digits; what is dropped decides rounding.
    let cut = usize::try_from(-scale).unwrap_or(usize::MAX);
    let (kept, dropped) =
        if cut >= digits.len() { ("", digits) } else { digits.split_at(digits.len() - cut) };
    let dropped_zeros = cut.saturating_sub(digits.len());
    let kept =
        if kept.is_empty() { U256::ZERO } else { U256::from_str_radix(kept, 10).map_err(|_| too_large())? };
    if dropped.bytes().all(|b| b == b'0') {
        return Ok(kept);
    }
    if !round {
        return Err(format!("{text} has more than {decimals} decimals"));
    }
    let half_or_more = dropped_zeros == 0 && dropped.as_bytes()[0] >= b'5';
    if half_or_more {
        kept.checked_add(U256::from(1u8)).ok_or_else(too_large)
    } else {
        Ok(kept)
    }
}

/// A non-negative float in base units with `decimals` decimals: exact for
/// floats with at most `decimals` decimals (its shortest decimal form),
/// rounded half up past that.
pub fn float_to_units(value: FLOAT, decimals: u8) -> Result<U256, String> {
    if !value.is_finite() {
        return Err(format!("{value} is not a finite number"));
    }
    if value < 0.0 {
        return Err(format!("{value} is negative"));
    }
    if value == 0.0 {
        return Ok(U256::ZERO); // -0.0 included
    }
    // `Display` of f64 is the shortest decimal that reads back as the same
    // float, and never uses an exponent.
    decimal_to_units(&format!("{value}"), decimals, true)
}

/// `units / 10^decimals` as the nearest f64 (correctly rounded).
pub fn units_to_f64(units: U256, decimals: u8) -> f64 {
    // Rust's float parsing is correctly rounded, so go through the exact decimal.
    format!("{units}e-{decimals}").parse().unwrap_or(f64::NAN)
}

/// An INT as a uint; negative values are an error.
pub(crate) fn int_to_uint(value: INT) -> Result<U256, String> {
    u64::try_from(value).map(U256::from).map_err(|_| format!("{value} is negative, a uint cannot be"))
}

/// A uint from a uint or a non-negative INT.
pub fn as_uint(value: &Dynamic) -> Result<U256, String> {
    if let Some(u) = value.read_lock::<U256>() {
        return Ok(*u);
    }
    if let Ok(i) = value.as_int() {
        return int_to_uint(i);
    }
    if value.is_float() {
        return Err(format!("expected a uint, got {}: use to_wei(x) for token amounts", describe(value)));
    }
    Err(format!("expected a uint, got {}", describe(value)))
}

/// An address from an address value or a "0x…" string.
pub fn as_address(value: &Dynamic) -> Result<Address, String> {
    if let Some(a) = value.read_lock::<Address>() {
        return Ok(*a);
    }
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        return parse_address(&text);
    }
    if value.is_int() {
        // `0x00…00` in an expression is a hex number, not an address.
        return Err(format!(
            "expected an address, got {}: a bare 0x… is a number in an expression; write addr(\"0x…\")",
            describe(value)
        ));
    }
    Err(format!("expected an address, got {}", describe(value)))
}

/// Parse "0x" and 40 hex digits (any case) into an address.
pub fn parse_address(text: &str) -> Result<Address, String> {
    let text = text.trim();
    if !text.starts_with("0x") || text.len() != 42 {
        return Err(format!("{text:?} is not an address (0x and 40 hex digits)"));
    }
    Address::from_str(text).map_err(|_| format!("{text:?} is not an address (0x and 40 hex digits)"))
}

/// A number (INT or FLOAT) as f64.
pub(crate) fn as_number(value: &Dynamic) -> Result<f64, String> {
    if let Ok(f) = value.as_float() {
        return Ok(f);
    }
    if let Ok(i) = value.as_int() {
        return Ok(i as f64);
    }
    if value.is::<U256>() {
        return Err(format!("expected a number, got {}: use from_wei(u) or float(u)", describe(value)));
    }
    Err(format!("expected a number, got {}", describe(value)))
}

/// Bytes from a "0x…" string or a blob.
fn as_bytes(value: &Dynamic) -> Result<Vec<u8>, String> {
    if let Some(blob) = value.read_lock::<Blob>() {
        return Ok(blob.clone());
    }
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        if let Some(digits) = text.strip_prefix("0x") {
            return hex::decode(digits).map_err(|_| format!("{:?} is not hex bytes", text.as_str()));
        }
        return Err(format!("{:?} is not hex bytes (0x…)", text.as_str()));
    }
    Err(format!("expected bytes (\"0x…\" or a blob), got {}", describe(value)))
}

/// An expression value as an ABI value of type `ty`, for a call's arguments.
///
/// uints come from uints or non-negative INTs, never from floats (use
/// `to_wei(x)`); addresses from addresses or "0x…" strings; arrays and
/// tuples from arrays; bytes from "0x…" strings or blobs.
pub fn to_sol(value: &Dynamic, ty: &DynSolType) -> Result<DynSolValue, String> {
    let mismatch = || format!("expected {ty}, got {}", describe(value));
    match ty {
        DynSolType::Uint(bits) => {
            let u = if value.is_float() {
                return Err(format!(
                    "expected {ty}, got {}: use to_wei(x) for token amounts",
                    describe(value)
                ));
            } else {
                as_uint(value).map_err(|_| mismatch())?
            };
            if *bits < 256 && u >> *bits != U256::ZERO {
                return Err(format!("{u} does not fit in {ty}"));
            }
            Ok(DynSolValue::Uint(u, *bits))
        }
        DynSolType::Int(bits) => {
            let i = if let Ok(i) = value.as_int() {
                I256::try_from(i).map_err(|_| mismatch())?
            } else if let Some(u) = value.read_lock::<U256>() {
                I256::try_from(*u).map_err(|_| format!("{} does not fit in {ty}", *u))?
            } else if value.is_float() {
                return Err(format!("expected {ty}, got {}: use to_int(x) or to_wei(x)", describe(value)));
            } else {
                return Err(mismatch());
            };
            if *bits < 256 {
                let limit = I256::ONE << (*bits - 1);
                if i >= limit || i < -limit {
                    return Err(format!("{i} does not fit in {ty}"));
                }
            }
            Ok(DynSolValue::Int(i, *bits))
        }
        DynSolType::Address => {
            as_address(value).map(DynSolValue::Address).map_err(|e| format!("expected address: {e}"))
        }
        DynSolType::Bool => value.as_bool().map(DynSolValue::Bool).map_err(|_| mismatch()),
        DynSolType::String => match value.read_lock::<rhai::ImmutableString>() {
            Some(text) => Ok(DynSolValue::String(text.to_string())),
            None => Err(mismatch()),
        },
        DynSolType::Bytes => as_bytes(value).map(DynSolValue::Bytes),
        DynSolType::FixedBytes(size) => {
            let bytes = as_bytes(value)?;
            if bytes.len() != *size {
                return Err(format!("expected {ty}, got {} bytes", bytes.len()));
            }
            let mut word = B256::ZERO;
            word[..*size].copy_from_slice(&bytes);
            Ok(DynSolValue::FixedBytes(word, *size))
        }
        DynSolType::Function => {
            let bytes = as_bytes(value)?;
            let function =
                Function::try_from(bytes.as_slice()).map_err(|_| format!("expected {ty} (24 bytes)"))?;
            Ok(DynSolValue::Function(function))
        }
        DynSolType::Array(inner) => {
            let items = array_items(value, ty)?;
            items
                .iter()
                .enumerate()
                .map(|(i, item)| element(item, inner, i))
                .collect::<Result<_, _>>()
                .map(DynSolValue::Array)
        }
        DynSolType::FixedArray(inner, size) => {
            let items = array_items(value, ty)?;
            if items.len() != *size {
                return Err(format!("expected {ty}, got an array of {}", items.len()));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| element(item, inner, i))
                .collect::<Result<_, _>>()
                .map(DynSolValue::FixedArray)
        }
        DynSolType::Tuple(types) => {
            let items = array_items(value, ty)?;
            if items.len() != types.len() {
                return Err(format!("expected {ty}, got an array of {}", items.len()));
            }
            items
                .iter()
                .zip(types)
                .enumerate()
                .map(|(i, (item, inner))| element(item, inner, i))
                .collect::<Result<_, _>>()
                .map(DynSolValue::Tuple)
        }
        #[allow(unreachable_patterns)]
        _ => Err(format!("{ty} arguments are not supported")),
    }
}

fn array_items(value: &Dynamic, ty: &DynSolType) -> Result<Array, String> {
    value
        .read_lock::<Array>()
        .map(|items| items.clone())
        .ok_or_else(|| format!("expected {ty} (an array), got {}", describe(value)))
}

fn element(item: &Dynamic, ty: &DynSolType, index: usize) -> Result<DynSolValue, String> {
    to_sol(item, ty).map_err(|e| format!("element {index}: {e}"))
}

/// An ABI value as an expression value: uint* → uint, int* → INT when it
/// fits (else FLOAT), address → address, bytes → "0x…" string, arrays and
/// tuples → arrays.
pub fn from_sol(value: &DynSolValue) -> Dynamic {
    match value {
        DynSolValue::Bool(b) => Dynamic::from_bool(*b),
        DynSolValue::Uint(u, _) => Dynamic::from(*u),
        DynSolValue::Int(i, _) => match i64::try_from(*i) {
            Ok(small) => Dynamic::from_int(small),
            Err(_) => Dynamic::from_float(signed_to_f64(*i)),
        },
        DynSolValue::Address(a) => Dynamic::from(*a),
        DynSolValue::FixedBytes(word, size) => Dynamic::from(hex::encode_prefixed(&word[..*size])),
        DynSolValue::Function(f) => Dynamic::from(hex::encode_prefixed(f.as_slice())),
        DynSolValue::Bytes(bytes) => Dynamic::from(hex::encode_prefixed(bytes)),
        DynSolValue::String(text) => Dynamic::from(text.clone()),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) | DynSolValue::Tuple(items) => {
            Dynamic::from_array(items.iter().map(from_sol).collect())
        }
        #[allow(unreachable_patterns)]
        _ => Dynamic::UNIT,
    }
}

fn signed_to_f64(value: Signed<256, 4>) -> f64 {
    value.to_string().parse().unwrap_or(f64::NAN)
}

/// A value as f64: a uint scaled down by 10^`decimals` (correctly rounded),
/// an INT or FLOAT as is.
pub fn to_f64(value: &Dynamic, decimals: u8) -> Result<f64, String> {
    if let Some(u) = value.read_lock::<U256>() {
        return Ok(units_to_f64(*u, decimals));
    }
    as_number(value).map_err(|_| format!("expected a number, got {}", describe(value)))
}

/// A token amount in base units for a model action: an INT or FLOAT (or a
/// decimal string) counts tokens of 18 decimals (exact for at most 18
/// decimals), a uint is base units as is.
pub fn to_amount(value: &Dynamic) -> Result<U256, String> {
    if let Some(u) = value.read_lock::<U256>() {
        return Ok(*u);
    }
    if let Ok(i) = value.as_int() {
        let tokens = int_to_uint(i).map_err(|_| format!("amount {i} is negative"))?;
        let scale = pow10(u32::from(TOKEN_DECIMALS)).unwrap_or(U256::MAX);
        return tokens.checked_mul(scale).ok_or_else(|| format!("amount {i} tokens is too large"));
    }
    if let Ok(f) = value.as_float() {
        return float_to_units(f, TOKEN_DECIMALS).map_err(|e| format!("amount {e}"));
    }
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        return decimal_to_units(&text, TOKEN_DECIMALS, false).map_err(|e| format!("amount {e}"));
    }
    Err(format!("expected an amount, got {}", describe(value)))
}

/// A value as a bool (only `true` and `false` are).
pub fn to_bool(value: &Dynamic) -> Result<bool, String> {
    value.as_bool().map_err(|_| format!("expected true or false, got {}", describe(value)))
}

/// A TOML value as an expression value (tables become maps, datetimes strings).
pub fn from_toml(value: &toml::Value) -> Dynamic {
    match value {
        toml::Value::String(text) => Dynamic::from(text.clone()),
        toml::Value::Integer(i) => Dynamic::from_int(*i),
        toml::Value::Float(f) => Dynamic::from_float(*f),
        toml::Value::Boolean(b) => Dynamic::from_bool(*b),
        toml::Value::Datetime(d) => Dynamic::from(d.to_string()),
        toml::Value::Array(items) => Dynamic::from_array(items.iter().map(from_toml).collect()),
        toml::Value::Table(table) => Dynamic::from_map(table_to_map(table)),
    }
}

/// A TOML table as an object map.
pub fn table_to_map(table: &toml::Table) -> Map {
    table.iter().map(|(key, value)| (key.as_str().into(), from_toml(value))).collect()
}
