//! Functions that read the simulation through the installed host: clock,
//! ERC20 balances (of one holder or summed over a `group` of agents), ETH
//! balances, contract views by signature, events, exogenous series and
//! counters (agents add to them with `add_counter`).
//!
//! # Errors
//! Every failure names the call, its target by address-book name and the
//! reason: `view(@pair, "getReserves()"): reverted: ...`. A view's
//! signature is checked when the expression compiles when it is a literal
//! (see `Script`), otherwise when it runs.

use super::engine::{book_name, lift, runtime_error, volatile, Native};
use super::host::with_host;
use super::values::{as_address, as_number, describe, from_sol, to_sol};
use alloy_dyn_abi::{DynSolType, DynSolValue, FunctionExt, JsonAbiExt, Specifier};
use alloy_json_abi::{Event, Function};
use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall};
use rhai::{Array, Dynamic, ImmutableString, Map, Module, FLOAT, INT};
use std::cell::RefCell;
use std::collections::HashMap;

sol! {
    #[allow(missing_docs)]
    interface Erc20Views {
        function balanceOf(address who) external view returns (uint256);
        function totalSupply() external view returns (uint256);
        function allowance(address owner, address spender) external view returns (uint256);
    }
}

/// How a `view` names its function: a bare name, or a parsed signature.
#[derive(Debug, Clone)]
pub(crate) enum Signature {
    /// `"getReserves"`: the ABI must have exactly one function of that name.
    Name(String),
    /// `"getReserves()"` or `"getReserves() returns (uint112,uint112,uint32)"`.
    Parsed(Function),
}

/// Parse a `view` signature; the error says what is wrong with it.
pub(crate) fn parse_signature(text: &str) -> Result<Signature, String> {
    let trimmed = text.trim();
    if trimmed.contains('(') {
        let function = Function::parse(trimmed)
            .map_err(|e| format!("malformed signature {text:?}: {}", last_line(&e.to_string())))?;
        for param in function.inputs.iter().chain(&function.outputs) {
            let resolved: Result<DynSolType, _> = param.resolve();
            if resolved.is_err() {
                return Err(format!("malformed signature {text:?}: unknown type {}", param.ty));
            }
        }
        return Ok(Signature::Parsed(function));
    }
    if rhai::is_valid_identifier(trimmed) {
        return Ok(Signature::Name(trimmed.to_string()));
    }
    Err(format!(
        "malformed signature {text:?}: expected name(types), name(types) returns (types) or a function name"
    ))
}

/// alloy's parser errors end with the reason, after the input and a caret.
fn last_line(text: &str) -> &str {
    text.lines().rev().find(|line| !line.trim().is_empty()).map_or(text, str::trim)
}

thread_local! {
    /// Parsed signatures by their text (parsing costs more than the lookup).
    static SIGNATURES: RefCell<HashMap<String, Signature>> = RefCell::new(HashMap::new());
}

fn cached_signature(text: &str) -> Result<Signature, String> {
    if let Some(found) = SIGNATURES.with(|cache| cache.borrow().get(text).cloned()) {
        return Ok(found);
    }
    let parsed = parse_signature(text)?;
    SIGNATURES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() > 4096 {
            cache.clear();
        }
        cache.insert(text.to_string(), parsed.clone());
    });
    Ok(parsed)
}

/// The function `text` names on `target`, with its return types.
fn resolve_function(target: Address, text: &str) -> Result<Function, String> {
    match cached_signature(text)? {
        Signature::Parsed(function) if !function.outputs.is_empty() => Ok(function),
        Signature::Parsed(function) => {
            let wanted = function.signature();
            with_host(|host| {
                let found = host.abi_of(target).and_then(|abi| {
                    abi.function(&function.name)?
                        .iter()
                        .find(|candidate| candidate.signature() == wanted)
                        .cloned()
                });
                found.ok_or_else(|| {
                    format!("no ABI of the target has {wanted}; state its return types: \"{wanted} returns (...)\"")
                })
            })
        }
        Signature::Name(name) => with_host(|host| {
            let Some(abi) = host.abi_of(target) else {
                return Err(format!(
                    "the target has no known ABI; give the full signature: \"{name}(types) returns (types)\""
                ));
            };
            match abi.function(&name).map(Vec::as_slice).unwrap_or_default() {
                [only] => Ok(only.clone()),
                [] => Err(format!("the ABI has no function {name}")),
                several => {
                    let names: Vec<String> = several.iter().map(Function::signature).collect();
                    Err(format!("{name} is overloaded, name one of: {}", names.join(", ")))
                }
            }
        }),
    }
}

/// `view(target, signature, args...)`: one output as its value, several as an array.
fn view(target: &Dynamic, text: &str, args: &[Dynamic]) -> Result<Dynamic, String> {
    let target = as_address(target).map_err(|e| format!("view(.., {text:?}): target: {e}"))?;
    let context = |e: String| format!("view({}, {text:?}): {e}", book_name(target));
    let function = resolve_function(target, text).map_err(context)?;
    if function.inputs.len() != args.len() {
        return Err(context(format!(
            "{} takes {} argument(s), given {}",
            function.signature(),
            function.inputs.len(),
            args.len()
        )));
    }
    let values = function
        .inputs
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (param, arg))| {
            let ty: DynSolType = param.resolve().map_err(|e| format!("argument {}: {e}", i + 1))?;
            to_sol(arg, &ty).map_err(|e| format!("argument {}: {e}", i + 1))
        })
        .collect::<Result<Vec<DynSolValue>, String>>()
        .map_err(context)?;
    let data = function.abi_encode_input(&values).map_err(|e| context(e.to_string()))?;
    let output = with_host(|host| host.view(target, data.into())).map_err(context)?;
    let mut decoded = function.abi_decode_output(&output).map_err(|e| {
        context(format!(
            "cannot decode {} bytes returned as ({}): {e}",
            output.len(),
            output_types(&function)
        ))
    })?;
    Ok(match decoded.len() {
        0 => Dynamic::UNIT,
        1 => from_sol(&decoded.remove(0)),
        _ => Dynamic::from_array(decoded.iter().map(from_sol).collect()),
    })
}

fn output_types(function: &Function) -> String {
    function.outputs.iter().map(|p| p.ty.as_str()).collect::<Vec<_>>().join(",")
}

/// An ERC20 view of `token`, decoded as a uint.
fn erc20_view<C: SolCall<Return = U256>>(
    call: impl Fn() -> String,
    token: Address,
    data: C,
) -> Result<U256, String> {
    // The call's description (book names) is built only for an error.
    let output = with_host(|host| host.view(token, data.abi_encode().into()))
        .map_err(|e| format!("{}: {e}", call()))?;
    C::abi_decode_returns(&output).map_err(|_| {
        format!(
            "{}: {} returned {} bytes, not an ERC20 uint256 (no code there?)",
            call(),
            book_name(token),
            output.len()
        )
    })
}

/// `balance(token, who)`; `who` may be an array of holders (`group("whale")`),
/// whose balances are summed.
fn balance(token: &Dynamic, who: &Dynamic) -> Result<U256, String> {
    let token = as_address(token).map_err(|e| format!("balance: token: {e}"))?;
    if let Some(holders) = who.read_lock::<Array>() {
        let mut total = U256::ZERO;
        for (i, holder) in holders.iter().enumerate() {
            let holder = as_address(holder).map_err(|e| format!("balance: who, element {}: {e}", i + 1))?;
            let call = || format!("balance({}, {})", book_name(token), book_name(holder));
            let held = erc20_view(call, token, Erc20Views::balanceOfCall { who: holder })?;
            total = total
                .checked_add(held)
                .ok_or_else(|| format!("balance({}, [..]): the sum exceeds 2^256", book_name(token)))?;
        }
        return Ok(total);
    }
    let who = as_address(who).map_err(|e| format!("balance: who: {e}"))?;
    let call = || format!("balance({}, {})", book_name(token), book_name(who));
    erc20_view(call, token, Erc20Views::balanceOfCall { who })
}

/// `group("retail")`: the addresses an `[[agent]]` table named `retail`
/// made — `[@retail]` when its count is 1, else `[@retail0, @retail1, ...]`
/// (any consecutive book names `retail0`, `retail1`, ... from 0).
fn group(name: &str) -> Result<Dynamic, String> {
    let found = with_host(|host| {
        Ok(match host.address_of(name) {
            Some(one) => vec![one],
            None => (0..).map_while(|i| host.address_of(&format!("{name}{i}"))).collect(),
        })
    })?;
    if found.is_empty() {
        return Err(format!("group({name:?}): the address book has neither @{name} nor @{name}0"));
    }
    Ok(Dynamic::from_array(found.into_iter().map(Dynamic::from).collect()))
}

fn total_supply(token: &Dynamic) -> Result<U256, String> {
    let token = as_address(token).map_err(|e| format!("total_supply: token: {e}"))?;
    erc20_view(|| format!("total_supply({})", book_name(token)), token, Erc20Views::totalSupplyCall {})
}

fn allowance(token: &Dynamic, owner: &Dynamic, spender: &Dynamic) -> Result<U256, String> {
    let token = as_address(token).map_err(|e| format!("allowance: token: {e}"))?;
    let owner = as_address(owner).map_err(|e| format!("allowance: owner: {e}"))?;
    let spender = as_address(spender).map_err(|e| format!("allowance: spender: {e}"))?;
    let call = || format!("allowance({}, {}, {})", book_name(token), book_name(owner), book_name(spender));
    erc20_view(call, token, Erc20Views::allowanceCall { owner, spender })
}

fn eth_balance(who: &Dynamic) -> Result<U256, String> {
    let who = as_address(who).map_err(|e| format!("eth_balance: {e}"))?;
    with_host(|host| host.eth_balance(who)).map_err(|e| format!("eth_balance({}): {e}", book_name(who)))
}

/// The event `text` (a name or a full signature) in the ABI of `contract`.
fn resolve_event(contract: Address, text: &str) -> Result<Event, String> {
    let trimmed = text.trim();
    with_host(|host| {
        let abi = host.abi_of(contract).ok_or("the contract has no known ABI")?;
        if trimmed.contains('(') {
            let wanted =
                Event::parse(trimmed).map_err(|e| format!("malformed event signature: {e}"))?.signature();
            return abi
                .events()
                .find(|event| event.signature() == wanted)
                .cloned()
                .ok_or_else(|| format!("the ABI has no event {wanted}"));
        }
        match abi.event(trimmed).map(Vec::as_slice).unwrap_or_default() {
            [only] => Ok(only.clone()),
            [] => Err(format!("the ABI has no event {trimmed}")),
            several => {
                let names: Vec<String> = several.iter().map(Event::signature).collect();
                Err(format!("event {trimmed} is overloaded, name one of: {}", names.join(", ")))
            }
        }
    })
}

fn field_name(event: &Event, index: usize) -> String {
    match event.inputs.get(index).map(|p| p.name.as_str()) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => format!("arg{index}"),
    }
}

fn events(contract: &Dynamic, text: &str) -> Result<Dynamic, String> {
    let contract = as_address(contract).map_err(|e| format!("events: {e}"))?;
    let context = |e: String| format!("events({}, {text:?}): {e}", book_name(contract));
    let event = resolve_event(contract, text).map_err(context)?;
    let found = with_host(|host| host.events(contract, &event)).map_err(context)?;
    let rows = found
        .iter()
        .map(|values| {
            let map: Map = values
                .iter()
                .enumerate()
                .map(|(i, value)| (field_name(&event, i).into(), from_sol(value)))
                .collect();
            Dynamic::from_map(map)
        })
        .collect();
    Ok(Dynamic::from_array(rows))
}

fn event_stats(
    call: &str,
    contract: &Dynamic,
    text: &str,
    field: Option<&str>,
) -> Result<(u64, U256), String> {
    let contract = as_address(contract).map_err(|e| format!("{call}: {e}"))?;
    let context = |e: String| format!("{call}({}, {text:?}): {e}", book_name(contract));
    let event = resolve_event(contract, text).map_err(context)?;
    let is_uint = |i: usize| event.inputs[i].ty.starts_with("uint") && !event.inputs[i].ty.contains('[');
    let index = match field {
        // Counting only: any uint field will do; without one, count the events themselves.
        None => match (0..event.inputs.len()).find(|i| is_uint(*i)) {
            Some(index) => index,
            None => {
                let count = with_host(|host| host.events(contract, &event)).map_err(context)?.len();
                return Ok((count as u64, U256::ZERO));
            }
        },
        Some(field) => {
            let index = (0..event.inputs.len())
                .find(|i| field_name(&event, *i) == field)
                .ok_or_else(|| context(format!("{} has no field {field}", event.signature())))?;
            if !is_uint(index) {
                return Err(context(format!(
                    "field {field} is {}, not an unsigned integer",
                    event.inputs[index].ty
                )));
            }
            index
        }
    };
    with_host(|host| host.event_stats(contract, &event, index)).map_err(context)
}

/// `add_counter("name"[, amount])`: add to a run-wide counter (1 by default)
/// that any expression reads with `counter("name")` — how an agent's own
/// bookkeeping becomes a KPI. Returns the new total.
fn add_counter(name: &str, amount: &Dynamic) -> Result<FLOAT, String> {
    let call = || format!("add_counter({name:?}, {})", describe(amount));
    let amount = as_number(amount).map_err(|e| format!("{}: {e}", call()))?;
    if !amount.is_finite() {
        return Err(format!("{}: the amount must be a finite number", call()));
    }
    with_host(|host| host.add_to_counter(name, amount)).map_err(|e| format!("{}: {e}", call()))
}

fn clock_int(read: impl FnOnce(&super::Clock) -> u64) -> Native<INT> {
    let value = lift(with_host(|host| Ok(read(&host.clock()))))?;
    INT::try_from(value).map_err(|_| runtime_error(format!("clock value {value} does not fit in an int")))
}

/// Register the host functions.
pub(crate) fn register(module: &mut Module) {
    volatile(module, "tick", || clock_int(|c| c.tick));
    volatile(module, "block", || clock_int(|c| c.block));
    volatile(module, "timestamp", || clock_int(|c| c.timestamp));
    volatile(module, "time", || clock_int(|c| c.timestamp.saturating_sub(c.start_timestamp)));
    volatile(module, "days", || -> Native<FLOAT> {
        Ok(clock_int(|c| c.timestamp.saturating_sub(c.start_timestamp))? as FLOAT / 86_400.0)
    });

    volatile(module, "balance", |token: Dynamic, who: Dynamic| lift(balance(&token, &who)));
    volatile(module, "group", |name: ImmutableString| lift(group(&name)));
    volatile(module, "total_supply", |token: Dynamic| lift(total_supply(&token)));
    volatile(module, "allowance", |token: Dynamic, owner: Dynamic, spender: Dynamic| {
        lift(allowance(&token, &owner, &spender))
    });
    volatile(module, "eth_balance", |who: Dynamic| lift(eth_balance(&who)));

    volatile(module, "view", |t: Dynamic, s: ImmutableString| lift(view(&t, &s, &[])));
    volatile(module, "view", |t: Dynamic, s: ImmutableString, a: Dynamic| lift(view(&t, &s, &[a])));
    volatile(module, "view", |t: Dynamic, s: ImmutableString, a: Dynamic, b: Dynamic| {
        lift(view(&t, &s, &[a, b]))
    });
    volatile(module, "view", |t: Dynamic, s: ImmutableString, a: Dynamic, b: Dynamic, c: Dynamic| {
        lift(view(&t, &s, &[a, b, c]))
    });
    volatile(
        module,
        "view",
        |t: Dynamic, s: ImmutableString, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic| {
            lift(view(&t, &s, &[a, b, c, d]))
        },
    );
    volatile(
        module,
        "view",
        |t: Dynamic, s: ImmutableString, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic| {
            lift(view(&t, &s, &[a, b, c, d, e]))
        },
    );
    volatile(
        module,
        "view",
        |t: Dynamic,
         s: ImmutableString,
         a: Dynamic,
         b: Dynamic,
         c: Dynamic,
         d: Dynamic,
         e: Dynamic,
         f: Dynamic| { lift(view(&t, &s, &[a, b, c, d, e, f])) },
    );

    volatile(module, "events", |contract: Dynamic, event: ImmutableString| lift(events(&contract, &event)));
    volatile(module, "event_count", |contract: Dynamic, event: ImmutableString| -> Native<INT> {
        let (count, _) = lift(event_stats("event_count", &contract, &event, None))?;
        Ok(INT::try_from(count).unwrap_or(INT::MAX))
    });
    volatile(module, "event_sum", |contract: Dynamic, event: ImmutableString, field: ImmutableString| {
        lift(event_stats("event_sum", &contract, &event, Some(&field)).map(|(_, sum)| sum))
    });

    volatile(module, "series", |name: ImmutableString| {
        lift(with_host(|host| host.series(&name)).map_err(|e| format!("series({name:?}): {e}")))
    });
    volatile(module, "counter", |name: ImmutableString| lift(with_host(|host| Ok(host.counter(&name)))));
    volatile(module, "add_counter", |name: ImmutableString| lift(add_counter(&name, &Dynamic::from_int(1))));
    volatile(module, "add_counter", |name: ImmutableString, amount: Dynamic| {
        lift(add_counter(&name, &amount))
    });
}
