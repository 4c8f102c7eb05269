//! The "simplicity" criterion: contracts, lines and functions of a design's
//! Solidity sources, counted from `contracts/`.
//!
//! Counting rules (reported, not judged): a *contract* is a `contract`,
//! `abstract contract`, `library` or `interface` definition; a *line* is a
//! source line with code left once comments (`//`, `/* */`, NatSpec) are
//! removed; a *function* is a `function` definition with a body whose
//! visibility is `external` or `public` (interface declarations and abstract
//! functions have no body and are not counted; neither are constructors,
//! `receive`, `fallback` or public state-variable getters).

use super::{ReportError, Result};
use crate::plot::matches;
use std::path::{Path, PathBuf};

/// Each design's Solidity files, as patterns under `contracts/`.
pub type DesignSources = [(&'static str, &'static [&'static str])];

/// Size of a design's contracts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Simplicity {
    /// Source files measured.
    pub files: usize,
    /// Contract, library and interface definitions.
    pub contracts: usize,
    /// Non-blank, non-comment lines.
    pub lines: usize,
    /// External or public functions with a body.
    pub functions: usize,
}

impl Simplicity {
    /// `9 contracts, 1234 lines, 56 functions`.
    pub fn text(&self) -> String {
        format!("{} contracts, {} lines, {} functions", self.contracts, self.lines, self.functions)
    }

    pub(super) fn add(&mut self, other: Self) {
        self.files += other.files;
        self.contracts += other.contracts;
        self.lines += other.lines;
        self.functions += other.functions;
    }
}

/// The files of `design` under `root` (sorted, each once); `None` for a
/// design not in `sources` (a model's design → file patterns). A pattern that matches no file is an
/// error naming it, so a renamed contract is noticed.
pub fn design_files(root: &Path, sources: &DesignSources, design: &str) -> Result<Option<Vec<PathBuf>>> {
    let Some((_, patterns)) = sources.iter().find(|(name, _)| *name == design) else {
        return Ok(None);
    };
    let mut files = Vec::new();
    for pattern in *patterns {
        let (dir, name_pattern) = pattern.rsplit_once('/').unwrap_or(("", pattern));
        let dir = root.join(dir);
        let entries = std::fs::read_dir(&dir).map_err(|source| ReportError::Io {
            file: dir.clone(),
            action: "list",
            source,
        })?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.is_file()
                    && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| matches(name_pattern, n))
            })
            .collect();
        if found.is_empty() {
            return Err(ReportError::Io {
                file: root.join(pattern),
                action: "find (design sources)",
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such Solidity file"),
            });
        }
        found.sort();
        files.extend(found.into_iter().filter(|f| !files.contains(f)).collect::<Vec<_>>());
    }
    files.sort();
    files.dedup();
    Ok(Some(files))
}

/// Measure `design`'s sources under `root`; `None` for an unknown design.
pub fn measure_design(root: &Path, sources: &DesignSources, design: &str) -> Result<Option<Simplicity>> {
    let Some(files) = design_files(root, sources, design)? else { return Ok(None) };
    let mut total = Simplicity::default();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| ReportError::Io {
            file: file.clone(),
            action: "read",
            source,
        })?;
        total.add(measure_source(&text));
    }
    Ok(Some(total))
}

/// Measure one Solidity source (`files` is 1).
pub fn measure_source(source: &str) -> Simplicity {
    let (code, lines) = strip_comments(source);
    let words = words(&code);
    let mut contracts = 0;
    let mut functions = 0;
    for (i, &(word, position)) in words.iter().enumerate() {
        let next_is_name = words.get(i + 1).is_some_and(|(w, _)| is_identifier(w));
        let after = position + word.len();
        match word {
            "contract" | "library" | "interface" if next_is_name => contracts += 1,
            // `function (uint) external f;` is a variable of function type.
            "function" if next_is_name && !code[after..].trim_start().starts_with('(') => {
                let header_end = code[after..].find(['{', ';']).map_or(code.len(), |offset| after + offset);
                let has_body = code[header_end..].starts_with('{');
                let visible = words_of(&code[after..header_end]).any(|w| w == "external" || w == "public");
                functions += usize::from(has_body && visible);
            }
            _ => {}
        }
    }
    Simplicity { files: 1, contracts, lines, functions }
}

/// The source with comments blanked and string contents removed, and the
/// count of lines that hold code.
fn strip_comments(source: &str) -> (String, usize) {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        Line,
        Block,
        Str(char),
    }
    let mut state = State::Code;
    let mut code = String::with_capacity(source.len());
    let mut lines = 0;
    let mut line_has_code = false;
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            lines += usize::from(line_has_code);
            line_has_code = false;
            if state == State::Line {
                state = State::Code;
            }
            code.push('\n');
            continue;
        }
        match state {
            State::Code => match (c, chars.peek()) {
                ('/', Some('/')) => {
                    chars.next();
                    state = State::Line;
                }
                ('/', Some('*')) => {
                    chars.next();
                    state = State::Block;
                }
                _ => {
                    if c == '"' || c == '\'' {
                        state = State::Str(c);
                    }
                    line_has_code |= !c.is_whitespace();
                    code.push(c);
                }
            },
            State::Line => {}
            State::Block => {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    state = State::Code;
                }
                code.push(' ');
            }
            State::Str(quote) => {
                line_has_code = true;
                if c == '\\' {
                    chars.next();
                } else if c == quote {
                    state = State::Code;
                    code.push(c);
                }
            }
        }
    }
    lines += usize::from(line_has_code);
    (code, lines)
}

/// Identifier-like words of `code` with their byte offsets.
fn words(code: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (index, c) in code.char_indices() {
        let part = c.is_ascii_alphanumeric() || c == '_' || c == '$';
        match (part, start) {
            (true, None) => start = Some(index),
            (false, Some(s)) => {
                out.push((&code[s..index], s));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((&code[s..], s));
    }
    out
}

fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$')).filter(|w| !w.is_empty())
}

fn is_identifier(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
}
