//! The `uint` (U256) and `address` types of expressions: checked arithmetic,
//! comparisons, `min`/`max`, exact uint × float, and how both read as text.
//!
//! # Errors
//! Underflow, overflow and division by zero are script errors naming the
//! operation (`uint underflow: 3 - 5`); an INT operand must be non-negative.

use super::engine::{lift, pure, runtime_error, Native};
use super::values::{float_to_units, int_to_uint, pow10, TOKEN_DECIMALS};
use alloy_primitives::{Address, U256, U512};
use rhai::{Module, FLOAT, INT};
use std::cmp::Ordering;

/// One checked uint operation.
fn apply(op: &str, a: U256, b: U256) -> Native<U256> {
    let result = match op {
        "+" => a.checked_add(b).ok_or("overflow"),
        "-" => a.checked_sub(b).ok_or("underflow"),
        "*" => a.checked_mul(b).ok_or("overflow"),
        "/" => a.checked_div(b).ok_or("division by zero"),
        _ => a.checked_rem(b).ok_or("division by zero"),
    };
    result.map_err(|what| runtime_error(format!("uint {what}: {a} {op} {b}")))
}

/// An INT operand of a uint operation.
fn operand(op: &str, value: INT) -> Native<U256> {
    int_to_uint(value).map_err(|_| runtime_error(format!("uint {op} a negative int ({value})")))
}

/// Order of a uint and an INT (any sign).
fn compare_int(a: U256, b: INT) -> Ordering {
    match u64::try_from(b) {
        Ok(b) => a.cmp(&U256::from(b)),
        Err(_) => Ordering::Greater,
    }
}

/// `a * b / d`, rounded down, or None when the result passes `U256::MAX`.
pub(crate) fn mul_div(a: U256, b: U256, d: U256) -> Option<U256> {
    if d.is_zero() {
        return None;
    }
    let product: U512 = a.widening_mul(b);
    let quotient = product / U512::from(d);
    let limbs = quotient.as_limbs();
    if limbs[4..].iter().any(|limb| *limb != 0) {
        return None;
    }
    Some(U256::from_limbs([limbs[0], limbs[1], limbs[2], limbs[3]]))
}

/// `u * f` exactly (f as an 18-decimal fixed point), rounded down.
fn times_float(u: U256, f: FLOAT) -> Native<U256> {
    let factor = lift(float_to_units(f, TOKEN_DECIMALS).map_err(|e| format!("uint * float: {e}")))?;
    let one = pow10(u32::from(TOKEN_DECIMALS)).unwrap_or(U256::MAX);
    mul_div(u, factor, one).ok_or_else(|| runtime_error(format!("uint overflow: {u} * {f}")))
}

/// `u / f` exactly (f as an 18-decimal fixed point), rounded down.
fn divided_by_float(u: U256, f: FLOAT) -> Native<U256> {
    let divisor = lift(float_to_units(f, TOKEN_DECIMALS).map_err(|e| format!("uint / float: {e}")))?;
    if divisor.is_zero() {
        return Err(runtime_error(format!("uint division by zero: {u} / {f}")));
    }
    let one = pow10(u32::from(TOKEN_DECIMALS)).unwrap_or(U256::MAX);
    mul_div(u, one, divisor).ok_or_else(|| runtime_error(format!("uint overflow: {u} / {f}")))
}

macro_rules! arithmetic {
    ($module:expr, $($op:literal),*) => {$(
        pure($module, $op, |a: U256, b: U256| apply($op, a, b));
        pure($module, $op, |a: U256, b: INT| apply($op, a, operand($op, b)?));
        pure($module, $op, |a: INT, b: U256| apply($op, operand($op, a)?, b));
    )*};
}

macro_rules! comparisons {
    ($module:expr, $($op:literal => $test:expr),*) => {$(
        pure($module, $op, |a: U256, b: U256| $test(a.cmp(&b)));
        pure($module, $op, |a: U256, b: INT| $test(compare_int(a, b)));
        pure($module, $op, |a: INT, b: U256| $test(compare_int(b, a).reverse()));
    )*};
}

/// Register the uint and address functions.
pub(crate) fn register(module: &mut Module) {
    arithmetic!(module, "+", "-", "*", "/", "%");
    comparisons!(module,
        "==" => Ordering::is_eq, "!=" => Ordering::is_ne,
        "<" => Ordering::is_lt, "<=" => Ordering::is_le,
        ">" => Ordering::is_gt, ">=" => Ordering::is_ge);
    pure(module, "*", times_float);
    pure(module, "*", |f: FLOAT, u: U256| times_float(u, f));
    pure(module, "/", divided_by_float);

    pure(module, "min", |a: U256, b: U256| a.min(b));
    pure(module, "min", |a: U256, b: INT| -> Native<U256> { Ok(a.min(operand("min", b)?)) });
    pure(module, "min", |a: INT, b: U256| -> Native<U256> { Ok(operand("min", a)?.min(b)) });
    pure(module, "max", |a: U256, b: U256| a.max(b));
    pure(module, "max", |a: U256, b: INT| -> Native<U256> { Ok(a.max(operand("max", b)?)) });
    pure(module, "max", |a: INT, b: U256| -> Native<U256> { Ok(operand("max", a)?.max(b)) });

    pure(module, "to_int", |u: U256| {
        i64::try_from(u).map_err(|_| runtime_error(format!("uint {u} does not fit in an int")))
    });
    pure(module, "is_zero", |u: U256| u.is_zero());
    for name in ["to_string", "to_debug"] {
        pure(module, name, |u: &mut U256| u.to_string());
        pure(module, name, |a: &mut Address| a.to_checksum(None));
    }
    pure(module, "==", |a: Address, b: Address| a == b);
    pure(module, "!=", |a: Address, b: Address| a != b);
}
