//! What the generic agents do: [`Step`]s, each a trigger (every period, at a
//! time, or every tick), a probability, a `when` condition, an [`Action`]
//! (a contract call, an ERC20 transfer, a model's operation, or nothing) and
//! `then` statements that update the agent's memory after it succeeds.
//!
//! # Errors
//! A reverted call or transfer is recorded in the world (agent, tick,
//! reason) and the agent goes on; an expression that fails (a type error, a
//! view that reverts, an unknown name) stops the run with the expression's
//! file, line and source, the agent and the tick.

use super::call::CallPlan;
use super::{Schedule, SimDuration, SimRng};
use crate::chain::Backend;
use crate::script::{to_amount, Dynamic, Env, Script};
use crate::wallet::AgentWallet;
use crate::world::{World, WorldHost};
use alloy_primitives::{Address, Bytes, U256};
use std::sync::Arc;

/// When a step may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Every tick.
    EveryTick,
    /// Every period, starting at tick 0.
    Every(Schedule),
    /// Once, at the first tick at or after this one.
    At(u64),
}

impl Trigger {
    /// A trigger from `every` or `at` (neither: every tick).
    pub fn new(
        every: Option<SimDuration>,
        at: Option<SimDuration>,
        tick_seconds: u64,
    ) -> Result<Self, String> {
        match (every, at) {
            (Some(_), Some(_)) => Err("give `every` or `at`, not both".to_string()),
            (Some(every), None) if every.seconds() == 0 => Err("`every` must be longer than 0s".to_string()),
            (Some(every), None) => Ok(Self::Every(Schedule::new(every, tick_seconds))),
            (None, Some(at)) => Ok(Self::At(at.seconds() / tick_seconds.max(1))),
            (None, None) => Ok(Self::EveryTick),
        }
    }
}

/// A contract call with its approvals and the name its return value is kept under.
#[derive(Debug, Clone)]
pub struct CallAction {
    /// The target (an expression: `@router`, `memory.pair`).
    pub to: Script,
    /// The function and arguments.
    pub plan: CallPlan,
    /// ETH sent with it (a float is ether, a uint wei).
    pub value: Option<Script>,
    /// `(token, amount, spender)` allowances granted first when short
    /// (spender: the target when absent).
    pub approvals: Vec<(Script, Script, Option<Script>)>,
    /// Memory key of the return value.
    pub bind: Option<String>,
}

/// A model's operation a scripted or eoa agent can name (`do = "stake"`).
pub trait ModelAction: std::fmt::Debug + Send + Sync {
    /// What it is, for messages and revert records (`stake`).
    fn label(&self) -> &str;
    /// Its expressions (checked against the address book before the run).
    fn scripts(&self) -> Vec<&Script>;
    /// Act; `Ok(None)` when the operation reverted (the world recorded it),
    /// else its result (bound under `bind`).
    fn perform(&self, ctx: &mut ActionContext<'_>) -> anyhow::Result<Option<Dynamic>>;
    /// The action as `Any`, so its model can check it at load time.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// What an action does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Call a contract.
    Call(Box<CallAction>),
    /// Send an ERC20 amount: token, recipient, amount (a float is tokens, a uint base units).
    Transfer(Box<[Script; 3]>),
    /// One of a model's operations.
    Model(Arc<dyn ModelAction>),
    /// Nothing on chain (the step only runs `then`).
    Nothing,
}

/// One behaviour of a generic agent.
#[derive(Debug, Clone)]
pub struct Step {
    /// `behaviour 2 (swap)`, for messages.
    pub label: String,
    /// When it may act.
    pub trigger: Trigger,
    /// Chance of acting when triggered (1 = always).
    pub probability: f64,
    /// Acts only when this is true.
    pub when: Option<Script>,
    /// What it does.
    pub action: Action,
    /// Statements run after the action succeeded (memory updates).
    pub then: Option<Script>,
}

impl Step {
    /// Every expression of the step, argument expressions included.
    pub fn scripts(&self) -> Vec<&Script> {
        let mut scripts: Vec<&Script> = self.when.iter().chain(&self.then).collect();
        match &self.action {
            Action::Call(call) => {
                scripts.push(&call.to);
                scripts.extend(call.plan.scripts());
                scripts.extend(&call.value);
                for (token, amount, spender) in &call.approvals {
                    scripts.extend([token, amount]);
                    scripts.extend(spender);
                }
            }
            Action::Transfer(parts) => scripts.extend(parts.iter()),
            Action::Model(action) => scripts.extend(action.scripts()),
            Action::Nothing => {}
        }
        scripts
    }
}

/// What an acting agent lends an action: the world, its wallet, memory and stream.
#[derive(Debug)]
pub struct ActionContext<'a> {
    /// The world.
    pub world: &'a mut World,
    /// The agent's account.
    pub wallet: &'a AgentWallet,
    /// Its parameters and memory.
    pub env: &'a mut Env,
    /// Its random stream.
    pub rng: &'a mut SimRng,
}

impl ActionContext<'_> {
    /// Evaluate `script` as this agent.
    pub fn eval(&mut self, script: &Script) -> anyhow::Result<Dynamic> {
        let mut host = WorldHost::agent(self.world, self.wallet.address, self.rng);
        Ok(script.eval(self.env, &mut host)?)
    }

    /// Evaluate an amount: a float or an integer is tokens (×10^18), a uint base units.
    pub fn amount(&mut self, script: &Script) -> anyhow::Result<U256> {
        let value = self.eval(script)?;
        Ok(to_amount(&value).map_err(|e| script.error_at_runtime(e))?)
    }

    /// Evaluate an address.
    pub fn address(&mut self, script: &Script) -> anyhow::Result<Address> {
        let value = self.eval(script)?;
        Ok(crate::script::as_address(&value).map_err(|e| script.error_at_runtime(e))?)
    }

    /// The agent's name.
    pub fn name(&self) -> &str {
        &self.wallet.name
    }

    /// Run a call; `Ok(None)` when it reverted (recorded), else its decoded return value.
    pub fn call(&mut self, call: &CallAction, label: &str) -> anyhow::Result<Option<Dynamic>> {
        let to = self.address(&call.to)?;
        self.check_code(to, label)?;
        let data: Bytes = {
            let mut host = WorldHost::agent(self.world, self.wallet.address, self.rng);
            call.plan.calldata(self.env, &mut host)?
        };
        let value = match &call.value {
            Some(script) => self.amount(script)?,
            None => U256::ZERO,
        };
        for (token, amount, spender) in &call.approvals {
            let token = self.address(token)?;
            let amount = self.amount(amount)?;
            let spender = match spender {
                Some(script) => self.address(script)?,
                None => to,
            };
            if !self.approve(token, spender, amount, label)? {
                return Ok(None);
            }
        }
        let Some(output) = self.send(to, data, value, label)? else { return Ok(None) };
        let returned = call.plan.decode_output(&output).map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
        Ok(Some(returned))
    }

    /// Refuse a call to an address without code (it would do nothing).
    pub fn check_code(&mut self, to: Address, label: &str) -> anyhow::Result<()> {
        if self.world.chain.code(to)?.is_empty() {
            let shown =
                self.world.book.name_of(to).map_or_else(|| to.to_string(), |n| format!("@{n} ({to})"));
            anyhow::bail!("{label}: {} has no code: a call to it would do nothing", shown);
        }
        Ok(())
    }

    /// Grant `spender` an allowance of `amount` of `token` when short;
    /// false when the approval reverted (recorded).
    pub fn approve(
        &mut self,
        token: Address,
        spender: Address,
        amount: U256,
        label: &str,
    ) -> anyhow::Result<bool> {
        let approved = self.wallet.ensure_allowance(&mut self.world.chain, token, spender, amount);
        Ok(self.world.attempt(&self.wallet.name, &format!("{label}: approve"), approved)?.is_some())
    }

    /// Send a transaction from the agent; `Ok(None)` when it reverted
    /// (recorded), else the return data.
    pub fn send(
        &mut self,
        to: Address,
        data: Bytes,
        value: U256,
        label: &str,
    ) -> anyhow::Result<Option<Bytes>> {
        let receipt = self.world.chain.transact(self.wallet.address, to, data, value)?;
        self.world.attempt(&self.wallet.name, label, receipt.into_output())
    }

    /// Send an ERC20 amount; `Ok(None)` when it reverted (recorded).
    pub fn transfer(
        &mut self,
        token: &Script,
        to: &Script,
        amount: &Script,
        label: &str,
    ) -> anyhow::Result<Option<Dynamic>> {
        let (token, to, amount) = (self.address(token)?, self.address(to)?, self.amount(amount)?);
        let sent = self.wallet.transfer_token(&mut self.world.chain, token, to, amount);
        Ok(self.world.attempt(&self.wallet.name, label, sent)?.map(|()| Dynamic::UNIT))
    }
}
