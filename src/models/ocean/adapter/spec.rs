//! The TOML form of an adapter, as written; [`super::Adapter::load`] checks
//! it against a build and turns it into callable steps.

use super::super::Design;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// A whole adapter file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AdapterSpec {
    /// One line on what the adapter is for.
    pub description: String,
    /// Another adapter (built-in name or file) this one starts from: its
    /// roles and operations apply unless this file redefines them, its
    /// `[[system]]` unless this file has one.
    pub extends: Option<String>,
    /// The market design the build implements (required unless extended).
    pub design: Option<Design>,
    /// `name@version` of the npm package this adapter is the default for.
    pub package: Option<String>,
    /// The role of the one-sided staking bot (V4), whose shares are not "other stakers'".
    pub bot: Option<String>,
    /// Role → contract name in the build (`own:Name` takes the project's contract).
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    /// Deployment of the system contracts, in order, from the deployer.
    #[serde(default)]
    pub system: Vec<StepSpec>,
    /// Each role operation as a list of transactions.
    #[serde(default)]
    pub ops: BTreeMap<String, Vec<StepSpec>>,
    /// The roles this file itself names in `[roles]` (not those it extends).
    #[serde(skip)]
    pub written_roles: BTreeSet<String>,
}

/// One transaction (or view) of a system deployment or of an operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StepSpec {
    /// Deploy this role's contract (constructor arguments in `args`).
    pub deploy: Option<String>,
    /// Call this contract: `@role` or `$variable`.
    pub to: Option<String>,
    /// The role whose ABI describes `to` when `to` is a variable.
    pub abi: Option<String>,
    /// The function, as `name(type,...)` exactly as in the ABI.
    pub function: Option<String>,
    /// Arguments: `@role`, `$variable`, or a literal read by the parameter's type.
    #[serde(default)]
    pub args: Vec<toml::Value>,
    /// `[token, amount]` or `[token, amount, spender]` allowances the
    /// sender grants first (spender defaults to `to`).
    #[serde(default)]
    pub approve: Vec<Vec<String>>,
    /// Names for the outputs: one name for the first, or a list (`"_"` skips one).
    pub bind: Option<Bind>,
    /// Run read-only (no transaction).
    #[serde(default)]
    pub view: bool,
    /// Who sends it (default `$sender`, the acting agent; `$deployer` in `[[system]]`).
    pub from: Option<String>,
}

/// `bind = "pool"` or `bind = ["amount_out", "_"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Bind {
    /// The first output.
    One(String),
    /// Outputs by position.
    Many(Vec<String>),
}

impl Bind {
    /// Names by output position; `None` skips an output.
    pub(super) fn names(&self) -> Vec<Option<String>> {
        let name = |n: &String| (n != "_").then(|| n.clone());
        match self {
            Self::One(one) => vec![name(one)],
            Self::Many(many) => many.iter().map(name).collect(),
        }
    }
}

impl StepSpec {
    /// Every text the step evaluates: `to`, `from`, the approvals and the
    /// arguments (arrays and tuples searched through).
    fn texts(&self) -> Vec<&str> {
        fn walk<'a>(value: &'a toml::Value, out: &mut Vec<&'a str>) {
            match value {
                toml::Value::String(text) => out.push(text),
                toml::Value::Array(items) => items.iter().for_each(|item| walk(item, out)),
                _ => {}
            }
        }
        let mut out: Vec<&str> = self.to.iter().chain(&self.from).map(String::as_str).collect();
        out.extend(self.approve.iter().flatten().map(String::as_str));
        self.args.iter().for_each(|arg| walk(arg, &mut out));
        out
    }

    /// The roles the step deploys, calls, passes or reads the ABI of.
    fn roles(&self) -> impl Iterator<Item = &str> {
        let named = self.deploy.iter().chain(&self.abi).map(String::as_str);
        named.chain(self.texts().into_iter().filter_map(|t| t.strip_prefix('@')))
    }
}

impl AdapterSpec {
    /// The `$variables` each operation's steps read, by operation.
    pub(super) fn op_variables(&self) -> BTreeMap<String, BTreeSet<String>> {
        let variables = |steps: &[StepSpec]| {
            let texts = steps.iter().flat_map(StepSpec::texts);
            texts.filter_map(|t| t.strip_prefix('$')).map(str::to_owned).collect()
        };
        self.ops.iter().map(|(op, steps)| (op.clone(), variables(steps))).collect()
    }

    /// The roles some step or `bot` refers to (a `[[system]]` step binding
    /// a role's name gives that role its address, so it counts too).
    pub(super) fn used_roles(&self) -> BTreeSet<String> {
        let steps = self.system.iter().chain(self.ops.values().flatten());
        let mut used: BTreeSet<String> = steps.flat_map(StepSpec::roles).map(str::to_owned).collect();
        let bound = self.system.iter().filter_map(|s| s.bind.as_ref()).flat_map(Bind::names).flatten();
        used.extend(bound);
        used.extend(self.bot.iter().cloned());
        used
    }

    /// This adapter on top of `base`: later keys win.
    pub(super) fn over(self, base: Self) -> Self {
        let mut roles = base.roles;
        roles.extend(self.roles);
        let mut ops = base.ops;
        ops.extend(self.ops);
        Self {
            description: self.description,
            extends: None,
            design: self.design.or(base.design),
            package: self.package,
            bot: self.bot.or(base.bot),
            roles,
            system: if self.system.is_empty() { base.system } else { self.system },
            ops,
            written_roles: self.written_roles,
        }
    }
}
