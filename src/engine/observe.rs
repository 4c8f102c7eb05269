//! What a netlist observes of a run besides the agents' and models' columns:
//! [`Kpi`] columns computed by expressions (`[[kpi]]`), and [`Invariant`]s
//! checked after every tick or every agent's turn (`[[invariant]]`), each
//! counted in a column `invariant.<name>.violations`.
//!
//! An invariant may compare the state with an earlier one: it has a memory
//! of its own (`memory = { last = 0 }`, read as `memory.last`), which only
//! its `update` statements change, after every check, held or not:
//! `expr = "per_share() >= memory.last"`, `update = "memory.last = per_share()"`
//! says a quantity never falls between two checks.
//!
//! # Errors
//! A KPI or invariant expression that fails to evaluate stops the run with
//! the expression's file, line and source and the tick. A violated
//! invariant with `on_fail = "stop"` ends the run after that tick's row,
//! naming the tick, the last committed transaction and the values of both
//! sides of the comparison; with `"record"` it is counted and the run goes on.

use crate::chain::LastTx;
use crate::script::{display, to_bool, to_f64, Env, Script};
use crate::world::{World, WorldHost};

/// A KPI column computed by an expression.
#[derive(Debug, Clone)]
pub struct Kpi {
    /// Column name (`pair.reserve0`).
    pub column: String,
    /// The expression.
    pub script: Script,
    /// Decimals of a uint value (18: base units to tokens; 0: as is).
    pub decimals: u8,
}

/// When an invariant is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// After every tick.
    #[default]
    Tick,
    /// After every agent's turn (each agent's step in the tick), and after every tick.
    Action,
}

/// What a violation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OnFail {
    /// End the run after that tick's row, with an error.
    #[default]
    Stop,
    /// Count it (`invariant.<name>.violations`) and go on.
    Record,
}

/// A condition that must hold throughout the run.
#[derive(Debug, Clone)]
pub struct Invariant {
    /// Its name.
    pub name: String,
    /// The condition (true when it holds).
    pub script: Script,
    /// The two sides of a top-level comparison (`lhs >= rhs`), for messages.
    pub sides: Option<(Script, Script)>,
    /// When it is checked.
    pub check: Check,
    /// What a violation does.
    pub on_fail: OnFail,
    /// Statements run after every check (memory updates).
    pub update: Option<Script>,
    /// Its own memory (`memory.<key>`), as the netlist starts it; the
    /// engine's copy changes as `update` runs.
    pub memory: Env,
}

/// One violation, for run.json and messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The invariant.
    pub name: String,
    /// The tick.
    pub tick: u64,
    /// After which agent's turn (for `check = "action"`).
    pub after_agent: Option<String>,
    /// The last committed transaction before it.
    pub last_tx: Option<LastTx>,
    /// The condition and the values of its sides.
    pub detail: String,
}

/// The netlist's observers in a run.
#[derive(Debug, Default)]
pub struct Observers {
    /// KPI columns.
    pub kpis: Vec<Kpi>,
    /// Invariants.
    pub invariants: Vec<Invariant>,
    /// Violations per invariant.
    counts: Vec<u64>,
    /// The first violations (at most 100), for run.json.
    violations: Vec<Violation>,
    env: Env,
}

impl Observers {
    /// Observers of these KPIs and invariants.
    pub fn new(kpis: Vec<Kpi>, invariants: Vec<Invariant>) -> Self {
        let counts = vec![0; invariants.len()];
        Self { kpis, invariants, counts, violations: Vec::new(), env: Env::new() }
    }

    /// Their column names: the KPIs', then each invariant's violation count.
    pub fn columns(&self) -> Vec<String> {
        let kpis = self.kpis.iter().map(|k| k.column.clone());
        kpis.chain(self.invariants.iter().map(|i| format!("invariant.{}.violations", i.name))).collect()
    }

    /// Whether any invariant is checked after every agent's turn.
    pub fn checks_actions(&self) -> bool {
        self.invariants.iter().any(|i| i.check == Check::Action)
    }

    /// Current values of [`Observers::columns`].
    pub fn sample(&mut self, world: &mut World) -> anyhow::Result<Vec<f64>> {
        let mut values = Vec::with_capacity(self.kpis.len() + self.invariants.len());
        for kpi in &self.kpis {
            let value = kpi.script.eval(&mut self.env, &mut WorldHost::observer(world))?;
            values.push(to_f64(&value, kpi.decimals).map_err(|e| kpi.script.error_at_runtime(e))?);
        }
        values.extend(self.counts.iter().map(|&c| c as f64));
        Ok(values)
    }

    /// Check the invariants due now (after the tick, or after `agent`'s
    /// turn), then run their `update` statements; the message of the first
    /// violation whose `on_fail` is stop.
    pub fn check(&mut self, world: &mut World, agent: Option<&str>) -> anyhow::Result<Option<String>> {
        let mut stop = None;
        for (index, invariant) in self.invariants.iter_mut().enumerate() {
            if agent.is_some() && invariant.check != Check::Action {
                continue;
            }
            let value = invariant.script.eval(&mut invariant.memory, &mut WorldHost::observer(world))?;
            if !to_bool(&value).map_err(|e| invariant.script.error_at_runtime(e))? {
                self.counts[index] += 1;
                let violation = violation(invariant, world, agent);
                if self.violations.len() < 100 {
                    self.violations.push(violation.clone());
                }
                if invariant.on_fail == OnFail::Stop && stop.is_none() {
                    stop = Some(describe(&violation, world));
                }
            }
            if let Some(update) = &invariant.update {
                let _last = update.eval(&mut invariant.memory, &mut WorldHost::observer(world))?;
            }
        }
        Ok(stop)
    }

    /// The first violations recorded.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

/// The violation of `invariant` now: the condition with the values of its
/// sides (evaluated with the memory as the check saw it).
fn violation(invariant: &mut Invariant, world: &mut World, agent: Option<&str>) -> Violation {
    let mut detail = format!("`{}`", invariant.script.source().trim());
    if let Some((lhs, rhs)) = &invariant.sides {
        let env = &mut invariant.memory;
        let mut side = |script: &Script| {
            script.eval(env, &mut WorldHost::observer(world)).map(|v| display(&v)).unwrap_or_default()
        };
        let (left, right) = (side(lhs), side(rhs));
        detail.push_str(&format!(
            " with `{}` = {left} and `{}` = {right}",
            lhs.source().trim(),
            rhs.source().trim()
        ));
    }
    Violation {
        name: invariant.name.clone(),
        tick: world.tick,
        after_agent: agent.map(str::to_string),
        last_tx: world.chain.journal().last(),
        detail,
    }
}

/// A violation in words: where, after what, and the values.
pub fn describe(violation: &Violation, world: &World) -> String {
    let name =
        |address| world.book.name_of(address).map_or_else(|| format!("{address}"), |n| format!("@{n}"));
    let after = match (&violation.after_agent, violation.last_tx) {
        (_, None) => "before any transaction".to_string(),
        (agent, Some(tx)) => {
            let to = tx.to.map_or_else(|| "a deployment".to_string(), name);
            let selector =
                tx.selector.map_or(String::new(), |s| format!(" 0x{}", alloy_primitives::hex::encode(s)));
            let status = if tx.success { "" } else { ", reverted" };
            let turn = agent.as_ref().map_or(String::new(), |a| format!(" (agent {a}'s turn)"));
            format!("after transaction {} from {} to {to}{selector}{status}{turn}", tx.index, name(tx.from))
        }
    };
    format!("invariant {} violated at tick {} {after}: {}", violation.name, violation.tick, violation.detail)
}

/// The two sides of a top-level comparison in `source` (`a >= b`), if it is
/// exactly one (no `&&` or `||` around it).
pub fn split_comparison(source: &str) -> Option<(String, String)> {
    if source.contains("&&") || source.contains("||") {
        return None;
    }
    let bytes = source.as_bytes();
    let (mut depth, mut quote) = (0i32, None::<u8>);
    let mut found = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'>' | b'<' if next == Some(c) => i += 1, // a shift
                b'=' if next == Some(b'>') => i += 1,     // `=>`
                b'-' if next == Some(b'>') => i += 1,     // `->`
                b'>' | b'<' | b'=' | b'!' if depth == 0 => {
                    let width = match (c, next) {
                        (_, Some(b'=')) => 2,
                        (b'>' | b'<', _) => 1,
                        _ => 0,
                    };
                    if width > 0 {
                        if found.is_some() {
                            return None;
                        }
                        found = Some((i, width));
                        i += width - 1;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    let (at, width) = found?;
    let (lhs, rhs) = (source[..at].trim(), source[at + width..].trim());
    (!lhs.is_empty() && !rhs.is_empty()).then(|| (lhs.to_string(), rhs.to_string()))
}

#[cfg(test)]
mod tests {
    use super::split_comparison;

    #[test]
    fn comparisons_split_at_the_top_level_only() {
        let split = split_comparison;
        assert_eq!(split("a * b >= memory.k"), Some(("a * b".into(), "memory.k".into())));
        assert_eq!(split("f(x >= 1) < 3"), Some(("f(x >= 1)".into(), "3".into())));
        assert_eq!(split("\"a>b\" == s"), Some(("\"a>b\"".into(), "s".into())));
        assert_eq!(split("x != y"), Some(("x".into(), "y".into())));
        assert_eq!(split("is_ok(x)"), None);
        assert_eq!(split("a < b && c < d"), None, "two comparisons: no single pair of sides");
        assert_eq!(split("x >> 2 == 0"), Some(("x >> 2".into(), "0".into())));
    }
}
