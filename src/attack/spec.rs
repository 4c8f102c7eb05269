//! [`AttackSpec`]: what an attacker may do, with what capital, and how its
//! net worth is valued — read from a TOML file (`tsp attack --spec`) or a
//! model's default ([`crate::models::Model::attack_spec`]).
//!
//! ```toml
//! numeraire = "USD"                      # unit of profit
//! value = "balance(@usd, self)"          # net worth of `self` in the numeraire
//! pool = "treasury"                      # optional: profit also in % of this account's value
//! fund = { "@usd" = 1000.0 }             # the attacker's capital (tokens)
//! [[action]]                             # a generic-agent step without `at`;
//! to = "@pool"                           # `x` in (0, 1] is the amount the search picks
//! function = "swap(address,uint256)"
//! args = ["@usd", "x * balance(@usd, self)"]
//! approve = [["@usd", "x * balance(@usd, self)"]]
//! [[unwind]]                             # optional: run after every candidate (no `x`)
//! do = "sell"
//! ```

use anyhow::{bail, Context};

/// An attack's action set, capital and valuation.
#[derive(Debug, Clone)]
pub struct AttackSpec {
    /// Where the spec came from (its file, or the model's default), for messages.
    pub source: String,
    /// The unit profits are stated in (`USD`).
    pub numeraire: String,
    /// An expression: the net worth of `self` in the numeraire.
    pub value: String,
    /// The address-book name whose value profits are also a percentage of.
    pub pool: Option<String>,
    /// The attacker's capital: `"@token" = amount`, as a generic agent's `fund`.
    pub fund: toml::Table,
    /// The actions the search chooses from.
    pub actions: Vec<toml::Table>,
    /// Steps run after every candidate, to turn holdings into the numeraire.
    pub unwind: Vec<toml::Table>,
}

impl AttackSpec {
    /// Parse a spec; `shown` names its file in messages.
    pub fn parse(text: &str, shown: &str) -> anyhow::Result<Self> {
        let mut doc: toml::Table =
            text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{shown}: {e}"))?;
        let mut string = |key: &str, required: bool| -> anyhow::Result<Option<String>> {
            match doc.remove(key) {
                None if required => bail!("{shown}: missing `{key}`"),
                None => Ok(None),
                Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s)),
                Some(other) => bail!("{shown}: `{key}` must be a non-empty string, found {other}"),
            }
        };
        let numeraire = string("numeraire", true)?.unwrap_or_default();
        let value = string("value", true)?.unwrap_or_default();
        let pool = string("pool", false)?;
        let fund = match doc.remove("fund") {
            Some(toml::Value::Table(t)) if !t.is_empty() => t,
            None => {
                bail!("{shown}: missing `fund` (the attacker's capital, e.g. fund = {{ \"@usd\" = 1000.0 }})")
            }
            Some(other) => bail!("{shown}: `fund` must be a table of \"@token\" = amount, found {other}"),
        };
        let mut steps = |key: &str| -> anyhow::Result<Vec<toml::Table>> {
            let list = match doc.remove(key) {
                None => return Ok(Vec::new()),
                Some(toml::Value::Array(list)) => list,
                Some(other) => bail!("{shown}: `{key}` must be a list of tables ([[{key}]]), found {other}"),
            };
            let mut tables = Vec::with_capacity(list.len());
            for (i, item) in list.into_iter().enumerate() {
                let toml::Value::Table(table) = item else {
                    bail!("{shown}: {key} {} must be a table", i + 1)
                };
                for timed in ["at", "every"] {
                    if table.contains_key(timed) {
                        bail!(
                            "{shown}: {key} {}: `{timed}`: tsp attack times the attacker's steps itself",
                            i + 1
                        );
                    }
                }
                tables.push(table);
            }
            Ok(tables)
        };
        let actions = steps("action")?;
        let unwind = steps("unwind")?;
        if actions.is_empty() {
            bail!("{shown}: no [[action]]: give the operations the attacker may choose from");
        }
        if let Some(key) = doc.keys().next() {
            bail!("{shown}: unknown key `{key}` (expected numeraire, value, pool, fund, action, unwind)");
        }
        Ok(Self { source: shown.to_owned(), numeraire, value, pool, fund, actions, unwind })
    }

    /// Read and parse a spec file.
    pub fn read(path: &std::path::Path) -> anyhow::Result<Self> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).with_context(|| format!("{shown}: cannot read"))?;
        Self::parse(&text, &shown)
    }

    /// The spec at `path` when given, else the default attack of the first of
    /// the netlist's models that has one.
    pub fn for_netlist(
        loaded: &crate::netlist::LoadedNetlist,
        path: Option<&std::path::Path>,
    ) -> anyhow::Result<Self> {
        if let Some(path) = path {
            return Self::read(path);
        }
        let text = loaded.models.iter().find_map(|(model, _)| model.attack_spec()).with_context(|| {
            format!(
                "{}: its models offer no default attack: give --spec FILE (see docs/attack.md)",
                loaded.file.display()
            )
        })?;
        Self::parse(text, "the model's default attack")
    }

    /// A short label of each action (`call @pool swap`, `buy`), for reports.
    pub fn labels(&self) -> Vec<String> {
        self.actions
            .iter()
            .map(|table| {
                let text = |key: &str| table.get(key).and_then(toml::Value::as_str).unwrap_or("");
                match text("do") {
                    "" | "call" => {
                        let function = text("function");
                        let name = function.split('(').next().unwrap_or(function);
                        format!("{} {name}", text("to"))
                    }
                    other => {
                        table.get("pool").map_or_else(|| other.to_string(), |p| format!("{other} pool {p}"))
                    }
                }
            })
            .collect()
    }
}
