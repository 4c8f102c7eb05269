//! The generic agents, configured from TOML alone:
//!
//! - `type = "eoa"`: an EOA with starting balances, parameters, a memory,
//!   and `[[agent.behaviour]]` tables — each `every` / `at`, `probability`,
//!   `when`, a call (`to`, `function`, `args`, `value`, `approve`, `bind`),
//!   a `transfer`, or a model's operation (`do = "stake"`), then `then`.
//! - `type = "scripted"`: the same, as a list of timed `actions`
//!   (`{ at = "3d", do = "call", ... }`).
//! - `type = "python"` (and any type of [`super::external`]): the same EOA,
//!   funded and sampled alike, whose step is a class of the host language
//!   (`class = "agents.py:Trader"`), given the agent's `params`.
//!
//! Amounts are expressions: `"balance(@ocean, self) / 2"` (base units, exact)
//! or numbers (tokens, ×10^18).
//!
//! # Errors
//! Unknown keys, a missing `to` or `function`, a bad duration, a
//! probability outside [0, 1], an expression that does not compile, a
//! signature the target's ABI lacks: errors naming the file, line, agent and
//! behaviour, when the netlist loads.

use super::acting::{ActionAgent, Funding};
use super::action::{Action, CallAction, ModelAction, Step, Trigger};
use super::call::{CallPlan, Compiler};
use super::external::BehaviourClass;
use super::{Agent, AgentConfig, SimDuration};
use crate::script::{Env, Library, Origin, Script};
use alloy_json_abi::JsonAbi;
use anyhow::{bail, Context};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Parses a model's operation named by `do` (the Ocean model: `stake`, ...).
pub type ActionParser<'a> = dyn Fn(&str, &mut toml::Table, Compiler<'_>) -> Option<anyhow::Result<(Arc<dyn ModelAction>, &'static str)>>
    + 'a;

/// What parsing a generic agent needs from the netlist.
pub struct ParseContext<'a> {
    /// The netlist file.
    pub file: &'a str,
    /// The line of the agent's table.
    pub line: usize,
    /// The lines of its `[[agent.behaviour]]` headers (empty when written inline).
    pub step_lines: &'a [usize],
    /// The agent's name (before `count` expansion).
    pub agent: &'a str,
    /// Seconds per tick.
    pub tick_seconds: u64,
    /// The netlist's functions.
    pub library: Option<&'a Library>,
    /// ABIs of the netlist's contracts by address-book name (for `function = "name"`).
    pub abis: &'a BTreeMap<String, Arc<JsonAbi>>,
    /// The models' operations.
    pub actions: &'a ActionParser<'a>,
}

impl std::fmt::Debug for ParseContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseContext")
            .field("file", &self.file)
            .field("agent", &self.agent)
            .finish_non_exhaustive()
    }
}

/// Which generic agent a table describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenericKind<'a> {
    /// `eoa`: behaviours.
    Eoa,
    /// `scripted`: timed actions.
    Scripted,
    /// A type of [`super::external`] (`python`): a class.
    External(&'a str),
}

/// A parsed `eoa`, `scripted` or external agent.
#[derive(Debug, Clone)]
pub struct GenericConfig {
    env: Env,
    steps: Arc<[Step]>,
    funding: Funding,
    models: Vec<&'static str>,
    /// An external agent's class and the `params` it is built with.
    behaviour: Option<(Arc<dyn BehaviourClass>, toml::Table)>,
}

impl GenericConfig {
    /// Parse `type = "eoa"` (`scripted = false`) or `type = "scripted"`.
    pub fn parse(table: toml::Table, scripted: bool, ctx: &ParseContext<'_>) -> anyhow::Result<Self> {
        Self::parse_kind(table, if scripted { GenericKind::Scripted } else { GenericKind::Eoa }, ctx)
    }

    /// Parse a generic agent of `kind`; an external one's class is loaded
    /// by the loader registered for its type.
    pub fn parse_kind(
        mut table: toml::Table,
        kind: GenericKind<'_>,
        ctx: &ParseContext<'_>,
    ) -> anyhow::Result<Self> {
        let scripted = kind == GenericKind::Scripted;
        let whole = Origin::new(ctx.file, ctx.line, format!("agent {}", ctx.agent));
        let table_of = |table: &mut toml::Table, key: &str| -> anyhow::Result<toml::Table> {
            match table.remove(key) {
                None => Ok(toml::Table::new()),
                Some(toml::Value::Table(t)) => Ok(t),
                Some(other) => {
                    bail!(
                        "{}:{}: agent {}: `{key}` must be a table, found {other}",
                        ctx.file,
                        ctx.line,
                        ctx.agent
                    )
                }
            }
        };
        let params = table_of(&mut table, "params")?;
        let memory = table_of(&mut table, "memory")?;
        let variables: Vec<String> = params.keys().cloned().collect();
        let compiler = Compiler { origin: &whole, library: ctx.library, variables: Some(&variables) };
        let env = Env::from_tables(&params, &memory)
            .map_err(|e| anyhow::anyhow!("{}:{}: agent {}: {e}", ctx.file, ctx.line, ctx.agent))?;
        let eth = table.remove("eth").map(|v| compiler.value(&v, "eth")).transpose()?;
        let mut tokens = Vec::new();
        for (token, amount) in table_of(&mut table, "fund")? {
            let Some(name) = token.strip_prefix('@').filter(|n| !n.is_empty()) else {
                bail!(
                    "{}:{}: agent {}: fund key {token:?}: name a token of the address book, e.g. \"@usdc\"",
                    ctx.file,
                    ctx.line,
                    ctx.agent
                );
            };
            let token_script = compiler.expression(&token, &format!("fund {token}"))?;
            tokens.push((name.to_string(), token_script, compiler.value(&amount, &format!("fund {token}"))?));
        }
        let behaviour = match kind {
            GenericKind::External(type_name) => Some(load_class(&mut table, type_name, &params, ctx)?),
            _ => None,
        };
        let (key, items) = if scripted { ("actions", "action") } else { ("behaviour", "behaviour") };
        let list = match table.remove(key) {
            Some(_) if behaviour.is_some() => bail!(
                "{}:{}: agent {}: a {} agent's behaviour is its class; `{key}` belongs to type = \"eoa\"",
                ctx.file,
                ctx.line,
                ctx.agent,
                ctx_kind(kind)
            ),
            None if scripted => bail!(
                "{}:{}: agent {}: a scripted agent needs `actions = [...]`",
                ctx.file,
                ctx.line,
                ctx.agent
            ),
            None => Vec::new(),
            Some(toml::Value::Array(list)) => list,
            Some(other) => {
                bail!(
                    "{}:{}: agent {}: `{key}` must be a list of tables, found {other}",
                    ctx.file,
                    ctx.line,
                    ctx.agent
                )
            }
        };
        if let Some(extra) = table.keys().next() {
            let known = match kind {
                GenericKind::Scripted => "eth, fund, params, memory, actions",
                GenericKind::Eoa => "eth, fund, params, memory, behaviour",
                GenericKind::External(_) => "class, eth, fund, params, memory",
            };
            bail!("{}:{}: agent {}: unknown key `{extra}` (expected {known})", ctx.file, ctx.line, ctx.agent);
        }
        let mut steps = Vec::with_capacity(list.len());
        let mut models = Vec::new();
        for (i, item) in list.into_iter().enumerate() {
            let toml::Value::Table(item) = item else {
                bail!("{}:{}: agent {}: {items} {} must be a table", ctx.file, ctx.line, ctx.agent, i + 1);
            };
            let line = ctx.step_lines.get(i).copied().unwrap_or(ctx.line);
            let (step, model) =
                parse_step(item, &format!("{items} {}", i + 1), line, scripted, &variables, ctx)?;
            models.extend(model);
            steps.push(step);
        }
        if scripted {
            // Actions run in time order; actions at the same time in written order.
            steps.sort_by_key(|s| match s.trigger {
                Trigger::At(tick) => tick,
                _ => 0,
            });
        }
        for step in &steps {
            check_targets(step, &env)?;
        }
        models.sort_unstable();
        models.dedup();
        Ok(Self { env, steps: steps.into(), funding: Funding { eth, tokens }, models, behaviour })
    }

    /// The models whose operations the agent uses.
    pub fn models(&self) -> &[&'static str] {
        &self.models
    }

    /// Every expression of the agent (funding and steps).
    pub fn scripts(&self) -> Vec<&Script> {
        let funding = self.funding.eth.iter().chain(self.funding.tokens.iter().flat_map(|(_, t, a)| [t, a]));
        let mut scripts: Vec<&Script> = funding.collect();
        scripts.extend(self.steps.iter().flat_map(Step::scripts));
        scripts
    }

    /// Its steps.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The same agent (funding, memory, parameters) acting only through
    /// `class` (a core behaviour such as the attacker's), not its steps.
    pub fn acting_through(mut self, class: Arc<dyn BehaviourClass>) -> Self {
        self.steps = Arc::from(Vec::new());
        self.behaviour = Some((class, toml::Table::new()));
        self
    }
}

impl AgentConfig for GenericConfig {
    fn build(&self, name: &str, _tick_seconds: u64, seed: u64) -> anyhow::Result<Box<dyn Agent>> {
        let mut agent =
            ActionAgent::new(name, self.env.clone(), Arc::clone(&self.steps), self.funding.clone(), seed);
        if let Some((class, params)) = &self.behaviour {
            agent.set_behaviour(class.build(name, params)?);
        }
        Ok(Box::new(agent))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn ctx_kind(kind: GenericKind<'_>) -> &str {
    match kind {
        GenericKind::Eoa => "eoa",
        GenericKind::Scripted => "scripted",
        GenericKind::External(name) => name,
    }
}

/// Load the class of an external agent (`class = "file.py:Name"`) with the
/// loader registered for its type.
fn load_class(
    table: &mut toml::Table,
    type_name: &str,
    params: &toml::Table,
    ctx: &ParseContext<'_>,
) -> anyhow::Result<(Arc<dyn BehaviourClass>, toml::Table)> {
    let at = format!("{}:{}: agent {}", ctx.file, ctx.line, ctx.agent);
    let class = match table.remove("class") {
        Some(toml::Value::String(class)) if !class.trim().is_empty() => class,
        Some(other) => bail!("{at}: `class` must be a string like \"agents.py:Trader\", found {other}"),
        None => bail!("{at}: a {type_name} agent needs `class` (e.g. class = \"agents.py:Trader\")"),
    };
    let Some(loader) = super::external::loader(type_name) else {
        bail!("{at}: {}", super::external::missing_loader(type_name))
    };
    let dir = std::path::Path::new(ctx.file).parent().unwrap_or(std::path::Path::new("."));
    let loaded =
        loader.load(&class, ctx.agent, dir).map_err(|e| anyhow::anyhow!("{at}: class = {class:?}: {e}"))?;
    Ok((loaded, params.clone()))
}

/// Refuse a call's or transfer's target that can never be an address: a
/// bare `0x…` (a number in an expression) or a name that is neither `self`
/// nor one of the agent's `params` (a misspelt `@name`) — found here, not at
/// the tick the step first acts.
fn check_targets(step: &Step, env: &Env) -> anyhow::Result<()> {
    let targets: Vec<&Script> = match &step.action {
        Action::Call(call) => vec![&call.to],
        Action::Transfer(parts) => vec![&parts[0], &parts[1]],
        _ => Vec::new(),
    };
    for script in targets {
        let source = script.source().trim();
        let hex = source
            .strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()));
        if hex {
            bail!(
                "{}: `{source}`: a bare 0x… is a number in an expression, not an address; write addr(\"{source}\") or @name",
                script.origin()
            );
        }
        let identifier = source.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && source.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if identifier && source != "self" && env.get(source).is_none() {
            bail!(
                "{}: `{source}`: unknown name; write @{source} for a name of the address book, or give it in `params`",
                script.origin()
            );
        }
    }
    Ok(())
}

fn take_string(table: &mut toml::Table, key: &str, at: &str) -> anyhow::Result<Option<String>> {
    match table.remove(key) {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s)),
        Some(other) => bail!("{at}: `{key}` must be a string, found {other}"),
    }
}

fn take_duration(table: &mut toml::Table, key: &str, at: &str) -> anyhow::Result<Option<SimDuration>> {
    take_string(table, key, at)?
        .map(|text| SimDuration::parse(&text).map_err(|e| anyhow::anyhow!("{at}: `{key}`: {e}")))
        .transpose()
}

/// Parse one behaviour or action; the model whose operation it is, if any.
fn parse_step(
    mut table: toml::Table,
    label: &str,
    line: usize,
    scripted: bool,
    variables: &[String],
    ctx: &ParseContext<'_>,
) -> anyhow::Result<(Step, Option<&'static str>)> {
    let at = format!("{}:{line}: agent {}, {label}", ctx.file, ctx.agent);
    let origin = Origin::new(ctx.file, line, format!("agent {}, {label}", ctx.agent));
    let compiler = Compiler { origin: &origin, library: ctx.library, variables: Some(variables) };
    let every = take_duration(&mut table, "every", &at)?;
    let at_time = take_duration(&mut table, "at", &at)?;
    if scripted && at_time.is_none() {
        bail!("{at}: a scripted action needs `at` (e.g. at = \"1d\")");
    }
    let trigger = Trigger::new(every, at_time, ctx.tick_seconds).map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
    let probability = match table.remove("probability") {
        None => 1.0,
        Some(toml::Value::Float(p)) if (0.0..=1.0).contains(&p) => p,
        Some(toml::Value::Integer(p)) if (0..=1).contains(&p) => p as f64,
        Some(other) => bail!("{at}: `probability` = {other} must be a number from 0 to 1"),
    };
    let when =
        take_string(&mut table, "when", &at)?.map(|s| compiler.expression(&s, "`when`")).transpose()?;
    let then =
        take_string(&mut table, "then", &at)?.map(|s| compiler.statements(&s, "`then`")).transpose()?;
    let kind = take_string(&mut table, "do", &at)?;
    let kind =
        kind.unwrap_or_else(|| if table.contains_key("function") { "call".into() } else { "nothing".into() });
    let mut model = None;
    let action = match kind.as_str() {
        "call" => Action::Call(Box::new(parse_call(&mut table, &at, compiler, ctx)?)),
        "transfer" => {
            let mut part = |key: &str| -> anyhow::Result<Script> {
                let value = table.remove(key).with_context(|| format!("{at}: a transfer needs `{key}`"))?;
                compiler.value(&value, &format!("`{key}`"))
            };
            Action::Transfer(Box::new([part("token")?, part("to")?, part("amount")?]))
        }
        "nothing" => Action::Nothing,
        other => match (ctx.actions)(other, &mut table, compiler) {
            Some(parsed) => {
                let (action, owner) = parsed?;
                model = Some(owner);
                Action::Model(action)
            }
            None => bail!("{at}: do = {other:?}: expected \"call\", \"transfer\" or a model's operation (stake, unstake, buy, sell, consume with the ocean model)"),
        },
    };
    if let Some(extra) = table.keys().next() {
        bail!("{at}: unknown key `{extra}` for do = {kind:?}");
    }
    Ok((Step { label: format!("{label} ({kind})"), trigger, probability, when, action, then }, model))
}

fn parse_call(
    table: &mut toml::Table,
    at: &str,
    compiler: Compiler<'_>,
    ctx: &ParseContext<'_>,
) -> anyhow::Result<CallAction> {
    let to_text = take_string(table, "to", at)?
        .with_context(|| format!("{at}: a call needs `to` (e.g. \"@router\")"))?;
    let function = take_string(table, "function", at)?
        .with_context(|| format!("{at}: a call needs `function` (e.g. \"swap(uint256,address)\")"))?;
    let args = match table.remove("args") {
        None => Vec::new(),
        Some(toml::Value::Array(args)) => args,
        Some(other) => bail!("{at}: `args` must be a list, found {other}"),
    };
    let abi = to_text.strip_prefix('@').and_then(|name| ctx.abis.get(name)).map(Arc::as_ref);
    let plan = CallPlan::compile(&function, abi, &args, compiler)?;
    let to = compiler.expression(&to_text, "`to`")?;
    let value = table.remove("value").map(|v| compiler.value(&v, "`value`")).transpose()?;
    let mut approvals = Vec::new();
    if let Some(list) = table.remove("approve") {
        let toml::Value::Array(list) = list else {
            bail!("{at}: `approve` must be a list of [token, amount] pairs")
        };
        for (i, pair) in list.into_iter().enumerate() {
            let part = format!("approve {}", i + 1);
            let items = match pair {
                toml::Value::Array(items) if (2..=3).contains(&items.len()) => items,
                other => {
                    bail!("{at}: {part}: expected [token, amount] or [token, amount, spender], found {other}")
                }
            };
            let token = compiler.value(&items[0], &format!("{part} token"))?;
            let amount = compiler.value(&items[1], &format!("{part} amount"))?;
            let spender = items.get(2).map(|s| compiler.value(s, &format!("{part} spender"))).transpose()?;
            approvals.push((token, amount, spender));
        }
    }
    let bind = take_string(table, "bind", at)?;
    if let Some(bind) = &bind {
        if !bind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || bind.starts_with(|c: char| c.is_ascii_digit())
        {
            bail!(
                "{at}: bind = {bind:?} must be a name of letters, digits and `_` (it becomes memory.{bind})"
            );
        }
        if plan.function.outputs.is_empty() {
            let signature = plan.function.signature();
            if abi.is_some() {
                bail!("{at}: bind = {bind:?}: {signature} returns nothing (the target's ABI says so)");
            }
            bail!(
                "{at}: bind = {bind:?}: function = {function:?} names no return types, so there is nothing to bind; write e.g. \"{signature} returns (uint256)\""
            );
        }
    }
    Ok(CallAction { to, plan, value, approvals, bind })
}
