//! [`AbiRegistry`]: every known function, event and error, by selector.

use super::format::{format_fields, format_value};
use crate::artifacts::Artifact;
use crate::chain::RevertReason;
use alloy_dyn_abi::{DynSolValue, EventExt, JsonAbiExt};
use alloy_json_abi::{Error, Event, Function, JsonAbi};
use alloy_primitives::{hex, Log, Selector, B256};
use std::collections::BTreeMap;

/// A call described for people: which function, with which arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The function's signature (`transfer(address,uint256)`); for a selector
    /// no registered ABI knows, the selector as `0x` hex (the whole data when
    /// it is shorter than a selector); empty for a call without data (a plain
    /// ETH transfer).
    pub signature: String,
    /// `(parameter name, value)` in ABI order; a parameter without a name is
    /// named by its position (`"0"`, `"1"`, ...). Values are exact text
    /// ([`format_value`]). Data that could not be decoded is one pair
    /// `("data", "0x...")` holding the bytes after the selector.
    pub args: Vec<(String, String)>,
}

impl Call {
    /// The arguments as `name=value; name=value`.
    pub fn args_text(&self) -> String {
        format_fields(&self.args)
    }
}

/// An event decoded from a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedEvent {
    /// The event's name (`Transfer`).
    pub name: String,
    /// The event's signature (`Transfer(address,address,uint256)`).
    pub signature: String,
    /// `(parameter name, value)` of indexed and data fields together, in ABI
    /// order; unnamed parameters are named by position. An indexed parameter
    /// of a dynamic type (`string`, `bytes`, array, struct) is only stored as
    /// its keccak-256 hash, shown as `0x` hex.
    pub fields: Vec<(String, String)>,
}

impl DecodedEvent {
    /// The fields as `name=value; name=value`.
    pub fn fields_text(&self) -> String {
        format_fields(&self.fields)
    }
}

/// ABI items of every contract a run may meet, indexed for decoding.
#[derive(Debug, Clone, Default)]
pub struct AbiRegistry {
    functions: BTreeMap<Selector, Vec<Candidate<Function>>>,
    events: BTreeMap<B256, Vec<Candidate<Event>>>,
    errors: BTreeMap<Selector, Vec<Candidate<Error>>>,
}

/// One ABI item under a selector, and the contracts that declare it.
#[derive(Debug, Clone)]
struct Candidate<T> {
    item: T,
    contracts: Vec<String>,
}

impl AbiRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add every function, event and error of `abi`, declared by the
    /// contract `contract_name` (the name callers pass to prefer its ABI).
    /// Anonymous events are skipped: they have no topic0 to find them by.
    pub fn add(&mut self, contract_name: &str, abi: &JsonAbi) {
        for function in abi.functions() {
            insert(&mut self.functions, function.selector(), function, contract_name);
        }
        for event in abi.events().filter(|event| !event.anonymous) {
            insert(&mut self.events, event.selector(), event, contract_name);
        }
        for error in abi.errors() {
            insert(&mut self.errors, error.selector(), error, contract_name);
        }
    }

    /// The functions called `name` that the contract `contract_name` declares.
    pub fn functions_named(&self, contract_name: &str, name: &str) -> Vec<alloy_json_abi::Function> {
        self.functions
            .values()
            .flatten()
            .filter(|c| c.item.name == name && c.contracts.iter().any(|n| n == contract_name))
            .map(|c| c.item.clone())
            .collect()
    }

    /// Add an artifact's ABI under the artifact's contract name.
    pub fn add_artifact(&mut self, artifact: &Artifact) {
        self.add(&artifact.name, &artifact.abi);
    }

    /// Describe calldata sent to `contract` (a registered contract name, or
    /// `None` when unknown). A deployment has no selector: its caller
    /// describes it as `constructor`.
    pub fn describe_call(&self, contract: Option<&str>, data: &[u8]) -> Call {
        if data.is_empty() {
            return Call { signature: String::new(), args: Vec::new() };
        }
        let Some((selector, arguments)) = data.split_first_chunk::<4>() else {
            return Call { signature: hex::encode_prefixed(data), args: Vec::new() };
        };
        let raw = || vec![("data".to_string(), hex::encode_prefixed(arguments))];
        let Some(candidates) = self.functions.get(&Selector::from(*selector)) else {
            return Call { signature: hex::encode_prefixed(selector), args: raw() };
        };
        for function in preferred_first(candidates, contract) {
            if let Ok(values) = function.abi_decode_input(arguments) {
                let names = function.inputs.iter().map(|param| param.name.as_str());
                return Call { signature: function.signature(), args: named(names, &values) };
            }
        }
        // Known selector, data that fits none of its ABIs.
        let signature = candidates.first().map(|c| c.item.signature()).unwrap_or_default();
        Call { signature, args: raw() }
    }

    /// Decode a log emitted by `contract` (a registered contract name, or
    /// `None`). `None` when the log has no topics (anonymous), its topic0 is
    /// unknown, or no candidate ABI fits its topics and data.
    pub fn decode_log(&self, contract: Option<&str>, log: &Log) -> Option<DecodedEvent> {
        let topic0 = log.data.topics().first()?;
        let candidates = self.events.get(topic0)?;
        preferred_first(candidates, contract).find_map(|event| {
            let decoded = event.decode_log(&log.data).ok()?;
            let mut indexed = decoded.indexed.into_iter();
            let mut body = decoded.body.into_iter();
            let mut fields = Vec::with_capacity(event.inputs.len());
            for (position, param) in event.inputs.iter().enumerate() {
                let value = if param.indexed { indexed.next() } else { body.next() }?;
                fields.push((param_name(&param.name, position), format_value(&value)));
            }
            Some(DecodedEvent { name: event.name.clone(), signature: event.signature(), fields })
        })
    }

    /// Describe why a transaction of `contract` (a registered contract name,
    /// or `None`) reverted: an `Error(string)` as its message, a `Panic` as
    /// `panic 0x11 (arithmetic underflow or overflow)` (the reason's
    /// `Display`), a registered custom error as `ErrorName(arg=value, ...)`,
    /// anything else as [`RevertReason::label`] (`custom error 0x...`,
    /// `revert without reason`).
    pub fn describe_revert(&self, contract: Option<&str>, reason: &RevertReason) -> String {
        match reason {
            RevertReason::Message(message) => message.clone(),
            RevertReason::Panic { .. } => reason.to_string(),
            RevertReason::Custom(data) => {
                self.describe_custom_error(contract, data).unwrap_or_else(|| reason.label())
            }
            RevertReason::Empty => reason.label(),
        }
    }

    fn describe_custom_error(&self, contract: Option<&str>, data: &[u8]) -> Option<String> {
        let (selector, arguments) = data.split_first_chunk::<4>()?;
        let candidates = self.errors.get(&Selector::from(*selector))?;
        preferred_first(candidates, contract).find_map(|error| {
            let values = error.abi_decode_input(arguments).ok()?;
            let names = error.inputs.iter().map(|param| param.name.as_str());
            let args: Vec<String> =
                named(names, &values).into_iter().map(|(name, value)| format!("{name}={value}")).collect();
            Some(format!("{}({})", error.name, args.join(", ")))
        })
    }
}

/// What makes two items under one selector decode differently: the names of
/// their top-level parameters (the types are fixed by the selector) and, for
/// events, which of them are indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape(Vec<(String, bool)>);

impl Shape {
    fn of_params(params: &[alloy_json_abi::Param]) -> Self {
        Self(params.iter().map(|param| (param.name.clone(), false)).collect())
    }

    fn of_event(event: &Event) -> Self {
        Self(event.inputs.iter().map(|param| (param.name.clone(), param.indexed)).collect())
    }
}

/// Store `item` under `key`, once per shape, remembering every contract
/// that declares it.
fn insert<K: Ord, T: Clone + ShapeOf>(
    map: &mut BTreeMap<K, Vec<Candidate<T>>>,
    key: K,
    item: &T,
    contract: &str,
) {
    let shape = item.shape();
    let candidates = map.entry(key).or_default();
    match candidates.iter_mut().find(|candidate| candidate.item.shape() == shape) {
        Some(candidate) => {
            if !candidate.contracts.iter().any(|name| name == contract) {
                candidate.contracts.push(contract.to_string());
            }
        }
        None => candidates.push(Candidate { item: item.clone(), contracts: vec![contract.to_string()] }),
    }
}

/// The shape of a stored item, to compare with a new one.
trait ShapeOf {
    fn shape(&self) -> Shape;
}

impl ShapeOf for Function {
    fn shape(&self) -> Shape {
        Shape::of_params(&self.inputs)
    }
}

impl ShapeOf for Event {
    fn shape(&self) -> Shape {
        Shape::of_event(self)
    }
}

impl ShapeOf for Error {
    fn shape(&self) -> Shape {
        Shape::of_params(&self.inputs)
    }
}

/// Candidates declared by `contract` first, then the others, each group in
/// the order they were added.
fn preferred_first<'a, T>(
    candidates: &'a [Candidate<T>],
    contract: Option<&'a str>,
) -> impl Iterator<Item = &'a T> + 'a {
    let declares = move |candidate: &Candidate<T>| {
        contract.is_some_and(|name| candidate.contracts.iter().any(|declared| declared == name))
    };
    let preferred = candidates.iter().filter(move |candidate| declares(candidate));
    let others = candidates.iter().filter(move |candidate| !declares(candidate));
    preferred.chain(others).map(|candidate| &candidate.item)
}

/// Pair decoded values with their parameter names (position when unnamed).
fn named<'a>(names: impl Iterator<Item = &'a str>, values: &[DynSolValue]) -> Vec<(String, String)> {
    names
        .zip(values)
        .enumerate()
        .map(|(position, (name, value))| (param_name(name, position), format_value(value)))
        .collect()
}

fn param_name(name: &str, position: usize) -> String {
    if name.is_empty() {
        position.to_string()
    } else {
        name.to_string()
    }
}
