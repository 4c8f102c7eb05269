//! [`attack`]: an attack end to end — the netlist run up to the moment, the
//! search, the shrinking, the replay with its trace and victims, and the
//! replay netlist.

use super::netlist::{attacker_netlist, ATTACKER};
use super::search::{search, Move, SearchSettings};
use super::shrink::shrink;
use super::spec::AttackSpec;
use super::target::WorldTarget;
use crate::agents::{GenericConfig, SimDuration};
use crate::netlist::{load, LoadedNetlist};
use crate::script::Origin;
use anyhow::{bail, Context};
use std::path::Path;

/// The moment, the search's size and the shrinking.
#[derive(Debug, Clone)]
pub struct AttackSettings {
    /// When to attack: simulated time since the start (`"30d"`), at least one tick.
    pub at: String,
    /// The search.
    pub search: SearchSettings,
    /// Shrinking keeps a change when the profit stays at least this share of the best's.
    pub keep: f64,
}

/// One step of the found sequence, replayed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TraceRow {
    /// 1-based position (moves first, then the unwind steps).
    pub step: usize,
    /// The action (`@pool swap`) or `unwind N`.
    pub action: String,
    /// The amount parameter (none for unwind steps).
    pub x: Option<f64>,
    /// The revert label, when the step reverted.
    pub reverted: Option<String>,
    /// The attacker's net worth after the step, in the numeraire.
    pub attacker_value: f64,
}

/// What an attack found, with the budget it used.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AttackReport {
    /// The netlist attacked.
    pub netlist: String,
    /// The moment (as given) and the ticks run before it.
    pub at: String,
    /// Ticks the netlist ran before the attack.
    pub ticks_before: u64,
    /// The numeraire.
    pub numeraire: String,
    /// The actions the search chose from.
    pub actions: Vec<String>,
    /// The most moves in a sequence.
    pub horizon: usize,
    /// Candidates per generation.
    pub population: usize,
    /// The search's seed.
    pub seed: u64,
    /// Candidates evaluated by the search (shrinking not counted).
    pub evaluated: u64,
    /// Replays spent shrinking.
    pub shrink_evals: u64,
    /// `(candidates evaluated, best profit)` after each generation.
    pub growth: Vec<(u64, f64)>,
    /// The attacker's net worth before the attack.
    pub capital: f64,
    /// The best sequence the search found and its profit.
    pub found: Vec<Move>,
    /// Its profit in the numeraire.
    pub found_profit: f64,
    /// The shrunk sequence (what the replay netlist runs).
    pub moves: Vec<Move>,
    /// Its profit in the numeraire.
    pub profit: f64,
    /// The spec's `pool` and its value before the attack, if it names one.
    pub pool: Option<(String, f64)>,
    /// The profit in % of the pool's value.
    pub profit_pct_of_pool: Option<f64>,
    /// What each named account lost (positive) or gained (negative), largest loss first.
    pub losses: Vec<(String, f64)>,
    /// Reverted steps of the search's candidates, by action and reason.
    pub reverts: std::collections::BTreeMap<String, u64>,
    /// The shrunk sequence step by step.
    pub trace: Vec<TraceRow>,
    /// The replay netlist (TOML), written beside the search netlist.
    #[serde(skip)]
    pub replay: String,
}

/// The ticks `loaded` runs before an attack at `at` (a duration; `flag`
/// names its option in messages): at least one, at most the run's.
pub fn moment(loaded: &LoadedNetlist, flag: &str, at: &str) -> anyhow::Result<u64> {
    let duration = SimDuration::parse(at).map_err(|e| anyhow::anyhow!("{flag} {at:?}: {e}"))?;
    let tick = loaded.netlist.sim.tick;
    let ticks_before = duration.seconds() / tick.seconds().max(1);
    if ticks_before == 0 {
        bail!("{flag} {at}: attack after at least one tick ({tick}), when the netlist's agents have acted");
    }
    let ticks = loaded.netlist.sim.clock()?.ticks;
    if ticks_before > ticks {
        bail!(
            "{flag} {at}: after the end of {} ({ticks} ticks of {tick}); attack within the run, or lengthen it \
             with --set sim.duration=...",
            loaded.file.display()
        );
    }
    Ok(ticks_before)
}

/// Check an attack before anything runs or is written: the moment (see
/// [`moment`]), the spec's actions and unwind steps as the attacker's steps
/// in `netlist`, and its valuation. Errors name the spec's file and its
/// `[[action]]` or `[[unwind]]` by number.
pub fn check(
    netlist: &Path,
    overrides: &[String],
    spec: &AttackSpec,
    flag: &str,
    at: &str,
) -> anyhow::Result<()> {
    let original = load(netlist, overrides)?;
    let ticks_before = moment(&original, flag, at)?;
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let path = dir.path().join("search.toml");
    let text = attacker_netlist(netlist, dir.path(), spec, at, ticks_before + 1, None)?;
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    let loaded = load(&path, &search_overrides(overrides)).map_err(|e| in_spec_terms(spec, e))?;
    let origin = Origin::new(&spec.source, 0, "value");
    let script = super::target::compile(&spec.value, &origin, loaded.library.as_ref())?;
    script.check_calls()?;
    script.check_variables(&["self".to_owned()])?;
    Ok(())
}

/// The overrides for the search netlist: all but the run's length
/// (`sim.duration`, `sim.ticks`), which the search sets to end at the moment.
fn search_overrides(overrides: &[String]) -> Vec<String> {
    let sets_length = |o: &String| {
        let key = o.split_once('=').map_or(o.as_str(), |(key, _)| key).trim();
        key == "sim.duration" || key == "sim.ticks"
    };
    overrides.iter().filter(|o| !sets_length(o)).cloned().collect()
}

/// An error of the attacker's steps, told in the spec's terms (`spec.toml:
/// action 2, ...` or `unwind 1, ...`); any other error as it is.
fn in_spec_terms(spec: &AttackSpec, error: anyhow::Error) -> anyhow::Error {
    let message = format!("{error:#}");
    match message.split_once(&format!("agent {ATTACKER}, ")) {
        Some((_, step)) => anyhow::anyhow!("{}: {}", spec.source, spec_step(step, spec.actions.len())),
        None => error,
    }
}

/// `action K...` of the attacker's steps (its actions, then the unwind
/// steps) as the spec numbers them: `action K` or `unwind J`.
fn spec_step(message: &str, actions: usize) -> String {
    let number = message.strip_prefix("action ").and_then(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((digits.parse::<usize>().ok()?, rest[digits.len()..].to_owned()))
    });
    match number {
        Some((k, rest)) if k > actions => format!("unwind {}{rest}", k - actions),
        _ => message.to_owned(),
    }
}

/// Attack `netlist` (with `overrides`, as `tsp run --set`) by `spec`:
/// write the search netlist to `dir/search.toml`, run it up to the moment,
/// search, shrink and replay. The replay netlist's text is in the report
/// (paths in it relative to `dir`).
pub fn attack(
    netlist: &Path,
    overrides: &[String],
    spec: &AttackSpec,
    settings: &AttackSettings,
    dir: &Path,
) -> anyhow::Result<AttackReport> {
    search_netlist(netlist, overrides, spec, settings, dir).map_err(|e| in_spec_terms(spec, e))
}

fn search_netlist(
    netlist: &Path,
    overrides: &[String],
    spec: &AttackSpec,
    settings: &AttackSettings,
    dir: &Path,
) -> anyhow::Result<AttackReport> {
    let original = load(netlist, overrides)?;
    let shown = netlist.display().to_string();
    let ticks_before = moment(&original, "--at", &settings.at)?;
    let search_path = dir.join("search.toml");
    let text = attacker_netlist(netlist, dir, spec, &settings.at, ticks_before + 1, None)?;
    std::fs::write(&search_path, text).with_context(|| format!("writing {}", search_path.display()))?;
    let loaded = load(&search_path, &search_overrides(overrides))
        .with_context(|| format!("{shown} with the attack's actions"))?;
    let attacker =
        loaded.agents.iter().find(|a| a.name == ATTACKER).context("the attacker agent is missing")?;
    let config =
        attacker.config.as_any().downcast_ref::<GenericConfig>().context("the attacker is not scripted")?;
    let steps = config.steps().to_vec();
    let (actions, unwind) = steps.split_at(spec.actions.len());
    let value = (spec.value.as_str(), Origin::new(&spec.source, 0, "value"), loaded.library.as_ref());

    let mut engine = loaded.build()?;
    engine.run(|_, _, _| Ok(()), |tick| tick + 1 < ticks_before)?;
    let world = engine.world_mut();
    world.sync_events();
    world.tick = ticks_before;
    let pool_address = match &spec.pool {
        Some(name) => Some(world.book.address(name).with_context(|| {
            format!("the attack's `pool` = {name:?}: no such name in the address book of {shown}")
        })?),
        None => None,
    };
    let mut target = WorldTarget::new(world, actions.to_vec(), unwind.to_vec(), value, ATTACKER)?;
    let capital = target.base();
    let result = search(&mut target, &settings.search)?;
    let reverts = target.reverts().clone();
    let (shrunk, shrink_evals) = shrink(&mut target, &result.best, settings.keep, 200)?;
    let super::target::Replay { steps: rows, profit, mut losses } = target.replay(&shrunk.moves)?;
    let pool = match (&spec.pool, pool_address) {
        (Some(name), Some(address)) => Some((name.clone(), target.value_of(address)?)),
        _ => None,
    };
    losses.retain(|(_, loss)| loss.abs() > 1e-9);
    losses.sort_by(|a, b| b.1.total_cmp(&a.1));
    let labels = spec.labels();
    let trace = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let (action, x) = match shrunk.moves.get(i) {
                Some(m) => (labels[m.action].clone(), Some(m.x)),
                None => (format!("unwind {}", i - shrunk.moves.len() + 1), None),
            };
            TraceRow { step: i + 1, action, x, reverted: row.reverted, attacker_value: row.value }
        })
        .collect();
    let replay = attacker_netlist(netlist, dir, spec, &settings.at, ticks_before + 1, Some(&shrunk.moves))?;
    Ok(AttackReport {
        netlist: shown,
        at: settings.at.clone(),
        ticks_before,
        numeraire: spec.numeraire.clone(),
        actions: labels,
        horizon: settings.search.horizon,
        population: settings.search.population,
        seed: settings.search.seed,
        evaluated: result.evaluated,
        shrink_evals,
        growth: result.growth,
        capital,
        found: result.best.moves,
        found_profit: result.best.profit,
        moves: shrunk.moves,
        profit,
        profit_pct_of_pool: pool.as_ref().filter(|(_, v)| *v > 0.0).map(|(_, v)| 100.0 * profit / v),
        pool,
        losses,
        reverts,
        trace,
        replay,
    })
}
