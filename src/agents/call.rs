//! [`CallPlan`]: a contract call written in a netlist — a function (exact
//! signature, or a name looked up in the target's ABI) and arguments that
//! are literals or expressions — compiled once when the netlist loads and
//! encoded at each call with the values of the moment.
//!
//! Argument rule: a TOML string is an expression (`"@router"`,
//! `"to_wei(1.5)"`, `"balance(@usdc, self) / 2"`), except for a `string`
//! parameter, where it is the text itself; numbers and booleans are literals
//! of the parameter's type (a float for an integer parameter is refused:
//! write `to_wei(x)`); TOML arrays fill array and tuple parameters element
//! by element.
//!
//! # Errors
//! A signature that does not parse, a function the ABI lacks, a wrong
//! argument count or a literal that does not fit is an error when the
//! netlist loads, naming the file, line and what was written; a value that
//! does not fit at run time is a [`ScriptError`] naming the expression.

use crate::script::{from_sol, to_sol, Dynamic, Env, Host, Library, Origin, Script, ScriptError};
use alloy_dyn_abi::{DynSolType, DynSolValue, FunctionExt, JsonAbiExt, Specifier};
use alloy_json_abi::{Function, JsonAbi};
use alloy_primitives::{Bytes, I256, U256};

/// One argument: a value known at load, an expression, or elements of either.
#[derive(Debug, Clone)]
pub enum Arg {
    /// A literal, already of the parameter's type.
    Value(DynSolValue),
    /// An expression evaluated at each call.
    Expr(Script),
    /// The elements of an array or tuple parameter, written as a TOML array.
    Items(Vec<Self>),
}

/// How to compile the scripts of one call.
#[derive(Debug, Clone, Copy)]
pub struct Compiler<'a> {
    /// Where the call is written (file, line, what).
    pub origin: &'a Origin,
    /// The netlist's functions, if any.
    pub library: Option<&'a Library>,
    /// The variables its scripts see besides `memory` (an agent's
    /// parameters), when known; every variable read is then checked.
    pub variables: Option<&'a [String]>,
}

impl Compiler<'_> {
    /// Compile one expression, its origin saying which part it is.
    pub fn expression(&self, source: &str, part: &str) -> anyhow::Result<Script> {
        let origin =
            Origin::new(&self.origin.file, self.origin.line, format!("{}, {part}", self.origin.what));
        let script = Script::expression(source, origin)?;
        self.finish(script)
    }

    /// The script with the netlist's functions, every call checked.
    fn finish(&self, script: Script) -> anyhow::Result<Script> {
        let script = match self.library {
            Some(library) => script.with_library(library),
            None => script,
        };
        script.check_calls()?;
        if let Some(variables) = self.variables {
            script.check_variables(variables)?;
        }
        Ok(script)
    }

    /// Compile statements (`then`), its origin saying which part it is.
    pub fn statements(&self, source: &str, part: &str) -> anyhow::Result<Script> {
        let origin =
            Origin::new(&self.origin.file, self.origin.line, format!("{}, {part}", self.origin.what));
        let script = Script::statements(source, origin)?;
        self.finish(script)
    }

    /// An amount or other value written as a TOML number or an expression
    /// string. A number (or a string that is one) is tokens: it must be a
    /// base-18 amount (≥ 0, at most [`crate::wallet::max_tokens`]), refused
    /// here rather than when the run reaches it.
    pub fn value(&self, value: &toml::Value, part: &str) -> anyhow::Result<Script> {
        let literal = match value {
            toml::Value::String(source) => source.trim().parse::<f64>().ok(),
            toml::Value::Integer(n) => Some(*n as f64),
            toml::Value::Float(x) => Some(*x),
            _ => None,
        };
        if let Some(x) = literal.filter(|&x| crate::wallet::to_base18(x).is_err()) {
            let max = crate::wallet::max_tokens();
            anyhow::bail!(
                "{}: {part} = {x:e} is not an amount: it must be ≥ 0 and at most {max:e} tokens (2^256 - 1 base units)",
                self.origin
            )
        }
        match value {
            toml::Value::String(source) => self.expression(source, part),
            toml::Value::Integer(n) => self.expression(&n.to_string(), part),
            toml::Value::Float(x) if x.is_finite() => self.expression(&format!("{x:?}"), part),
            other => {
                anyhow::bail!("{}: {part}: expected a number or an expression, found {other}", self.origin)
            }
        }
    }

    /// An error naming where the call is written.
    pub fn error(&self, message: impl std::fmt::Display) -> anyhow::Error {
        anyhow::anyhow!("{}: {message}", self.origin)
    }
}

/// A compiled call: the function and its arguments.
#[derive(Debug, Clone)]
pub struct CallPlan {
    /// The function called.
    pub function: Function,
    /// Its parameter types, resolved.
    types: Vec<DynSolType>,
    /// One per parameter.
    args: Vec<Arg>,
}

impl CallPlan {
    /// Resolve `function` (`"name(types)"`, `"name(types) returns (types)"`,
    /// or a name when `abi` has exactly one function of it) against the
    /// target's ABI when known, and compile `args` by the parameter types.
    pub fn compile(
        function: &str,
        abi: Option<&JsonAbi>,
        args: &[toml::Value],
        compiler: Compiler<'_>,
    ) -> anyhow::Result<Self> {
        let function = resolve(function, abi).map_err(|e| compiler.error(e))?;
        Self::with_function(function, args, compiler)
    }

    /// Compile `args` for a known `function` (a constructor: its inputs).
    pub fn with_function(
        function: Function,
        args: &[toml::Value],
        compiler: Compiler<'_>,
    ) -> anyhow::Result<Self> {
        let signature = function.signature();
        if function.inputs.len() != args.len() {
            return Err(compiler.error(format!(
                "{signature} takes {} argument(s), {} given",
                function.inputs.len(),
                args.len()
            )));
        }
        let mut types = Vec::with_capacity(args.len());
        let mut compiled = Vec::with_capacity(args.len());
        for (index, (param, value)) in function.inputs.iter().zip(args).enumerate() {
            let ty: DynSolType = param.resolve().map_err(|e| compiler.error(format!("{signature}: {e}")))?;
            let name =
                if param.name.is_empty() { format!("argument {}", index + 1) } else { param.name.clone() };
            let part = format!("{signature} {name}");
            compiled.push(arg(value, &ty, &part, compiler)?);
            types.push(ty);
        }
        Ok(Self { function, types, args: compiled })
    }

    /// The argument expressions.
    pub fn scripts(&self) -> Vec<&Script> {
        fn walk<'a>(arg: &'a Arg, out: &mut Vec<&'a Script>) {
            match arg {
                Arg::Value(_) => {}
                Arg::Expr(script) => out.push(script),
                Arg::Items(items) => items.iter().for_each(|i| walk(i, out)),
            }
        }
        let mut scripts = Vec::new();
        self.args.iter().for_each(|a| walk(a, &mut scripts));
        scripts
    }

    /// The argument values of this moment.
    pub fn values(&self, env: &mut Env, host: &mut dyn Host) -> Result<Vec<DynSolValue>, ScriptError> {
        self.args.iter().zip(&self.types).map(|(arg, ty)| evaluate(arg, ty, env, host)).collect()
    }

    /// The calldata of this moment (selector and arguments).
    pub fn calldata(&self, env: &mut Env, host: &mut dyn Host) -> Result<Bytes, ScriptError> {
        let values = self.values(env, host)?;
        self.encode(&values)
    }

    /// The calldata of `values` (from [`CallPlan::values`]).
    pub fn encode(&self, values: &[DynSolValue]) -> Result<Bytes, ScriptError> {
        let encoded = self.function.abi_encode_input(values).map_err(|e| self.encode_error(e))?;
        Ok(encoded.into())
    }

    /// The call as text with `values`, for messages: `transfer(0x…, 1)`.
    pub fn describe(&self, values: &[DynSolValue]) -> String {
        let shown: Vec<String> = values.iter().map(crate::abi::format_value).collect();
        format!("{}({})", self.function.name, shown.join(", "))
    }

    /// The arguments alone, ABI-encoded (for a constructor, appended to the creation code).
    pub fn encoded_args(&self, env: &mut Env, host: &mut dyn Host) -> Result<Vec<u8>, ScriptError> {
        let values = self.values(env, host)?;
        Ok(DynSolValue::Tuple(values).abi_encode_params())
    }

    /// The return value as expressions see it: nothing, one value, or an array of them.
    pub fn decode_output(&self, data: &[u8]) -> Result<Dynamic, String> {
        let decoded = self
            .function
            .abi_decode_output(data)
            .map_err(|e| format!("{}: cannot decode the return data: {e}", self.function.signature()))?;
        Ok(match decoded.as_slice() {
            [] => Dynamic::UNIT,
            [one] => from_sol(one),
            many => Dynamic::from_array(many.iter().map(from_sol).collect()),
        })
    }

    fn encode_error(&self, e: impl std::fmt::Display) -> ScriptError {
        let origin = Origin::new("", 0, self.function.signature());
        ScriptError::runtime(&origin, "", format!("cannot encode the arguments: {e}"))
    }
}

/// The function a call names: `"name(types)"`, `"name(types) returns
/// (types)"`, or a name when `abi` has exactly one function of it; checked
/// against `abi` when known.
pub fn resolve(text: &str, abi: Option<&JsonAbi>) -> Result<Function, String> {
    let text = text.trim();
    if !text.contains('(') {
        let Some(abi) = abi else {
            return Err(format!(
                "function = {text:?}: give the full signature, e.g. \"{text}(address,uint256)\" (the target's ABI is not known when the netlist loads)"
            ));
        };
        return match abi.function(text).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some(several) => Err(format!(
                "function = {text:?} is overloaded: write one of {}",
                several.iter().map(Function::signature).collect::<Vec<_>>().join(", ")
            )),
            None => Err(format!("function = {text:?}: the target's ABI has no function {text}")),
        };
    }
    let parsed = Function::parse(text)
        .map_err(|e| format!("function = {text:?} does not parse: {}", last_line(&e.to_string())))?;
    for param in parsed.inputs.iter().chain(&parsed.outputs) {
        let resolved: Result<DynSolType, _> = param.resolve();
        if resolved.is_err() {
            return Err(format!("function = {text:?}: unknown type {}", param.ty));
        }
    }
    let Some(abi) = abi else { return Ok(parsed) };
    let signature = parsed.signature();
    match abi.functions().find(|f| f.signature() == signature) {
        Some(found) => Ok(found.clone()),
        None => {
            let same_name: Vec<String> =
                abi.function(&parsed.name).into_iter().flatten().map(Function::signature).collect();
            let hint = if same_name.is_empty() {
                format!("it has no function {}", parsed.name)
            } else {
                format!("it has {}", same_name.join(", "))
            };
            Err(format!("function = {text:?}: the target's ABI has no {signature}; {hint}"))
        }
    }
}

/// alloy's parser errors end with the reason, after the input and a caret.
fn last_line(text: &str) -> &str {
    text.lines().rev().find(|line| !line.trim().is_empty()).map_or(text, str::trim)
}

/// Compile one argument of type `ty`.
fn arg(value: &toml::Value, ty: &DynSolType, part: &str, compiler: Compiler<'_>) -> anyhow::Result<Arg> {
    let literal = |v: Result<DynSolValue, String>| {
        v.map(Arg::Value).map_err(|e| compiler.error(format!("{part}: {e}")))
    };
    match (value, ty) {
        (toml::Value::String(text), DynSolType::String) => Ok(Arg::Value(DynSolValue::String(text.clone()))),
        (toml::Value::String(source), _) => compiler.expression(source, part).map(Arg::Expr),
        (toml::Value::Integer(n), DynSolType::Uint(bits)) => {
            literal(U256::try_from(*n).map_err(|_| format!("{n} is negative, {ty} is not")).and_then(|u| {
                if *bits < 256 && u >> *bits != U256::ZERO {
                    Err(format!("{u} does not fit in {ty}"))
                } else {
                    Ok(DynSolValue::Uint(u, *bits))
                }
            }))
        }
        (toml::Value::Integer(n), DynSolType::Int(bits)) => {
            literal(Ok(DynSolValue::Int(I256::try_from(*n).unwrap_or_default(), *bits)))
        }
        (toml::Value::Float(x), DynSolType::Uint(_) | DynSolType::Int(_)) => Err(compiler.error(format!(
            "{part}: {x} is a float, {ty} an integer: write \"to_wei({x:?})\" for a token amount"
        ))),
        (toml::Value::Boolean(b), DynSolType::Bool) => literal(Ok(DynSolValue::Bool(*b))),
        (toml::Value::Array(items), DynSolType::Array(inner)) => items
            .iter()
            .map(|item| arg(item, inner, part, compiler))
            .collect::<anyhow::Result<_>>()
            .map(Arg::Items),
        (toml::Value::Array(items), DynSolType::FixedArray(inner, size)) if items.len() == *size => items
            .iter()
            .map(|item| arg(item, inner, part, compiler))
            .collect::<anyhow::Result<_>>()
            .map(Arg::Items),
        (toml::Value::Array(items), DynSolType::Tuple(types)) if items.len() == types.len() => items
            .iter()
            .zip(types)
            .map(|(item, inner)| arg(item, inner, part, compiler))
            .collect::<anyhow::Result<_>>()
            .map(Arg::Items),
        (other, _) => Err(compiler.error(format!("{part}: {other} does not fit {ty}"))),
    }
}

/// The value of one argument now.
fn evaluate(
    arg: &Arg,
    ty: &DynSolType,
    env: &mut Env,
    host: &mut dyn Host,
) -> Result<DynSolValue, ScriptError> {
    match arg {
        Arg::Value(value) => Ok(value.clone()),
        Arg::Expr(script) => {
            let value = script.eval(env, host)?;
            to_sol(&value, ty).map_err(|e| script.error_at_runtime(e))
        }
        Arg::Items(items) => {
            let types: Vec<&DynSolType> = match ty {
                DynSolType::Array(inner) | DynSolType::FixedArray(inner, _) => {
                    vec![inner.as_ref(); items.len()]
                }
                DynSolType::Tuple(types) => types.iter().collect(),
                _ => Vec::new(),
            };
            let values = items
                .iter()
                .zip(types)
                .map(|(item, ty)| evaluate(item, ty, env, host))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(match ty {
                DynSolType::Array(_) => DynSolValue::Array(values),
                DynSolType::FixedArray(..) => DynSolValue::FixedArray(values),
                _ => DynSolValue::Tuple(values),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiler(origin: &Origin) -> Compiler<'_> {
        Compiler { origin, library: None, variables: None }
    }

    #[test]
    fn arguments_follow_their_types() {
        let origin = Origin::new("n.toml", 3, "agent a, behaviour 1");
        let args: Vec<toml::Value> =
            toml::from_str::<toml::Table>("a = [\"USD Coin\", 6, \"@token\", [\"1\", 2], true]").unwrap()
                ["a"]
                .as_array()
                .unwrap()
                .clone();
        let plan =
            CallPlan::compile("setup(string,uint8,address,uint256[],bool)", None, &args, compiler(&origin))
                .unwrap();
        assert!(matches!(&plan.args[0], Arg::Value(DynSolValue::String(s)) if s == "USD Coin"));
        assert!(matches!(&plan.args[1], Arg::Value(DynSolValue::Uint(_, 8))));
        assert!(matches!(&plan.args[2], Arg::Expr(_)));
        assert!(matches!(&plan.args[3], Arg::Items(items) if items.len() == 2));
        let names: Vec<&String> = plan.scripts().iter().flat_map(|s| s.names()).collect();
        assert_eq!(names, ["token"]);
    }

    #[test]
    fn bad_calls_are_refused_with_where_and_why() {
        let origin = Origin::new("n.toml", 3, "agent a, behaviour 1");
        let one =
            |text: &str| vec![toml::from_str::<toml::Table>(&format!("v = {text}")).unwrap()["v"].clone()];
        let error = |f: &str, args: Vec<toml::Value>| {
            CallPlan::compile(f, None, &args, compiler(&origin)).unwrap_err().to_string()
        };
        let e = error("transfer(address,uint256", vec![]);
        assert!(
            e.starts_with("n.toml:3: agent a, behaviour 1: function = ") && e.contains("does not parse"),
            "{e}"
        );
        assert!(error("approve(address,uint256)", one("1")).contains("takes 2 argument(s), 1 given"));
        let e = error("deposit(uint256)", one("1.5"));
        assert!(e.contains("to_wei(1.5)"), "{e}");
        assert!(error("deposit(uint8)", one("300")).contains("does not fit in uint8"));
        assert!(error("deposit(uint256)", one("-1")).contains("negative"));
        let e = error("deposit(uint256)", one("\"1 +\""));
        assert!(e.contains("n.toml:3") && e.contains("deposit(uint256) argument 1"), "{e}");
        assert!(error("deposit", vec![]).contains("give the full signature"));
        let abi = JsonAbi::parse(["function deposit(uint256 amount) external"]).unwrap();
        let e = CallPlan::compile("withdraw(uint256)", Some(&abi), &one("1"), compiler(&origin)).unwrap_err();
        assert!(e.to_string().contains("has no withdraw(uint256); it has no function withdraw"), "{e}");
        let plan =
            CallPlan::compile("deposit", Some(&abi), &one("\"to_wei(2)\""), compiler(&origin)).unwrap();
        assert_eq!(plan.function.inputs[0].name, "amount");
    }
}
