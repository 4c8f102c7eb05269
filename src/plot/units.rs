//! The column registry: a human label and a unit for a KPI column name, so
//! charts say "DT price (OCEAN per DT)" rather than `pool.3.spot_price`.
//!
//! A column is looked up in [`KNOWN`] (the core's columns and those of the
//! shipped open-core netlists), then in each model's list
//! ([`crate::models::Model::column_units`]: Ocean's `pool.*.spot_price`, ...),
//! patterns over the whole name, first match wins; then by the suffix of its
//! quantity (the last dot-segment: `*_pct` is %, `*_usd` USD, a model's own:
//! Ocean's `*_ocean`). A column matching nothing keeps its quantity name as
//! the label and gets the unit [`UNKNOWN_UNIT`]. Every column of every
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
    // Any agent: its native coin, and the Uniswap netlist's asset token.
    ("agent.*.eth", "ETH balance", "ETH"),
    ("agent.*.asset", "asset balance", "asset"),
    // Bonding curve (netlists/bonding_curve.toml): a token priced in USD.
    ("curve.supply", "token supply", "tokens"),
    ("curve.reserve", "USD reserve", "USD"),
    ("curve.spot_price", "token price", "USD per token"),
    ("curve.reserve_ratio", "reserve ratio", "ratio"),
    ("curve.surplus_wei", "reserve surplus", "wei of USD"),
    ("curve.buys", "buys", "count"),
    ("curve.sells", "sells", "count"),
    ("curve.bought_usd", "USD paid in", "USD"),
    ("curve.sold_usd", "USD paid out", "USD"),
    ("*.curve", "tokens held", "tokens"),
    ("*.round_trips", "round trips", "count"),
    ("treasury.fees", "treasury fees", "USD"),
    ("hype.index", "hype index", "index (1 = usual)"),
    // Uniswap V2 (netlists/uniswap_v2.toml): a USD token and an asset token.
    ("pair.reserve_usd", "USD reserve", "USD"),
    ("pair.reserve_asset", "asset reserve", "asset"),
    ("pair.price", "pool price", "USD per asset"),
    ("market.price", "market price", "USD per asset"),
    ("pair.price_gap", "pool / market price − 1", "fraction"),
    ("pair.k", "reserve product k", "USD × asset"),
    ("pair.lp_supply", "LP share supply", "LP shares"),
    ("pair.swaps", "swaps", "count"),
    ("fees.usd", "fees in USD", "USD"),
    ("fees.asset", "fees in asset", "asset"),
    ("lp.value_per_share", "LP share value", "USD per share"),
    ("lp.sqrt_k_per_share", "√k per LP share", "√(USD × asset) per share"),
];

/// `(quantity suffix, unit)` for columns [`KNOWN`] does not list; the label
/// is the quantity without the suffix.
const SUFFIXES: &[(&str, &str)] = &[("_pct", "%"), ("_usd", "USD"), ("_count", "count"), ("_wei", "wei")];

/// Label and unit of `column`.
pub fn describe(column: &str) -> ColumnInfo {
    let info = |label: &str, unit: &str| ColumnInfo { label: label.to_owned(), unit: unit.to_owned() };
    // The core's columns, then each model's ([`crate::models::Model::column_units`]).
    let models = crate::models::MODELS.iter().flat_map(|m| m.column_units().iter());
    if let Some((_, label, unit)) = KNOWN.iter().chain(models).find(|(pattern, ..)| matches(pattern, column))
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
    info(&quantity.replace('_', " "), UNKNOWN_UNIT)
}

/// The y axis label of a chart of `columns`: `label (unit)`, labels and
/// units joined with `, ` when they differ (`buys, sells (count)`).
pub fn default_y_label(columns: &[&str]) -> String {
    let infos: Vec<ColumnInfo> = columns.iter().map(|c| describe(c)).collect();
    let labels = distinct(infos.iter().map(|i| i.label.clone()));
    let units = distinct(infos.iter().map(|i| i.unit.clone()));
    with_unit(&labels, &units.join(", "))
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

/// A chart's own y label, given a unit: kept when it has one in
/// parentheses; when it only names the columns' unit(s) (`OCEAN per DT`) it
/// becomes `label (that unit)`; otherwise the columns' units are appended.
pub fn explicit_y_label(y_label: &str, columns: &[&str]) -> String {
    if has_unit(y_label) {
        return y_label.to_owned();
    }
    let infos: Vec<ColumnInfo> = columns.iter().map(|c| describe(c)).collect();
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

/// A chart title for a column or a `scope.*.quantity` pattern: `label (unit)`.
pub fn title_of(column_or_pattern: &str) -> String {
    let label = describe(column_or_pattern).axis_label();
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// Whether a title is a column name or pattern (no spaces, has a dot) rather
/// than words someone wrote.
pub fn is_column_like(title: &str) -> bool {
    title.contains('.') && !title.contains(char::is_whitespace)
}

/// Legend entries for lines drawn from `columns`: when all share their first
/// and last segments, the middle (`alice`; `pool 3` for pools); when all
/// share everything but the quantity, the registry's labels; else the names.
pub fn legend_labels(columns: &[&str]) -> Vec<String> {
    let parts: Vec<Vec<&str>> = columns.iter().map(|c| c.split('.').collect()).collect();
    let first = |p: &[&'_ str]| p.first().copied().unwrap_or("").to_owned();
    let last = |p: &[&'_ str]| p.last().copied().unwrap_or("").to_owned();
    let (Some(p0), true) = (parts.first(), columns.len() > 1) else {
        return columns.iter().map(|c| describe(c).label).collect();
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
    let labels: Vec<String> = columns.iter().map(|c| describe(c).label).collect();
    if parts.iter().all(|p| scope(p) == scope(p0)) && distinct(labels.iter().cloned()).len() == labels.len() {
        return labels;
    }
    columns.iter().map(|c| (*c).to_owned()).collect()
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

    #[test]
    fn labels_and_units() {
        assert_eq!(describe("pool.3.spot_price").axis_label(), "DT price (OCEAN per DT)");
        assert_eq!(describe("agent.alice.usd").unit, "USD");
        assert_eq!(describe("global.reverts").axis_label(), "reverted actions (count)");
        assert_eq!(describe("criteria.rug_staker_loss_pct").unit, "% of stake");
        assert_eq!(describe("x.y.loss_pct").axis_label(), "loss (%)");
        assert_eq!(describe("x.profit_usd").axis_label(), "profit (USD)");
        assert_eq!(describe("x.mystery").axis_label(), "mystery (value)");
        assert_eq!(title_of("pool.*.spot_price"), "DT price (OCEAN per DT)");
        assert_eq!(title_of("agent.*.net_worth_ocean"), "Net worth (OCEAN)");
    }

    #[test]
    fn y_labels() {
        assert_eq!(default_y_label(&["curve.buys", "curve.sells"]), "buys, sells (count)");
        assert_eq!(explicit_y_label("OCEAN per DT", &["pool.1.spot_price"]), "DT price (OCEAN per DT)");
        assert_eq!(explicit_y_label("trades so far", &["curve.buys"]), "trades so far (count)");
        let revenues = ["global.marketplaces_revenue_usd", "global.network_revenue_usd"];
        assert_eq!(explicit_y_label("USD per month", &revenues), "revenue (USD per month)");
        assert_eq!(explicit_y_label("OCEAN (at spot prices)", &["agent.a.ocean"]), "OCEAN (at spot prices)");
        assert_eq!(explicit_y_label("USD", &["global.tvl"]), "USD", "an unknown column keeps its own label");
        assert!(has_unit("DT price (OCEAN per DT, log scale)"));
        assert!(!has_unit("mystery (value)") && !has_unit("no unit"));
    }

    #[test]
    fn legends() {
        assert_eq!(legend_labels(&["pool.3.spot_price", "pool.10.spot_price"]), ["pool 3", "pool 10"]);
        assert_eq!(legend_labels(&["agent.alice.usd", "agent.bob.usd"]), ["alice", "bob"]);
        assert_eq!(legend_labels(&["whale.curve", "retail.curve"]), ["whale", "retail"]);
        assert_eq!(
            legend_labels(&["global.pools", "global.consumes"]),
            ["pools created", "datatokens consumed"]
        );
        assert_eq!(legend_labels(&["agent.a.ocean", "pool.1.ocean"]), ["agent.a.ocean", "pool.1.ocean"]);
        assert_eq!(legend_labels(&["global.consumes"]), ["datatokens consumed"]);
    }
}
