//! Where an expression comes from ([`Origin`]) and what went wrong with it
//! ([`ScriptError`]), for compile and runtime errors alike.
//!
//! A message reads `file:line: what: `source`: message (at column C)`, the
//! column (and line, for several lines) being Rhai's position inside the
//! expression when it has one.

use rhai::{EvalAltResult, ParseError, Position};
use std::fmt;

/// Where an expression was written, for messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file (a netlist), as the user named it.
    pub file: String,
    /// Line of the file where the expression starts (1-based; 0 when unknown).
    pub line: usize,
    /// What the expression is, e.g. "agent arb, behaviour 1, `when`".
    pub what: String,
}

impl Origin {
    /// An origin from its parts.
    pub fn new(file: impl Into<String>, line: usize, what: impl Into<String>) -> Self {
        Self { file: file.into(), line, what: what.into() }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.is_empty(), self.line) {
            (true, _) => write!(f, "{}", self.what),
            (false, 0) => write!(f, "{}: {}", self.file, self.what),
            (false, line) => write!(f, "{}:{}: {}", self.file, line, self.what),
        }
    }
}

/// Which stage failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The source does not compile (syntax, a malformed `view` signature, ...).
    Compile,
    /// Evaluation failed (a revert, a type error, checked arithmetic, ...).
    Runtime,
    /// Evaluation ran past the operation limit (an endless loop?).
    TooManyOperations,
}

/// A compile or runtime error of one expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// Which stage failed.
    pub kind: ErrorKind,
    /// Where the expression was written.
    pub origin: Origin,
    /// The expression's source text.
    pub source: String,
    /// What went wrong.
    pub message: String,
    /// Line and column inside the expression (1-based), when known.
    pub position: Option<(u32, u32)>,
}

impl std::error::Error for ScriptError {}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: `{}`: {}", self.origin, self.source.trim(), self.message)?;
        match self.position {
            Some((1, column)) if !self.source.trim_end().contains('\n') => write!(f, " (at column {column})"),
            Some((line, column)) => write!(f, " (at line {line}, column {column})"),
            None => Ok(()),
        }
    }
}

/// A position as (line, column) when Rhai knows it.
pub(crate) fn line_column(position: Position) -> Option<(u32, u32)> {
    let line = u32::try_from(position.line()?).unwrap_or(u32::MAX);
    let column = u32::try_from(position.position().unwrap_or(1)).unwrap_or(u32::MAX);
    Some((line, column))
}

impl ScriptError {
    /// A compile error of `source`.
    pub(crate) fn compile(
        origin: &Origin,
        source: &str,
        message: String,
        position: Option<(u32, u32)>,
    ) -> Self {
        Self {
            kind: ErrorKind::Compile,
            origin: origin.clone(),
            source: source.to_string(),
            message,
            position,
        }
    }

    /// A runtime error found by the caller (a value that does not fit where it goes).
    pub fn runtime(origin: &Origin, source: &str, message: String) -> Self {
        Self {
            kind: ErrorKind::Runtime,
            origin: origin.clone(),
            source: source.to_string(),
            message,
            position: None,
        }
    }

    /// A syntax error reported by Rhai.
    pub(crate) fn from_parse(origin: &Origin, source: &str, error: &ParseError) -> Self {
        Self::compile(origin, source, error.0.to_string(), line_column(error.1))
    }

    /// A runtime error reported by Rhai.
    pub(crate) fn from_eval(origin: &Origin, source: &str, error: EvalAltResult) -> Self {
        let kind = match error.unwrap_inner() {
            EvalAltResult::ErrorTooManyOperations(..) => ErrorKind::TooManyOperations,
            _ => ErrorKind::Runtime,
        };
        let (message, position) = describe(error);
        Self {
            kind,
            origin: origin.clone(),
            source: source.to_string(),
            message,
            position: line_column(position),
        }
    }
}

/// The readable message of a Rhai runtime error and its position.
fn describe(mut error: EvalAltResult) -> (String, Position) {
    let position = error.take_position();
    let message = match error {
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        EvalAltResult::ErrorInFunctionCall(name, source, inner, _) => {
            let (inner_message, inner_position) = describe(*inner);
            let place = match (source.is_empty(), line_column(inner_position)) {
                (true, None) => String::new(),
                (true, Some((line, column))) => format!(", line {line}, column {column}"),
                (false, None) => format!(", {source}"),
                (false, Some((line, column))) => format!(", {source}, line {line}, column {column}"),
            };
            format!("{inner_message} (in fn {name}{place})")
        }
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "more than {} operations in one evaluation (an endless loop?)",
            super::engine::MAX_OPERATIONS
        ),
        EvalAltResult::ErrorStackOverflow(_) => {
            format!("calls nested deeper than {} (endless recursion?)", super::engine::MAX_CALL_LEVELS)
        }
        other => other.to_string(),
    };
    (message, position)
}
