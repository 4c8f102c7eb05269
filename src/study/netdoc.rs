//! A netlist's text as an editable document, for writing a found design or
//! corner back as a netlist (`best.toml`, `corner-N.toml`): the original
//! text, comments and layout kept, with `--set` paths applied the way
//! `tsp run --set` applies them (`agent.<name>.<key>`, `kpi.<name>.expr`,
//! `sim.duration`, a model's table, 1-based list positions).
//!
//! So that the written file runs from wherever it is written: the agents of
//! `include`d files are copied in (after the netlist's own, the order the
//! loader uses) and `include` is dropped, and relative paths of contract
//! builds, adapters and series CSVs that exist beside the netlist become
//! absolute paths.
//!
//! # Errors
//! An unreadable or malformed netlist or included file; a path naming no
//! table (an unknown agent, a key of a number): an error naming the path.

use anyhow::{bail, Context};
use std::path::Path;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

/// Arrays of tables that paths reach by their items' `name` (as `--set` does).
const NAMED_ARRAYS: &[&str] = &["agent", "contract", "kpi", "invariant", "series"];

/// A netlist's document, includes inlined.
#[derive(Debug, Clone)]
pub struct NetlistDoc {
    document: DocumentMut,
    /// The comments above `include`, kept when it is dropped.
    preamble: String,
}

fn parse(path: &Path) -> anyhow::Result<DocumentMut> {
    let text =
        crate::netlist::read_netlist_text(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    text.parse().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// A file path relative to `dir`, made absolute when it exists there.
fn absolute(dir: &Path, item: &mut Item) {
    let Some(text) = item.as_str() else { return };
    let path = dir.join(text);
    if Path::new(text).is_relative() && path.exists() {
        if let Ok(full) = path.canonicalize() {
            *item = toml_edit::value(full.display().to_string());
        }
    }
}

impl NetlistDoc {
    /// Read `netlist`, inlining its includes and making its file paths absolute.
    pub fn load(netlist: &Path) -> anyhow::Result<Self> {
        let mut document = parse(netlist)?;
        let dir = netlist.parent().unwrap_or(Path::new("."));
        let preamble = document
            .as_table()
            .key("include")
            .and_then(|key| key.leaf_decor().prefix())
            .and_then(|prefix| prefix.as_str())
            .unwrap_or_default()
            .to_string();
        if let Some(include) = document.remove("include") {
            let files: Vec<String> = include
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let mut agents = match document.remove("agent") {
                Some(Item::ArrayOfTables(items)) => items,
                Some(_) => bail!("{}: `agent` is not a list of [[agent]] tables", netlist.display()),
                None => ArrayOfTables::new(),
            };
            for file in files {
                let mut included = parse(&dir.join(&file))?;
                if let Some(Item::ArrayOfTables(items)) = included.remove("agent") {
                    for mut table in items.into_iter() {
                        table.set_position(None);
                        agents.push(table);
                    }
                }
            }
            document.insert("agent", Item::ArrayOfTables(agents));
        }
        if let Some(contracts) = document.get_mut("contracts").and_then(Item::as_table_like_mut) {
            for key in ["build", "adapter"] {
                if let Some(item) = contracts.get_mut(key) {
                    absolute(dir, item);
                }
            }
        }
        for (array, key) in [("contract", "build"), ("series", "csv")] {
            if let Some(Item::ArrayOfTables(items)) = document.get_mut(array) {
                for table in items.iter_mut() {
                    if let Some(item) = table.get_mut(key) {
                        absolute(dir, item);
                    }
                }
            }
        }
        Ok(Self { document, preamble })
    }

    /// The number at `path`, if the document holds one there.
    pub fn number(&self, path: &str) -> Option<f64> {
        let keys: Vec<String> = path.split('.').map(str::to_string).collect();
        let (item, rest) = self.resolve(&keys)?;
        let item = rest.iter().try_fold(item, |item, key| match key.parse::<usize>() {
            Ok(position) => item.get(position.checked_sub(1)?),
            Err(_) => item.get(key.as_str()),
        })?;
        item.as_float().or_else(|| item.as_integer().map(|i| i as f64))
    }

    /// The top-level item the first keys of `keys` name, and the keys left.
    fn resolve<'k>(&self, keys: &'k [String]) -> Option<(&Item, &'k [String])> {
        let (first, rest) = keys.split_first()?;
        let item = self.document.get(first)?;
        if !NAMED_ARRAYS.contains(&first.as_str()) {
            return Some((item, rest));
        }
        let (position, used) = named(item, rest)?;
        let table = match item {
            Item::ArrayOfTables(items) => items.get(position)?,
            _ => return None,
        };
        // A table is not an item: look the next key up directly.
        let (key, inner) = rest[used..].split_first()?;
        Some((table.get(key)?, inner))
    }

    /// Set `path` to `value`, as `--set path=value` would.
    pub fn set(&mut self, path: &str, value: &toml::Value) -> anyhow::Result<()> {
        let at = || format!("--set {path}={value}");
        let keys: Vec<String> = path.split('.').map(str::to_string).collect();
        let value: Value = value.to_string().parse().map_err(|e| anyhow::anyhow!("{}: {e}", at()))?;
        let (first, rest) = keys.split_first().with_context(at)?;
        if NAMED_ARRAYS.contains(&first.as_str()) {
            let item = self.document.get_mut(first).with_context(|| format!("{}: no [[{first}]]", at()))?;
            let (position, used) =
                named(item, rest).with_context(|| format!("{}: no [[{first}]] with that name", at()))?;
            let Item::ArrayOfTables(items) = item else { bail!("{}: [[{first}]] is not a list", at()) };
            let table = items.get_mut(position).with_context(at)?;
            return set_in_table(table, &rest[used..], value).map_err(|e| anyhow::anyhow!("{}: {e}", at()));
        }
        set_in_table(self.document.as_table_mut(), &keys, value).map_err(|e| anyhow::anyhow!("{}: {e}", at()))
    }

    /// Apply a `--set` assignment as written (`path=value`, the value TOML or else text).
    pub fn set_text(&mut self, assignment: &str) -> anyhow::Result<()> {
        crate::netlist::check_set_text(assignment)?;
        let Some((path, raw)) = assignment.split_once('=') else {
            bail!("--set {assignment}: expected key=value")
        };
        let value = match format!("v = {raw}").parse::<toml::Table>() {
            Ok(mut table) if table.len() == 1 => table.remove("v"),
            _ => None,
        };
        self.set(path.trim(), &value.unwrap_or_else(|| toml::Value::String(raw.to_string())))
    }

    /// The document with a comment on top.
    pub fn render(&self, header: &str) -> String {
        let comment: String = header.lines().map(|l| format!("# {l}\n")).collect();
        format!("{comment}{}{}", self.preamble, self.document)
    }
}

/// The position of the item of a named array whose name is the longest
/// prefix of `rest` (names may hold dots), and how many keys that name used.
fn named(item: &Item, rest: &[String]) -> Option<(usize, usize)> {
    let Item::ArrayOfTables(items) = item else { return None };
    (1..rest.len()).rev().find_map(|used| {
        let name = rest[..used].join(".");
        let position =
            items.iter().position(|t| t.get("name").and_then(Item::as_str) == Some(name.as_str()))?;
        Some((position, used))
    })
}

fn set_in_table(table: &mut Table, keys: &[String], value: Value) -> Result<(), String> {
    let Some((key, rest)) = keys.split_first() else { return Err("empty path".into()) };
    if rest.is_empty() {
        table.insert(key, Item::Value(value));
        return Ok(());
    }
    let next = table.entry(key).or_insert_with(|| {
        let mut inner = Table::new();
        inner.set_implicit(true);
        Item::Table(inner)
    });
    set_in_item(next, rest, value, key)
}

fn set_in_item(item: &mut Item, keys: &[String], value: Value, parent: &str) -> Result<(), String> {
    let Some((key, rest)) = keys.split_first() else {
        *item = Item::Value(value);
        return Ok(());
    };
    let position = || key.parse::<usize>().ok().and_then(|p| p.checked_sub(1));
    match item {
        Item::Table(table) => set_in_table(table, keys, value),
        Item::ArrayOfTables(items) => {
            let len = items.len();
            let table = position()
                .and_then(|p| items.get_mut(p))
                .ok_or_else(|| format!("{parent} has {len} items; {key} is not one of them"))?;
            set_in_table(table, rest, value)
        }
        Item::Value(Value::InlineTable(table)) => {
            if rest.is_empty() {
                table.insert(key, value);
                return Ok(());
            }
            let next = table.get_mut(key).ok_or_else(|| format!("{parent}.{key} does not exist"))?;
            let mut wrapped = Item::Value(next.clone());
            set_in_item(&mut wrapped, rest, value, key)?;
            *next = wrapped.into_value().map_err(|_| format!("{parent}.{key}: cannot hold a table"))?;
            Ok(())
        }
        Item::Value(Value::Array(list)) => {
            let len = list.len();
            let slot = position()
                .and_then(|p| list.get_mut(p))
                .ok_or_else(|| format!("{parent} has {len} items; {key} is not one of them"))?;
            let mut wrapped = Item::Value(slot.clone());
            set_in_item(&mut wrapped, rest, value, key)?;
            *slot = wrapped.into_value().map_err(|_| format!("{parent}.{key}: cannot hold a table"))?;
            Ok(())
        }
        other => Err(format!("{parent} is {}, not a table", other.type_name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_set_agents_from_includes_and_keep_comments() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pop.toml"), "[[agent]]\nname = \"staker\"\ncount = 3\n").unwrap();
        let main = dir.path().join("n.toml");
        std::fs::write(
            &main,
            "# keep me\ninclude = [\"pop.toml\"]\n[sim]\nduration = \"30d\"\n[[agent]]\nname = \"pub\"\nfee = 0.1\nlist = [1, 2]\n[[kpi]]\nname = \"a.b\"\nexpr = \"1\"\n",
        )
        .unwrap();
        let mut doc = NetlistDoc::load(&main).unwrap();
        assert_eq!(doc.number("agent.staker.count"), Some(3.0));
        assert_eq!(doc.number("agent.pub.fee"), Some(0.1));
        doc.set("agent.staker.count", &toml::Value::Integer(7)).unwrap();
        doc.set("agent.pub.list.2", &toml::Value::Integer(9)).unwrap();
        doc.set("kpi.a.b.expr", &toml::Value::String("2".into())).unwrap();
        doc.set("sim.seed", &toml::Value::Integer(4)).unwrap();
        assert!(doc.set("agent.nobody.count", &toml::Value::Integer(1)).is_err());
        let text = doc.render("written by a test");
        assert!(text.starts_with("# written by a test\n# keep me\n"), "{text}");
        let table: toml::Table = text.parse().unwrap();
        assert!(table.get("include").is_none());
        assert_eq!(table["agent"][1]["count"].as_integer(), Some(7));
        assert_eq!(table["agent"][0]["list"][1].as_integer(), Some(9));
        assert_eq!(table["kpi"][0]["expr"].as_str(), Some("2"));
        assert_eq!(table["sim"]["seed"].as_integer(), Some(4));
    }
}
