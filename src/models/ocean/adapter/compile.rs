//! Checking an [`super::spec::AdapterSpec`] against the build's ABIs and
//! turning it into [`Step`]s: functions looked up by exact signature,
//! arguments type-checked, variables tracked from step to step, and the
//! outputs bound to an operation's results checked against the type the
//! engine reads them as.

use super::expr::{Expr, Scope};
use super::spec::{AdapterSpec, StepSpec};
use super::{OpSignature, ParamType, OPS};
use crate::artifacts::Artifact;
use alloy_dyn_abi::{DynSolType, Specifier};
use alloy_json_abi::{Function, Param};
use std::collections::BTreeMap;

/// One checked transaction or view.
#[derive(Debug, Clone)]
pub(super) struct Step {
    /// Who sends it.
    pub from: Expr,
    /// What it does.
    pub action: Action,
    /// `(token, amount, spender)` allowances granted first; spender `None` = the callee.
    pub approvals: Vec<(Expr, Expr, Option<Expr>)>,
    /// Names of the outputs to keep, by position.
    pub bind: Vec<Option<String>>,
    /// Read-only.
    pub view: bool,
}

/// A deployment or a call.
#[derive(Debug, Clone)]
pub(super) enum Action {
    /// Deploy `role` from its creation code with constructor arguments.
    Deploy { role: String, artifact: Box<Artifact>, args: Vec<Expr> },
    /// Call `function` on `to`.
    Call { to: Expr, function: Box<Function>, args: Vec<Expr> },
}

type Compiled = (Vec<Step>, BTreeMap<String, Vec<Step>>);

/// Check the whole adapter; errors say which step of which section.
pub(super) fn compile(
    spec: &AdapterSpec,
    artifacts: &BTreeMap<String, Artifact>,
) -> Result<Compiled, String> {
    let mut scope = Scope { roles: vec!["ocean".to_string()], ..Scope::default() };
    scope.vars.insert("deployer".to_string(), DynSolType::Address);
    let mut system = Vec::with_capacity(spec.system.len());
    for (i, step) in spec.system.iter().enumerate() {
        let compiled = compile_step(step, artifacts, &mut scope, "$deployer")
            .map_err(|e| format!("[[system]] step {}: {e}", i + 1))?;
        // A system step that binds an address under a role's name gives that
        // role its address (a contract another one deployed, e.g. in its constructor).
        for name in compiled.bind.iter().flatten() {
            if artifacts.contains_key(name) && scope.vars.get(name) == Some(&DynSolType::Address) {
                scope.roles.push(name.clone());
            }
        }
        system.push(compiled);
    }
    let roles = scope.roles.clone();
    let mut ops = BTreeMap::new();
    for (name, steps) in &spec.ops {
        let Some(signature) = OPS.iter().find(|op| op.name == name) else {
            let known: Vec<&str> = OPS.iter().map(|op| op.name).collect();
            return Err(format!("[ops.{name}]: unknown operation (known: {})", known.join(", ")));
        };
        let compiled =
            compile_op(signature, steps, artifacts, &roles).map_err(|e| format!("[ops.{name}] {e}"))?;
        ops.insert(name.clone(), compiled);
    }
    for op in OPS.iter().filter(|op| op.required) {
        if !ops.contains_key(op.name) {
            return Err(format!("[ops.{}] is missing: every adapter must define it", op.name));
        }
    }
    Ok((system, ops))
}

fn compile_op(
    signature: &OpSignature,
    steps: &[StepSpec],
    artifacts: &BTreeMap<String, Artifact>,
    roles: &[String],
) -> Result<Vec<Step>, String> {
    let mut scope = Scope { roles: roles.to_vec(), ..Scope::default() };
    scope.vars.insert("sender".to_string(), DynSolType::Address);
    for (param, ty) in signature.params {
        scope.vars.insert((*param).to_string(), ty.sol_type());
    }
    let mut compiled = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        if step.deploy.is_some() {
            return Err(format!("step {}: deploy steps belong in [[system]]", i + 1));
        }
        let step = compile_step(step, artifacts, &mut scope, "$sender")
            .and_then(|step| check_results(signature, &step).map(|()| step))
            .map_err(|e| format!("step {}: {e}", i + 1))?;
        compiled.push(step);
    }
    if signature.single_view && !(compiled.len() == 1 && compiled[0].view) {
        return Err("must be exactly one step with view = true (it is batched with other reads)".to_string());
    }
    for (result, _) in signature.results {
        if !compiled.iter().any(|s| s.bind.iter().flatten().any(|b| b == result)) {
            return Err(format!(
                "binds no ${result}: some step needs bind = \"{result}\" on the output that holds it"
            ));
        }
    }
    Ok(compiled)
}

fn compile_step(
    step: &StepSpec,
    artifacts: &BTreeMap<String, Artifact>,
    scope: &mut Scope,
    default_from: &str,
) -> Result<Step, String> {
    let from_text = toml::Value::String(step.from.clone().unwrap_or_else(|| default_from.to_string()));
    let from = Expr::compile(&from_text, &DynSolType::Address, scope).map_err(|e| format!("from: {e}"))?;
    let (action, outputs) = match (&step.deploy, &step.to, &step.function) {
        (Some(role), None, None) => {
            let artifact = role_artifact(artifacts, role)?;
            let inputs = artifact.abi.constructor.as_ref().map(|c| c.inputs.clone()).unwrap_or_default();
            let args = compile_args(&step.args, &inputs, scope).map_err(|e| {
                format!("deploy {role} ({}{}): {e}", artifact.name, artifact.constructor_signature())
            })?;
            scope.roles.push(role.clone());
            let action = Action::Deploy { role: role.clone(), artifact: Box::new(artifact.clone()), args };
            (action, vec![DynSolType::Address])
        }
        (None, Some(to), Some(signature)) => {
            let abi_role = match (to.strip_prefix('@'), &step.abi) {
                (_, Some(role)) => role.as_str(),
                (Some(role), None) => role,
                (None, None) => {
                    return Err(format!(
                        "to = {to:?} is a variable: say which role's ABI it has (abi = \"<role>\")"
                    ))
                }
            };
            let artifact = role_artifact(artifacts, abi_role)?;
            let function = find_function(artifact, abi_role, signature)?;
            let to_expr = Expr::compile(&toml::Value::String(to.clone()), &DynSolType::Address, scope)
                .map_err(|e| format!("to: {e}"))?;
            let args = compile_args(&step.args, &function.inputs, scope)
                .map_err(|e| format!("{signature} on {} (role {abi_role}): {e}", artifact.name))?;
            let outputs = resolve_types(&function.outputs).map_err(|e| format!("{signature}: {e}"))?;
            (Action::Call { to: to_expr, function: Box::new(function), args }, outputs)
        }
        _ => return Err("a step has either deploy = \"<role>\", or to = ... with function = ...".to_string()),
    };
    let mut approvals = Vec::with_capacity(step.approve.len());
    for entry in &step.approve {
        let [token, amount, rest @ ..] = entry.as_slice() else {
            return Err(format!(
                "approve entry {entry:?}: expected [token, amount] or [token, amount, spender]"
            ));
        };
        let address =
            |text: &String| Expr::compile(&toml::Value::String(text.clone()), &DynSolType::Address, scope);
        let token = address(token).map_err(|e| format!("approve token: {e}"))?;
        let amount = Expr::compile(&toml::Value::String(amount.clone()), &DynSolType::Uint(256), scope)
            .map_err(|e| format!("approve amount: {e}"))?;
        let spender = match rest {
            [] => None,
            [spender] => Some(address(spender).map_err(|e| format!("approve spender: {e}"))?),
            _ => return Err(format!("approve entry {entry:?} has more than three elements")),
        };
        approvals.push((token, amount, spender));
    }
    let bind = step.bind.as_ref().map(|b| b.names()).unwrap_or_default();
    if bind.len() > outputs.len() {
        return Err(format!("bind names {} outputs, the function returns {}", bind.len(), outputs.len()));
    }
    for (name, ty) in bind.iter().zip(&outputs) {
        if let Some(name) = name {
            scope.vars.insert(name.clone(), ty.clone());
        }
    }
    Ok(Step { from, action, approvals, bind, view: step.view })
}

/// Each output `step` binds to one of the operation's results has the type
/// the engine reads that result as: a single address, or a single unsigned
/// integer for an amount (anything else would be read as zero).
fn check_results(signature: &OpSignature, step: &Step) -> Result<(), String> {
    let Action::Call { function, .. } = &step.action else { return Ok(()) };
    let outputs = resolve_types(&function.outputs)?;
    for (position, (name, ty)) in step.bind.iter().zip(&outputs).enumerate() {
        let Some(name) = name else { continue };
        let Some((_, wanted)) = signature.results.iter().find(|(result, _)| result == name) else { continue };
        let (fits, reads) = match wanted {
            ParamType::Address => (*ty == DynSolType::Address, "an address"),
            ParamType::Amount => (matches!(ty, DynSolType::Uint(_)), "an amount (a single uint)"),
            ParamType::Text => (*ty == DynSolType::String, "a string"),
        };
        if !fits {
            let returns: Vec<String> = outputs.iter().map(ToString::to_string).collect();
            return Err(format!(
                "bind = \"{name}\" takes output {} of {}, which returns ({}): the engine reads ${name} \
                 as {reads}, not {ty}",
                position + 1,
                function.signature(),
                returns.join(", ")
            ));
        }
    }
    Ok(())
}

fn role_artifact<'a>(artifacts: &'a BTreeMap<String, Artifact>, role: &str) -> Result<&'a Artifact, String> {
    artifacts.get(role).ok_or_else(|| {
        let known: Vec<&str> = artifacts.keys().map(String::as_str).collect();
        format!("role {role:?} is not in [roles] (it has: {})", known.join(", "))
    })
}

/// The function with exactly this signature; the error lists what the ABI has under that name.
fn find_function(artifact: &Artifact, role: &str, signature: &str) -> Result<Function, String> {
    let name = signature.split('(').next().unwrap_or(signature);
    let candidates: Vec<&Function> =
        artifact.abi.functions.get(name).map(|v| v.iter().collect()).unwrap_or_default();
    if let Some(found) = candidates.iter().find(|f| f.signature() == signature) {
        return Ok((*found).clone());
    }
    let have: Vec<String> = candidates.iter().map(|f| f.signature()).collect();
    let hint = if have.is_empty() {
        "no function of that name".to_string()
    } else {
        format!("it has {}", have.join(", "))
    };
    Err(format!(
        "{} (role {role}, {}) has no function {signature}: {hint}",
        artifact.name,
        artifact.file.display()
    ))
}

fn resolve_types(params: &[Param]) -> Result<Vec<DynSolType>, String> {
    params.iter().map(|p| p.resolve().map_err(|e| format!("{}: {e}", p.name))).collect()
}

fn compile_args(args: &[toml::Value], params: &[Param], scope: &Scope) -> Result<Vec<Expr>, String> {
    if args.len() != params.len() {
        return Err(format!("takes {} arguments, the adapter gives {}", params.len(), args.len()));
    }
    let types = resolve_types(params)?;
    args.iter()
        .zip(&types)
        .enumerate()
        .map(|(i, (arg, ty))| {
            let name = &params[i].name;
            Expr::compile(arg, ty, scope).map_err(|e| format!("argument {} ({ty} {name}): {e}", i + 1))
        })
        .collect()
}
