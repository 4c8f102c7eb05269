//! The one Rhai engine every expression runs on: built once, then shared
//! read-only. `Engine::new_raw()` plus only the packages and functions
//! chosen here, with limits on operations, call depth and sizes.
//!
//! Sandbox: no file, time, environment or module access (no module
//! resolver, `no_time`, `eval` and `import` disabled); `print` and `debug`
//! do nothing. The optimizer never calls a function at compile time
//! (`OptimizationLevel::Simple`), and every function that reads the host is
//! marked volatile besides.
//!
//! # Errors
//! Native functions fail with a Rhai runtime error carrying a readable
//! message; `ScriptError` turns it into `file:line: what: `source`: message`.

use super::host::with_host;
use super::{functions, math, random, uint};
use alloy_primitives::{Address, U256};
use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicBlobPackage, BasicFnPackage, BasicIteratorPackage,
    BasicMapPackage, BasicMathPackage, BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{
    Dynamic, Engine, EvalAltResult, FuncRegistration, Module, OptimizationLevel, Position, RhaiNativeFunc,
    Variant,
};
use std::sync::OnceLock;

/// Operations one evaluation may run before it is stopped.
pub const MAX_OPERATIONS: u64 = 1_000_000;
/// Deepest nesting of function calls.
pub const MAX_CALL_LEVELS: usize = 32;
/// Deepest nesting of an expression (a chain `a + b + ...` nests once per
/// operator); half of it inside functions.
pub const MAX_EXPR_DEPTH: usize = 256;
/// Longest string, in bytes.
pub const MAX_STRING_SIZE: usize = 1 << 20;
/// Most elements of one array, nested ones included (an `events` query
/// returns one per event: use `event_count` / `event_sum` for long runs).
/// Rhai re-measures an array after each change, so growing one element by
/// element costs time quadratic in its size: this bound keeps a runaway
/// loop to a few seconds.
pub const MAX_ARRAY_SIZE: usize = 50_000;
/// Most entries of one object map, nested ones included.
pub const MAX_MAP_SIZE: usize = 10_000;

/// The result of a native function.
pub(crate) type Native<T> = Result<T, Box<EvalAltResult>>;

/// A runtime error with `message`; Rhai adds the call's position.
pub(crate) fn runtime_error(message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(Dynamic::from(message.into()), Position::NONE))
}

/// A `Result<T, String>` as a native function's result.
pub(crate) fn lift<T>(result: Result<T, String>) -> Native<T> {
    result.map_err(runtime_error)
}

/// Register `func` as `name` in `module`, marked volatile (never folded at
/// compile time: it reads the simulation or the random stream).
pub(crate) fn volatile<A: 'static, const N: usize, const X: bool, R, const F: bool, FUNC>(
    module: &mut Module,
    name: &str,
    func: FUNC,
) where
    R: Variant + Clone,
    FUNC: RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
{
    FuncRegistration::new(name).in_global_namespace().with_volatility(true).set_into_module(module, func);
}

/// Register a pure function `func` as `name` in `module`.
pub(crate) fn pure<A: 'static, const N: usize, const X: bool, R, const F: bool, FUNC>(
    module: &mut Module,
    name: &str,
    func: FUNC,
) where
    R: Variant + Clone,
    FUNC: RhaiNativeFunc<A, N, X, R, F> + Send + Sync + 'static,
{
    FuncRegistration::new(name).in_global_namespace().set_into_module(module, func);
}

/// The shared engine.
pub(crate) fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(build)
}

/// The same engine refusing, when it compiles, any variable not in the
/// scope it is given nor declared by the script (checks only; scripts are
/// compiled and run by [`engine`]).
pub(crate) fn strict_engine() -> &'static Engine {
    static STRICT: OnceLock<Engine> = OnceLock::new();
    STRICT.get_or_init(|| {
        let mut engine = build();
        engine.set_strict_variables(true);
        engine
    })
}

fn build() -> Engine {
    let mut engine = Engine::new_raw();
    engine
        .set_optimization_level(OptimizationLevel::Simple)
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(MAX_CALL_LEVELS)
        .set_max_expr_depths(MAX_EXPR_DEPTH, MAX_EXPR_DEPTH / 2)
        .set_max_string_size(MAX_STRING_SIZE)
        .set_max_array_size(MAX_ARRAY_SIZE)
        .set_max_map_size(MAX_MAP_SIZE)
        .set_max_variables(1_000)
        .set_max_functions(1_000)
        .set_max_modules(0)
        .on_print(|_| {})
        .on_debug(|_, _, _| {});
    for symbol in ["eval", "import", "export"] {
        engine.disable_symbol(symbol);
    }
    for package in [
        ArithmeticPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicBlobPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
        BasicFnPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(package);
    }
    engine.register_type_with_name::<U256>("uint").register_type_with_name::<Address>("address");
    register_book_syntax(&mut engine);

    // Registered last, so on a clash with a package our function wins.
    let mut module = Module::new();
    uint::register(&mut module);
    math::register(&mut module);
    functions::register(&mut module);
    random::register(&mut module);
    engine.register_global_module(module.into());
    engine
}

/// `@name` (an address-book name) and `self` (the acting agent's EOA).
fn register_book_syntax(engine: &mut Engine) {
    let at = engine
        .register_custom_syntax(["@", "$ident$"], false, |_, inputs| {
            let name = inputs[0].get_string_value().unwrap_or_default();
            book_address(name).map(Dynamic::from).map_err(|message| {
                let mut error = runtime_error(message);
                error.set_position(inputs[0].position());
                error
            })
        })
        .is_ok();
    let this = engine
        .register_custom_syntax(["self"], false, |_, _| lift(this_address()).map(Dynamic::from))
        .is_ok();
    // Both registrations use fixed, valid symbols; the tests use both.
    debug_assert!(at && this);
}

/// The address of the book name `name`.
pub(crate) fn book_address(name: &str) -> Result<Address, String> {
    with_host(|host| {
        host.address_of(name).ok_or_else(|| format!("unknown name @{name} (not in the address book)"))
    })
}

/// The acting agent's EOA.
fn this_address() -> Result<Address, String> {
    with_host(|host| {
        host.this().ok_or_else(|| {
            "`self` is only defined for an agent's expressions (no acting agent here)".to_string()
        })
    })
}

/// How an address reads in messages: `@name` when the book knows it.
pub(crate) fn book_name(address: Address) -> String {
    with_host(|host| Ok(host.name_of(address)))
        .ok()
        .flatten()
        .map_or_else(|| address.to_checksum(None), |name| format!("@{name}"))
}
