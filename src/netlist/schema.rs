//! The netlist schema: `[sim]`, `[contracts]`, `[[agent]]`, `[kpis]`,
//! `[[chart]]`, each deserialised strictly (unknown keys are errors).

use super::parts::{ContractTable, InvariantTable, KpiTable, ScriptTable};
use crate::agents::SimDuration;
use crate::engine::SimClock;
use crate::kpis::KpiFormat;
use crate::models::MODELS;
use crate::world::SeriesSpec;
use anyhow::bail;
use serde::Deserialize;
use std::path::Path;

/// `[sim]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SimConfig {
    /// Name of the run (default results directory `results/<name>/`).
    pub name: String,
    /// One line saying what the netlist models.
    #[serde(default)]
    pub description: String,
    /// Length of a tick, e.g. `"1h"`.
    pub tick: SimDuration,
    /// Length of the run, e.g. `"365d"`; or give `ticks`.
    pub duration: Option<SimDuration>,
    /// Number of ticks (instead of `duration`).
    pub ticks: Option<u64>,
    /// The run's seed.
    #[serde(default)]
    pub seed: u64,
    /// Sample KPIs every this long (default: every tick).
    pub log_every: Option<SimDuration>,
    /// Shuffle the agents' order every tick (default true).
    #[serde(default = "yes")]
    pub shuffle: bool,
    /// Raise the limit on ticks ([`MAX_TICKS`] by default) for a run that
    /// really needs more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ticks: Option<u64>,
    /// Raise the limit on agents ([`super::MAX_AGENTS`] by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_agents: Option<usize>,
    /// Which KPI tables a run writes: `"wide"` (`kpis.csv`, the default),
    /// `"long"` (`kpis.parquet/`, a row per cell that has a value) or `"both"`.
    #[serde(default, skip_serializing_if = "KpiFormat::is_wide")]
    pub kpis: KpiFormat,
}

fn yes() -> bool {
    true
}

/// The most ticks a run may have (`duration / tick`, or `ticks`).
pub const MAX_TICKS: u64 = 100_000_000;

impl SimConfig {
    pub(super) fn validate(&self, file: &Path) -> anyhow::Result<()> {
        let at = file.display();
        if self.name.trim().is_empty() {
            bail!("{at}: [sim] name must not be empty");
        }
        if self.tick.seconds() == 0 {
            bail!("{at}: [sim] tick must be longer than 0s");
        }
        match (self.duration, self.ticks) {
            (Some(_), Some(_)) => bail!("{at}: [sim] give either duration or ticks, not both"),
            (None, None) => bail!("{at}: [sim] needs duration (e.g. \"365d\") or ticks"),
            (Some(d), None) if d.seconds() < self.tick.seconds() => {
                bail!("{at}: [sim] duration {d} is shorter than one tick ({})", self.tick)
            }
            (None, Some(0)) => bail!("{at}: [sim] ticks must be at least 1"),
            _ => {}
        }
        let ticks = self.ticks.or(self.duration.map(|d| d.seconds() / self.tick.seconds())).unwrap_or(0);
        let most = self.max_ticks.unwrap_or(MAX_TICKS);
        if ticks > most {
            let asked = match self.duration {
                Some(d) => format!("duration {d} in ticks of {}", self.tick),
                None => format!("ticks = {ticks}"),
            };
            bail!("{at}: [sim] {asked} makes {ticks} ticks; a run may have at most {most}: use a longer tick or a shorter duration, or raise the limit with [sim] max_ticks");
        }
        if let Some(every) = self.log_every {
            if every.seconds() == 0 {
                bail!("{at}: [sim] log_every must be longer than 0s");
            }
        }
        Ok(())
    }

    /// The run's clock.
    pub fn clock(&self) -> anyhow::Result<SimClock> {
        let tick_seconds = self.tick.seconds().max(1);
        let ticks = match (self.ticks, self.duration) {
            (Some(ticks), _) => ticks,
            (None, Some(duration)) => duration.seconds() / tick_seconds,
            (None, None) => bail!("[sim] needs duration or ticks"),
        };
        let log_every = self.log_every.map_or(1, |every| (every.seconds() / tick_seconds).max(1));
        Ok(SimClock { tick_seconds, ticks, log_every, shuffle: self.shuffle })
    }
}

/// `[contracts]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContractsConfig {
    /// Which build: `"own"` (the project's contracts, embedded in the binary),
    /// or a path (relative to the netlist) to a Foundry `out/`, Hardhat
    /// `artifacts/`, Truffle `build/contracts/` folder, an npm package holding
    /// one, or a solc standard-JSON output file.
    #[serde(default = "own")]
    pub build: String,
    /// A Solidity project (path relative to the netlist: a Foundry or
    /// Hardhat project, or a folder of `.sol` files) compiled at load by the
    /// same path as `tsp build`, cached by content, and used as `build`.
    pub sources: Option<String>,
    /// The adapter mapping a model's roles onto a build path: a built-in name
    /// or a TOML file; default: the built-in one for the build's npm package.
    pub adapter: Option<String>,
    /// Role → contract name, overriding the adapter's `[roles]`.
    #[serde(default)]
    pub roles: std::collections::BTreeMap<String, String>,
}

fn own() -> String {
    "own".to_string()
}

impl Default for ContractsConfig {
    fn default() -> Self {
        Self { build: own(), sources: None, adapter: None, roles: Default::default() }
    }
}

/// `[kpis]`.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct KpisConfig {
    /// Column patterns to chart by default (`*` matches within a name).
    #[serde(default)]
    pub include: Vec<String>,
}

/// `[[chart]]`: a chart as the plot layer draws it.
pub use crate::plot::ChartSpec as ChartConfig;

/// A whole netlist after parsing (agents still as raw tables).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Netlist {
    /// `[sim]`.
    pub sim: SimConfig,
    /// `[contracts]`.
    pub contracts: ContractsConfig,
    /// `[kpis]`.
    pub kpis: KpisConfig,
    /// `[[chart]]`.
    pub charts: Vec<ChartConfig>,
    /// Each active model's own table (`[<model name>]`), as written.
    pub models: std::collections::BTreeMap<String, toml::Value>,
    /// `[[contract]]` tables with their lines.
    #[serde(serialize_with = "without_lines")]
    pub contract_tables: Vec<(usize, ContractTable)>,
    /// `[[series]]`.
    pub series: Vec<SeriesSpec>,
    /// `[[kpi]]` tables with their lines.
    #[serde(serialize_with = "without_lines")]
    pub kpi_tables: Vec<(usize, KpiTable)>,
    /// `[[invariant]]` tables with their lines.
    #[serde(serialize_with = "without_lines")]
    pub invariant_tables: Vec<(usize, InvariantTable)>,
    /// `[script]`.
    pub script: ScriptTable,
    /// `[study]`: the sweep `tsp sweep` runs when given no factors.
    pub study: crate::study::StudyTable,
    /// `[[agent]]` tables with the file and line each starts on (own ones
    /// first, then those of `include`d files, in order).
    #[serde(skip)]
    pub agent_tables: Vec<AgentTable>,
}

/// Serialise `(line, table)` pairs as the tables alone (run.json).
fn without_lines<T: serde::Serialize, S: serde::Serializer>(
    items: &[(usize, T)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(items.iter().map(|(_, item)| item))
}

/// An array of tables (`[[kpi]]`), each parsed strictly, with the line it starts on.
fn tables<T: serde::de::DeserializeOwned>(
    file: &Path,
    text: &str,
    document: &mut toml::Table,
    key: &str,
) -> anyhow::Result<Vec<(usize, T)>> {
    let header = format!("[[{key}]]");
    let Some(value) = document.remove(key) else { return Ok(Vec::new()) };
    let toml::Value::Array(items) = value else {
        bail!("{}: `{key}` must be an array of tables: write {header}", file.display());
    };
    let mut parsed = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let line = line_of(text, &header, i).unwrap_or(0);
        let table: T = item.try_into().map_err(|e: toml::de::Error| {
            anyhow::anyhow!("{}:{line}: {header} #{}: {}", file.display(), i + 1, e.message())
        })?;
        parsed.push((line, table));
    }
    Ok(parsed)
}

/// The line (1-based) where the `n`-th occurrence of `header` starts.
fn line_of(text: &str, header: &str, n: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with(header))
        .nth(n)
        .map(|(i, _)| i + 1)
}

/// Lines of the `sub` headers (`[[contract.call]]`) that follow the table
/// starting on `line`, up to the next header of another table.
fn sub_headers(text: &str, line: usize, sub: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .skip(line)
        .map(|(i, l)| (i + 1, l.trim_start()))
        .filter(|(_, l)| {
            // A header (`[name]`, `[[name]]`), not a line of a multi-line array.
            l.starts_with('[')
                && l.trim_start_matches('[').starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        })
        .take_while(|(_, l)| l.starts_with(sub))
        .map(|(i, _)| i)
        .collect()
}

fn section<T: serde::de::DeserializeOwned + Default>(
    file: &Path,
    text: &str,
    document: &mut toml::Table,
    key: &str,
) -> anyhow::Result<T> {
    match document.remove(key) {
        None => Ok(T::default()),
        Some(value) => value.try_into().map_err(|e: toml::de::Error| {
            let line = line_of(text, &format!("[{key}]"), 0).map_or(String::new(), |l| format!(":{l}"));
            anyhow::anyhow!("{}{line}: [{key}]: {}", file.display(), e.message())
        }),
    }
}

/// Parse a netlist `document` read from `text` (`overridden`: `--set`
/// changed it, so `[sim]` is read from the document, not the text).
pub(super) fn parse(
    file: &Path,
    text: &str,
    mut document: toml::Table,
    overridden: bool,
) -> anyhow::Result<Netlist> {
    let at = file.display();
    let Some(sim_value) = document.remove("sim") else {
        bail!("{at}: missing [sim] table (name, tick, duration)")
    };
    /// Only `[sim]`, parsed from the text so that errors carry line, column and the key.
    #[derive(Deserialize)]
    struct SimOnly {
        sim: SimConfig,
    }
    let sim = match toml::from_str::<SimOnly>(text) {
        Err(e) if !overridden => bail!("{at}: [sim]: {}", e.to_string().trim_end()),
        Ok(parsed) if !overridden => parsed.sim,
        _ => {
            // Re-read the overridden table as text, so the error quotes the key and its value.
            let mut wrapped = toml::Table::new();
            wrapped.insert("sim".to_string(), sim_value);
            let rendered = toml::to_string(&wrapped)?;
            toml::from_str::<SimOnly>(&rendered)
                .map_err(|e| {
                    let line = line_of(text, "[sim]", 0).map_or(String::new(), |l| format!(":{l}"));
                    let quoted = e.span().and_then(|span| rendered.get(span)).unwrap_or_default();
                    let key = rendered[..e.span().map_or(0, |s| s.start)].lines().last().unwrap_or_default();
                    anyhow::anyhow!("{at}{line}: [sim] (with --set): {}{quoted}: {}", key.trim(), e.message())
                })?
                .sim
        }
    };
    let contracts: ContractsConfig = section(file, text, &mut document, "contracts")?;
    let kpis: KpisConfig = section(file, text, &mut document, "kpis")?;
    let mut models = std::collections::BTreeMap::new();
    for model in MODELS {
        if let Some(table) = document.remove(model.name()) {
            models.insert(model.name().to_string(), table);
        }
    }
    let mut contract_tables: Vec<(usize, ContractTable)> = tables(file, text, &mut document, "contract")?;
    for (line, table) in &mut contract_tables {
        table.call_lines = sub_headers(text, *line, "[[contract.call]]");
    }
    let series = tables::<SeriesSpec>(file, text, &mut document, "series")?
        .into_iter()
        .map(|(line, spec)| SeriesSpec { line, ..spec })
        .collect();
    let kpi_tables = tables(file, text, &mut document, "kpi")?;
    let invariant_tables = tables(file, text, &mut document, "invariant")?;
    let script: ScriptTable = section(file, text, &mut document, "script")?;
    let study: crate::study::StudyTable = section(file, text, &mut document, "study")?;
    let charts = match document.remove("chart") {
        None => Vec::new(),
        Some(value) => value
            .try_into()
            .map_err(|e: toml::de::Error| anyhow::anyhow!("{at}: [[chart]]: {}", e.message()))?,
    };
    let mut agent_tables = agent_tables_of(&at.to_string(), text, document.remove("agent"))?;
    let includes: Vec<String> = match document.remove("include") {
        None => Vec::new(),
        Some(value) => value.try_into().map_err(|_| {
            anyhow::anyhow!(
                "{at}: `include` must be a list of netlist files, e.g. include = [\"population.toml\"]"
            )
        })?,
    };
    for include in includes {
        let path = file.parent().unwrap_or(Path::new(".")).join(&include);
        let shown = path.display().to_string();
        let text =
            read_text(&path).map_err(|e| anyhow::anyhow!("{at}: include {include:?}: {shown}: {e}"))?;
        let mut included: toml::Table =
            text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{shown}: {e}"))?;
        agent_tables.extend(agent_tables_of(&shown, &text, included.remove("agent"))?);
        if let Some(key) = included.keys().next() {
            bail!("{shown}: an included file holds only [[agent]] tables, found `{key}`");
        }
    }
    if let Some(key) = document.keys().next() {
        let models: Vec<&str> = MODELS.iter().map(|m| m.name()).collect();
        bail!(
            "{at}: unknown top-level key `{key}`; expected sim, contracts, contract, agent, include, series, script, kpi, invariant, kpis, chart, study, or a model's table ({})",
            models.join(", ")
        );
    }
    Ok(Netlist {
        sim,
        contracts,
        kpis,
        charts,
        models,
        contract_tables,
        series,
        kpi_tables,
        invariant_tables,
        script,
        study,
        agent_tables,
    })
}

/// The text of a netlist or included file. A FIFO, a device (`/dev/zero`)
/// or a folder is refused before reading: it would block or never end.
/// Errors do not repeat the path; callers put it in front.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let metadata = std::fs::metadata(path).map_err(|e| anyhow::anyhow!("cannot read: {e}"))?;
    if !metadata.is_file() {
        bail!("cannot read: not a regular file (a netlist is a TOML file, not a FIFO, device or folder)");
    }
    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read: {e}"))
}

/// One `[[agent]]` table as written, with where it is.
#[derive(Debug, Clone)]
pub struct AgentTable {
    /// The file it is in.
    pub origin: String,
    /// Its line.
    pub line: usize,
    /// Its keys.
    pub table: toml::Table,
    /// Lines of its `[[agent.behaviour]]` headers, in order.
    pub step_lines: Vec<usize>,
}

fn agent_tables_of(origin: &str, text: &str, value: Option<toml::Value>) -> anyhow::Result<Vec<AgentTable>> {
    let mut tables = Vec::new();
    let headers: Vec<(usize, bool)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line_text = line.trim_start();
            if line_text.starts_with("[[agent]]") {
                Some((i + 1, true))
            } else if line_text.starts_with("[[agent.behaviour]]") {
                Some((i + 1, false))
            } else {
                None
            }
        })
        .collect();
    // Positions in `headers` of the `[[agent]]` headers: the i-th table's
    // line, and its behaviours' lines up to the next one (linear, not a scan per table).
    let starts: Vec<usize> =
        headers.iter().enumerate().filter(|(_, (_, agent))| *agent).map(|(k, _)| k).collect();
    match value {
        None => {}
        Some(toml::Value::Array(items)) => {
            for (i, item) in items.into_iter().enumerate() {
                let start = starts.get(i).copied();
                let line = start.map_or(0, |k| headers[k].0);
                let step_lines = start
                    .map(|k| {
                        headers[k + 1..].iter().take_while(|(_, agent)| !agent).map(|(l, _)| *l).collect()
                    })
                    .unwrap_or_default();
                match item {
                    toml::Value::Table(table) => {
                        tables.push(AgentTable { origin: origin.to_string(), line, table, step_lines })
                    }
                    _ => bail!("{origin}:{line}: [[agent]] #{} must be a table", i + 1),
                }
            }
        }
        Some(_) => bail!("{origin}: `agent` must be an array of tables: write [[agent]]"),
    }
    Ok(tables)
}

/// The core's agent types: `(type, what it does)`.
pub const CORE_AGENT_TYPES: &[(&str, &str)] = &[
    (
        "eoa",
        "an EOA with starting balances, a memory and behaviours: contract calls on schedules and conditions",
    ),
    ("scripted", "an EOA with timed actions: calls, transfers, a model's operations"),
    (
        "attacker",
        "an EOA that, on a schedule, searches the live world for its most profitable sequence of operations and carries it out",
    ),
];

/// Every agent type a netlist may use, with who provides it (`core` or a model).
pub fn agent_types() -> Vec<(&'static str, &'static str)> {
    let external = crate::agents::external::EXTERNAL_AGENT_TYPES.iter();
    let core = CORE_AGENT_TYPES.iter().chain(external).map(|(t, _)| (*t, "core"));
    core.chain(MODELS.iter().flat_map(|m| m.agent_types().iter().map(|(t, _)| (*t, m.name())))).collect()
}
