//! Math on numbers (`abs min max sqrt ln log10 exp pow floor ceil round
//! clamp`) and unit conversions (`to_wei from_wei uint float addr`).
//!
//! # Errors
//! Domain errors (the root of a negative number, the log of zero), integer
//! overflow and lossy conversions (a float where a uint is expected) are
//! script errors with the offending value, never NaN passed on silently.

use super::engine::{lift, pure, runtime_error, Native};
use super::values::{
    as_address, as_number, as_uint, decimal_to_units, describe, float_to_units, int_to_uint, pow10,
    units_to_f64, TOKEN_DECIMALS,
};
use alloy_primitives::{Address, U256};
use rhai::{Dynamic, ImmutableString, Module, FLOAT, INT};

/// The decimals argument of `to_wei` / `from_wei`.
fn decimals_arg(decimals: INT) -> Native<u8> {
    u8::try_from(decimals)
        .ok()
        .filter(|d| *d <= 77)
        .ok_or_else(|| runtime_error(format!("decimals must be 0 to 77, got {decimals}")))
}

/// A token amount with `decimals` decimals in base units.
fn to_wei(x: &Dynamic, decimals: u8) -> Result<U256, String> {
    let context = |e: String| format!("to_wei({}): {e}", describe(x));
    if let Ok(i) = x.as_int() {
        let tokens = int_to_uint(i).map_err(context)?;
        let scale = pow10(u32::from(decimals)).unwrap_or(U256::MAX);
        return tokens.checked_mul(scale).ok_or_else(|| context("too large for a uint256".into()));
    }
    if let Ok(f) = x.as_float() {
        return float_to_units(f, decimals).map_err(context);
    }
    if let Some(text) = x.read_lock::<ImmutableString>() {
        return decimal_to_units(&text, decimals, false).map_err(context);
    }
    if x.is::<U256>() {
        return Err(context("already a uint (base units)".into()));
    }
    Err(context("expected an int, float or decimal string".into()))
}

/// Base units with `decimals` decimals as a float amount.
fn from_wei(u: &Dynamic, decimals: u8) -> Result<FLOAT, String> {
    let units = as_uint(u).map_err(|e| format!("from_wei: {e}"))?;
    Ok(units_to_f64(units, decimals))
}

/// `uint(x)`: an INT, decimal or "0x" hex string as a uint, as is.
fn to_uint(x: &Dynamic) -> Result<U256, String> {
    if let Some(text) = x.read_lock::<ImmutableString>() {
        let text = text.trim();
        let parsed = match text.strip_prefix("0x") {
            Some(digits) => U256::from_str_radix(digits, 16),
            None => U256::from_str_radix(text, 10),
        };
        return parsed
            .map_err(|_| format!("uint({text:?}): not a decimal or 0x hex number that fits in a uint256"));
    }
    if x.is_float() {
        return Err(format!("uint({}): a float; use to_wei(x) for token amounts", describe(x)));
    }
    as_uint(x).map_err(|e| format!("uint: {e}"))
}

/// `float(x)`: a uint (correctly rounded), INT or FLOAT as a float.
fn to_float(x: &Dynamic) -> Result<FLOAT, String> {
    if let Some(u) = x.read_lock::<U256>() {
        return Ok(units_to_f64(*u, 0));
    }
    as_number(x).map_err(|e| format!("float: {e}"))
}

fn checked_float(name: &str, x: FLOAT, ok: bool) -> Native<FLOAT> {
    if ok {
        Ok(x)
    } else {
        Err(runtime_error(format!("{name} is undefined here")))
    }
}

fn int_pow(base: INT, exponent: INT) -> Native<INT> {
    let exponent = u32::try_from(exponent).map_err(|_| {
        runtime_error(format!("pow({base}, {exponent}): negative exponent; use pow({base}.0, {exponent})"))
    })?;
    base.checked_pow(exponent).ok_or_else(|| runtime_error(format!("int overflow: pow({base}, {exponent})")))
}

fn clamp_float(x: FLOAT, lo: FLOAT, hi: FLOAT) -> Native<FLOAT> {
    if lo > hi || lo.is_nan() || hi.is_nan() {
        return Err(runtime_error(format!("clamp({x}, {lo}, {hi}): the low bound is above the high one")));
    }
    Ok(x.clamp(lo, hi))
}

/// Register the math and unit functions.
pub(crate) fn register(module: &mut Module) {
    pure(module, "abs", |x: INT| {
        x.checked_abs().ok_or_else(|| runtime_error(format!("int overflow: abs({x})")))
    });
    pure(module, "abs", |x: FLOAT| x.abs());
    pure(module, "min", |a: INT, b: INT| a.min(b));
    pure(module, "max", |a: INT, b: INT| a.max(b));
    pure(module, "min", |a: FLOAT, b: FLOAT| a.min(b));
    pure(module, "max", |a: FLOAT, b: FLOAT| a.max(b));
    pure(module, "min", |a: INT, b: FLOAT| (a as FLOAT).min(b));
    pure(module, "max", |a: INT, b: FLOAT| (a as FLOAT).max(b));
    pure(module, "min", |a: FLOAT, b: INT| a.min(b as FLOAT));
    pure(module, "max", |a: FLOAT, b: INT| a.max(b as FLOAT));

    pure(module, "sqrt", |x: FLOAT| checked_float(&format!("sqrt({x})"), x.sqrt(), x >= 0.0));
    pure(module, "sqrt", |x: INT| checked_float(&format!("sqrt({x})"), (x as FLOAT).sqrt(), x >= 0));
    pure(module, "ln", |x: FLOAT| checked_float(&format!("ln({x})"), x.ln(), x > 0.0));
    pure(module, "ln", |x: INT| checked_float(&format!("ln({x})"), (x as FLOAT).ln(), x > 0));
    pure(module, "log10", |x: FLOAT| checked_float(&format!("log10({x})"), x.log10(), x > 0.0));
    pure(module, "log10", |x: INT| checked_float(&format!("log10({x})"), (x as FLOAT).log10(), x > 0));
    pure(module, "exp", |x: FLOAT| x.exp());
    pure(module, "exp", |x: INT| (x as FLOAT).exp());
    pure(module, "pow", |a: FLOAT, b: FLOAT| a.powf(b));
    pure(module, "pow", |a: FLOAT, b: INT| match i32::try_from(b) {
        Ok(b) => a.powi(b),
        Err(_) => a.powf(b as FLOAT),
    });
    pure(module, "pow", |a: INT, b: FLOAT| (a as FLOAT).powf(b));
    pure(module, "pow", int_pow);
    pure(module, "floor", |x: FLOAT| x.floor());
    pure(module, "ceil", |x: FLOAT| x.ceil());
    pure(module, "round", |x: FLOAT| x.round());
    for name in ["floor", "ceil", "round"] {
        pure(module, name, |x: INT| x);
    }
    pure(module, "clamp", |x: INT, lo: INT, hi: INT| {
        if lo > hi {
            return Err(runtime_error(format!(
                "clamp({x}, {lo}, {hi}): the low bound is above the high one"
            )));
        }
        Ok(x.clamp(lo, hi))
    });
    pure(module, "clamp", |x: Dynamic, lo: Dynamic, hi: Dynamic| {
        clamp_float(lift(as_number(&x))?, lift(as_number(&lo))?, lift(as_number(&hi))?)
    });

    pure(module, "to_wei", |x: Dynamic| lift(to_wei(&x, TOKEN_DECIMALS)));
    pure(module, "to_wei", |x: Dynamic, decimals: INT| lift(to_wei(&x, decimals_arg(decimals)?)));
    pure(module, "from_wei", |u: Dynamic| lift(from_wei(&u, TOKEN_DECIMALS)));
    pure(module, "from_wei", |u: Dynamic, decimals: INT| lift(from_wei(&u, decimals_arg(decimals)?)));
    pure(module, "uint", |x: Dynamic| lift(to_uint(&x)));
    pure(module, "float", |x: Dynamic| lift(to_float(&x)));
    pure(module, "addr", |x: Dynamic| -> Native<Address> {
        lift(as_address(&x).map_err(|e| format!("addr: {e}")))
    });
}
