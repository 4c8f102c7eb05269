//! [`AdaptedMarket`]: a build's system contracts deployed through its
//! adapter, and its operations run as real transactions.

use super::compile::{Action, Step};
use super::Adapter;
use crate::chain::{Backend, ChainError, Result};
use alloy_dyn_abi::{DynSolValue, FunctionExt, JsonAbiExt};
use alloy_primitives::{Address, Bytes, U256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The variables of one operation run: parameters and bound outputs.
#[derive(Debug, Clone, Default)]
pub struct Vars(Vec<(String, DynSolValue)>);

impl Vars {
    /// Add a variable.
    pub fn with(mut self, name: &str, value: impl Into<DynSolValue>) -> Self {
        self.0.push((name.to_string(), value.into()));
        self
    }

    /// An address variable (zero when absent or not an address).
    pub fn address(&self, name: &str) -> Address {
        match self.get(name) {
            Some(DynSolValue::Address(a)) => *a,
            _ => Address::ZERO,
        }
    }

    /// An unsigned integer variable (zero when absent or not an integer).
    pub fn uint(&self, name: &str) -> U256 {
        match self.get(name) {
            Some(DynSolValue::Uint(v, _)) => *v,
            _ => U256::ZERO,
        }
    }

    fn get(&self, name: &str) -> Option<&DynSolValue> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// A build deployed on a chain through its adapter.
#[derive(Debug, Clone)]
pub struct AdaptedMarket {
    /// The adapter (checked against the build).
    pub adapter: Arc<Adapter>,
    /// Address of every deployed role, `ocean` included.
    pub roles: BTreeMap<String, Address>,
}

impl AdaptedMarket {
    /// Run the adapter's `[[system]]` steps from `deployer`, with the run's OCEAN as role `ocean`.
    pub fn deploy<B: Backend>(
        chain: &mut B,
        adapter: Arc<Adapter>,
        deployer: Address,
        ocean: Address,
    ) -> anyhow::Result<Self> {
        let mut market = Self { adapter, roles: BTreeMap::from([("ocean".to_string(), ocean)]) };
        let mut vars = Vars::default().with("deployer", deployer);
        let adapter = Arc::clone(&market.adapter);
        for (i, step) in adapter.system.iter().enumerate() {
            let deployed = market.run_step(chain, step, &mut vars).map_err(|e| {
                anyhow::anyhow!(
                    "adapter {}, build {}: [[system]] step {}: {e}",
                    adapter.name,
                    adapter.build,
                    i + 1
                )
            })?;
            if let Some((role, address)) = deployed {
                market.roles.insert(role, address);
            }
            for name in step.bind.iter().flatten() {
                if adapter.roles.contains_key(name) {
                    market.roles.insert(name.clone(), vars.address(name));
                }
            }
        }
        Ok(market)
    }

    /// The address of `role`, if deployed.
    pub fn role(&self, role: &str) -> Option<Address> {
        self.roles.get(role).copied()
    }

    /// Run operation `op` for `sender` with parameters `vars`; returns every
    /// variable afterwards (parameters and bound outputs). A revert of any
    /// step is [`ChainError::Reverted`]; earlier steps of the operation stay committed.
    pub fn run<B: Backend>(&self, chain: &mut B, op: &str, sender: Address, vars: Vars) -> Result<Vars> {
        let mut vars = vars.with("sender", sender);
        let Some(steps) = self.adapter.ops.get(op) else {
            return Err(ChainError::Decode {
                to: Address::ZERO,
                reason: format!("adapter {} has no operation {op}", self.adapter.name),
            });
        };
        for step in steps {
            self.run_step(chain, step, &mut vars)?;
        }
        Ok(vars)
    }

    /// The target and calldata of a single-view operation (e.g. `spot_price`), to batch it.
    pub fn view_call(&self, op: &str, vars: &Vars) -> Option<(Address, Bytes)> {
        let step = self.adapter.ops.get(op)?.first()?;
        let Action::Call { to, function, args } = &step.action else { return None };
        let to = address_of(to.eval(&self.roles, &vars.0));
        let values: Vec<DynSolValue> = args.iter().map(|a| a.eval(&self.roles, &vars.0)).collect();
        Some((to, function.abi_encode_input(&values).ok()?.into()))
    }

    /// Run one step, binding its outputs; returns the role it deployed, if any.
    fn run_step<B: Backend>(
        &self,
        chain: &mut B,
        step: &Step,
        vars: &mut Vars,
    ) -> Result<Option<(String, Address)>> {
        let mut deployed = None;
        let from = address_of(step.from.eval(&self.roles, &vars.0));
        let outputs = match &step.action {
            Action::Deploy { role, artifact, args } => {
                let values: Vec<DynSolValue> = args.iter().map(|a| a.eval(&self.roles, &vars.0)).collect();
                let init = artifact
                    .init_code(&values)
                    .map_err(|e| ChainError::Decode { to: Address::ZERO, reason: e.to_string() })?;
                let address = chain.deploy_contract(from, init)?;
                deployed = Some((role.clone(), address));
                vec![DynSolValue::Address(address)]
            }
            Action::Call { to, function, args } => {
                let to = address_of(to.eval(&self.roles, &vars.0));
                for (token, amount, spender) in &step.approvals {
                    let token = address_of(token.eval(&self.roles, &vars.0));
                    let amount = match amount.eval(&self.roles, &vars.0) {
                        DynSolValue::Uint(v, _) => v,
                        _ => U256::ZERO,
                    };
                    let spender = spender.as_ref().map_or(to, |s| address_of(s.eval(&self.roles, &vars.0)));
                    crate::wallet::ensure_allowance(chain, from, token, spender, amount)?;
                }
                let values: Vec<DynSolValue> = args.iter().map(|a| a.eval(&self.roles, &vars.0)).collect();
                let data = function.abi_encode_input(&values).map_err(|e| ChainError::Decode {
                    to,
                    reason: format!("encoding {}: {e}", function.signature()),
                })?;
                let receipt = if step.view {
                    chain.call(from, to, data.into())?
                } else {
                    chain.transact(from, to, data.into(), U256::ZERO)?
                };
                let output = receipt.into_output()?;
                function.abi_decode_output(&output).map_err(|e| ChainError::Decode {
                    to,
                    reason: format!("{}: {e}", function.signature()),
                })?
            }
        };
        for (name, value) in step.bind.iter().zip(outputs) {
            if let Some(name) = name {
                vars.0.push((name.clone(), value));
            }
        }
        Ok(deployed)
    }
}

fn address_of(value: DynSolValue) -> Address {
    match value {
        DynSolValue::Address(a) => a,
        _ => Address::ZERO,
    }
}
