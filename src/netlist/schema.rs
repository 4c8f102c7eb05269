//! The netlist schema: `[sim]`, `[contracts]`, `[[agent]]`, `[kpis]`,
//! `[[chart]]`, each deserialised strictly (unknown keys are errors).

use crate::agents::{
    Agent, ConsumerConfig, Design, GrantGiverConfig, GrantTakerConfig, PublisherConfig, ScriptedConfig,
    SimDuration, SpeculatorConfig, StakerConfig, StakerSpeculatorConfig, VestingBeneficiaryConfig,
    VestingFunderConfig,
};
use crate::engine::{CriteriaConfig, SimClock};
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
}

fn yes() -> bool {
    true
}

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
    /// The adapter for a build path: a built-in name (`own-v3`,
    /// `ocean-0.6.9`, ...) or a TOML file; default: the built-in one for the
    /// build's npm package, else `own-<design>`.
    pub adapter: Option<String>,
    /// Role → contract name, overriding the adapter's `[roles]`.
    #[serde(default)]
    pub roles: std::collections::BTreeMap<String, String>,
    /// Which market design: `"v3"` (default) or `"v4"` (V4 as deployed, or
    /// V4.1 when the publishers set its parameters).
    #[serde(default = "v3")]
    pub design: Design,
    /// A label for reports, e.g. `"v41"` (default: the design).
    pub label: Option<String>,
}

fn v3() -> Design {
    Design::V3
}

impl ContractsConfig {
    /// The design's label for reports (`label`, else `v3` / `v4`).
    pub fn design_label(&self) -> String {
        self.label.clone().unwrap_or_else(|| match self.design {
            Design::V3 => "v3".to_string(),
            Design::V4 => "v4".to_string(),
        })
    }
}

fn own() -> String {
    "own".to_string()
}

impl Default for ContractsConfig {
    fn default() -> Self {
        Self { build: own(), adapter: None, roles: Default::default(), design: Design::V3, label: None }
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

/// `[[chart]]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChartConfig {
    /// Title (and file name) of the chart.
    pub title: String,
    /// KPI columns or patterns like `pool.*.spot_price`.
    pub kpis: Vec<String>,
    /// Logarithmic y axis.
    #[serde(default)]
    pub log_y: bool,
    /// Y axis label with units.
    pub y_label: Option<String>,
}

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
    /// `[criteria]`: how the comparison criteria are measured.
    pub criteria: CriteriaConfig,
    /// `[[agent]]` tables with the file and line each starts on (own ones
    /// first, then those of `include`d files, in order).
    #[serde(skip)]
    pub agent_tables: Vec<(String, usize, toml::Table)>,
}

/// The line (1-based) where the `n`-th occurrence of `header` starts.
fn line_of(text: &str, header: &str, n: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.trim_start().starts_with(header))
        .nth(n)
        .map(|(i, _)| i + 1)
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

pub(super) fn parse(file: &Path, text: &str, mut document: toml::Table) -> anyhow::Result<Netlist> {
    let at = file.display();
    let Some(_) = document.remove("sim") else { bail!("{at}: missing [sim] table (name, tick, duration)") };
    /// Only `[sim]`, parsed from the text so that errors carry line, column and the key.
    #[derive(Deserialize)]
    struct SimOnly {
        sim: SimConfig,
    }
    let sim = toml::from_str::<SimOnly>(text)
        .map_err(|e| anyhow::anyhow!("{at}: [sim]: {}", e.to_string().trim_end()))?
        .sim;
    let contracts: ContractsConfig = section(file, text, &mut document, "contracts")?;
    if contracts.build == "own" && (contracts.adapter.is_some() || !contracts.roles.is_empty()) {
        bail!("{at}: [contracts] adapter and roles apply to a build path; build = \"own\" uses the typed bindings");
    }
    let kpis: KpisConfig = section(file, text, &mut document, "kpis")?;
    let criteria: CriteriaConfig = section(file, text, &mut document, "criteria")?;
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
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{at}: include {include:?}: cannot read {shown}: {e}"))?;
        let mut included: toml::Table =
            text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{shown}: {e}"))?;
        agent_tables.extend(agent_tables_of(&shown, &text, included.remove("agent"))?);
        if let Some(key) = included.keys().next() {
            bail!("{shown}: an included file holds only [[agent]] tables, found `{key}`");
        }
    }
    if let Some(key) = document.keys().next() {
        bail!("{at}: unknown top-level key `{key}`; expected sim, contracts, agent, include, kpis, chart, criteria");
    }
    Ok(Netlist { sim, contracts, kpis, charts, criteria, agent_tables })
}

/// The `[[agent]]` tables of one file, each with its origin and line.
fn agent_tables_of(
    origin: &str,
    text: &str,
    value: Option<toml::Value>,
) -> anyhow::Result<Vec<(String, usize, toml::Table)>> {
    let mut tables = Vec::new();
    match value {
        None => {}
        Some(toml::Value::Array(items)) => {
            for (i, item) in items.into_iter().enumerate() {
                let line = line_of(text, "[[agent]]", i).unwrap_or(0);
                match item {
                    toml::Value::Table(table) => tables.push((origin.to_string(), line, table)),
                    _ => bail!("{origin}:{line}: [[agent]] #{} must be a table", i + 1),
                }
            }
        }
        Some(_) => bail!("{origin}: `agent` must be an array of tables: write [[agent]]"),
    }
    Ok(tables)
}

/// The configuration of one agent type.
#[derive(Debug, Clone)]
pub enum AgentKind {
    /// `publisher`, or `malicious_publisher` (with `rug_after`).
    Publisher(Box<PublisherConfig>),
    /// `consumer`.
    Consumer(ConsumerConfig),
    /// `speculator`.
    Speculator(SpeculatorConfig),
    /// `staker`.
    Staker(StakerConfig),
    /// `grant_giver`.
    GrantGiver(GrantGiverConfig),
    /// `grant_taker`.
    GrantTaker(GrantTakerConfig),
    /// `staker_speculator`.
    StakerSpeculator(StakerSpeculatorConfig),
    /// `vesting_funder`.
    VestingFunder(VestingFunderConfig),
    /// `vesting_beneficiary`.
    VestingBeneficiary(VestingBeneficiaryConfig),
    /// `scripted`.
    Scripted(ScriptedConfig),
}

/// Agent types a netlist may use.
pub const AGENT_TYPES: [&str; 6] =
    ["publisher", "consumer", "speculator", "staker", "grant_giver", "grant_taker"];

/// One agent of the netlist, after `count` expansion.
#[derive(Debug, Clone)]
pub struct AgentSpec {
    /// Unique name.
    pub name: String,
    /// Type and parameters.
    pub kind: AgentKind,
}

impl AgentSpec {
    /// Build the live agent.
    pub fn build(&self, tick_seconds: u64, seed: u64) -> anyhow::Result<Box<dyn Agent>> {
        let name = &self.name;
        Ok(match &self.kind {
            AgentKind::Publisher(c) => Box::new(c.build(name, tick_seconds)?),
            AgentKind::Consumer(c) => Box::new(c.build(name, tick_seconds, seed)?),
            AgentKind::Speculator(c) => Box::new(c.build(name, tick_seconds, seed)?),
            AgentKind::Staker(c) => Box::new(c.build(name, tick_seconds, seed)?),
            AgentKind::GrantGiver(c) => Box::new(c.build(name, tick_seconds)?),
            AgentKind::GrantTaker(c) => Box::new(c.build(name, tick_seconds)?),
            AgentKind::StakerSpeculator(c) => Box::new(c.build(name, tick_seconds, seed)?),
            AgentKind::VestingFunder(c) => Box::new(c.build(name)?),
            AgentKind::VestingBeneficiary(c) => Box::new(c.build(name, tick_seconds)?),
            AgentKind::Scripted(c) => Box::new(c.build(name, tick_seconds)?),
        })
    }

    /// Other agents this one names (a grant giver's taker, a vesting
    /// beneficiary, a scripted transfer's recipient).
    pub fn references(&self) -> Vec<&str> {
        match &self.kind {
            AgentKind::GrantGiver(c) => vec![c.to.as_str()],
            AgentKind::VestingFunder(c) => vec![c.beneficiary.as_str()],
            AgentKind::Scripted(c) => c.actions.iter().filter_map(|a| a.agent()).collect(),
            _ => Vec::new(),
        }
    }

    /// The largest pool index this agent refers to (scripted actions).
    pub fn max_pool_reference(&self) -> Option<usize> {
        match &self.kind {
            AgentKind::Scripted(c) => c.actions.iter().filter_map(|a| a.pool_index()).max(),
            _ => None,
        }
    }

    /// Pools this agent may create in a run (KPI slots to reserve).
    pub fn pools_in(&self, ticks: u64, tick_seconds: u64) -> usize {
        match &self.kind {
            AgentKind::Publisher(c) => c.pools_in(ticks, tick_seconds),
            _ => 0,
        }
    }
}

fn take_string(table: &mut toml::Table, key: &str) -> Result<Option<String>, String> {
    match table.remove(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("`{key}` must be a string, found {}", other.type_str())),
    }
}

/// Deserialise an agent's parameters; the error quotes the offending key's line.
fn params<T: serde::de::DeserializeOwned>(rest: &toml::Table) -> Result<T, String> {
    let text = toml::to_string(rest).map_err(|e| e.to_string())?;
    toml::from_str(&text).map_err(|e| {
        let shown = e.to_string();
        // Drop toml's "parse error at line N" header: N counts within this agent only.
        shown.lines().skip(1).map(str::trim_end).collect::<Vec<_>>().join(" ").trim().to_string()
    })
}

fn parse_kind(kind: &str, rest: toml::Table) -> Result<AgentKind, String> {
    Ok(match kind {
        "publisher" => AgentKind::Publisher(Box::new(params(&rest)?)),
        "malicious_publisher" => {
            let config: PublisherConfig = params(&rest)?;
            if config.rug_after.is_none() {
                return Err("a malicious_publisher needs `rug_after` (e.g. \"10d\")".to_string());
            }
            AgentKind::Publisher(Box::new(config))
        }
        "staker_speculator" => AgentKind::StakerSpeculator(params(&rest)?),
        "vesting_funder" => AgentKind::VestingFunder(params(&rest)?),
        "vesting_beneficiary" => AgentKind::VestingBeneficiary(params(&rest)?),
        "scripted" => AgentKind::Scripted(params(&rest)?),
        "consumer" => AgentKind::Consumer(params(&rest)?),
        "speculator" => AgentKind::Speculator(params(&rest)?),
        "staker" => AgentKind::Staker(params(&rest)?),
        "grant_giver" => AgentKind::GrantGiver(params(&rest)?),
        "grant_taker" => AgentKind::GrantTaker(params(&rest)?),
        other => {
            return Err(format!("unknown agent type {other:?}; expected one of {}", AGENT_TYPES.join(", ")))
        }
    })
}

pub(super) fn expand_agents(file: &Path, netlist: &Netlist) -> anyhow::Result<Vec<AgentSpec>> {
    let mut agents = Vec::new();
    for (i, (origin, line, table)) in netlist.agent_tables.iter().enumerate() {
        let at = format!("{origin}:{line}: [[agent]] #{}", i + 1);
        let mut table = table.clone();
        let kind = take_string(&mut table, "type").map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
        let Some(kind) = kind else { bail!("{at}: missing `type` (one of {})", AGENT_TYPES.join(", ")) };
        let name = take_string(&mut table, "name").map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
        let Some(name) = name.filter(|n| !n.trim().is_empty()) else { bail!("{at}: missing `name`") };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            bail!("{at}: name {name:?} may hold only letters, digits, `_` and `-` (it names KPI columns)");
        }
        let count = match table.remove("count") {
            None => 1,
            Some(toml::Value::Integer(n)) if (1..=10_000).contains(&n) => n as usize,
            Some(other) => bail!("{at} ({name}): `count` must be an integer from 1 to 10000, found {other}"),
        };
        let parsed = parse_kind(&kind, table).map_err(|e| anyhow::anyhow!("{at} ({name}, {kind}): {e}"))?;
        for k in 0..count {
            let name = if count == 1 { name.clone() } else { format!("{name}{k}") };
            if agents.iter().any(|a: &AgentSpec| a.name == name) {
                bail!("{at}: agent name {name:?} is used twice");
            }
            agents.push(AgentSpec { name, kind: parsed.clone() });
        }
    }
    if agents.is_empty() {
        bail!("{}: the netlist has no [[agent]]", file.display());
    }
    Ok(agents)
}
