//! Expressions over one run's final KPI values, for `tsp optimize`
//! objectives and constraints and `tsp corners` worst-case measures:
//! Rhai expressions with a `kpi("column")` function (the column's value in
//! the run's last sampled row), arithmetic, comparisons and the math
//! functions (`abs`, `min`, `max`, `sqrt`, `ln`, `exp`, ...).
//!
//! A constraint is two expressions around one comparison — `A >= B`,
//! `A <= B`, `A > B` or `A < B` — so that a violated constraint has a size
//! (how far `A` is on the wrong side of `B`), which the optimiser uses to
//! tell "nearly feasible" from "far off".
//!
//! The sandbox is small and fixed: `Engine::new_raw()` plus Rhai's
//! arithmetic, logic and math packages and `kpi`, at most 100,000 operations
//! per evaluation, no time, files or modules.
//!
//! # Errors
//! Every error names the expression as written and its role (`--minimize
//! "…"`, `--constraint "…"`): a syntax error, a constraint without one
//! comparison, a value that is not a number, an unknown KPI column.

use anyhow::{bail, Context};
use rhai::packages::{ArithmeticPackage, BasicMathPackage, LogicPackage, Package};
use rhai::{Dynamic, Engine, EvalAltResult, Shared, AST};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A compiled expression and where it came from.
#[derive(Debug, Clone)]
pub struct Expr {
    /// Its role and text, for messages: `--minimize "kpi(\"a\")"`.
    what: String,
    ast: AST,
}

/// The packages every evaluation engine gets, built once.
fn packages() -> &'static [Shared<rhai::Module>; 3] {
    static PACKAGES: OnceLock<[Shared<rhai::Module>; 3]> = OnceLock::new();
    PACKAGES.get_or_init(|| {
        [
            ArithmeticPackage::new().as_shared_module(),
            LogicPackage::new().as_shared_module(),
            BasicMathPackage::new().as_shared_module(),
        ]
    })
}

/// An engine whose `kpi(name)` answers from `lookup`.
fn engine(lookup: impl Fn(&str) -> Result<f64, String> + Send + Sync + 'static) -> Engine {
    let mut engine = Engine::new_raw();
    for package in packages() {
        engine.register_global_module(package.clone());
    }
    engine.set_max_operations(100_000);
    engine.set_max_call_levels(16);
    engine.set_max_expr_depths(64, 32);
    engine.set_max_string_size(10_000);
    engine.register_fn("kpi", move |name: &str| -> Result<f64, Box<EvalAltResult>> {
        lookup(name).map_err(|e| e.into())
    });
    engine
}

fn number(value: &Dynamic) -> Option<f64> {
    value.as_float().ok().or_else(|| value.as_int().ok().map(|i| i as f64))
}

impl Expr {
    /// Compile `source`; `role` names it in messages (`--minimize`).
    pub fn compile(role: &str, source: &str) -> anyhow::Result<Self> {
        let what = format!("{role} {source:?}");
        let ast =
            engine(|_| Ok(0.0)).compile_expression(source).map_err(|e| anyhow::anyhow!("{what}: {e}"))?;
        Ok(Self { what, ast })
    }

    /// Its role and text, as messages show it.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// The KPI columns it reads, found by evaluating it once with every
    /// column at 1 (a branch not taken then is checked when it runs).
    pub fn columns(&self) -> anyhow::Result<Vec<String>> {
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let record = Arc::clone(&seen);
        let engine = engine(move |name| {
            if let Ok(mut names) = record.lock() {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
            Ok(1.0)
        });
        // A division by zero at the trial values is not an error of the expression.
        if let Err(e) = engine.eval_ast::<Dynamic>(&self.ast) {
            if !matches!(*e, EvalAltResult::ErrorArithmetic(..)) {
                bail!("{}: {e}", self.what);
            }
        }
        let names = seen.lock().map(|n| n.clone()).unwrap_or_default();
        Ok(names)
    }

    /// Its value for one run's final KPI values.
    pub fn eval(&self, values: &BTreeMap<String, f64>) -> anyhow::Result<f64> {
        let values = values.clone();
        let engine = engine(move |name| {
            values.get(name).copied().ok_or_else(|| format!("no KPI column {name:?} in the run"))
        });
        let value =
            engine.eval_ast::<Dynamic>(&self.ast).map_err(|e| anyhow::anyhow!("{}: {e}", self.what))?;
        number(&value)
            .with_context(|| format!("{}: gave {value} ({}), not a number", self.what, value.type_name()))
    }
}

/// How the two sides of a constraint compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    AtLeast,
    AtMost,
}

/// `A >= B` (or `<=`, `>`, `<`) over final KPI values.
#[derive(Debug, Clone)]
pub struct Constraint {
    text: String,
    left: Expr,
    right: Expr,
    comparison: Comparison,
}

/// The positions and operators of the top-level comparisons in `text`.
fn comparisons(text: &str) -> Vec<(usize, &'static str)> {
    let bytes = text.as_bytes();
    let (mut depth, mut quoted, mut found) = (0i32, false, Vec::new());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quoted = !quoted,
            _ if quoted => {}
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'>' | b'<' if depth == 0 => {
                let wide = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, wide) {
                    (b'>', true) => ">=",
                    (b'>', false) => ">",
                    (_, true) => "<=",
                    _ => "<",
                };
                found.push((i, op));
                i += op.len();
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

impl Constraint {
    /// Parse `A >= B` (or `<=`, `>`, `<`; strict and loose are the same for numbers from runs).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let what = format!("--constraint {text:?}");
        let found = comparisons(text);
        let [(at, op)] = found.as_slice() else {
            bail!("{what}: write one comparison, e.g. kpi(\"criteria.rug_staker_loss_pct\") <= 5 (found {} comparisons)", found.len());
        };
        let (left, right) = (&text[..*at], &text[at + op.len()..]);
        if left.trim().is_empty() || right.trim().is_empty() {
            bail!("{what}: both sides of {op} need an expression");
        }
        let comparison = if op.starts_with('>') { Comparison::AtLeast } else { Comparison::AtMost };
        Ok(Self {
            text: text.to_string(),
            left: Expr::compile(&format!("{what}, left side"), left.trim())?,
            right: Expr::compile(&format!("{what}, right side"), right.trim())?,
            comparison,
        })
    }

    /// The constraint as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The KPI columns it reads.
    pub fn columns(&self) -> anyhow::Result<Vec<String>> {
        let mut names = self.left.columns()?;
        names.extend(self.right.columns()?);
        Ok(names)
    }

    /// How far the run is on the wrong side (0 when the constraint holds).
    pub fn violation(&self, values: &BTreeMap<String, f64>) -> anyhow::Result<f64> {
        let (left, right) = (self.left.eval(values)?, self.right.eval(values)?);
        let gap = match self.comparison {
            Comparison::AtLeast => right - left,
            Comparison::AtMost => left - right,
        };
        Ok(if gap.is_nan() { f64::INFINITY } else { gap.max(0.0) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<String, f64> {
        [("a.x".to_string(), 2.0), ("b".to_string(), -3.0)].into_iter().collect()
    }

    #[test]
    fn expressions_read_columns_and_do_arithmetic() {
        let e = Expr::compile("--minimize", "-kpi(\"a.x\") * 2 + abs(kpi(\"b\")) + max(1, 0.5)").unwrap();
        assert_eq!(e.eval(&values()).unwrap(), -4.0 + 3.0 + 1.0);
        assert_eq!(e.columns().unwrap(), ["a.x", "b"]);
        let e = Expr::compile("--maximize", "kpi(\"nope\")").unwrap();
        let message = e.eval(&values()).unwrap_err().to_string();
        assert!(
            message.contains("--maximize \"kpi(\\\"nope\\\")\"") && message.contains("nope"),
            "{message}"
        );
        let message = Expr::compile("--minimize", "kpi(\"a\" +").unwrap_err().to_string();
        assert!(message.starts_with("--minimize \"kpi(\\\"a\\\" +\":"), "{message}");
        let text = Expr::compile("--minimize", "\"text\"").unwrap().eval(&values()).unwrap_err();
        assert!(text.to_string().contains("not a number"), "{text}");
    }

    #[test]
    fn constraints_measure_how_far_off_they_are() {
        let c = Constraint::parse("kpi(\"a.x\") >= 5").unwrap();
        assert_eq!(c.violation(&values()).unwrap(), 3.0);
        let c = Constraint::parse("kpi(\"b\") <= min(0, 1)").unwrap();
        assert_eq!(c.violation(&values()).unwrap(), 0.0);
        assert_eq!(c.columns().unwrap(), ["b"]);
        assert!(Constraint::parse("kpi(\"a\")").unwrap_err().to_string().contains("one comparison"));
        assert!(Constraint::parse("1 < kpi(\"a\") < 3").is_err());
        assert!(Constraint::parse("kpi(\"a>b\") >= 0").is_ok(), "a quoted > is not a comparison");
    }
}
