//! Compiled expressions ([`Script`]) and netlist-level functions
//! ([`Library`]): compiled once, checked at compile time, evaluated many
//! times against an [`Env`] and a [`Host`].
//!
//! Compile-time checks: syntax, and every literal signature passed to
//! `view` (it must parse, and its argument count must match the call). The
//! `@names` a script uses are listed ([`Script::names`]) so the caller can
//! check them against the address book at load time.
//!
//! # Errors
//! Compile and runtime errors are [`ScriptError`]s naming the origin, the
//! source and Rhai's position inside it. A failed evaluation leaves the
//! environment's memory as the statements before the failure left it.

use super::engine::{engine, strict_engine};
use super::env::Env;
use super::error::{line_column, Origin, ScriptError};
use super::functions::{parse_signature, Signature};
use super::host::{install, Host};
use rhai::{ASTNode, Dynamic, Expr, Position, Stmt, AST};
use std::collections::BTreeSet;

/// A compiled expression or statement list.
#[derive(Debug, Clone)]
pub struct Script {
    ast: AST,
    source: String,
    origin: Origin,
    names: Vec<String>,
    statements: bool,
}

/// Netlist-level `fn` definitions, usable by every script of a netlist
/// ([`Script::with_library`]). Functions see their arguments and the
/// registered functions (`@name`, `self`, `view`, ...), not the caller's variables.
#[derive(Debug, Clone)]
pub struct Library {
    ast: AST,
    names: Vec<String>,
}

impl Script {
    /// Compile one expression (`when`, an argument, a KPI, an invariant).
    pub fn expression(source: &str, origin: Origin) -> Result<Self, ScriptError> {
        let ast =
            engine().compile_expression(source).map_err(|e| ScriptError::from_parse(&origin, source, &e))?;
        Self::checked(ast, source, origin, false)
    }

    /// Compile statements (`let`, `if`, assignments: memory updates); the
    /// value is the last statement's.
    pub fn statements(source: &str, origin: Origin) -> Result<Self, ScriptError> {
        let ast = engine().compile(source).map_err(|e| ScriptError::from_parse(&origin, source, &e))?;
        Self::checked(ast, source, origin, true)
    }

    fn checked(ast: AST, source: &str, origin: Origin, statements: bool) -> Result<Self, ScriptError> {
        let names = check(&ast).map_err(|(message, position)| {
            ScriptError::compile(&origin, source, message, line_column(position))
        })?;
        Ok(Self { ast, source: source.to_string(), origin, names, statements })
    }

    /// The same script with `library`'s functions available (its own
    /// functions, if any, win on a clash).
    pub fn with_library(mut self, library: &Library) -> Self {
        self.ast = library.ast.merge(&self.ast);
        self
    }

    /// Check that every function the script calls by name exists: one of
    /// the simulator's, Rhai's, or a `fn` of the script or of its library
    /// (merge the library first). Without this a misspelt or deleted
    /// function is found only when the run first evaluates the script.
    pub fn check_calls(&self) -> Result<(), ScriptError> {
        let defined: BTreeSet<String> = self.ast.iter_functions().map(|f| f.name.to_string()).collect();
        let mut unknown = None;
        self.ast.walk(&mut |path: &[ASTNode]| {
            let call = match path.last() {
                Some(ASTNode::Expr(Expr::FnCall(call, position))) => Some((call, *position)),
                Some(ASTNode::Stmt(Stmt::FnCall(call, position))) => Some((call, *position)),
                _ => None,
            };
            if let Some((call, position)) = call {
                let name = call.name.as_str();
                if call.op_token.is_none()
                    && call.namespace.is_empty()
                    && !defined.contains(name)
                    && !known_functions().contains(name)
                {
                    unknown = Some((name.to_string(), position));
                }
            }
            unknown.is_none()
        });
        match unknown {
            None => Ok(()),
            Some((name, position)) => Err(ScriptError::compile(
                &self.origin,
                &self.source,
                format!("unknown function `{name}`: neither built in nor defined in [script] functions"),
                line_column(position),
            )),
        }
    }

    /// Check that every variable the script reads is `memory`, one of
    /// `variables` (an agent's parameters) or declared by the script itself
    /// (`let`, loop variables, function parameters). Without this a
    /// misspelt parameter is found only when the run first evaluates it.
    pub fn check_variables(&self, variables: &[String]) -> Result<(), ScriptError> {
        let mut scope = rhai::Scope::new();
        scope.push(super::env::MEMORY, rhai::Map::new());
        for name in variables.iter().chain(&self.names) {
            scope.push_constant(name.as_str(), ());
        }
        let compiled = if self.statements {
            strict_engine().compile_with_scope(&scope, &self.source)
        } else {
            strict_engine().compile_expression_with_scope(&scope, &self.source)
        };
        compiled.map(|_| ()).map_err(|e| {
            let mut error = ScriptError::from_parse(&self.origin, &self.source, &e);
            if let rhai::ParseErrorType::VariableUndefined(name) = e.err_type() {
                let known = match variables {
                    [] => "`memory`".to_string(),
                    names => format!("`memory`, the parameters {}", names.join(", ")),
                };
                error.message = format!(
                    "`{name}`: unknown name; write @{name} for a name of the address book, or give it in `params` \
                     (a script sees {known} and what it declares with `let`)"
                );
            }
            error
        })
    }

    /// The address-book names (`@name`) the script uses, sorted, without `@`.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where the script was written.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// A runtime error of this script found by its caller (its value does not
    /// fit where it goes), naming the origin and the source.
    pub fn error_at_runtime(&self, message: impl Into<String>) -> ScriptError {
        ScriptError::runtime(&self.origin, &self.source, message.into())
    }

    /// Evaluate against `env` (parameters, memory, bound values) with `host`
    /// answering `@name`, views, balances, events, the clock and draws.
    pub fn eval(&self, env: &mut Env, host: &mut dyn Host) -> Result<Dynamic, ScriptError> {
        let _installed = install(host);
        let scope = env.scope_mut();
        let mark = scope.len();
        let result = engine().eval_ast_with_scope::<Dynamic>(scope, &self.ast);
        scope.rewind(mark);
        result.map_err(|e| ScriptError::from_eval(&self.origin, &self.source, *e))
    }
}

impl Library {
    /// Compile `fn` definitions; anything else at the top level is an error.
    pub fn new(source: &str, origin: Origin) -> Result<Self, ScriptError> {
        let mut ast = engine().compile(source).map_err(|e| ScriptError::from_parse(&origin, source, &e))?;
        if let Some(statement) = ast.statements().first() {
            let message = "only `fn` definitions are allowed here".to_string();
            return Err(ScriptError::compile(&origin, source, message, line_column(statement.position())));
        }
        let names = check(&ast).map_err(|(message, position)| {
            ScriptError::compile(&origin, source, message, line_column(position))
        })?;
        let place = match (origin.file.is_empty(), origin.line) {
            (true, _) => origin.what,
            (false, 0) => origin.file,
            (false, line) => format!("{}:{line}", origin.file),
        };
        ast.set_source(place);
        Ok(Self { ast, names })
    }

    /// The address-book names (`@name`) the functions use, sorted, without `@`.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The functions defined, as `name/arity`, sorted.
    pub fn functions(&self) -> Vec<String> {
        let mut found: Vec<String> =
            self.ast.iter_functions().map(|f| format!("{}/{}", f.name, f.params.len())).collect();
        found.sort();
        found
    }
}

/// Names of the functions every script can call: the engine's (ours and
/// Rhai's packages) and Rhai's keywords that look like calls.
fn known_functions() -> &'static BTreeSet<String> {
    static KNOWN: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut known: BTreeSet<String> = engine()
            .collect_fn_metadata(None, |info| Some(info.metadata.name.to_string()), true)
            .into_iter()
            .collect();
        let keywords =
            ["print", "debug", "type_of", "Fn", "call", "curry", "is_shared", "is_def_var", "is_def_fn"];
        known.extend(keywords.map(str::to_string));
        known
    })
}

/// Walk the AST: collect `@names`, check literal `view` signatures.
fn check(ast: &AST) -> Result<Vec<String>, (String, Position)> {
    let mut names = BTreeSet::new();
    let mut problem = None;
    ast.walk(&mut |path: &[ASTNode]| {
        let expr = match path.last() {
            Some(ASTNode::Expr(expr)) => *expr,
            // A call standing alone as a statement is a statement node.
            Some(ASTNode::Stmt(Stmt::FnCall(call, _))) => {
                if call.name == "view" && call.args.len() >= 2 {
                    problem = check_view(&call.args[1], call.args.len() - 2).err();
                }
                return problem.is_none();
            }
            _ => return true,
        };
        match expr {
            Expr::Custom(custom, _) if custom.tokens.first().is_some_and(|t| t.as_str() == "@") => {
                if let Some(Expr::Variable(variable, ..)) = custom.inputs.first() {
                    names.insert(variable.1.to_string());
                }
            }
            Expr::FnCall(call, _) if call.name == "view" && call.args.len() >= 2 => {
                problem = check_view(&call.args[1], call.args.len() - 2).err();
            }
            Expr::MethodCall(call, _) if call.name == "view" && !call.args.is_empty() => {
                problem = check_view(&call.args[0], call.args.len() - 1).err();
            }
            _ => {}
        }
        problem.is_none()
    });
    match problem {
        Some(problem) => Err(problem),
        None => Ok(names.into_iter().collect()),
    }
}

/// A literal `view` signature must parse and take `given` arguments.
fn check_view(signature: &Expr, given: usize) -> Result<(), (String, Position)> {
    let Expr::StringConstant(text, position) = signature else {
        return Ok(()); // computed signatures are checked when they run
    };
    match parse_signature(text) {
        Err(message) => Err((format!("view: {message}"), *position)),
        Ok(Signature::Parsed(function)) if function.inputs.len() != given => Err((
            format!(
                "view: {} takes {} argument(s), given {given}",
                function.signature(),
                function.inputs.len()
            ),
            *position,
        )),
        Ok(_) => Ok(()),
    }
}

/// Scripts and libraries are shared between threads (one engine per process).
const fn assert_send_sync<T: Send + Sync>() {}
const _: () = assert_send_sync::<Script>();
const _: () = assert_send_sync::<Library>();
const _: () = assert_send_sync::<super::env::Env>();
