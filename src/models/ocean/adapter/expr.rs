//! Argument expressions of adapter steps: `@role` (a deployed system
//! contract), `$variable` (an operation's parameter or an earlier step's
//! output), literals read by the parameter's ABI type, and TOML arrays for
//! ABI arrays and tuples. Types are checked when the adapter is loaded, so
//! evaluation during a run cannot fail.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{Address, U256};
use std::collections::BTreeMap;

/// A checked argument expression.
#[derive(Debug, Clone)]
pub(super) enum Expr {
    /// The address a system step deployed for this role.
    Role(String),
    /// A variable of the operation, and the integer width the function wants (if an integer).
    Var(String, Option<usize>),
    /// A literal.
    Const(DynSolValue),
    /// An array, fixed array or tuple, built from its elements.
    List(ListKind, Vec<Self>),
}

/// Which ABI value a [`Expr::List`] builds.
#[derive(Debug, Clone, Copy)]
pub(super) enum ListKind {
    Array,
    FixedArray,
    Tuple,
}

/// The types of the variables in scope at a step, and the roles deployed so far.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    pub vars: BTreeMap<String, DynSolType>,
    pub roles: Vec<String>,
}

impl Expr {
    /// Check `value` against the ABI type `ty` in `scope`; the error says what does not fit.
    pub(super) fn compile(value: &toml::Value, ty: &DynSolType, scope: &Scope) -> Result<Self, String> {
        if let toml::Value::String(text) = value {
            if let Some(role) = text.strip_prefix('@') {
                if !scope.roles.iter().any(|r| r == role) {
                    return Err(format!("@{role}: no earlier [[system]] step deploys role {role:?}"));
                }
                return fits(&DynSolType::Address, ty, text).map(|()| Self::Role(role.to_string()));
            }
            if let Some(var) = text.strip_prefix('$') {
                let Some(var_ty) = scope.vars.get(var) else {
                    let known: Vec<&str> = scope.vars.keys().map(String::as_str).collect();
                    return Err(format!("${var} is not defined here (defined: ${})", known.join(", $")));
                };
                let width = match ty {
                    DynSolType::Uint(bits) => Some(*bits),
                    _ => None,
                };
                return fits(var_ty, ty, text).map(|()| Self::Var(var.to_string(), width));
            }
        }
        let elements = |items: &[toml::Value], types: &[DynSolType]| -> Result<Vec<Self>, String> {
            if items.len() != types.len() {
                return Err(format!(
                    "{ty} needs {} elements, the adapter gives {}",
                    types.len(),
                    items.len()
                ));
            }
            items.iter().zip(types).map(|(item, t)| Self::compile(item, t, scope)).collect()
        };
        match (value, ty) {
            (toml::Value::Array(items), DynSolType::Array(inner)) => {
                let types = vec![(**inner).clone(); items.len()];
                Ok(Self::List(ListKind::Array, elements(items, &types)?))
            }
            (toml::Value::Array(items), DynSolType::FixedArray(inner, n)) => {
                let types = vec![(**inner).clone(); *n];
                Ok(Self::List(ListKind::FixedArray, elements(items, &types)?))
            }
            (toml::Value::Array(items), DynSolType::Tuple(types)) => {
                Ok(Self::List(ListKind::Tuple, elements(items, types)?))
            }
            (toml::Value::Array(_), _) => Err(format!("an array cannot be a {ty}")),
            (toml::Value::String(text), _) => literal(ty, text),
            (toml::Value::Integer(n), _) => literal(ty, &n.to_string()),
            (toml::Value::Boolean(b), _) => literal(ty, &b.to_string()),
            (other, _) => Err(format!("{other} cannot be a {ty}")),
        }
    }

    /// The value, given the deployed roles and the variables' values.
    pub(super) fn eval(
        &self,
        roles: &BTreeMap<String, Address>,
        vars: &[(String, DynSolValue)],
    ) -> DynSolValue {
        match self {
            Self::Role(role) => DynSolValue::Address(roles.get(role).copied().unwrap_or_default()),
            Self::Var(var, width) => {
                let value = vars.iter().rev().find(|(name, _)| name == var).map(|(_, value)| value);
                match (value, width) {
                    (Some(DynSolValue::Uint(v, _)), Some(bits)) => DynSolValue::Uint(*v, *bits),
                    (Some(value), _) => value.clone(),
                    (None, _) => DynSolValue::Uint(U256::ZERO, width.unwrap_or(256)),
                }
            }
            Self::Const(value) => value.clone(),
            Self::List(kind, items) => {
                let values = items.iter().map(|item| item.eval(roles, vars)).collect();
                match kind {
                    ListKind::Array => DynSolValue::Array(values),
                    ListKind::FixedArray => DynSolValue::FixedArray(values),
                    ListKind::Tuple => DynSolValue::Tuple(values),
                }
            }
        }
    }
}

/// Read a literal by its ABI type.
fn literal(ty: &DynSolType, text: &str) -> Result<Expr, String> {
    ty.coerce_str(text).map(Expr::Const).map_err(|e| format!("{text:?} is not a {ty}: {e}"))
}

/// Whether a value of type `have` can be passed where `want` is expected
/// (unsigned integers of any width are interchangeable; values are base units).
fn fits(have: &DynSolType, want: &DynSolType, text: &str) -> Result<(), String> {
    let ok = have == want || matches!((have, want), (DynSolType::Uint(_), DynSolType::Uint(_)));
    if ok {
        Ok(())
    } else {
        Err(format!("{text} is a {have}, the function wants a {want}"))
    }
}
