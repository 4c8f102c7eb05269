//! Property-based generation of fuzz inputs: proptest strategies draw the
//! values (numbers at and beyond every edge, durations, names with path
//! separators and control characters, wrong types), and a seeded stream
//! picks which mutation to apply to a parent input — a change to a key of
//! the netlist, its text, a `--set` value, an artifact of the build or a
//! key of the adapter.

// The regression corpus uses only `set_path`.
#![allow(dead_code)]

use super::case::Case;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value as Json;
use toml::Value;

/// Key names the shipped netlists use, and a few they do not.
const EXTRA_KEYS: &[&str] = &[
    "name",
    "type",
    "count",
    "ticks",
    "duration",
    "tick",
    "seed",
    "include",
    "build",
    "adapter",
    "sources",
    "every",
    "at",
    "do",
    "to",
    "amount",
    "pool",
    "ocean",
    "usd",
    "eth",
    "actions",
    "kpis",
    "title",
    "expr",
    "roles",
    "log_every",
    "shuffle",
    "function",
    "args",
    "token",
    "colour",
];

/// Scripted-action kinds to try.
const ACTIONS: &[&str] = &["buy", "sell", "stake", "unstake", "consume", "transfer", "call", "rug", "fly"];

/// Adapter keys to edit.
const ADAPTER_PATHS: &[&str] = &[
    "design",
    "roles.pool_template",
    "roles.pool_factory",
    "system",
    "ops",
    "ops.create_asset",
    "ops.swap_exact_in",
    "description",
    "colour",
];

/// JSON pointers into an artifact.
const ARTIFACT_POINTERS: &[&str] = &[
    "",
    "/abi",
    "/abi/0",
    "/abi/0/inputs",
    "/bytecode",
    "/bytecode/object",
    "/deployedBytecode/object",
    "/metadata",
];

/// Draws inputs from parents.
pub(crate) struct Mutator {
    runner: TestRunner,
    keys: Vec<String>,
    agent_types: Vec<String>,
    artifacts: Vec<String>,
}

impl Mutator {
    /// A mutator seeded with `seed`; `parents` give the vocabulary.
    pub(crate) fn new(seed: u64, parents: &[Case], artifacts: Vec<String>) -> Self {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let runner =
            TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
        let mut keys: Vec<String> = EXTRA_KEYS.iter().map(|k| k.to_string()).collect();
        let mut agent_types = vec!["wizard".to_string()];
        for parent in parents {
            if let Ok(table) = parent.netlist.parse::<toml::Table>() {
                let value = Value::Table(table);
                for (path, leaf) in leaves(&value, "") {
                    keys.push(path.rsplit('.').next().unwrap_or_default().to_string());
                    if path.ends_with(".type") {
                        agent_types.extend(leaf.as_str().map(str::to_string));
                    }
                }
            }
        }
        for list in [&mut keys, &mut agent_types] {
            list.sort();
            list.dedup();
        }
        Self { runner, keys, agent_types, artifacts }
    }

    /// A number below `n` (> 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.runner.rng().next_u64() % n as u64) as usize
    }

    fn key(&mut self) -> String {
        let i = self.below(self.keys.len());
        self.keys[i].clone()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn draw<S: Strategy>(&mut self, strategy: S) -> S::Value {
        strategy.new_tree(&mut self.runner).expect("strategies here never reject").current()
    }

    /// A value of any TOML type, biased toward edges.
    pub(crate) fn value(&mut self) -> Value {
        match self.below(12) {
            0 => Value::Integer(self.draw(any::<i64>())),
            1 => Value::Integer(*self.pick(&[0, -1, 1, 255, 256, i64::MAX, i64::MIN, 100_000_000, 100_001])),
            2 => Value::Float(self.draw(any::<f64>())),
            3 => Value::Float(*self.pick(&[
                f64::NAN,
                f64::INFINITY,
                -0.0,
                1e60,
                1.2e59,
                -5.0,
                1e-30,
                0.5,
                2.0,
            ])),
            4 => Value::String(self.draw("[0-9]{1,20}[smhdwyx]?")),
            5 => Value::String(self.draw("[a-z_@./ -]{0,12}")),
            6 => Value::String(self.draw("\\PC{0,10}")),
            7 => Value::String(
                self.pick(&[
                    "",
                    "..",
                    "../escape",
                    "/tmp/abs",
                    "a\nb",
                    "a\u{7}b",
                    "@nobody",
                    "0xdead",
                    "self",
                ])
                .to_string(),
            ),
            8 => Value::String("x".repeat(self.pick(&[255, 256, 5000]).to_owned())),
            9 => Value::Boolean(self.draw(any::<bool>())),
            10 => Value::Array((0..self.below(3)).map(|_| Value::Integer(self.draw(-3i64..300))).collect()),
            _ => {
                let mut table = toml::Table::new();
                let key = self.key();
                table.insert(key, Value::Integer(self.draw(-3i64..3)));
                Value::Table(table)
            }
        }
    }

    /// A value of the same type as `old`, near it or at an edge.
    fn similar(&mut self, old: &Value) -> Value {
        match old {
            Value::Integer(i) => Value::Integer(match self.below(4) {
                0 => i.saturating_mul(self.draw(-2i64..1000)),
                1 => i.saturating_add(self.draw(-3i64..4)),
                _ => self.draw(0i64..20),
            }),
            Value::Float(f) => Value::Float(match self.below(3) {
                0 => f * self.draw(-2.0f64..1e6),
                1 => f + self.draw(-1.0f64..1.0),
                _ => self.draw(0.0f64..1.0),
            }),
            Value::String(s) if s.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                let unit: String = s.chars().filter(|c| c.is_alphabetic()).collect();
                Value::String(format!("{}{unit}", self.draw(0u64..5000)))
            }
            Value::String(s) => Value::String(match self.below(3) {
                0 => format!("{s}{}", self.draw("[a-z0-9_]{1,3}")),
                1 => s.chars().rev().collect(),
                _ => self.draw("[a-z_]{1,8}"),
            }),
            Value::Boolean(b) => Value::Boolean(!b),
            _ => self.value(),
        }
    }

    /// A child of `parent` after one mutation (sometimes two).
    pub(crate) fn child(&mut self, parent: &Case) -> Case {
        let mut case = parent.clone();
        case.expect.clear();
        for _ in 0..=self.below(4).saturating_sub(2) {
            let what = self.mutate(&mut case);
            case.origin.push(what);
        }
        case
    }

    /// Apply one mutation; what it did.
    fn mutate(&mut self, case: &mut Case) -> String {
        let document = case.netlist.parse::<toml::Table>().ok().map(Value::Table);
        let choice = self.below(if document.is_some() { 12 } else { 3 });
        match (choice, document) {
            (0, _) => self.mutate_text(case),
            (1, _) => self.add_set(case),
            (2, _) => self.edit_artifact(case),
            (3, _) => self.edit_adapter(case),
            (_, Some(mut document)) => {
                let what = self.mutate_document(&mut document, choice);
                case.netlist = toml::to_string(&document).unwrap_or_default();
                what
            }
            (_, None) => unreachable!("choices above 2 need a document"),
        }
    }

    fn mutate_text(&mut self, case: &mut Case) -> String {
        let mut lines: Vec<String> = case.netlist.lines().map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let at = self.below(lines.len());
        let what = match self.below(5) {
            0 => {
                let n = self.below(lines[at].len() + 1);
                let cut = lines[at].char_indices().map(|(i, _)| i).nth(n).unwrap_or(lines[at].len());
                lines[at].truncate(cut);
                lines.truncate(at + 1);
                format!("text: cut at line {}", at + 1)
            }
            1 => {
                lines.remove(at);
                format!("text: line {} deleted", at + 1)
            }
            2 => {
                let line = lines[at].clone();
                lines.insert(at, line);
                format!("text: line {} doubled", at + 1)
            }
            3 => {
                let token = self.pick(&[
                    "[",
                    "]",
                    "=",
                    "\"",
                    "[[agent]]",
                    "[sim]",
                    "include = [\"x.toml\"]",
                    "\u{feff}",
                ]);
                lines.insert(at, token.to_string());
                format!("text: {token:?} inserted at line {}", at + 1)
            }
            _ => {
                let other = self.below(lines.len());
                lines.swap(at, other);
                format!("text: lines {} and {} swapped", at + 1, other + 1)
            }
        };
        case.netlist = lines.join("\n") + "\n";
        what
    }

    fn add_set(&mut self, case: &mut Case) -> String {
        let document = case.netlist.parse::<toml::Table>().map(Value::Table).unwrap_or(Value::Boolean(false));
        let mut paths: Vec<String> = leaves(&document, "").into_iter().map(|(p, _)| p).collect();
        paths.extend(
            ["sim.seed", "sim.name", "agent.nobody.usd", "contracts.build", "x.y"].map(str::to_string),
        );
        let path = self.pick(&paths).clone();
        let value = match self.below(3) {
            0 => self.draw("\\PC{0,12}"),
            1 => self
                .pick(&["", "1\nsim.seed=2", "[1,", "{a=1}", "\"unclosed", "nan", "1e400", "-1"])
                .to_string(),
            _ => self.value().to_string(),
        };
        let path = match self.below(4) {
            0 => path.replacen('.', "..", 1),
            1 => format!("{path}.deeper"),
            _ => path,
        };
        case.sets.push(format!("{path}={value}"));
        "set".to_string()
    }

    fn edit_artifact(&mut self, case: &mut Case) -> String {
        if self.artifacts.is_empty() {
            return "artifact: none".to_string();
        }
        let i = self.below(self.artifacts.len());
        let file = self.artifacts[i].clone();
        let pointer = self.pick(ARTIFACT_POINTERS).to_string();
        let value = match self.below(4) {
            0 => Json::String(self.draw("0x[0-9a-fz]{0,9}")),
            1 => serde_json::json!(*self.pick(&[
                Json::Null,
                Json::from(7),
                Json::from("0x"),
                serde_json::json!([])
            ])),
            2 => serde_json::json!({ "type": "function", "name": self.draw("[a-z]{0,4}"), "inputs": 3 }),
            // No floats: JSON text does not give every float back exactly.
            _ => Json::from(self.draw(any::<i64>())),
        };
        case.artifacts.push((file, pointer, value));
        use_build(case, false);
        "artifact".to_string()
    }

    fn edit_adapter(&mut self, case: &mut Case) -> String {
        let path = self.pick(ADAPTER_PATHS).to_string();
        let value = if self.below(3) == 0 { None } else { Some(self.value()) };
        case.adapter.push((path, value));
        use_build(case, true);
        "adapter".to_string()
    }

    fn mutate_document(&mut self, document: &mut Value, choice: usize) -> String {
        let paths: Vec<String> = leaves(document, "").into_iter().map(|(p, _)| p).collect();
        let tables: Vec<String> = tables(document, "");
        match choice {
            4 | 5 if !paths.is_empty() => {
                let path = self.pick(&paths).clone();
                let old = leaves(document, "").into_iter().find(|(p, _)| *p == path).map(|(_, v)| v);
                let value = match old {
                    Some(old) if self.below(2) == 0 => self.similar(&old),
                    _ => self.value(),
                };
                set_path(document, &path, Some(value));
                format!("set {path}")
            }
            6 if !paths.is_empty() => {
                let path = self.pick(&paths).clone();
                set_path(document, &path, None);
                format!("delete {path}")
            }
            7 => {
                let table = self.pick(&tables).clone();
                let key = self.key();
                let path = if table.is_empty() { key } else { format!("{table}.{key}") };
                let value = self.value();
                set_path(document, &path, Some(value));
                format!("add {path}")
            }
            8 => {
                let i = self.below(self.agent_types.len());
                let kind = self.agent_types[i].clone();
                let agents = agents_mut(document);
                if let Some(Value::Table(agent)) = agents.get_mut(0) {
                    agent.insert("type".into(), Value::String(kind.clone()));
                }
                format!("first agent's type = {kind}")
            }
            9 => {
                let agents = agents_mut(document);
                if let Some(first) = agents.first().cloned() {
                    agents.push(first);
                }
                "first agent doubled".to_string()
            }
            10 => {
                let kind = self.pick(ACTIONS).to_string();
                let mut action = toml::Table::new();
                action.insert("at".into(), Value::String(self.draw("[0-9]{1,3}[hd]")));
                action.insert("do".into(), Value::String(kind.clone()));
                for _ in 0..self.below(3) {
                    let key = self.key();
                    action.insert(key, self.value());
                }
                let mut agent = toml::Table::new();
                agent.insert("type".into(), Value::String("scripted".into()));
                agent.insert("name".into(), Value::String(format!("fuzz{}", self.below(3))));
                agent.insert("actions".into(), Value::Array(vec![Value::Table(action)]));
                agents_mut(document).push(Value::Table(agent));
                format!("scripted {kind}")
            }
            _ => {
                let ticks = self.draw(1i64..40);
                set_path(document, "sim.duration", None);
                set_path(document, "sim.ticks", Some(Value::Integer(ticks)));
                format!("ticks = {ticks}")
            }
        }
    }
}

/// Point the netlist's `[contracts]` at `build/` (and `adapter.toml`).
fn use_build(case: &mut Case, adapter: bool) {
    let Ok(table) = case.netlist.parse::<toml::Table>() else { return };
    let mut document = Value::Table(table);
    set_path(&mut document, "contracts.build", Some(Value::String("build".into())));
    if adapter {
        set_path(&mut document, "contracts.adapter", Some(Value::String("adapter.toml".into())));
    }
    case.netlist = toml::to_string(&document).unwrap_or_default();
}

/// The `[[agent]]` array, created when missing.
fn agents_mut(document: &mut Value) -> &mut Vec<Value> {
    let table = document.as_table_mut().expect("a document is a table");
    let entry = table.entry("agent").or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    entry.as_array_mut().expect("just made an array")
}

/// Every leaf of `value` with its dotted path (array items by index).
pub(crate) fn leaves(value: &Value, prefix: &str) -> Vec<(String, Value)> {
    let join = |key: &str| if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
    match value {
        Value::Table(table) => table.iter().flat_map(|(k, v)| leaves(v, &join(k))).collect(),
        Value::Array(items) if items.iter().any(Value::is_table) => {
            items.iter().enumerate().flat_map(|(i, v)| leaves(v, &join(&i.to_string()))).collect()
        }
        leaf => vec![(prefix.to_string(), leaf.clone())],
    }
}

/// Dotted paths of every table (the root is `""`).
fn tables(value: &Value, prefix: &str) -> Vec<String> {
    let join = |key: &str| if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
    let mut found = vec![prefix.to_string()];
    match value {
        Value::Table(table) => {
            for (k, v) in table {
                if v.is_table() || v.is_array() {
                    found.extend(tables(v, &join(k)).into_iter().filter(|p| !p.is_empty()));
                }
            }
        }
        Value::Array(items) => {
            found = items
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_table())
                .flat_map(|(i, v)| tables(v, &join(&i.to_string())))
                .collect();
        }
        _ => found.clear(),
    }
    found
}

/// Set (or with `None`, delete) the value at a dotted path, creating
/// tables on the way; numeric parts index arrays.
pub(crate) fn set_path(root: &mut Value, path: &str, value: Option<Value>) {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = parts.split_last().expect("split gives at least one part");
    let mut node = root;
    for part in parents {
        node = match node {
            Value::Table(table) => {
                table.entry(part.to_string()).or_insert_with(|| Value::Table(toml::Table::new()))
            }
            Value::Array(items) => match part.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(item) => item,
                None => return,
            },
            _ => return,
        };
    }
    match (node, value) {
        (Value::Table(table), Some(value)) => {
            table.insert(last.to_string(), value);
        }
        (Value::Table(table), None) => {
            table.remove(*last);
        }
        (Value::Array(items), value) => {
            if let Some(i) = last.parse::<usize>().ok().filter(|i| *i < items.len()) {
                match value {
                    Some(value) => items[i] = value,
                    None => {
                        items.remove(i);
                    }
                }
            }
        }
        _ => {}
    }
}
