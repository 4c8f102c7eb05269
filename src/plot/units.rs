//! The column registry: a human label and a unit for a KPI column name, so
//! charts say "DT price (OCEAN per DT)" rather than `pool.3.spot_price`.
//!
//! A column is looked up in the run's own list (a netlist's `[[kpi]]` may give
//! `label` and `unit`: [`Registry::new`]), then in [`KNOWN`] (the core's
//! columns), then in each model's list
//! ([`crate::models::Model::column_units`]: Ocean's `pool.*.spot_price`, ...),
//! patterns over the whole name, first match wins; then by the suffix of its
//! quantity (the last dot-segment: `*_pct` is %, `*_usd` USD, a model's own:
//! Ocean's `*_ocean`). A column matching nothing keeps its quantity name as
//! the label and gets the unit [`UNKNOWN_UNIT`]; an agent's column named after
//! a token (`agent.alice.asset`) is that token's balance. Every column of every
//! shipped netlist has a real unit (checked by `tests/chart_specs.rs`);
//! [docs/kpis.md](../../docs/kpis.md) lists the same units.
//!
//! Nothing here can fail: an unknown column is described, not refused.

use super::spec::matches;

/// The unit of a column the registry does not know.
pub const UNKNOWN_UNIT: &str = "value";

/// What a KPI column measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// Human label: `DT price`.
    pub label: String,
    /// Unit: `OCEAN per DT`, `%`, `count`; [`UNKNOWN_UNIT`] when unknown.
    pub unit: String,
}

impl ColumnInfo {
    /// `label (unit)`.
    pub fn axis_label(&self) -> String {
        format!("{} ({})", self.label, self.unit)
    }

    /// [`Self::axis_label`] with a note after the unit: `label (unit; note)`.
    pub fn axis_label_noting(&self, note: &str) -> String {
        format!("{} ({}; {note})", self.label, self.unit)
    }
}

/// `(pattern over the whole column name, label, unit)`, first match wins.
const KNOWN: &[(&str, &str, &str)] = &[
    // Every run.
    ("global.reverts", "reverted actions", "count"),
    ("global.gas_used", "gas used", "gas"),
    ("invariant.*.violations", "invariant violations", "count"),
    ("agent.*.usd", "USD balance", "USD"),
    // Any agent: its native coin (other tokens: see `Registry::describe`).
    ("agent.*.eth", "ETH balance", "ETH"),
];

/// `(quantity suffix, unit)` for columns [`KNOWN`] does not list; the label
/// is the quantity without the suffix.
const SUFFIXES: &[(&str, &str)] = &[("_pct", "%"), ("_usd", "USD"), ("_count", "count"), ("_wei", "wei")];

/// Labels and units of one run's columns: its netlist's own, then the core's
/// and the models' ([`Registry::default`] knows only those).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    own: Vec<(String, ColumnInfo)>,
}

impl Registry {
    /// The registry of the core's and the models' columns only.
    pub const EMPTY: Self = Self { own: Vec::new() };

    /// A registry that knows `own` columns `(name, label, unit)` first; a
    /// missing label is the quantity's name.
    pub fn new(own: impl IntoIterator<Item = (String, Option<String>, String)>) -> Self {
        let own = own
            .into_iter()
            .map(|(name, label, unit)| {
                let label = label.unwrap_or_else(|| crate::kpis::quantity_of(&name).replace('_', " "));
                (name, ColumnInfo { label, unit })
            })
            .collect();
        Self { own }
    }

    /// The registry of a results folder: the `label`/`unit` of the `[[kpi]]`s
    /// its `run.json` records (`resolved.kpi_tables`); the default one when
    /// the file is missing or records none.
    pub fn of_results(dir: &std::path::Path) -> Self {
        let json = std::fs::read_to_string(dir.join("run.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
        let tables = json.as_ref().and_then(|j| j.pointer("/resolved/kpi_tables")).and_then(|t| t.as_array());
        let own = tables.into_iter().flatten().filter_map(|kpi| {
            let text = |key: &str| kpi.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            Some((text("name")?, text("label"), text("unit")?))
        });
        Self::new(own)
    }

    /// Label and unit of `column`.
    pub fn describe(&self, column: &str) -> ColumnInfo {
        let info = |label: &str, unit: &str| ColumnInfo { label: label.to_owned(), unit: unit.to_owned() };
        if let Some((_, own)) = self.own.iter().find(|(name, _)| name == column) {
            return own.clone();
        }
        // The core's columns, then each model's ([`crate::models::Model::column_units`]).
        let models = crate::models::MODELS.iter().flat_map(|m| m.column_units().iter());
        if let Some((_, label, unit)) =
            KNOWN.iter().chain(models).find(|(pattern, ..)| matches(pattern, column))
        {
            return info(label, unit);
        }
        let quantity = crate::kpis::quantity_of(column);
        match quantity {
            "usd" => return info("USD", "USD"),
            "violations" | "reverts" => return info(quantity, "count"),
            _ => {}
        }
        let model_suffixes = crate::models::MODELS.iter().flat_map(|m| m.unit_suffixes().iter());
        for (suffix, unit) in SUFFIXES.iter().chain(model_suffixes) {
            if let Some(stem) = quantity.strip_suffix(suffix).filter(|s| !s.is_empty()) {
                return info(&stem.replace('_', " "), unit);
            }
        }
        // The core records every agent's balance of every token as `agent.<name>.<token>`.
        if column.starts_with("agent.") && column.matches('.').count() == 2 {
            return info(&format!("{quantity} balance"), quantity);
        }
        info(&quantity.replace('_', " "), UNKNOWN_UNIT)
    }

    /// The y axis label of a chart of `columns`: `label (unit)`, labels and
    /// units joined with `, ` when they differ (`buys, sells (count)`).
    pub fn default_y_label(&self, columns: &[&str]) -> String {
        let infos: Vec<ColumnInfo> = columns.iter().map(|c| self.describe(c)).collect();
        let labels = distinct(infos.iter().map(|i| i.label.clone()));
        let units = distinct(infos.iter().map(|i| i.unit.clone()));
        with_unit(&labels, &units.join(", "))
    }

    /// A chart's own y label, given a unit: kept when it has one in
    /// parentheses; when it only names the columns' unit(s) (`OCEAN per DT`) it
    /// becomes `label (that unit)`; otherwise the columns' units are appended.
    pub fn explicit_y_label(&self, y_label: &str, columns: &[&str]) -> String {
        if has_unit(y_label) {
            return y_label.to_owned();
        }
        let infos: Vec<ColumnInfo> = columns.iter().map(|c| self.describe(c)).collect();
        let units = distinct(infos.iter().map(|i| i.unit.clone()));
        if units.iter().all(|u| u == UNKNOWN_UNIT) {
            return y_label.to_owned();
        }
        let lower = y_label.to_lowercase();
        let names_units = units.iter().all(|u| lower.contains(&u.to_lowercase()))
            && units.iter().map(String::len).sum::<usize>() * 2 >= y_label.len();
        if names_units {
            let labels = distinct(infos.iter().map(|i| i.label.clone()));
            return with_unit(&labels, y_label);
        }
        format!("{y_label} ({})", units.join(", "))
    }

    /// A chart title for a column or a `scope.*.quantity` pattern: `label (unit)`.
    pub fn title_of(&self, column_or_pattern: &str) -> String {
        let label = self.describe(column_or_pattern).axis_label();
        let mut chars = label.chars();
        chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
    }
    /// Legend entries for lines drawn from `columns`: when all share their first
    /// and last segments, the middle (`alice`; `pool 3` for pools); when all
    /// share everything but the quantity, the registry's labels; else the names.
    pub fn legend_labels(&self, columns: &[&str]) -> Vec<String> {
        let parts: Vec<Vec<&str>> = columns.iter().map(|c| c.split('.').collect()).collect();
        let first = |p: &[&'_ str]| p.first().copied().unwrap_or("").to_owned();
        let last = |p: &[&'_ str]| p.last().copied().unwrap_or("").to_owned();
        let (Some(p0), true) = (parts.first(), columns.len() > 1) else {
            return columns.iter().map(|c| self.describe(c).label).collect();
        };
        let same_last = parts.iter().all(|p| last(p) == last(p0));
        let same_first = parts.iter().all(|p| first(p) == first(p0));
        if same_last && same_first && parts.iter().all(|p| p.len() >= 3) {
            return parts
                .iter()
                .map(|p| {
                    let middle = p[1..p.len() - 1].join(".");
                    if first(p) == "pool" {
                        format!("pool {middle}")
                    } else {
                        middle
                    }
                })
                .collect();
        }
        if same_last && parts.iter().all(|p| p.len() == 2) {
            return parts.iter().map(|p| first(p)).collect();
        }
        let scope = |p: &Vec<&str>| p[..p.len() - 1].join(".");
        let labels: Vec<String> = columns.iter().map(|c| self.describe(c).label).collect();
        if parts.iter().all(|p| scope(p) == scope(p0))
            && distinct(labels.iter().cloned()).len() == labels.len()
        {
            return labels;
        }
        columns.iter().map(|c| (*c).to_owned()).collect()
    }
}

/// Longest axis label (before a `, log scale` note) that fits the axis.
const MAX_AXIS_CHARS: usize = 44;

/// `labels (unit)`; when the labels do not fit, their shared last word
/// (`revenue`) or `value` stands for them (the legend names the lines).
fn with_unit(labels: &[String], unit: &str) -> String {
    let joined = labels.join(", ");
    if joined.chars().count() + unit.chars().count() + 3 <= MAX_AXIS_CHARS {
        return format!("{joined} ({unit})");
    }
    let last_words = distinct(labels.iter().map(|l| l.rsplit(' ').next().unwrap_or("").to_owned()));
    match last_words.as_slice() {
        [word] if !word.is_empty() => format!("{word} ({unit})"),
        _ => format!("value ({unit})"),
    }
}

/// Whether `label` ends with a non-empty `(unit)` that is not [`UNKNOWN_UNIT`].
pub fn has_unit(label: &str) -> bool {
    unit_of_label(label).is_some_and(|u| !u.is_empty() && u != UNKNOWN_UNIT)
}

/// The text of the last `(...)` group of `label`, without a `, log scale` note.
pub fn unit_of_label(label: &str) -> Option<&str> {
    let inner = label.trim_end().strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let unit = inner[open + 1..].trim();
    Some(unit.strip_suffix(", log scale").unwrap_or(unit).trim())
}

/// Whether a title is a column name or pattern (no spaces, has a dot) rather
/// than words someone wrote.
pub fn is_column_like(title: &str) -> bool {
    title.contains('.') && !title.contains(char::is_whitespace)
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: Registry = Registry::EMPTY;

    #[test]
    fn labels_and_units() {
        assert_eq!(R.describe("pool.3.spot_price").axis_label(), "DT price (OCEAN per DT)");
        assert_eq!(R.describe("agent.alice.usd").unit, "USD");
        assert_eq!(R.describe("global.reverts").axis_label(), "reverted actions (count)");
        assert_eq!(R.describe("criteria.rug_staker_loss_pct").unit, "% of stake");
        assert_eq!(R.describe("x.y.loss_pct").axis_label(), "loss (%)");
        assert_eq!(R.describe("x.profit_usd").axis_label(), "profit (USD)");
        assert_eq!(R.describe("x.mystery").axis_label(), "mystery (value)");
        assert_eq!(R.title_of("pool.*.spot_price"), "DT price (OCEAN per DT)");
        assert_eq!(R.title_of("agent.*.net_worth_ocean"), "Net worth (OCEAN)");
    }

    #[test]
    fn a_netlists_own_units_come_first() {
        let own = Registry::new([
            ("pool.3.spot_price".to_owned(), Some("my price".to_owned()), "USD".to_owned()),
            ("pair.k".to_owned(), None, "USD × asset".to_owned()),
        ]);
        assert_eq!(own.describe("pool.3.spot_price").axis_label(), "my price (USD)");
        assert_eq!(own.describe("pool.4.spot_price").axis_label(), "DT price (OCEAN per DT)");
        assert_eq!(own.title_of("pair.k"), "K (USD × asset)");
        assert_eq!(R.describe("agent.alice.asset").axis_label(), "asset balance (asset)");
        assert_eq!(R.describe("agent.alice.eth").axis_label(), "ETH balance (ETH)");
    }

    #[test]
    fn of_results_reads_the_kpis_run_json_records() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Registry::of_results(dir.path()), Registry::default(), "no run.json");
        let run = r#"{"resolved": {"kpi_tables": [
            {"name": "pair.price", "expr": "1", "label": "pool price", "unit": "USD per asset"},
            {"name": "pair.swaps", "expr": "1"}]}}"#;
        std::fs::write(dir.path().join("run.json"), run).unwrap();
        let registry = Registry::of_results(dir.path());
        assert_eq!(registry.describe("pair.price").axis_label(), "pool price (USD per asset)");
        assert_eq!(registry.describe("pair.swaps").unit, UNKNOWN_UNIT, "no unit given");
    }

    #[test]
    fn y_labels() {
        let count = |name: &str, label: &str| (name.to_owned(), Some(label.to_owned()), "count".to_owned());
        let curve = Registry::new([count("curve.buys", "buys"), count("curve.sells", "sells")]);
        assert_eq!(curve.default_y_label(&["curve.buys", "curve.sells"]), "buys, sells (count)");
        assert_eq!(R.default_y_label(&["curve.buys"]), "buys (value)", "the netlist gave the unit");
        assert_eq!(R.explicit_y_label("OCEAN per DT", &["pool.1.spot_price"]), "DT price (OCEAN per DT)");
        assert_eq!(curve.explicit_y_label("trades so far", &["curve.buys"]), "trades so far (count)");
        let revenues = ["global.marketplaces_revenue_usd", "global.network_revenue_usd"];
        assert_eq!(R.explicit_y_label("USD per month", &revenues), "revenue (USD per month)");
        assert_eq!(
            R.explicit_y_label("OCEAN (at spot prices)", &["agent.a.ocean"]),
            "OCEAN (at spot prices)"
        );
        assert_eq!(
            R.explicit_y_label("USD", &["global.tvl"]),
            "USD",
            "an unknown column keeps its own label"
        );
        assert!(has_unit("DT price (OCEAN per DT, log scale)"));
        assert!(!has_unit("mystery (value)") && !has_unit("no unit"));
    }

    #[test]
    fn legends() {
        assert_eq!(R.legend_labels(&["pool.3.spot_price", "pool.10.spot_price"]), ["pool 3", "pool 10"]);
        assert_eq!(R.legend_labels(&["agent.alice.usd", "agent.bob.usd"]), ["alice", "bob"]);
        assert_eq!(R.legend_labels(&["whale.curve", "retail.curve"]), ["whale", "retail"]);
        assert_eq!(
            R.legend_labels(&["global.pools", "global.consumes"]),
            ["pools created", "datatokens consumed"]
        );
        assert_eq!(R.legend_labels(&["agent.a.ocean", "pool.1.ocean"]), ["agent.a.ocean", "pool.1.ocean"]);
        assert_eq!(R.legend_labels(&["global.consumes"]), ["datatokens consumed"]);
    }
}
