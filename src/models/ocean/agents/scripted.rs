//! [`Scripted`]: a list of actions at given times — for scenarios and
//! reproducible tests. Pools and datatokens are named by their index in
//! creation order (`pool = 0`, `"pool:0"`, `"datatoken:0"`).

use super::OceanWorld;
use super::{check_amount, fund, wallet_columns, wallet_sample, Agent, SimDuration, World};
use crate::chain::{address_for, Backend};
use crate::wallet::{from_base18, to_base18, AgentWallet};
use alloy_dyn_abi::{DynSolType, JsonAbiExt, Specifier};
use alloy_json_abi::Function;
use alloy_primitives::{Address, U256};
use serde::Deserialize;

/// One scripted action; `at` is the time since the start of the run.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScriptAction {
    /// Stake `ocean` OCEAN into pool `pool`.
    Stake {
        /// When.
        at: SimDuration,
        /// Pool index.
        pool: usize,
        /// OCEAN in.
        ocean: f64,
    },
    /// Redeem `shares` pool shares of pool `pool` for OCEAN.
    Unstake {
        /// When.
        at: SimDuration,
        /// Pool index.
        pool: usize,
        /// Shares in.
        shares: f64,
    },
    /// Buy datatokens of pool `pool` with exactly `ocean` OCEAN.
    Buy {
        /// When.
        at: SimDuration,
        /// Pool index.
        pool: usize,
        /// OCEAN in.
        ocean: f64,
    },
    /// Sell exactly `dt` datatokens of pool `pool`.
    Sell {
        /// When.
        at: SimDuration,
        /// Pool index.
        pool: usize,
        /// Datatokens in.
        dt: f64,
    },
    /// Consume one datatoken of pool `pool` (startOrder with 1 DT it holds).
    Consume {
        /// When.
        at: SimDuration,
        /// Pool index.
        pool: usize,
    },
    /// Transfer `amount` of `token` (`"ocean"`, `"datatoken:N"`, `"pool:N"`) to agent `to`.
    Transfer {
        /// When.
        at: SimDuration,
        /// Which token.
        token: String,
        /// Receiving agent's name.
        to: String,
        /// Amount in tokens.
        amount: f64,
    },
    /// Call any function by signature on a target (`"ocean"`, `"pool:N"`,
    /// `"datatoken:N"`, or an address), arguments as text.
    Call {
        /// When.
        at: SimDuration,
        /// Target contract.
        to: String,
        /// e.g. `"setSwapFee(uint256)"`.
        signature: String,
        /// Arguments, parsed by the signature's types.
        #[serde(default)]
        args: Vec<String>,
    },
}

impl ScriptAction {
    fn at(&self) -> SimDuration {
        match self {
            Self::Stake { at, .. }
            | Self::Unstake { at, .. }
            | Self::Buy { at, .. }
            | Self::Sell { at, .. }
            | Self::Consume { at, .. }
            | Self::Transfer { at, .. }
            | Self::Call { at, .. } => *at,
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Self::Stake { .. } => "stake",
            Self::Unstake { .. } => "unstake",
            Self::Buy { .. } => "buy",
            Self::Sell { .. } => "sell",
            Self::Consume { .. } => "consume",
            Self::Transfer { .. } => "transfer",
            Self::Call { .. } => "call",
        }
    }

    /// The largest pool index it names, if any.
    pub fn pool_index(&self) -> Option<usize> {
        let named = |text: &str| text.split_once(':').and_then(|(_, n)| n.parse().ok());
        match self {
            Self::Stake { pool, .. }
            | Self::Unstake { pool, .. }
            | Self::Buy { pool, .. }
            | Self::Sell { pool, .. }
            | Self::Consume { pool, .. } => Some(*pool),
            Self::Transfer { token, .. } => named(token),
            Self::Call { to, .. } => named(to),
        }
    }

    /// The agent it names, if any.
    pub fn agent(&self) -> Option<&str> {
        match self {
            Self::Transfer { to, .. } => Some(to),
            _ => None,
        }
    }
}

/// `type = "scripted"`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedConfig {
    /// Starting OCEAN.
    #[serde(default)]
    pub ocean: f64,
    /// The actions, in any order.
    pub actions: Vec<ScriptAction>,
}

impl ScriptedConfig {
    /// Validate (amounts, call signatures and argument types) and build.
    pub fn build(&self, name: &str, tick_seconds: u64) -> anyhow::Result<Scripted> {
        check_amount(name, "ocean", self.ocean)?;
        let mut plan = Vec::with_capacity(self.actions.len());
        for (i, action) in self.actions.iter().enumerate() {
            let key = format!("actions[{i}] ({})", action.label());
            match action {
                ScriptAction::Stake { ocean: v, .. } | ScriptAction::Buy { ocean: v, .. } => {
                    check_amount(name, &key, *v)?
                }
                ScriptAction::Unstake { shares: v, .. } => check_amount(name, &key, *v)?,
                ScriptAction::Sell { dt: v, .. } => check_amount(name, &key, *v)?,
                ScriptAction::Transfer { amount, token, .. } => {
                    check_amount(name, &key, *amount)?;
                    if token != "ocean" && action.pool_index().is_none() {
                        anyhow::bail!("agent {name}: {key}: token {token:?}: expected \"ocean\", \"datatoken:N\" or \"pool:N\"");
                    }
                }
                ScriptAction::Call { signature, args, .. } => {
                    encode_call(signature, args).map_err(|e| anyhow::anyhow!("agent {name}: {key}: {e}"))?;
                }
                ScriptAction::Consume { .. } => {}
            }
            plan.push((action.at().seconds() / tick_seconds.max(1), action.clone()));
        }
        plan.sort_by_key(|(tick, _)| *tick);
        Ok(Scripted { wallet: AgentWallet::new(name, 0.0), ocean: self.ocean, plan, next: 0, funded: false })
    }
}

/// Parse `signature` and encode `args` by its parameter types.
fn encode_call(signature: &str, args: &[String]) -> Result<Vec<u8>, String> {
    let function = Function::parse(signature).map_err(|e| format!("signature {signature:?}: {e}"))?;
    if function.inputs.len() != args.len() {
        return Err(format!("{signature} takes {} arguments, got {}", function.inputs.len(), args.len()));
    }
    let mut values = Vec::with_capacity(args.len());
    for (param, text) in function.inputs.iter().zip(args) {
        let ty: DynSolType = param.resolve().map_err(|e| e.to_string())?;
        values.push(
            ty.coerce_str(text).map_err(|e| format!("{signature}: cannot read {text:?} as {ty}: {e}"))?,
        );
    }
    function.abi_encode_input(&values).map_err(|e| e.to_string())
}

/// Runs its actions at their ticks; a reverted action is recorded.
#[derive(Debug)]
pub struct Scripted {
    wallet: AgentWallet,
    ocean: f64,
    plan: Vec<(u64, ScriptAction)>,
    next: usize,
    funded: bool,
}

impl Scripted {
    fn target(&self, world: &World, text: &str) -> anyhow::Result<Address> {
        let pool = |n: &str| -> anyhow::Result<&super::PoolInfo> {
            let index: usize = n.parse()?;
            world.ocean().pools.get(index).ok_or_else(|| anyhow::anyhow!("pool {index} does not exist yet"))
        };
        Ok(match text.split_once(':') {
            _ if text == "ocean" => world.ocean().market.ocean().address,
            Some(("pool", n)) => pool(n)?.address,
            Some(("datatoken", n)) => pool(n)?.datatoken,
            _ => text.parse().map_err(|_| {
                anyhow::anyhow!("target {text:?}: expected ocean, pool:N, datatoken:N or an address")
            })?,
        })
    }

    fn perform(&mut self, world: &mut World, action: &ScriptAction) -> anyhow::Result<()> {
        let name = self.wallet.name.clone();
        let market = world.ocean().market.clone();
        let label = action.label();
        let pool_of = |world: &World, index: usize| {
            world.ocean().pools.get(index).cloned().ok_or_else(|| {
                anyhow::anyhow!("agent {name}, tick {}: {label}: pool {index} does not exist yet", world.tick)
            })
        };
        let wallet = &self.wallet;
        match action {
            ScriptAction::Stake { pool, ocean, .. } => {
                let pool = pool_of(world, *pool)?;
                let result = market.stake(&mut world.chain, wallet, &pool, to_base18(*ocean)?);
                world.attempt(&name, label, result)?;
            }
            ScriptAction::Unstake { pool, shares, .. } => {
                let pool = pool_of(world, *pool)?;
                let result = market.unstake(&mut world.chain, wallet, &pool, to_base18(*shares)?);
                world.attempt(&name, label, result)?;
            }
            ScriptAction::Buy { pool, ocean, .. } => {
                let pool = pool_of(world, *pool)?;
                let result = market.buy_dt(&mut world.chain, wallet, &pool, to_base18(*ocean)?);
                if world.attempt(&name, label, result)?.is_some() {
                    world.record_swap(pool.index, *ocean);
                }
            }
            ScriptAction::Sell { pool, dt, .. } => {
                let pool = pool_of(world, *pool)?;
                let result = market.sell_dt(&mut world.chain, wallet, &pool, to_base18(*dt)?);
                if let Some(out) = world.attempt(&name, label, result)? {
                    world.record_swap(pool.index, from_base18(out));
                }
            }
            ScriptAction::Consume { pool, .. } => {
                let pool = pool_of(world, *pool)?;
                let price = world.dt_price(&pool)?;
                let result = market.consume(&mut world.chain, wallet, &pool);
                if world.attempt(&name, label, result)?.is_some() {
                    world.record_consume(pool.index, price);
                }
            }
            ScriptAction::Transfer { token, to, amount, .. } => {
                let token = self.target(world, token)?;
                let result =
                    wallet.transfer_token(&mut world.chain, token, address_for(to), to_base18(*amount)?);
                world.attempt(&name, label, result)?;
            }
            ScriptAction::Call { to, signature, args, .. } => {
                let target = self.target(world, to)?;
                let data = encode_call(signature, args).map_err(|e| anyhow::anyhow!("agent {name}: {e}"))?;
                let receipt = world.chain.transact(wallet.address, target, data.into(), U256::ZERO)?;
                world.attempt(&name, signature, receipt.into_output())?;
            }
        }
        Ok(())
    }
}

impl Agent for Scripted {
    fn name(&self) -> &str {
        &self.wallet.name
    }

    fn step(&mut self, world: &mut World) -> anyhow::Result<()> {
        if !self.funded {
            fund(world, &self.wallet, self.ocean)?;
            self.funded = true;
        }
        while let Some((tick, action)) = self.plan.get(self.next).cloned() {
            if tick > world.tick {
                break;
            }
            self.next += 1;
            self.perform(world, &action)?;
        }
        Ok(())
    }

    fn kpi_columns(&self) -> Vec<String> {
        wallet_columns(&self.wallet.name)
    }

    fn sample(&self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        wallet_sample(&self.wallet, world)
    }
}
