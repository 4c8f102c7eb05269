//! Setting a run up from a loaded netlist: deploying its `[[contract]]`s (or
//! naming the existing ones, checking that they have code) and
//! making their set-up calls (names and ABIs into the address book), and
//! checking that every `@name` any expression uses exists — before the first
//! tick, so `tsp check` finds a misspelt name.
//!
//! # Errors
//! A constructor or set-up call that reverts, an `address` without code, a bound value that is not an
//! address, a name given twice, or an unknown `@name`: errors naming the
//! file, line and what was written, with the decoded revert reason.

use super::parts::ContractPlan;
use crate::chain::{Backend, Outcome, GOD};
use crate::script::{as_address, to_amount, Env, Script};
use crate::world::{EntryKind, World, WorldHost};
use alloy_primitives::{Address, Bytes, U256};
use anyhow::bail;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Deploy `plans` in order from the deployer and make their set-up calls.
pub(super) fn deploy_contracts(world: &mut World, plans: &[ContractPlan]) -> anyhow::Result<()> {
    let mut env = Env::new();
    let none = BTreeSet::new();
    for plan in plans {
        let at = &plan.origin;
        if let Some(address) = plan.existing {
            name_existing(world, plan, address)?;
            setup_calls(world, &mut env, plan)?;
            continue;
        }
        // Names are checked before they are evaluated, so a misspelt one is listed with what exists.
        check_names(world, &none, plan.constructor.scripts().into_iter().chain(&plan.value))?;
        let values = plan.constructor.values(&mut env, &mut WorldHost::observer(world))?;
        let shown = plan.constructor.describe(&values);
        let args = alloy_dyn_abi::DynSolValue::Tuple(values).abi_encode_params();
        let mut init = plan.artifact.creation_code()?.to_vec();
        init.extend_from_slice(&args);
        let value = amount(world, &mut env, plan.value.as_ref())?;
        if !value.is_zero() {
            let held = world.chain.eth_balance(GOD)?;
            world.chain.set_eth_balance(GOD, held.saturating_add(value))?;
        }
        // Registered first, so that a constructor's custom error decodes.
        world.abis.add(&plan.artifact.name, &plan.artifact.abi);
        let receipt = world.chain.deploy(GOD, Bytes::from(init))?;
        let address = match receipt.outcome {
            Outcome::Success { created: Some(address), .. } => address,
            Outcome::Success { created: None, .. } => bail!("{at}: the deployment created no contract"),
            Outcome::Revert(reason) => bail!(
                "{at}: the {shown} reverted: {}",
                world.abis.describe_revert(Some(&plan.artifact.name), &reason)
            ),
            Outcome::Halt(reason) => bail!("{at}: the {shown} halted: {reason}"),
        };
        let artifact = Some(plan.artifact.name.clone());
        if let Err(taken) = world.book.insert(
            &plan.name,
            address,
            EntryKind::Contract { artifact },
            Some(Arc::new(plan.artifact.abi.clone())),
        ) {
            bail!("{at}: the name {:?} is taken already ({taken})", plan.name);
        }
        setup_calls(world, &mut env, plan)?;
    }
    Ok(())
}

/// Bind a `[[contract]]`'s name to an existing contract, which must have code.
fn name_existing(world: &mut World, plan: &ContractPlan, address: Address) -> anyhow::Result<()> {
    let at = &plan.origin;
    if world.chain.code(address)?.is_empty() {
        bail!(
            "{at}: address = {address} has no code on this chain: `address` names a contract already \
             deployed (run on a node with --rpc, or fork one with --fork URL[@BLOCK])"
        );
    }
    world.abis.add(&plan.artifact.name, &plan.artifact.abi);
    let artifact = Some(plan.artifact.name.clone());
    let abi = Some(Arc::new(plan.artifact.abi.clone()));
    if let Err(taken) = world.book.insert(&plan.name, address, EntryKind::Contract { artifact }, abi) {
        bail!("{at}: the name {:?} is taken already ({taken})", plan.name);
    }
    Ok(())
}

/// Make a contract's set-up calls from the deployer, in order.
fn setup_calls(world: &mut World, env: &mut Env, plan: &ContractPlan) -> anyhow::Result<()> {
    let none = BTreeSet::new();
    for call in &plan.calls {
        let at = &call.origin;
        let scripts = call.plan.scripts().into_iter().chain([&call.to]).chain(&call.value);
        check_names(world, &none, scripts)?;
        let to = {
            let value = call.to.eval(env, &mut WorldHost::observer(world))?;
            as_address(&value).map_err(|e| call.to.error_at_runtime(e))?
        };
        if world.chain.code(to)?.is_empty() {
            bail!("{at}: `to` = {to} has no code");
        }
        let values = call.plan.values(env, &mut WorldHost::observer(world))?;
        let data = call.plan.encode(&values)?;
        let shown = call.plan.describe(&values);
        let value = amount(world, env, call.value.as_ref())?;
        if !value.is_zero() {
            let held = world.chain.eth_balance(GOD)?;
            world.chain.set_eth_balance(GOD, held.saturating_add(value))?;
        }
        let receipt = world.chain.transact(GOD, to, data, value)?;
        let output = match receipt.outcome {
            Outcome::Success { output, .. } => output,
            Outcome::Revert(reason) => {
                let contract = world.book.at(to).and_then(|e| e.artifact_name());
                bail!("{at}: {shown} reverted: {}", world.abis.describe_revert(contract, &reason))
            }
            Outcome::Halt(reason) => bail!("{at}: {shown} halted: {reason}"),
        };
        if let Some((name, abi)) = &call.bind {
            let returned = call.plan.decode_output(&output).map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
            let bound: Address = as_address(&returned).map_err(|_| {
                anyhow::anyhow!(
                    "{at}: bind = {name:?}: {shown} returned {}, not an address",
                    crate::script::display(&returned)
                )
            })?;
            if let Some(abi) = abi {
                world.abis.add(name, abi);
            }
            if let Err(taken) =
                world.book.insert(name, bound, EntryKind::Contract { artifact: None }, abi.clone())
            {
                bail!("{at}: bind = {name:?}: the name is taken already ({taken})");
            }
        }
    }
    Ok(())
}

fn amount(world: &mut World, env: &mut Env, script: Option<&Script>) -> anyhow::Result<U256> {
    let Some(script) = script else { return Ok(U256::ZERO) };
    let value = script.eval(env, &mut WorldHost::observer(world))?;
    Ok(to_amount(&value).map_err(|e| script.error_at_runtime(e))?)
}

/// Check that every `@name` of `scripts` is in the book or among `later` (created during the run).
pub(super) fn check_names<'a>(
    world: &World,
    later: &BTreeSet<String>,
    scripts: impl IntoIterator<Item = &'a Script>,
) -> anyhow::Result<()> {
    for script in scripts {
        for name in script.names() {
            if world.book.address(name).is_none() && !later.contains(name) {
                let mut known: Vec<&str> = world.book.entries().iter().map(|e| e.name.as_str()).collect();
                let later_text = match later.len() {
                    0 => String::new(),
                    n => format!(
                        ", and {n} created during the run ({}{})",
                        later.iter().take(4).cloned().collect::<Vec<_>>().join(", "),
                        if n > 4 { ", ..." } else { "" }
                    ),
                };
                known.sort_unstable();
                bail!(
                    "{}: `{}`: unknown name @{name}; the address book has {}{later_text}",
                    script.origin(),
                    script.source().trim(),
                    known.join(", ")
                );
            }
        }
    }
    Ok(())
}

/// Refuse a call whose target is written as `@name` of an address without
/// code (an agent, the deployer): it would fail mid-run.
pub(super) fn check_target(world: &mut World, to: &Script) -> anyhow::Result<()> {
    let source = to.source().trim();
    let Some(name) = source.strip_prefix('@') else { return Ok(()) };
    let Some(entry) = world.book.get(name) else { return Ok(()) };
    let (address, kind) = (entry.address, entry.kind.clone());
    if !world.chain.code(address)?.is_empty() {
        return Ok(());
    }
    let what = match kind {
        EntryKind::Agent => "an agent's account",
        EntryKind::Account => "an account",
        EntryKind::Contract { .. } => "a contract name",
    };
    bail!(
        "{}: `{source}`: @{name} is {what} ({address}) and has no code: a call to it would fail",
        to.origin()
    )
}

/// Whether any script lists or sums events (then the run keeps every log).
pub(super) fn uses_events<'a>(scripts: impl IntoIterator<Item = &'a Script>) -> bool {
    scripts.into_iter().any(|s| s.source().contains("event"))
}
