//! A test host backed by the real embedded EVM: a ReserveToken (and any other
//! own contract) deployed by GOD, logs collected from committed receipts
//! and decoded with alloy-dyn-abi.

use crate::agents::SimRng;
use crate::artifacts::{deploy_own, own_artifact};
use crate::chain::{Backend, Chain, Outcome, GOD};
use crate::script::{Clock, Env, Host, Origin, Script, ScriptError};
use crate::wallet::Erc20;
use alloy_dyn_abi::{DynSolValue, EventExt};
use alloy_json_abi::{Event, JsonAbi};
use alloy_primitives::{Address, Bytes, Log, U256};
use alloy_sol_types::SolCall;
use rhai::Dynamic;
use std::collections::BTreeMap;

alloy_sol_types::sol! {
    /// The owner-only mint of the example ReserveToken.
    interface Mintable {
        function mint(address to, uint256 amount) external;
    }
}

/// The simulation an expression sees in these tests.
pub(super) struct ChainHost {
    pub(super) chain: Chain,
    pub(super) book: BTreeMap<String, Address>,
    pub(super) abis: BTreeMap<Address, JsonAbi>,
    /// Logs of committed transactions, oldest first.
    pub(super) logs: Vec<Log>,
    pub(super) this: Option<Address>,
    pub(super) clock: Clock,
    pub(super) series: BTreeMap<String, f64>,
    pub(super) counters: BTreeMap<String, f64>,
    pub(super) rng: Option<SimRng>,
}

/// One token in base units.
pub(super) fn tokens(amount: u64) -> U256 {
    U256::from(amount) * U256::from(10u64).pow(U256::from(18))
}

impl ChainHost {
    /// A chain with a ReserveToken deployed as `@token`, GOD as `@deployer`, and two
    /// agents `@alice` and `@bob` (no balances yet).
    pub(super) fn new() -> Self {
        let mut host = Self {
            chain: Chain::new(),
            book: BTreeMap::new(),
            abis: BTreeMap::new(),
            logs: Vec::new(),
            this: None,
            clock: Clock::default(),
            series: BTreeMap::new(),
            counters: BTreeMap::new(),
            rng: None,
        };
        host.book.insert("deployer".into(), GOD);
        host.book.insert("alice".into(), crate::chain::address_for("alice"));
        host.book.insert("bob".into(), crate::chain::address_for("bob"));
        host.deploy("token", "ReserveToken", &["Test Token", "TST", "0"]);
        host
    }

    /// Deploy an own contract under a book name, with its ABI.
    pub(super) fn deploy(&mut self, name: &str, artifact: &str, args: &[&str]) -> Address {
        let address = deploy_own(&mut self.chain, artifact, args).expect("deploy");
        let abi = own_artifact(artifact).expect("artifact").abi;
        self.book.insert(name.into(), address);
        self.abis.insert(address, abi);
        address
    }

    /// The address of a book name.
    pub(super) fn at(&self, name: &str) -> Address {
        self.book[name]
    }

    /// Send a committed transaction; keep its logs. Panics on a revert.
    pub(super) fn send<C: SolCall>(&mut self, from: Address, to: Address, call: &C) {
        let receipt = self.chain.transact(from, to, call.abi_encode().into(), U256::ZERO).expect("transact");
        assert!(receipt.is_success(), "{:?}", receipt.outcome);
        self.logs.extend(receipt.logs);
    }

    /// Mint tokens to a book name.
    pub(super) fn mint(&mut self, to: &str, amount: U256) {
        let (token, to) = (self.at("token"), self.at(to));
        self.send(GOD, token, &Mintable::mintCall { to, amount });
    }

    /// Transfer tokens between book names.
    pub(super) fn transfer(&mut self, from: &str, to: &str, amount: U256) {
        let (token, from, to) = (self.at("token"), self.at(from), self.at(to));
        self.send(from, token, &Erc20::transferCall { to, amount });
    }

    /// Compile and evaluate statements (an expression is one) with an empty environment.
    pub(super) fn eval(&mut self, source: &str) -> Result<Dynamic, ScriptError> {
        self.eval_in(&mut Env::new(), source)
    }

    /// Compile and evaluate statements (an expression is one) with `env`.
    pub(super) fn eval_in(&mut self, env: &mut Env, source: &str) -> Result<Dynamic, ScriptError> {
        Script::statements(source, origin())?.eval(env, self)
    }

    /// Evaluate and display the value (uints in decimal, addresses checksummed).
    pub(super) fn show(&mut self, source: &str) -> String {
        match self.eval(source) {
            Ok(value) => crate::script::display(&value),
            Err(e) => panic!("{e}"),
        }
    }

    /// Evaluate, expecting an error; its message.
    pub(super) fn error(&mut self, source: &str) -> String {
        match self.eval(source) {
            Ok(value) => panic!("`{source}` gave {value:?}, expected an error"),
            Err(e) => e.message,
        }
    }
}

/// The origin used by these tests.
pub(super) fn origin() -> Origin {
    Origin::new("test.toml", 7, "kpi `x`")
}

impl Host for ChainHost {
    fn address_of(&self, name: &str) -> Option<Address> {
        self.book.get(name).copied()
    }

    fn name_of(&self, address: Address) -> Option<String> {
        self.book.iter().find(|(_, a)| **a == address).map(|(name, _)| name.clone())
    }

    fn this(&self) -> Option<Address> {
        self.this
    }

    fn view(&mut self, to: Address, data: Bytes) -> Result<Bytes, String> {
        if self.chain.code(to).is_empty() {
            return Err(format!("no code at {to}"));
        }
        let receipt = self.chain.call(Address::ZERO, to, data).map_err(|e| e.to_string())?;
        match receipt.outcome {
            Outcome::Success { output, .. } => Ok(output),
            Outcome::Revert(reason) => Err(format!("reverted: {reason}")),
            Outcome::Halt(reason) => Err(format!("halted: {reason}")),
        }
    }

    fn abi_of(&self, address: Address) -> Option<&JsonAbi> {
        self.abis.get(&address)
    }

    fn eth_balance(&mut self, who: Address) -> Result<U256, String> {
        self.chain.eth_balance(who).map_err(|e| e.to_string())
    }

    fn clock(&self) -> Clock {
        self.clock
    }

    fn events(&mut self, address: Address, event: &Event) -> Result<Vec<Vec<DynSolValue>>, String> {
        let selector = event.selector();
        let mut found = Vec::new();
        for log in self.logs.iter().filter(|log| log.address == address) {
            if log.data.topics().first() != Some(&selector) {
                continue;
            }
            let decoded = event.decode_log(&log.data).map_err(|e| e.to_string())?;
            let (mut indexed, mut body) = (decoded.indexed.into_iter(), decoded.body.into_iter());
            let values = event
                .inputs
                .iter()
                .map(|input| if input.indexed { indexed.next() } else { body.next() })
                .collect::<Option<Vec<_>>>()
                .ok_or("a log with fewer values than its event")?;
            found.push(values);
        }
        Ok(found)
    }

    fn event_stats(&mut self, address: Address, event: &Event, field: usize) -> Result<(u64, U256), String> {
        let found = self.events(address, event)?;
        let mut sum = U256::ZERO;
        for values in &found {
            match values.get(field) {
                Some(DynSolValue::Uint(value, _)) => sum += *value,
                other => return Err(format!("field {field} is {other:?}, not a uint")),
            }
        }
        Ok((found.len() as u64, sum))
    }

    fn series(&self, name: &str) -> Result<f64, String> {
        self.series.get(name).copied().ok_or_else(|| format!("no series {name}"))
    }

    fn counter(&self, name: &str) -> f64 {
        self.counters.get(name).copied().unwrap_or(0.0)
    }

    fn add_to_counter(&mut self, name: &str, amount: f64) -> Result<f64, String> {
        if self.this.is_none() {
            return Err("counters are read-only in KPIs".to_string());
        }
        let total = self.counters.entry(name.to_string()).or_insert(0.0);
        *total += amount;
        Ok(*total)
    }

    fn rng(&mut self) -> Result<&mut SimRng, String> {
        self.rng.as_mut().ok_or_else(|| "random draws are not allowed in KPIs".to_string())
    }
}
