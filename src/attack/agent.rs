//! `type = "attacker"`: an agent of any netlist that, on its schedule,
//! searches the live world for its most profitable sequence of operations
//! (as `tsp attack` does at one moment: cross-entropy search over what-ifs,
//! then shrinking) and carries the sequence out for real when it earns more
//! than `min_profit`. Attacks repeat across the run's ticks, against
//! whatever state the other agents have made.
//!
//! ```toml
//! [[agent]]
//! type = "attacker"
//! name = "mev"
//! spec = "attack.toml"   # a spec file (relative to the netlist), or a model's name for its own attack
//! every = "1d"           # when it searches (never at tick 0)
//! horizon = 3            # the most operations in a sequence
//! budget = 300           # candidates per search
//! population = 50        # candidates per generation
//! min_profit = 0.0       # act only above this profit, in the spec's numeraire
//! ```
//!
//! Funded with the spec's `fund`; its balances are KPI columns as any
//! generic agent's, and the counters `<name>.attacks`, `<name>.attack_profit`
//! (realised, in the numeraire) and `<name>.candidates` are readable by
//! `counter("...")` in KPIs.
//!
//! # Errors
//! A missing or unreadable spec, a step of the spec that does not parse in
//! this netlist, a bad value expression or key: errors naming the netlist,
//! line, agent and spec, when the netlist loads.

use super::search::{search, SearchSettings};
use super::shrink::shrink;
use super::spec::AttackSpec;
use super::target::WorldTarget;
use crate::agents::action::{ActionContext, Step};
use crate::agents::external::{Behaviour, BehaviourClass};
use crate::agents::{GenericConfig, GenericKind, ParseContext, Schedule, SimDuration};
use crate::script::{Library, Origin, Script};
use anyhow::{bail, Context};
use std::sync::Arc;

/// What an attacker does, shared by the agents of one `[[agent]]` table.
#[derive(Debug)]
struct Plan {
    actions: Vec<Step>,
    unwind: Vec<Step>,
    /// The valuation's source, origin and the netlist's library.
    value: (String, Origin, Option<Library>),
    schedule: Schedule,
    search: SearchSettings,
    min_profit: f64,
}

/// Builds an [`Attacker`] per agent of the table.
#[derive(Debug)]
struct AttackerClass(Arc<Plan>);

impl BehaviourClass for AttackerClass {
    fn build(&self, name: &str, _params: &toml::Table) -> anyhow::Result<Box<dyn Behaviour>> {
        Ok(Box::new(Attacker { plan: Arc::clone(&self.0), name: name.to_owned() }))
    }
}

/// One attacker's behaviour.
#[derive(Debug)]
struct Attacker {
    plan: Arc<Plan>,
    name: String,
}

impl Behaviour for Attacker {
    fn step(&mut self, ctx: &mut ActionContext<'_>) -> anyhow::Result<()> {
        let tick = ctx.world.tick;
        let plan = &*self.plan;
        if tick == 0 || !plan.schedule.due(tick) {
            return Ok(());
        }
        // The search's stream: one per run seed and tick.
        let seed = ctx.world.seed.wrapping_mul(1_000_003).wrapping_add(tick);
        let (source, origin, library) = &plan.value;
        let value = (source.as_str(), origin.clone(), library.as_ref());
        let mut target =
            WorldTarget::new(ctx.world, plan.actions.clone(), plan.unwind.clone(), value, &self.name)?;
        let result = search(&mut target, &SearchSettings { seed, ..plan.search })?;
        let mut realised = None;
        if result.best.profit > plan.min_profit {
            let (shrunk, _) = shrink(&mut target, &result.best, 0.9, 200)?;
            realised = Some(target.execute(&shrunk.moves)?);
        }
        drop(target);
        let counters = &mut ctx.world.counters;
        *counters.entry(format!("{}.candidates", self.name)).or_default() += result.evaluated as f64;
        if let Some(profit) = realised {
            *counters.entry(format!("{}.attacks", self.name)).or_default() += 1.0;
            *counters.entry(format!("{}.attack_profit", self.name)).or_default() += profit;
        }
        Ok(())
    }
}

/// Parse `type = "attacker"` (its `type`, `name` and `count` already taken).
pub fn parse_attacker(mut table: toml::Table, ctx: &ParseContext<'_>) -> anyhow::Result<GenericConfig> {
    let at = format!("{}:{}: agent {}", ctx.file, ctx.line, ctx.agent);
    let mut text = |key: &str| -> anyhow::Result<Option<String>> {
        match table.remove(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s)),
            Some(other) => bail!("{at}: `{key}` must be a non-empty string, found {other}"),
        }
    };
    let Some(spec_name) = text("spec")? else {
        bail!("{at}: an attacker needs `spec`: a spec file (see docs/attack.md) or a model's name for its own attack")
    };
    let every = text("every")?.unwrap_or_else(|| "1d".to_owned());
    let every = SimDuration::parse(&every).map_err(|e| anyhow::anyhow!("{at}: `every`: {e}"))?;
    let defaults = SearchSettings { horizon: 3, budget: 300, population: 50, seed: 0 };
    let mut count = |key: &str, default: u64| -> anyhow::Result<u64> {
        match table.remove(key) {
            None => Ok(default),
            Some(toml::Value::Integer(n)) if (1..=1_000_000).contains(&n) => Ok(n as u64),
            Some(other) => bail!("{at}: `{key}` must be an integer from 1 to 1000000, found {other}"),
        }
    };
    let horizon = count("horizon", defaults.horizon as u64)? as usize;
    let budget = count("budget", defaults.budget)?;
    let population = count("population", defaults.population as u64)? as usize;
    let min_profit = match table.remove("min_profit") {
        None => 0.0,
        Some(toml::Value::Float(v)) if v.is_finite() => v,
        Some(toml::Value::Integer(v)) => v as f64,
        Some(other) => bail!("{at}: `min_profit` must be a number (in the spec's numeraire), found {other}"),
    };
    if let Some(key) = table.keys().next() {
        bail!("{at}: unknown key `{key}` (expected spec, every, horizon, budget, population, min_profit)");
    }
    let spec = read_spec(&spec_name, ctx).with_context(|| format!("{at}: spec = {spec_name:?}"))?;
    let mut eoa = toml::Table::new();
    eoa.insert("fund".into(), toml::Value::Table(spec.fund.clone()));
    eoa.insert("params".into(), toml::Value::Table(toml::Table::from_iter([("x".to_owned(), 0.0.into())])));
    let steps = spec.actions.iter().chain(&spec.unwind).cloned().map(toml::Value::Table);
    eoa.insert("behaviour".into(), toml::Value::Array(steps.collect()));
    let steps_ctx = ParseContext { step_lines: &[], ..*ctx };
    let parsed = GenericConfig::parse_kind(eoa, GenericKind::Eoa, &steps_ctx).with_context(|| {
        format!(
            "{at}: the steps of {} (its [[action]]s, then its [[unwind]] steps, numbered as behaviours)",
            spec.source
        )
    })?;
    let origin = Origin::new(&spec.source, 0, "value");
    let script = match ctx.library {
        Some(library) => Script::expression(&spec.value, origin.clone())?.with_library(library),
        None => Script::expression(&spec.value, origin.clone())?,
    };
    script.check_calls()?;
    script.check_variables(&["self".to_owned()])?;
    let (actions, unwind) = parsed.steps().split_at(spec.actions.len());
    let plan = Plan {
        actions: actions.to_vec(),
        unwind: unwind.to_vec(),
        value: (spec.value.clone(), origin, ctx.library.cloned()),
        schedule: Schedule::new(every, ctx.tick_seconds),
        search: SearchSettings { horizon, budget, population, seed: 0 },
        min_profit,
    };
    Ok(parsed.acting_through(Arc::new(AttackerClass(Arc::new(plan)))))
}

/// A spec file relative to the netlist, or a model's own attack by the model's name.
fn read_spec(name: &str, ctx: &ParseContext<'_>) -> anyhow::Result<AttackSpec> {
    if let Some(model) = crate::models::MODELS.iter().find(|m| m.name() == name) {
        let text = model
            .attack_spec()
            .with_context(|| format!("the {name} model offers no default attack; give a spec file"))?;
        return AttackSpec::parse(text, &format!("the {name} model's default attack"));
    }
    let dir = std::path::Path::new(ctx.file).parent().unwrap_or(std::path::Path::new("."));
    AttackSpec::read(&dir.join(name))
}
