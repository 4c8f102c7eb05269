//! The Ocean market's operations for the generic agents: a `scripted` or
//! `eoa` agent writes `do = "stake"` and the model does it on the run's
//! design. Amounts are expressions or numbers (tokens):
//!
//! ```toml
//! { at = "1d", do = "stake",   pool = 0, ocean = "balance(@ocean, self) / 2" }
//! { at = "2d", do = "buy",     pool = 0, ocean = 100.0 }             # exactly 100 OCEAN in
//! { at = "2d", do = "buy",     pool = 0, dt = 1.0 }                  # exactly 1 DT out
//! { at = "3d", do = "sell",    pool = 0, dt = "balance(@datatoken0, self)" }
//! { at = "4d", do = "unstake", pool = 0, shares = "balance(@pool0, self)" }
//! { at = "5d", do = "consume", pool = 0 }
//! ```
//! Pool `N` is the N-th pool created in the run (`@poolN`, `@datatokenN`).
//!
//! # Errors
//! A pool that does not exist yet when the action runs is an error naming
//! the agent, the tick and the pool; a reverted operation is recorded.

use super::state::{OceanWorld, PoolInfo};
use crate::agents::action::{ActionContext, ModelAction};
use crate::agents::call::Compiler;
use crate::script::{Dynamic, Script};
use crate::wallet::from_base18;
use alloy_primitives::U256;
use std::sync::Arc;

/// What an Ocean action does, with its amounts.
#[derive(Debug, Clone)]
enum Operation {
    Stake { ocean: Script },
    Unstake { shares: Script },
    BuyExactIn { ocean: Script },
    BuyExactOut { dt: Script, max_ocean: Option<Script> },
    Sell { dt: Script },
    Consume,
}

/// One Ocean operation on pool `pool`.
#[derive(Debug, Clone)]
pub struct OceanAction {
    /// The pool's index in creation order.
    pub pool: usize,
    label: &'static str,
    operation: Operation,
}

/// Parse `do = kind` (with `pool` and its amounts); `None` for another kind.
pub(super) fn parse(
    kind: &str,
    table: &mut toml::Table,
    compiler: Compiler<'_>,
) -> Option<anyhow::Result<Arc<dyn ModelAction>>> {
    let label = match kind {
        "stake" => "stake",
        "unstake" => "unstake",
        "buy" => "buy",
        "sell" => "sell",
        "consume" => "consume",
        _ => return None,
    };
    Some(parse_known(label, table, compiler).map(|a| Arc::new(a) as Arc<dyn ModelAction>))
}

fn parse_known(
    label: &'static str,
    table: &mut toml::Table,
    compiler: Compiler<'_>,
) -> anyhow::Result<OceanAction> {
    let pool = match table.remove("pool") {
        Some(toml::Value::Integer(n)) if n >= 0 => n as usize,
        Some(other) => {
            return Err(
                compiler.error(format!("do = \"{label}\": pool = {other} must be a pool index (0, 1, ...)"))
            )
        }
        None => {
            return Err(compiler.error(format!("do = \"{label}\" needs `pool` (its index in creation order)")))
        }
    };
    let has_ocean = table.contains_key("ocean");
    let (has_dt, has_max) = (table.contains_key("dt"), table.contains_key("max_ocean"));
    let mut amount = |key: &str| -> anyhow::Result<Script> {
        let value =
            table.remove(key).ok_or_else(|| compiler.error(format!("do = \"{label}\" needs `{key}`")))?;
        compiler.value(&value, &format!("`{key}`"))
    };
    let operation =
        match label {
            "stake" => Operation::Stake { ocean: amount("ocean")? },
            "unstake" => Operation::Unstake { shares: amount("shares")? },
            "sell" => Operation::Sell { dt: amount("dt")? },
            "consume" => Operation::Consume,
            _ => match (has_ocean, has_dt) {
                (true, false) => Operation::BuyExactIn { ocean: amount("ocean")? },
                (false, true) => {
                    let dt = amount("dt")?;
                    let max_ocean = if has_max { Some(amount("max_ocean")?) } else { None };
                    Operation::BuyExactOut { dt, max_ocean }
                }
                _ => return Err(compiler.error(
                    "do = \"buy\" needs `ocean` (exactly that OCEAN in) or `dt` (exactly that many DT out)",
                )),
            },
        };
    Ok(OceanAction { pool, label, operation })
}

impl OceanAction {
    fn amounts(&self) -> Vec<&Script> {
        match &self.operation {
            Operation::Stake { ocean } | Operation::BuyExactIn { ocean } => vec![ocean],
            Operation::Unstake { shares } => vec![shares],
            Operation::BuyExactOut { dt, max_ocean } => std::iter::once(dt).chain(max_ocean).collect(),
            Operation::Sell { dt } => vec![dt],
            Operation::Consume => Vec::new(),
        }
    }

    fn pool_info(&self, ctx: &ActionContext<'_>) -> anyhow::Result<PoolInfo> {
        ctx.world.ocean().pools.get(self.pool).cloned().ok_or_else(|| {
            // The engine's message names the agent and the tick.
            anyhow::anyhow!(
                "do = {:?}, pool = {}: pool {} does not exist yet ({} created so far; publishers create pools in order as they publish)",
                self.label,
                self.pool,
                self.pool,
                ctx.world.ocean().pools.len()
            )
        })
    }
}

impl ModelAction for OceanAction {
    fn label(&self) -> &str {
        self.label
    }

    fn scripts(&self) -> Vec<&Script> {
        self.amounts()
    }

    fn perform(&self, ctx: &mut ActionContext<'_>) -> anyhow::Result<Option<Dynamic>> {
        let pool = self.pool_info(ctx)?;
        let market = ctx.world.ocean().market.clone();
        let name = ctx.name().to_string();
        let label = self.label;
        let out = match &self.operation {
            Operation::Stake { ocean } => {
                let amount = ctx.amount(ocean)?;
                let result = market.stake(&mut ctx.world.chain, ctx.wallet, &pool, amount);
                ctx.world.attempt(&name, label, result)?
            }
            Operation::Unstake { shares } => {
                let amount = ctx.amount(shares)?;
                let result = market.unstake(&mut ctx.world.chain, ctx.wallet, &pool, amount);
                ctx.world.attempt(&name, label, result)?
            }
            Operation::BuyExactIn { ocean } => {
                let amount = ctx.amount(ocean)?;
                let result = market.buy_dt(&mut ctx.world.chain, ctx.wallet, &pool, amount);
                let bought = ctx.world.attempt(&name, label, result)?;
                if bought.is_some() {
                    ctx.world.record_swap(pool.index, from_base18(amount));
                }
                bought
            }
            Operation::BuyExactOut { dt, max_ocean } => {
                let amount = ctx.amount(dt)?;
                let ocean = market.ocean();
                let budget = match max_ocean {
                    Some(max) => ctx.amount(max)?,
                    None => ocean.balance_of(&mut ctx.world.chain, ctx.wallet.address)?,
                };
                let result = market.buy_exact_dt(&mut ctx.world.chain, ctx.wallet, &pool, amount, budget);
                let paid = ctx.world.attempt(&name, label, result)?;
                if let Some(paid) = paid {
                    ctx.world.record_swap(pool.index, from_base18(paid));
                }
                paid
            }
            Operation::Sell { dt } => {
                let amount = ctx.amount(dt)?;
                let result = market.sell_dt(&mut ctx.world.chain, ctx.wallet, &pool, amount);
                let received = ctx.world.attempt(&name, label, result)?;
                if let Some(out) = received {
                    ctx.world.record_swap(pool.index, from_base18(out));
                }
                received
            }
            Operation::Consume => {
                let price = ctx.world.dt_price(&pool)?;
                let result = market.consume(&mut ctx.world.chain, ctx.wallet, &pool);
                let consumed = ctx.world.attempt(&name, label, result)?;
                if consumed.is_some() {
                    ctx.world.record_consume(pool.index, price);
                }
                consumed.map(|()| U256::from(1))
            }
        };
        Ok(out.map(Dynamic::from))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Origin;

    #[test]
    fn actions_parse_with_their_amounts_and_say_what_is_missing() {
        let origin = Origin::new("n.toml", 4, "agent s, action 1");
        let compiler = Compiler { origin: &origin, library: None, variables: None };
        let mut table: toml::Table =
            toml::from_str("pool = 0\nocean = \"balance(@ocean, self) / 2\"").unwrap();
        let action = parse("stake", &mut table, compiler).unwrap().unwrap();
        assert_eq!(action.scripts()[0].names(), ["ocean"]);
        assert!(table.is_empty());
        let mut table: toml::Table = toml::from_str("pool = 1\ndt = 1.0").unwrap();
        let buy = parse("buy", &mut table, compiler).unwrap().unwrap();
        let buy = buy.as_any().downcast_ref::<OceanAction>().unwrap();
        assert!(matches!(buy.operation, Operation::BuyExactOut { .. }) && buy.pool == 1);
        assert!(parse("fly", &mut toml::Table::new(), compiler).is_none());
        let mut table: toml::Table = toml::from_str("pool = 0").unwrap();
        let error = parse("buy", &mut table, compiler).unwrap().unwrap_err().to_string();
        assert!(error.starts_with("n.toml:4: agent s, action 1: do = \"buy\" needs"), "{error}");
        let error = parse("stake", &mut toml::Table::new(), compiler).unwrap().unwrap_err().to_string();
        assert!(error.contains("needs `pool`"), "{error}");
    }
}
