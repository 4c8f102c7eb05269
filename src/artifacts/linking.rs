//! Library placeholders in creation code, and linking them to addresses.
//!
//! solc ≥ 0.5 writes `__$<34 hex digits>$__`, the hex being the first 17
//! bytes of `keccak256("<source unit>:<Library>")`; older compilers write
//! `__<Library>` padded with underscores to 40 characters.

use alloy_primitives::{hex, keccak256, Address};
use serde_json::Value;
use std::collections::BTreeMap;

const PLACEHOLDER_LEN: usize = 40;

/// Every distinct placeholder in a hex string (without `0x`), in order of appearance.
pub(super) fn placeholders(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    let mut offset = 0;
    while let Some(at) = rest.find("__") {
        let start = offset + at;
        let Some(candidate) = code.get(start..start + PLACEHOLDER_LEN) else { break };
        if !found.iter().any(|p| p == candidate) {
            found.push(candidate.to_string());
        }
        offset = start + PLACEHOLDER_LEN;
        rest = &code[offset..];
    }
    found
}

/// The placeholder solc ≥ 0.5 writes for a fully qualified library name.
fn hashed_placeholder(fully_qualified: &str) -> String {
    let hash = keccak256(fully_qualified.as_bytes());
    format!("__${}$__", hex::encode(&hash[..17]))
}

/// The placeholder old compilers write for a library name.
fn legacy_placeholder(name: &str) -> String {
    let mut placeholder = format!("__{name}");
    placeholder.truncate(PLACEHOLDER_LEN);
    while placeholder.len() < PLACEHOLDER_LEN {
        placeholder.push('_');
    }
    placeholder
}

/// Fully qualified names (`file:Library`) listed in solc `linkReferences`.
pub(super) fn referenced_libraries(link_references: Option<&Value>) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(files) = link_references.and_then(Value::as_object) {
        for (file, libraries) in files {
            if let Some(libraries) = libraries.as_object() {
                names.extend(libraries.keys().map(|lib| format!("{file}:{lib}")));
            }
        }
    }
    names
}

/// A readable name for a placeholder: the library it stands for, if known.
pub(super) fn describe(placeholder: &str, known: &[String]) -> String {
    known
        .iter()
        .find(|fq| hashed_placeholder(fq) == placeholder)
        .cloned()
        .unwrap_or_else(|| placeholder.trim_matches('_').trim_matches('$').to_string())
}

/// Replace the placeholders of the libraries in `addresses` (keys: a
/// library's short name or `file:Library`). Returns the linked code.
pub(super) fn link(code: &str, known: &[String], addresses: &BTreeMap<String, Address>) -> String {
    let mut linked = code.to_string();
    for (library, address) in addresses {
        let address_hex = hex::encode(address);
        let mut candidates = vec![legacy_placeholder(library), hashed_placeholder(library)];
        for fq in known {
            if fq.rsplit(':').next() == Some(library.as_str()) {
                candidates.push(hashed_placeholder(fq));
            }
        }
        for placeholder in candidates {
            linked = linked.replace(&placeholder, &address_hex);
        }
    }
    linked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_links_hashed_and_legacy_placeholders() {
        let hashed = hashed_placeholder("lib/Math.sol:Math");
        let legacy = legacy_placeholder("Old");
        let code = format!("6001{hashed}6002{legacy}6003{hashed}");
        assert_eq!(placeholders(&code), vec![hashed.clone(), legacy]);
        let known = vec!["lib/Math.sol:Math".to_string()];
        assert_eq!(describe(&hashed, &known), "lib/Math.sol:Math");
        let mut addresses = BTreeMap::new();
        addresses.insert("Math".to_string(), Address::repeat_byte(0xab));
        addresses.insert("Old".to_string(), Address::repeat_byte(0xcd));
        let linked = link(&code, &known, &addresses);
        assert!(placeholders(&linked).is_empty(), "{linked}");
        assert_eq!(linked.matches(&"ab".repeat(20)).count(), 2);
        assert_eq!(linked.matches(&"cd".repeat(20)).count(), 1);
    }
}
