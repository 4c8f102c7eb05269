//! The netlist expression language: Rhai, sandboxed and deterministic, with
//! the simulation's values and functions.
//!
//! An expression (`when`, an argument, a KPI, an invariant) or a statement
//! list (memory updates) compiles once into a [`Script`] and is evaluated
//! many times with [`Script::eval`] against an agent's [`Env`] (parameters,
//! memory, bound values) and a [`Host`] (what the expression can see of the
//! running simulation: address book, views, balances, events, clock, series,
//! counters, the random stream). Netlist-level `fn` definitions form a
//! [`Library`] shared by every script of a netlist.
//!
//! Values: Rhai's `INT` (i64), `FLOAT` (f64), bool, string, array and object
//! map, plus `uint` (U256, checked arithmetic) and `address`. [`to_sol`] /
//! [`from_sol`] convert to and from ABI values, [`to_amount`], [`to_f64`]
//! and [`to_bool`] serve model actions and KPI columns.
//!
//! Sandbox: one engine built once (`Engine::new_raw()` and chosen packages),
//! at most 1,000,000 operations per evaluation, bounded call depth and sizes,
//! no time, files, environment, modules, `eval`; `print`/`debug` do nothing.
//!
//! # Errors
//! [`ScriptError`] reads `file:line: what: `source`: message (at column C)`
//! for compile errors (syntax, a malformed literal `view` signature) and
//! runtime errors (a revert, an unknown `@name`, a float where a uint is
//! expected, uint underflow, the operation limit) alike. Nothing panics on
//! bad input; a failed evaluation changes nothing on chain (views only).

mod compiled;
mod engine;
mod env;
mod error;
mod functions;
mod host;
mod math;
mod random;
mod uint;
mod values;

#[cfg(test)]
mod tests;

pub use compiled::{Library, Script};
pub use engine::{
    MAX_ARRAY_SIZE, MAX_CALL_LEVELS, MAX_EXPR_DEPTH, MAX_MAP_SIZE, MAX_OPERATIONS, MAX_STRING_SIZE,
};
pub use env::{Env, MEMORY};
pub use error::{ErrorKind, Origin, ScriptError};
pub use host::{Clock, Host};
pub use values::{
    as_address, as_uint, decimal_to_units, describe, display, float_to_units, from_sol, from_toml,
    parse_address, table_to_map, to_amount, to_bool, to_f64, to_sol, units_to_f64, TOKEN_DECIMALS,
};

/// Rhai's value type, as expressions produce them.
pub use rhai::Dynamic;
/// Rhai's object map (an agent's memory).
pub use rhai::Map;
