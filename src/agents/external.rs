//! Agents whose behaviour lives outside the simulator: `type = "python"` in a
//! netlist is an EOA (funded, sampled and named like `eoa`) whose step is a
//! class of the host language, loaded by whoever embeds the simulator — the
//! Python package registers a [`BehaviourLoader`] for `python` when it is
//! imported. The `tsp` binary registers none, so such a netlist is refused
//! at load time with a message saying how to run it.
//!
//! # Errors
//! A type no loader is registered for, and whatever the loader refuses (a
//! missing file or class), name the agent; a failing step stops the run
//! with the agent and the tick (added by the engine).

use super::action::ActionContext;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The agent types behaviours may be loaded for, with one line on each.
pub const EXTERNAL_AGENT_TYPES: &[(&str, &str)] = &[(
    "python",
    "an EOA (funded like eoa) whose step is a Python class (`class = \"file.py:Class\"`); runs through the Python package",
)];

/// A behaviour's step: what an external agent does each tick, with the same
/// context a generic agent's actions get (world, wallet, memory, stream).
pub trait Behaviour: std::fmt::Debug {
    /// Act once.
    fn step(&mut self, ctx: &mut ActionContext<'_>) -> anyhow::Result<()>;
}

/// A loaded behaviour class, checked at load time, that builds one
/// [`Behaviour`] per agent.
pub trait BehaviourClass: std::fmt::Debug + Send + Sync {
    /// The behaviour of the agent called `name`, with its netlist `params`.
    fn build(&self, name: &str, params: &toml::Table) -> anyhow::Result<Box<dyn Behaviour>>;
}

/// Loads behaviour classes of one agent type.
pub trait BehaviourLoader: std::fmt::Debug + Send + Sync {
    /// Load `class` (as written in the netlist) for the agent called `agent`;
    /// `netlist_dir` is the folder relative paths start from.
    fn load(
        &self,
        class: &str,
        agent: &str,
        netlist_dir: &std::path::Path,
    ) -> Result<Arc<dyn BehaviourClass>, String>;
}

static LOADERS: RwLock<BTreeMap<String, Arc<dyn BehaviourLoader>>> = RwLock::new(BTreeMap::new());

/// Register `loader` for agent `kind` (replacing an earlier one).
pub fn register(kind: &str, loader: Arc<dyn BehaviourLoader>) {
    LOADERS.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(kind.to_string(), loader);
}

/// The loader registered for `kind`, if any.
pub fn loader(kind: &str) -> Option<Arc<dyn BehaviourLoader>> {
    LOADERS.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(kind).cloned()
}

/// Why `kind` cannot be loaded here.
pub fn missing_loader(kind: &str) -> String {
    format!(
        "agent type {kind:?} runs only where its language is embedded: run the netlist from Python \
         (`python -m tokenspice run NETLIST`, or `tokenspice.run(...)`); the tsp binary has no {kind} inside"
    )
}
