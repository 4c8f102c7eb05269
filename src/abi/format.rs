//! Exact text of decoded ABI values: what a trace row or a log line shows.

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::hex;

/// Write a decoded ABI value as exact text.
///
/// - integers (`uintN`, `intN`) in full decimal, never through `f64`;
/// - addresses checksummed (EIP-55);
/// - `bytes`, `bytesN` and `function` values as `0x` hex;
/// - `true` / `false`;
/// - strings JSON-escaped, in double quotes;
/// - arrays and tuples (structs) as `[a, b]`.
pub fn format_value(value: &DynSolValue) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Join named values as `name=value; name=value` (the `args` and `fields`
/// columns of a trace). A value from [`format_value`] holds `; ` only inside
/// a quoted string, so the pairs can be told apart.
pub fn format_fields(fields: &[(String, String)]) -> String {
    let mut out = String::new();
    for (position, (name, value)) in fields.iter().enumerate() {
        if position > 0 {
            out.push_str("; ");
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

fn write_value(out: &mut String, value: &DynSolValue) {
    match value {
        DynSolValue::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        DynSolValue::Int(int, _) => out.push_str(&int.to_string()),
        DynSolValue::Uint(uint, _) => out.push_str(&uint.to_string()),
        DynSolValue::FixedBytes(word, size) => {
            let size = (*size).min(word.len());
            out.push_str(&hex::encode_prefixed(&word[..size]));
        }
        DynSolValue::Address(address) => out.push_str(&address.to_checksum(None)),
        DynSolValue::Function(function) => out.push_str(&hex::encode_prefixed(function.as_slice())),
        DynSolValue::Bytes(bytes) => out.push_str(&hex::encode_prefixed(bytes)),
        DynSolValue::String(text) => write_json_string(out, text),
        DynSolValue::Array(items) => write_list(out, items),
        // Fixed arrays, tuples and (when alloy's `eip712` feature is on)
        // custom structs are all fixed sequences.
        other => match other.as_fixed_seq() {
            Some(items) => write_list(out, items),
            None => out.push_str(&format!("{other:?}")),
        },
    }
}

fn write_list(out: &mut String, items: &[DynSolValue]) {
    out.push('[');
    for (position, item) in items.iter().enumerate() {
        if position > 0 {
            out.push_str(", ");
        }
        write_value(out, item);
    }
    out.push(']');
}

/// A string as a JSON string literal (serde_json's escaping: quotes,
/// backslashes and control characters escaped, other Unicode kept).
fn write_json_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::Value::String(text.to_owned()).to_string());
}
