//! Decoding of revert data, in one place for the whole crate.

use alloy_primitives::{Bytes, U256};
use alloy_sol_types::{Panic, Revert, SolError};
use std::fmt;

/// Why a transaction reverted, decoded from its return data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevertReason {
    /// `require(cond, "message")` or `revert("message")`: Solidity's `Error(string)`.
    Message(String),
    /// `Panic(uint256)`: an assertion, arithmetic overflow, division by zero, ...
    Panic {
        /// The Solidity panic code (0x11 is arithmetic overflow, 0x12 division by zero).
        code: U256,
    },
    /// A custom error or any other data; the selector is its first four bytes.
    Custom(Bytes),
    /// A revert without data (`revert()`, `require(cond)`).
    Empty,
}

impl RevertReason {
    /// Decode revert data: `Error(string)`, `Panic(uint256)`, else raw data.
    pub fn decode(data: &[u8]) -> Self {
        if data.is_empty() {
            return Self::Empty;
        }
        if let Ok(revert) = Revert::abi_decode(data) {
            return Self::Message(revert.reason);
        }
        if let Ok(panic) = Panic::abi_decode(data) {
            return Self::Panic { code: panic.code };
        }
        Self::Custom(Bytes::copy_from_slice(data))
    }

    /// The message of an `Error(string)` revert, if that is what it was.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Message(message) => Some(message),
            _ => None,
        }
    }

    /// A short, stable label for counting reverts by reason in KPIs.
    pub fn label(&self) -> String {
        match self {
            Self::Message(message) => message.clone(),
            Self::Panic { code } => format!("panic 0x{code:x}"),
            Self::Custom(data) => match data.get(..4) {
                Some(selector) => format!("custom error 0x{}", alloy_primitives::hex::encode(selector)),
                None => format!("raw revert data {data}"),
            },
            Self::Empty => "revert without reason".to_string(),
        }
    }
}

impl fmt::Display for RevertReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Message(message) => write!(f, "\"{message}\""),
            Self::Panic { code } => {
                let meaning = Panic { code: *code }
                    .kind()
                    .map(|kind| kind.as_str().to_string())
                    .unwrap_or_else(|| "unknown panic code".to_string());
                write!(f, "panic 0x{code:x} ({meaning})")
            }
            Self::Custom(_) | Self::Empty => f.write_str(&self.label()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_error_string() {
        let data = Revert::from("ERR_MAX_IN_RATIO").abi_encode();
        assert_eq!(RevertReason::decode(&data), RevertReason::Message("ERR_MAX_IN_RATIO".into()));
    }

    #[test]
    fn decodes_panic_code_and_names_it() {
        let data = Panic::from(0x11).abi_encode();
        let reason = RevertReason::decode(&data);
        assert_eq!(reason, RevertReason::Panic { code: U256::from(0x11) });
        assert!(reason.to_string().contains("overflow"), "{reason}");
    }

    #[test]
    fn keeps_custom_and_empty_data() {
        assert_eq!(RevertReason::decode(&[]), RevertReason::Empty);
        let custom = [0xde, 0xad, 0xbe, 0xef, 1, 2];
        let reason = RevertReason::decode(&custom);
        assert_eq!(reason.label(), "custom error 0xdeadbeef");
    }
}
