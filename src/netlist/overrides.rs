//! `--set path=value`: change any value of a netlist from the command line.
//!
//! Paths: `sim.seed`, `contracts.build`, a model's table (`ocean.design`,
//! `ocean.criteria.probe_stake_fraction`), a named table of an array —
//! `agent.<name>.<key>` (an agent table, also one from an included file;
//! `count` copies share it), `contract.<name>.<key>`, `kpi.<name>.expr`,
//! `invariant.<name>.on_fail`, `series.<name>.volatility` — and inside
//! them further tables (`agent.arb.params.threshold`) or 1-based list items
//! (`agent.arb.behaviour.2.probability`). The value is TOML (a number, a
//! boolean, `"text"`, an array) or else taken as text.
//!
//! # Errors
//! A path naming no table (an unknown agent, a key of a number), or a value
//! holding a newline, is an error naming the path, the file and what exists.

use anyhow::{bail, Context};

/// Arrays of tables whose items `--set` reaches by their `name`.
pub(super) const NAMED_ARRAYS: &[&str] = &["agent", "contract", "kpi", "invariant", "series"];

/// One `--set` assignment, split.
#[derive(Debug, Clone)]
pub(super) struct Assignment {
    /// The path, split at dots.
    pub keys: Vec<String>,
    /// The value.
    pub value: toml::Value,
    /// As written, for messages.
    pub text: String,
}

/// Refuse a `--set` text holding a line break or another control character
/// (tabs aside): spliced into TOML it could end the value early and drop or
/// add keys.
pub fn check_text(assignment: &str) -> anyhow::Result<()> {
    let bad = |c: char| (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}');
    if let Some(c) = assignment.chars().find(|&c| bad(c)) {
        let what = if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}') {
            "a line break".to_string()
        } else {
            format!("the control character {c:?}")
        };
        bail!("--set {assignment:?}: a value cannot hold {what}; give it on one line");
    }
    Ok(())
}

/// Parse `path=value`.
pub(super) fn parse(assignment: &str) -> anyhow::Result<Assignment> {
    let Some((path, raw)) = assignment.split_once('=') else {
        bail!("--set {assignment}: expected key=value")
    };
    check_text(assignment)?;
    let value = match format!("v = {raw}").parse::<toml::Table>() {
        Ok(mut table) if table.len() == 1 => {
            table.remove("v").unwrap_or(toml::Value::String(raw.to_string()))
        }
        _ => toml::Value::String(raw.to_string()),
    };
    let keys: Vec<String> = path.trim().split('.').map(str::to_string).collect();
    if keys.iter().any(String::is_empty) {
        bail!("--set {assignment}: empty key in {path:?}");
    }
    Ok(Assignment { keys, value, text: assignment.to_string() })
}

/// Apply to a document (the netlist file as parsed); `agent` paths are left
/// for [`apply_to_table`] on the expanded agent tables (includes too).
pub(super) fn apply(document: &mut toml::Table, assignment: &Assignment, file: &str) -> anyhow::Result<()> {
    let at = || format!("{file}: --set {}", assignment.text);
    let (first, rest) = assignment.keys.split_first().with_context(at)?;
    if NAMED_ARRAYS.contains(&first.as_str()) {
        if rest.len() < 2 {
            bail!("{}: name the {first} and a key: {first}.<name>.<key>", at());
        }
        let items = match document.get_mut(first.as_str()) {
            Some(toml::Value::Array(items)) => items,
            _ => bail!("{}: the netlist has no [[{first}]]", at()),
        };
        let name_of = |item: &toml::Value| item.get("name").and_then(|n| n.as_str()).map(str::to_string);
        let names: Vec<String> = items.iter().filter_map(name_of).collect();
        // A name may hold dots (a KPI's `pair.reserve0`): the longest one that matches wins.
        let found = (1..rest.len()).rev().find_map(|split| {
            let name = rest[..split].join(".");
            let position = items.iter().position(|item| name_of(item).as_deref() == Some(name.as_str()))?;
            Some((position, name, &rest[split..]))
        });
        let Some((position, name, inner)) = found else {
            let wanted = rest[..rest.len() - 1].join(".");
            bail!("{}: no [[{first}]] named {wanted:?} (there are: {})", at(), names.join(", "));
        };
        let table = items[position]
            .as_table_mut()
            .with_context(|| format!("{}: [[{first}]] {name:?} is not a table", at()))?;
        return set_path(table, inner, assignment.value.clone())
            .map_err(|e| anyhow::anyhow!("{}: {e}", at()));
    }
    set_path(document, &assignment.keys, assignment.value.clone())
        .map_err(|e| anyhow::anyhow!("{}: {e}", at()))
}

/// What messages about a table changed by `--set` add: ` (changed by --set
/// a=1, --set b=2)` for the assignments whose path starts with `prefix`
/// (`["kpi", "pool.price"]`, `["ocean"]`), or nothing.
pub(super) fn note(assignments: &[Assignment], prefix: &[&str]) -> String {
    notes(assignments, &[prefix])
}

/// [`note`] for the assignments under any of `prefixes`.
pub(super) fn notes(assignments: &[Assignment], prefixes: &[&[&str]]) -> String {
    let wanted: Vec<String> = prefixes.iter().map(|p| p.join(".")).collect();
    let texts: Vec<String> = assignments
        .iter()
        .filter(|a| {
            let path = a.keys.join(".");
            wanted.iter().any(|w| path == *w || path.starts_with(&format!("{w}.")))
        })
        .map(|a| format!("--set {}", a.text))
        .collect();
    if texts.is_empty() {
        String::new()
    } else {
        format!(" (changed by {})", texts.join(", "))
    }
}

/// `result` with `note` added to its error, if any.
pub(super) fn noted<T>(result: anyhow::Result<T>, note: &str) -> anyhow::Result<T> {
    if note.is_empty() {
        return result;
    }
    result.map_err(|e| anyhow::anyhow!("{e:#}{note}"))
}

/// Apply `agent.<name>.<key>...` to one agent table whose name matched.
pub(super) fn apply_to_table(
    table: &mut toml::Table,
    keys: &[String],
    value: toml::Value,
) -> Result<(), String> {
    set_path(table, keys, value)
}

/// Set `keys` (tables by key, lists by 1-based position) to `value`, creating tables on the way.
fn set_path(table: &mut toml::Table, keys: &[String], value: toml::Value) -> Result<(), String> {
    let Some((first, rest)) = keys.split_first() else { return Err("empty key".to_string()) };
    let mut walked = vec![first.as_str()];
    let next = table.entry(first.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if rest.is_empty() {
        *next = value;
        return Ok(());
    }
    set_value(next, rest, value, &mut walked)
}

fn set_value<'k>(
    target: &mut toml::Value,
    keys: &'k [String],
    value: toml::Value,
    walked: &mut Vec<&'k str>,
) -> Result<(), String> {
    let Some((key, rest)) = keys.split_first() else {
        *target = value;
        return Ok(());
    };
    let parent = walked.join(".");
    walked.push(key);
    let next = match target {
        toml::Value::Table(table) => {
            table.entry(key.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()))
        }
        toml::Value::Array(list) => {
            let len = list.len();
            let index: usize =
                key.parse().map_err(|_| format!("{parent} is a list: give a position 1..={len}"))?;
            if index == 0 || index > len {
                return Err(format!(
                    "{parent} has {len} items; {index} is not one of them (positions start at 1)"
                ));
            }
            &mut list[index - 1]
        }
        other => return Err(format!("{parent} is {other}, not a table")),
    };
    set_value(next, rest, value, walked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> toml::Table {
        toml::from_str(
            "[sim]\nseed = 1\n[[agent]]\nname = \"arb\"\nparams = { threshold = 0.01 }\n[[agent.behaviour]]\nprobability = 0.5\n[[agent.behaviour]]\nprobability = 0.2\n[[kpi]]\nname = \"a.b\"\nexpr = \"1\"\n",
        )
        .unwrap()
    }

    fn set(document: &mut toml::Table, text: &str) -> anyhow::Result<()> {
        let assignment = parse(text)?;
        if assignment.keys[0] == "agent" {
            let items = document.get_mut("agent").unwrap().as_array_mut().unwrap();
            let table =
                items.iter_mut().find(|i| i["name"].as_str() == Some(assignment.keys[1].as_str())).unwrap();
            return apply_to_table(table.as_table_mut().unwrap(), &assignment.keys[2..], assignment.value)
                .map_err(anyhow::Error::msg);
        }
        apply(document, &assignment, "n.toml")
    }

    #[test]
    fn paths_reach_tables_named_items_and_list_positions() {
        let mut d = doc();
        set(&mut d, "sim.seed=7").unwrap();
        assert_eq!(d["sim"]["seed"].as_integer(), Some(7));
        set(&mut d, "agent.arb.params.threshold=0.02").unwrap();
        assert_eq!(d["agent"][0]["params"]["threshold"].as_float(), Some(0.02));
        set(&mut d, "agent.arb.behaviour.2.probability=0.9").unwrap();
        assert_eq!(d["agent"][0]["behaviour"][1]["probability"].as_float(), Some(0.9));
        // KPI names hold a dot: the longest name that matches is the table.
        set(&mut d, "kpi.a.b.expr=\"2\"").unwrap();
        assert_eq!(d["kpi"][0]["expr"].as_str(), Some("2"));
        set(&mut d, "ocean.design=v4").unwrap();
        assert_eq!(d["ocean"]["design"].as_str(), Some("v4"));
    }

    #[test]
    fn bad_paths_say_what_exists() {
        let mut d = doc();
        let e = set(&mut d, "kpi.nope.expr=1").unwrap_err().to_string();
        assert!(e.contains("no [[kpi]] named \"nope\" (there are: a.b)"), "{e}");
        let e = set(&mut d, "agent.arb.behaviour.3.probability=1").unwrap_err().to_string();
        assert!(e.contains("has 2 items; 3 is not one of them"), "{e}");
        let e = set(&mut d, "sim.seed.x=1").unwrap_err().to_string();
        assert!(e.contains("sim.seed is 1, not a table"), "{e}");
        assert!(parse("sim.name=\"a\nb\"").unwrap_err().to_string().contains("line break"));
        assert!(parse("nothing").unwrap_err().to_string().contains("key=value"));
        let e = set(&mut d, "contract.x.args=[]").unwrap_err().to_string();
        assert!(e.contains("the netlist has no [[contract]]"), "{e}");
    }
}
