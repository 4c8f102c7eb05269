//! [`AddressBook`]: every named contract and agent of a run, by name and by
//! address, so netlists and messages say `@pool_factory` and `alice` instead
//! of hex.

use alloy_json_abi::JsonAbi;
use alloy_primitives::Address;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a name stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    /// A contract: the artifact it was deployed from (when known).
    Contract {
        /// The contract's name in its build.
        artifact: Option<String>,
    },
    /// An agent's EOA.
    Agent,
    /// Another account (the deployer).
    Account,
}

/// One named address.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The name (`@name` in expressions).
    pub name: String,
    /// The address.
    pub address: Address,
    /// What it is.
    pub kind: EntryKind,
    /// Its ABI, for calls by name and for decoding its events and errors.
    pub abi: Option<Arc<JsonAbi>>,
}

impl Entry {
    /// The artifact name of a contract entry, when known.
    pub fn artifact_name(&self) -> Option<&str> {
        match &self.kind {
            EntryKind::Contract { artifact } => artifact.as_deref(),
            _ => None,
        }
    }
}

/// Names and addresses of a run, kept in registration order.
#[derive(Debug, Clone, Default)]
pub struct AddressBook {
    entries: Vec<Entry>,
    by_name: BTreeMap<String, usize>,
    by_address: BTreeMap<Address, usize>,
}

impl AddressBook {
    /// Register `name`; a name already taken keeps its first address and the
    /// call returns `Err` with that address.
    pub fn insert(
        &mut self,
        name: &str,
        address: Address,
        kind: EntryKind,
        abi: Option<Arc<JsonAbi>>,
    ) -> Result<(), Address> {
        if let Some(&i) = self.by_name.get(name) {
            return Err(self.entries[i].address);
        }
        let index = self.entries.len();
        self.entries.push(Entry { name: name.to_string(), address, kind, abi });
        self.by_name.insert(name.to_string(), index);
        self.by_address.entry(address).or_insert(index);
        Ok(())
    }

    /// The address of `name`.
    pub fn address(&self, name: &str) -> Option<Address> {
        self.by_name.get(name).map(|&i| self.entries[i].address)
    }

    /// The entry of `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    /// The entry first registered at `address`.
    pub fn at(&self, address: Address) -> Option<&Entry> {
        self.by_address.get(&address).map(|&i| &self.entries[i])
    }

    /// The name of `address`, if it has one.
    pub fn name_of(&self, address: Address) -> Option<&str> {
        self.at(address).map(|e| e.name.as_str())
    }

    /// Every entry, in registration order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether no name is registered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_both_ways() {
        let mut book = AddressBook::default();
        let a = Address::with_last_byte(1);
        book.insert("pool", a, EntryKind::Contract { artifact: Some("Pool".into()) }, None).unwrap();
        book.insert("alice", Address::with_last_byte(2), EntryKind::Agent, None).unwrap();
        assert_eq!(book.address("pool"), Some(a));
        assert_eq!(book.name_of(a), Some("pool"));
        assert_eq!(book.insert("pool", Address::with_last_byte(9), EntryKind::Account, None), Err(a));
        assert_eq!(book.entries().len(), 2);
        assert!(book.address("bob").is_none());
    }
}
