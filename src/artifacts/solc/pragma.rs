//! What a Solidity file asks of its compiler and its neighbours: the
//! version requirement of `pragma solidity …;` (npm-style ranges: `^0.5.7`,
//! `>=0.6.0 <0.8.0`, `~0.5`, `0.8.24`, alternatives joined by `||`) and the
//! paths of its `import` statements, read with comments and string contents
//! told apart. A build uses them to pick one compiler per group of files.

use std::fmt;
use std::str::FromStr;

/// A released compiler version `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major number.
    pub major: u64,
    /// Minor number.
    pub minor: u64,
    /// Patch number.
    pub patch: u64,
}

impl FromStr for Version {
    type Err = String;

    /// `0.8.24`, also with a `+commit…` build suffix; nothing else.
    fn from_str(text: &str) -> Result<Self, String> {
        let core = text.trim().split('+').next().unwrap_or_default();
        let parts: Vec<&str> = core.split('.').collect();
        let number = |part: &str| part.parse::<u64>().map_err(|_| format!("{text:?} is not a version X.Y.Z"));
        match parts.as_slice() {
            [major, minor, patch] => {
                Ok(Self { major: number(major)?, minor: number(minor)?, patch: number(patch)? })
            }
            _ => Err(format!("{text:?} is not a version X.Y.Z")),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exact,
    Greater,
    GreaterEq,
    Less,
    LessEq,
    Caret,
    Tilde,
}

/// One comparator; `minor`/`patch` are `None` when left out (`0.8`, `0.x`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Comparator {
    op: Op,
    major: u64,
    minor: Option<u64>,
    patch: Option<u64>,
}

impl Comparator {
    fn parse(text: &str) -> Result<Self, String> {
        let (op, rest) = [
            (">=", Op::GreaterEq),
            ("<=", Op::LessEq),
            (">", Op::Greater),
            ("<", Op::Less),
            ("^", Op::Caret),
            ("~", Op::Tilde),
            ("=", Op::Exact),
        ]
        .iter()
        .find_map(|(prefix, op)| text.strip_prefix(prefix).map(|rest| (*op, rest)))
        .unwrap_or((Op::Exact, text));
        let mut numbers = rest.trim().split('.');
        let mut next = |required: bool| -> Result<Option<u64>, String> {
            match numbers.next() {
                None | Some("x" | "X" | "*") if !required => Ok(None),
                Some(part) => part.parse().map(Some).map_err(|_| format!("{text:?} is not a version")),
                None => Err(format!("{text:?} is not a version")),
            }
        };
        let major = next(true)?.unwrap_or_default();
        let (minor, patch) = (next(false)?, next(false)?);
        Ok(Self { op, major, minor, patch })
    }

    /// The lowest version the comparator names, missing parts as 0.
    fn floor(&self) -> Version {
        Version { major: self.major, minor: self.minor.unwrap_or(0), patch: self.patch.unwrap_or(0) }
    }

    /// The first version above the range a partial or caret/tilde version spans.
    fn ceiling(&self) -> Version {
        let Self { major, minor, patch, op } = self;
        let next_minor = |minor: u64| Version { major: *major, minor: minor + 1, patch: 0 };
        let next_major = Version { major: major + 1, minor: 0, patch: 0 };
        match (op, minor, patch) {
            (Op::Caret, Some(minor), Some(patch)) if *major == 0 && *minor == 0 => {
                Version { major: 0, minor: 0, patch: patch + 1 }
            }
            (Op::Caret, Some(minor), _) if *major == 0 => next_minor(*minor),
            (Op::Caret, _, _) => next_major,
            (Op::Tilde, Some(minor), _) => next_minor(*minor),
            (Op::Tilde, None, _) => next_major,
            (_, Some(minor), Some(patch)) => Version { major: *major, minor: *minor, patch: patch + 1 },
            (_, Some(minor), None) => next_minor(*minor),
            (_, None, _) => next_major,
        }
    }

    fn matches(&self, version: &Version) -> bool {
        let exact_ceiling = Self { op: Op::Exact, ..self.clone() }.ceiling();
        match self.op {
            Op::Exact => self.floor() <= *version && *version < exact_ceiling,
            Op::Caret | Op::Tilde => self.floor() <= *version && *version < self.ceiling(),
            Op::GreaterEq => *version >= self.floor(),
            Op::Greater => *version >= exact_ceiling,
            Op::Less => *version < self.floor(),
            Op::LessEq => *version < exact_ceiling,
        }
    }
}

/// A version requirement: alternatives (`||`), each a set of comparators
/// that must all hold. The empty requirement accepts every version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionReq {
    alternatives: Vec<Vec<Comparator>>,
    text: String,
}

impl FromStr for VersionReq {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut alternatives = Vec::new();
        for alternative in text.split("||") {
            // `>= 0.6.0` with a space after the operator is common: glue it back.
            let mut glued = Vec::<String>::new();
            for token in alternative.split_whitespace() {
                match glued.last_mut() {
                    Some(last) if last.chars().all(|c| "<>=^~".contains(c)) => last.push_str(token),
                    _ => glued.push(token.to_string()),
                }
            }
            if glued.is_empty() {
                return Err(format!("empty alternative in version requirement {text:?}"));
            }
            alternatives.push(glued.iter().map(|t| Comparator::parse(t)).collect::<Result<_, _>>()?);
        }
        Ok(Self { alternatives, text: text.trim().to_string() })
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.text.is_empty() { "any" } else { &self.text })
    }
}

impl VersionReq {
    /// Whether `version` satisfies the requirement.
    pub fn matches(&self, version: &Version) -> bool {
        self.alternatives.is_empty()
            || self.alternatives.iter().any(|all| all.iter().all(|c| c.matches(version)))
    }
}

/// The source with comments blanked out (string literals kept), so that
/// pragmas and imports inside comments are not read.
fn without_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"' | '\'', _) => {
                quote = Some(c);
                out.push(c);
            }
            ('/', Some('/')) => while chars.next_if(|&c| c != '\n').is_some() {},
            ('/', Some('*')) => {
                chars.next();
                let mut previous = ' ';
                for c in chars.by_ref() {
                    if previous == '*' && c == '/' {
                        break;
                    }
                    previous = c;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Statements starting with the word `keyword` (up to their `;`).
fn statements<'a>(code: &'a str, keyword: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    code.match_indices(keyword).filter_map(move |(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + keyword.len()..].chars().next();
        let word_start = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let word_end = after.is_some_and(|c| !(c.is_alphanumeric() || c == '_'));
        let end = code[at..].find(';')?;
        (word_start && word_end).then(|| &code[at + keyword.len()..at + end])
    })
}

/// What one source file asks for.
#[derive(Debug, Clone, Default)]
pub(super) struct SourceFacts {
    /// The intersection of its `pragma solidity` requirements (texts kept for messages).
    pub requirements: Vec<VersionReq>,
    /// The paths its imports name, as written.
    pub imports: Vec<String>,
}

/// Read the pragmas and imports of one source file.
pub(super) fn facts(source: &str) -> Result<SourceFacts, String> {
    let code = without_comments(source);
    let mut facts = SourceFacts::default();
    for statement in statements(&code, "pragma") {
        if let Some(rest) = statement.trim_start().strip_prefix("solidity") {
            let requirement = rest.trim().parse().map_err(|e| format!("pragma solidity: {e}"))?;
            facts.requirements.push(requirement);
        }
    }
    for statement in statements(&code, "import") {
        let quoted: Vec<&str> = statement.split(['"', '\'']).collect();
        if let Some(path) = quoted.iter().skip(1).step_by(2).next_back() {
            facts.imports.push((*path).to_string());
        }
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    fn accepts(requirement: &str, version: &str) -> bool {
        requirement.parse::<VersionReq>().unwrap().matches(&v(version))
    }

    #[test]
    fn ranges_follow_npm_semantics() {
        assert!(accepts("^0.5.7", "0.5.7") && accepts("^0.5.7", "0.5.17"));
        assert!(!accepts("^0.5.7", "0.5.6") && !accepts("^0.5.7", "0.6.0"));
        assert!(accepts(">=0.6.0 <0.8.0", "0.7.6") && !accepts(">=0.6.0 <0.8.0", "0.8.0"));
        assert!(accepts(">= 0.6.0", "0.8.37"), "a space after the operator");
        assert!(accepts("0.8.24", "0.8.24") && !accepts("0.8.24", "0.8.25"));
        assert!(accepts("~0.5", "0.5.16") && !accepts("~0.5", "0.6.0"));
        assert!(accepts("~0.5.7", "0.5.9") && !accepts("~0.5.7", "0.6.0") && !accepts("~0.5.7", "0.5.6"));
        assert!(accepts("=0.8", "0.8.9") && !accepts(">0.8", "0.8.30") && accepts(">0.8", "0.9.0"));
        assert!(accepts("<=0.8.1", "0.8.1") && !accepts("<=0.8.1", "0.8.2"));
        assert!(accepts("^0.4.24 || ^0.8.0", "0.8.3") && !accepts("^0.4.24 || ^0.8.0", "0.6.0"));
        assert!(accepts("^1.2.3", "1.9.0") && !accepts("^1.2.3", "2.0.0"));
        assert!("^0.x.y".parse::<VersionReq>().is_err());
    }

    #[test]
    fn pragmas_and_imports_outside_comments_are_read() {
        let source = r#"
            // pragma solidity ^0.4.0;
            /* import "commented.sol"; */
            pragma solidity >=0.5.0 <0.7.0;
            pragma experimental ABIEncoderV2;
            import "./A.sol";
            import {B, C} from "@lib/B.sol";
            import * as D from './D.sol';
            contract X { string s = "// not a comment"; }
        "#;
        let facts = facts(source).unwrap();
        assert_eq!(facts.requirements.len(), 1);
        assert!(facts.requirements[0].matches(&v("0.6.12")));
        assert_eq!(facts.imports, ["./A.sol", "@lib/B.sol", "./D.sol"]);
    }
}
