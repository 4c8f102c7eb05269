//! The netlists an attack runs: the original netlist, cut to end one tick
//! after the attack, with the attacker added as a `scripted` agent acting at
//! that moment — with `x` as a parameter (the netlist the search loads), or
//! with the amounts found written in (the replay, runnable by `tsp run`).
//!
//! The new netlist lives in another folder than the original: its `include`
//! files and its `[contracts]` paths are rewritten relative to that folder.

use super::search::Move;
use super::spec::AttackSpec;
use anyhow::{bail, Context};
use std::path::{Component, Path, PathBuf};

/// The attacker's agent name (and its KPI columns, `agent.attacker.*`).
pub const ATTACKER: &str = "attacker";

/// The text of `original` with the attacker acting at `at` (a duration as
/// written, `"30d"`) and the run ending after `ticks` ticks, to be written
/// into `dir`. With `moves`, the actions are those moves with their amounts
/// written in, then the unwind steps; without, every action and unwind step
/// of `spec`, amounts left as the parameter `x`.
pub fn attacker_netlist(
    original: &Path,
    dir: &Path,
    spec: &AttackSpec,
    at: &str,
    ticks: u64,
    moves: Option<&[Move]>,
) -> anyhow::Result<String> {
    let shown = original.display().to_string();
    let text = std::fs::read_to_string(original).with_context(|| format!("{shown}: cannot read"))?;
    let mut doc: toml::Table = text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{shown}: {e}"))?;
    let from = original.parent().unwrap_or(Path::new("."));
    if let Some(toml::Value::Array(includes)) = doc.get_mut("include") {
        for include in includes.iter_mut() {
            if let toml::Value::String(path) = include {
                *path = rebase(from, dir, path)?;
            }
        }
    }
    if let Some(toml::Value::Table(contracts)) = doc.get_mut("contracts") {
        for key in ["build", "sources", "adapter"] {
            if let Some(toml::Value::String(path)) = contracts.get_mut(key) {
                if from.join(&*path).exists() {
                    *path = rebase(from, dir, path)?;
                }
            }
        }
    }
    let Some(toml::Value::Table(sim)) = doc.get_mut("sim") else { bail!("{shown}: no [sim] table") };
    sim.remove("duration");
    sim.insert("ticks".into(), toml::Value::Integer(i64::try_from(ticks)?));
    let name = sim.get("name").and_then(toml::Value::as_str).unwrap_or("netlist").to_string();
    sim.insert("name".into(), toml::Value::String(format!("{name}_attack")));

    let timed = |table: &toml::Table| {
        let mut table = table.clone();
        table.insert("at".into(), toml::Value::String(at.to_string()));
        toml::Value::Table(table)
    };
    let mut actions: Vec<toml::Value> = match moves {
        None => spec.actions.iter().map(timed).collect(),
        Some(moves) => moves
            .iter()
            .map(|m| {
                let table = spec.actions.get(m.action).context("a move names no action of the spec")?;
                match with_x(&toml::Value::Table(table.clone()), m.x) {
                    toml::Value::Table(t) => Ok(timed(&t)),
                    _ => unreachable!("a table stays a table"),
                }
            })
            .collect::<anyhow::Result<_>>()?,
    };
    actions.extend(spec.unwind.iter().map(timed));
    let mut agent = toml::Table::new();
    agent.insert("type".into(), "scripted".into());
    agent.insert("name".into(), ATTACKER.into());
    agent.insert("fund".into(), toml::Value::Table(spec.fund.clone()));
    if moves.is_none() {
        let mut params = toml::Table::new();
        params.insert("x".into(), toml::Value::Float(0.0));
        agent.insert("params".into(), toml::Value::Table(params));
    }
    agent.insert("actions".into(), toml::Value::Array(actions));
    match doc.entry("agent").or_insert_with(|| toml::Value::Array(Vec::new())) {
        toml::Value::Array(agents) => {
            if agents.iter().any(|a| a.get("name").and_then(toml::Value::as_str) == Some(ATTACKER)) {
                bail!("{shown}: an agent is already called {ATTACKER:?}, the name tsp attack gives the attacker");
            }
            agents.push(toml::Value::Table(agent));
        }
        _ => bail!("{shown}: `agent` must be a list of tables"),
    }
    let header = format!(
        "# {shown} with the attacker of `tsp attack` acting at {at} (written by tsp attack; \
         paths relative to this file)\n"
    );
    Ok(format!("{header}{}", toml::to_string(&doc)?))
}

/// `value` with every expression's parameter `x` replaced by the number.
fn with_x(value: &toml::Value, x: f64) -> toml::Value {
    match value {
        toml::Value::String(s) => toml::Value::String(replace_x(s, x)),
        toml::Value::Array(items) => toml::Value::Array(items.iter().map(|v| with_x(v, x)).collect()),
        toml::Value::Table(table) => {
            toml::Value::Table(table.iter().map(|(k, v)| (k.clone(), with_x(v, x))).collect())
        }
        other => other.clone(),
    }
}

/// Replace the identifier `x` (not `@x`, `.x`, `max_x`, or inside quotes) by `x`'s value.
fn replace_x(source: &str, x: f64) -> String {
    replace_word(source, "x", &format_x(x))
}

/// Replace the identifier `word` (not after `@` or `.`, not inside quotes) by `with`.
pub(super) fn replace_word(source: &str, word: &str, with: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let wanted: Vec<char> = word.chars().collect();
    let letter = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(source.len());
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            quoted = !quoted;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + wanted.len()).copied();
        let alone = !before.is_some_and(|b| letter(b) || b == '@' || b == '.') && !after.is_some_and(letter);
        if !quoted && alone && chars[i..].starts_with(&wanted) {
            out.push_str(with);
            i += wanted.len();
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// A float literal the expression language reads back as exactly `x`
/// (amounts are kept on a 1e-9 grid, so nine decimals are exact).
pub fn format_x(x: f64) -> String {
    let text = format!("{x:.9}");
    let trimmed = text.trim_end_matches('0');
    if trimmed.ends_with('.') {
        format!("{trimmed}0")
    } else {
        trimmed.to_string()
    }
}

/// `path` (relative to `from`) relative to `to`; both folders exist.
fn rebase(from: &Path, to: &Path, path: &str) -> anyhow::Result<String> {
    let target = from.join(path);
    let target = target.canonicalize().with_context(|| format!("{}: no such file", target.display()))?;
    let to = to.canonicalize().with_context(|| format!("{}: no such folder", to.display()))?;
    let (a, b): (Vec<Component<'_>>, Vec<Component<'_>>) =
        (target.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut relative = PathBuf::new();
    for _ in common..b.len() {
        relative.push("..");
    }
    for part in &a[common..] {
        relative.push(part);
    }
    Ok(relative.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::{format_x, replace_x};

    #[test]
    fn x_is_replaced_as_a_word_only() {
        assert_eq!(
            replace_x("x * balance(@x, self) + max_x + m.x", 0.25),
            "0.25 * balance(@x, self) + max_x + m.x"
        );
        assert_eq!(replace_x("\"x\" + x", 1.0), "\"x\" + 1.0");
        assert_eq!(
            super::replace_word("balance(@a, self) + selfish", "self", "addr(\"0x1\")"),
            "balance(@a, addr(\"0x1\")) + selfish"
        );
        assert_eq!(format_x(0.123456789), "0.123456789");
    }
}
