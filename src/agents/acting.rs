//! [`ActionAgent`]: the live generic agent (`eoa`, `scripted` and external
//! types): an EOA funded at its first step, a memory, a seeded stream, and
//! [`Step`]s it runs in order each tick (then an external [`Behaviour`]'s step); it reports its ETH and funded-token balances and
//! whatever columns the active models add for every agent ([`AgentKpis`]).

use super::action::{Action, ActionContext, Step, Trigger};
use super::external::Behaviour;
use super::{Agent, SimRng};
use crate::chain::Backend;
use crate::script::{Env, Script};
use crate::wallet::{AgentWallet, Erc20};
use crate::world::{World, WorldHost};
use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use std::sync::Arc;

/// KPI columns a model adds to a generic agent (the Ocean model: its OCEAN,
/// datatokens and net worth).
pub trait AgentKpis: std::fmt::Debug {
    /// Full column names.
    fn columns(&self) -> Vec<String>;
    /// Current values, in column order.
    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>>;
}

/// What an agent starts with: ETH, and tokens the deployer hands over.
#[derive(Debug, Clone, Default)]
pub struct Funding {
    /// ETH (a float is ether, a uint wei).
    pub eth: Option<Script>,
    /// `(column quantity, token, amount)`: the token is sent by the deployer
    /// (minted by it through `mint(address,uint256)` when it holds too little).
    pub tokens: Vec<(String, Script, Script)>,
}

alloy_sol_types::sol! {
    /// What a deployer-mintable token offers, and its decimals.
    interface Mintable {
        function mint(address to, uint256 amount) external;
        function decimals() external view returns (uint8);
    }
}

/// A generic agent in a run.
#[derive(Debug)]
pub struct ActionAgent {
    wallet: AgentWallet,
    env: Env,
    rng: SimRng,
    steps: Arc<[Step]>,
    done: Vec<bool>,
    funding: Funding,
    funded: bool,
    /// `(quantity, token, decimals)` of each funded token, once funded.
    held: Vec<(String, Address, u8)>,
    extra: Vec<Box<dyn AgentKpis>>,
    behaviour: Option<Box<dyn Behaviour>>,
}

impl ActionAgent {
    /// An agent called `name` with these steps, memory and funding.
    pub fn new(name: &str, env: Env, steps: Arc<[Step]>, funding: Funding, seed: u64) -> Self {
        Self {
            wallet: AgentWallet::new(name, 0.0),
            env,
            rng: SimRng::derive(seed, name),
            done: vec![false; steps.len()],
            steps,
            funding,
            funded: false,
            held: Vec::new(),
            extra: Vec::new(),
            behaviour: None,
        }
    }

    /// Give the agent an external behaviour, stepped after its own steps.
    pub fn set_behaviour(&mut self, behaviour: Box<dyn Behaviour>) {
        self.behaviour = Some(behaviour);
    }

    fn fund(&mut self, world: &mut World) -> anyhow::Result<()> {
        let name = self.wallet.name.clone();
        let mut ctx = ActionContext { world, wallet: &self.wallet, env: &mut self.env, rng: &mut self.rng };
        if let Some(eth) = &self.funding.eth {
            let wei = ctx.amount(eth)?;
            ctx.world.chain.set_eth_balance(ctx.wallet.address, wei)?;
        }
        for (quantity, token, amount) in &self.funding.tokens {
            let (token, amount) = (ctx.address(token)?, ctx.amount(amount)?);
            let decimals = ctx.world.chain.view(token, &Mintable::decimalsCall {}).unwrap_or(18);
            self.held.push((quantity.clone(), token, decimals));
            give(ctx.world, token, ctx.wallet.address, amount).map_err(|e| {
                anyhow::anyhow!("agent {name}: funding {amount} base units of @{quantity}: {e}")
            })?;
        }
        Ok(())
    }

    fn due(&mut self, index: usize, tick: u64) -> bool {
        match self.steps[index].trigger {
            Trigger::EveryTick => true,
            Trigger::Every(schedule) => schedule.due(tick),
            Trigger::At(at) if at <= tick && !self.done[index] => {
                self.done[index] = true;
                true
            }
            Trigger::At(_) => false,
        }
    }
}

/// The deployer gives `amount` of `token` to `to`: from what it holds, else minted.
fn give(world: &mut World, token: Address, to: Address, amount: U256) -> anyhow::Result<()> {
    let deployer = crate::chain::GOD;
    if amount.is_zero() {
        return Ok(());
    }
    let held: U256 = world.chain.view(token, &Erc20::balanceOfCall { who: deployer }).unwrap_or_default();
    let call = if held >= amount {
        Erc20::transferCall { to, amount }.abi_encode()
    } else {
        Mintable::mintCall { to, amount }.abi_encode()
    };
    let receipt = world.chain.transact(deployer, token, call.into(), U256::ZERO)?;
    if let Some(reason) = receipt.revert_reason() {
        anyhow::bail!(
            "the deployer holds {held} and cannot mint the rest ({}): give the deployer a supply first",
            world.describe_revert(reason)
        );
    }
    Ok(())
}

impl Agent for ActionAgent {
    fn name(&self) -> &str {
        &self.wallet.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if !self.funded {
            self.fund(world)?;
            self.funded = true;
        }
        let steps = Arc::clone(&self.steps);
        for (index, step) in steps.iter().enumerate() {
            if !self.due(index, world.tick) {
                continue;
            }
            if step.probability < 1.0 && !self.rng.chance(step.probability) {
                continue;
            }
            let mut ctx =
                ActionContext { world, wallet: &self.wallet, env: &mut self.env, rng: &mut self.rng };
            if let Some(when) = &step.when {
                let value = ctx.eval(when)?;
                let go = crate::script::to_bool(&value).map_err(|e| when.error_at_runtime(e))?;
                if !go {
                    continue;
                }
            }
            let label = step.label.as_str();
            let outcome = match &step.action {
                Action::Call(call) => ctx.call(call, label)?.map(|value| (value, call.bind.as_deref())),
                Action::Transfer(parts) => {
                    let [token, to, amount] = parts.as_ref();
                    ctx.transfer(token, to, amount, label)?.map(|v| (v, None))
                }
                Action::Model(action) => action.perform(&mut ctx)?.map(|value| (value, None)),
                Action::Nothing => Some((crate::script::Dynamic::UNIT, None)),
            };
            let Some((value, bind)) = outcome else { continue };
            if let Some(key) = bind {
                self.env
                    .set_memory(key, value)
                    .map_err(|e| anyhow::anyhow!("{label}: bind = {key:?}: {e}"))?;
            }
            if let Some(then) = &step.then {
                let mut host = WorldHost::agent(world, self.wallet.address, &mut self.rng);
                let _last = then.eval(&mut self.env, &mut host)?;
            }
        }
        if let Some(behaviour) = &mut self.behaviour {
            let mut ctx =
                ActionContext { world, wallet: &self.wallet, env: &mut self.env, rng: &mut self.rng };
            behaviour.step(&mut ctx)?;
        }
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        let name = &self.wallet.name;
        let mut columns = vec![format!("agent.{name}.eth")];
        columns.extend(self.funding.tokens.iter().map(|(quantity, _, _)| format!("agent.{name}.{quantity}")));
        for extra in &self.extra {
            columns.extend(extra.columns().into_iter().filter(|c| !columns.contains(c)).collect::<Vec<_>>());
        }
        columns
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        let eth = world.chain.eth_balance(self.wallet.address)?;
        let mut values = vec![crate::script::units_to_f64(eth, 18)];
        for (_, token, decimals) in &self.held {
            let raw: U256 = world.chain.view(*token, &Erc20::balanceOfCall { who: self.wallet.address })?;
            values.push(crate::script::units_to_f64(raw, *decimals));
        }
        values.resize(1 + self.funding.tokens.len(), f64::NAN);
        let mut columns = self.kpi_columns();
        columns.truncate(values.len());
        for extra in &self.extra {
            for (column, value) in extra.columns().into_iter().zip(extra.sample(world)?) {
                if !columns.contains(&column) {
                    columns.push(column);
                    values.push(value);
                }
            }
        }
        Ok(values)
    }

    fn address(&self) -> Option<Address> {
        Some(self.wallet.address)
    }

    fn attach(&mut self, kpis: Box<dyn AgentKpis>) {
        self.extra.push(kpis);
    }
}
