//! What to draw: [`ChartSpec`], KPI name patterns, the default chart set and
//! file names.

use crate::kpis::{quantity_of, KpiTable};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Most lines [`default_charts`] puts on one chart.
pub const MAX_LINES_PER_CHART: usize = 8;

/// One chart: a title and the KPI columns drawn on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartSpec {
    /// Chart title; the file name is derived from it.
    pub title: String,
    /// KPI column names or simple patterns: `*` matches any run of
    /// characters (dots included), `?` any one character, so
    /// `pool.*.spot_price` draws every pool's spot price.
    pub kpis: Vec<String>,
    /// Logarithmic y axis (non-positive values are left out).
    #[serde(default)]
    pub log_y: bool,
    /// Y axis label; the registry's `label (unit)` of the columns when
    /// absent ([`super::units`]); a label without a `(unit)` gets one.
    #[serde(default)]
    pub y_label: Option<String>,
}

/// Whether `name` matches the simple pattern `pattern` (`*`, `?`).
pub fn matches(pattern: &str, name: &str) -> bool {
    let (pattern, name): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic greedy glob with one backtrack point.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, n));
            p += 1;
        } else if let Some((star_p, star_n)) = star {
            p = star_p + 1;
            n = star_n + 1;
            star = Some((star_p, star_n + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// A sensible chart set for a table with these KPI columns.
///
/// Columns are grouped by their first scope segment and their quantity (the
/// last segment): every `pool.*.spot_price` on one chart, every
/// `agent.*.usd` on another, each `global.<quantity>` on its own. A group of
/// more than [`MAX_LINES_PER_CHART`] columns stays one chart, drawn as its
/// top lines and the median of the rest (so 10,000 agents make one chart
/// per quantity, not 1,250). Charts come in the order of their first column.
pub fn default_charts(columns: &[String]) -> Vec<ChartSpec> {
    let mut groups: Vec<((&str, &str), Vec<&String>)> = Vec::new();
    for column in columns {
        let key = (column.split('.').next().unwrap_or(""), quantity_of(column));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(column),
            None => groups.push((key, vec![column])),
        }
    }
    let mut charts = Vec::new();
    for ((scope, quantity), members) in groups {
        let title = match members.as_slice() {
            [only] => (*only).clone(),
            _ => format!("{scope}.*.{quantity}"),
        };
        charts.push(ChartSpec {
            title,
            kpis: members.iter().map(|c| (*c).clone()).collect(),
            log_y: false,
            y_label: None,
        });
    }
    charts
}

/// The charts of one run: what `tsp run` draws and `tsp plot` redraws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCharts {
    /// The charts to draw.
    pub specs: Vec<ChartSpec>,
    /// Columns left out of the default charts because they never change
    /// (all zero, or one value throughout); empty when the netlist has its
    /// own `[[chart]]`s or every column was asked for.
    pub flat: Vec<String>,
}

/// The netlist's own `[[chart]]`s (`own`, drawn as written) or, when it has
/// none, [`default_charts`] of the columns of `table` that change. With
/// `every_column`, the own charts and then the default charts of every column.
pub fn run_charts(own: &[ChartSpec], table: &KpiTable, every_column: bool) -> RunCharts {
    if every_column {
        let specs = own.iter().cloned().chain(default_charts(&table.columns)).collect();
        return RunCharts { specs, flat: Vec::new() };
    }
    if !own.is_empty() {
        return RunCharts { specs: own.to_vec(), flat: Vec::new() };
    }
    let (moving, flat): (Vec<usize>, Vec<usize>) =
        (0..table.columns.len()).partition(|&i| !is_flat(&table.values[i]));
    let moving: Vec<String> = moving.into_iter().map(|i| table.columns[i].clone()).collect();
    RunCharts {
        specs: default_charts(&moving),
        flat: flat.into_iter().map(|i| table.columns[i].clone()).collect(),
    }
}

/// Whether a column holds one value throughout (non-finite values aside).
fn is_flat(values: &[f64]) -> bool {
    let mut finite = values.iter().filter(|v| v.is_finite());
    let first = finite.next();
    first.is_none_or(|first| finite.all(|v| v == first))
}

/// A file-name stem from a title: lower-case letters and digits, other runs
/// of characters turned into one `-`; `chart` if nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("chart");
    }
    out
}

/// Slugs made unique within one call: a repeated slug gets `-2`, `-3`, ...
#[derive(Debug, Default)]
pub(crate) struct Slugs(BTreeSet<String>);

impl Slugs {
    /// A slug of `title` not handed out before by this set.
    pub(crate) fn unique(&mut self, title: &str) -> String {
        let base = slug(title);
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.0.insert(candidate.clone()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(columns: &[&str]) -> Vec<String> {
        columns.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn glob_matching() {
        assert!(matches("pool.*.spot_price", "pool.dt1.spot_price"));
        assert!(matches("pool.*.spot_price", "pool.a.b.spot_price"));
        assert!(!matches("pool.*.spot_price", "pool.dt1.reserve"));
        assert!(matches("global.*", "global.consumes"));
        assert!(matches("*", "anything"));
        assert!(matches("agent.?.usd", "agent.a.usd"));
        assert!(!matches("agent.?.usd", "agent.ab.usd"));
        assert!(matches("global.consumes", "global.consumes"));
        assert!(!matches("global.consume", "global.consumes"));
        assert!(matches("*a*b*", "xxaxxbxx"));
        assert!(!matches("*a*b", "xxaxxbxxc"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Pool spot price (USD/ETH)"), "pool-spot-price-usd-eth");
        assert_eq!(slug("pool.*.spot_price"), "pool-spot-price");
        assert_eq!(slug("***"), "chart");
        let mut slugs = Slugs::default();
        assert_eq!(slugs.unique("A"), "a");
        assert_eq!(slugs.unique("a"), "a-2");
        assert_eq!(slugs.unique("a!"), "a-3");
    }

    #[test]
    fn default_charts_group_by_scope_and_quantity() {
        let columns = names(&[
            "pool.dt1.spot_price",
            "agent.alice.usd",
            "pool.dt2.spot_price",
            "global.consumes",
            "agent.bob.usd",
            "pool.dt1.reserve",
            "global.publishes",
        ]);
        let charts = default_charts(&columns);
        let summary: Vec<(&str, Vec<&str>)> =
            charts.iter().map(|c| (c.title.as_str(), c.kpis.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            summary,
            [
                ("pool.*.spot_price", vec!["pool.dt1.spot_price", "pool.dt2.spot_price"]),
                ("agent.*.usd", vec!["agent.alice.usd", "agent.bob.usd"]),
                ("global.consumes", vec!["global.consumes"]),
                ("pool.dt1.reserve", vec!["pool.dt1.reserve"]),
                ("global.publishes", vec!["global.publishes"]),
            ]
        );
        assert_eq!(charts[0].y_label, None, "the registry labels the axis");
    }

    #[test]
    fn run_charts_leave_out_flat_columns_unless_asked() {
        let table = KpiTable {
            columns: names(&["global.zero", "global.moves", "global.constant", "global.gaps"]),
            ticks: vec![0, 1, 2],
            times: vec![0, 60, 120],
            values: vec![vec![0.0; 3], vec![1.0, 2.0, 1.0], vec![7.5; 3], vec![f64::NAN, 3.0, 3.0]],
        };
        let drawn = run_charts(&[], &table, false);
        let titles: Vec<&str> = drawn.specs.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["global.moves"]);
        assert_eq!(drawn.flat, names(&["global.zero", "global.constant", "global.gaps"]));
        let all = run_charts(&[], &table, true);
        assert_eq!(all.specs.len(), 4);
        assert!(all.flat.is_empty());
        let own = vec![ChartSpec {
            title: "Mine".into(),
            kpis: names(&["global.zero"]),
            log_y: true,
            y_label: None,
        }];
        assert_eq!(run_charts(&own, &table, false), RunCharts { specs: own.clone(), flat: Vec::new() });
        let everything = run_charts(&own, &table, true);
        assert_eq!(everything.specs[0], own[0]);
        assert_eq!(everything.specs.len(), 5, "own, then a default chart per column");
    }

    #[test]
    fn big_groups_stay_one_chart() {
        let columns: Vec<String> = (0..19).map(|i| format!("agent.a{i:02}.usd")).collect();
        let charts = default_charts(&columns);
        assert_eq!(charts.len(), 1, "drawn as top lines and a median, not split");
        assert_eq!(charts[0].title, "agent.*.usd");
        assert_eq!(charts[0].kpis, columns);
    }
}
