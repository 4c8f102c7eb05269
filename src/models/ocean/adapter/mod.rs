//! Adapters: how a market design's role operations (create an asset, swap,
//! stake, unstake, consume, ...) map onto the functions of a build someone
//! else compiled. An adapter is data — a TOML file naming, per role, the
//! build's contract, the system deployment, and per operation the
//! transactions with their exact function signatures and argument mapping.
//! Calls are encoded with alloy's dynamic ABI.
//!
//! [`Adapter::load`] checks everything against the build before a run: each
//! role is one the steps use, each role's contract exists and has bytecode
//! (else the built-in adapters that fit the build are suggested), each
//! function exists with that signature, each argument fits its parameter's
//! type, each operation binds the results the engine reads, with the type
//! the engine reads them as. Errors name the adapter, the build, the role or
//! operation and the expected signature.

mod compile;
mod expr;
mod market;
mod spec;

pub use market::{AdaptedMarket, Vars};

use super::Design;
use crate::artifacts::{Artifact, Build};
use alloy_dyn_abi::DynSolType;
use alloy_json_abi::JsonAbi;
use anyhow::{bail, Context};
use compile::Step;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// The adapters shipped with the project: `(name, TOML)`.
pub const BUILTIN_ADAPTERS: &[(&str, &str)] = &[
    ("own-v3", include_str!("../../../../adapters/own-v3.toml")),
    ("own-v4", include_str!("../../../../adapters/own-v4.toml")),
    ("ocean-0.6.9", include_str!("../../../../adapters/ocean-0.6.9.toml")),
    ("ocean-1.1.15", include_str!("../../../../adapters/ocean-1.1.15.toml")),
];

/// The type of an operation parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// An address.
    Address,
    /// An unsigned amount in base units (`uint256`).
    Amount,
    /// A string.
    Text,
}

impl ParamType {
    fn sol_type(self) -> DynSolType {
        match self {
            Self::Address => DynSolType::Address,
            Self::Amount => DynSolType::Uint(256),
            Self::Text => DynSolType::String,
        }
    }
}

/// An operation the engine asks of a market: its parameters and the
/// variables it must bind.
#[derive(Debug, Clone, Copy)]
pub struct OpSignature {
    /// Its name in `[ops]`.
    pub name: &'static str,
    /// Parameters it receives (besides `$sender`).
    pub params: &'static [(&'static str, ParamType)],
    /// Variables its steps must bind, with the type the engine reads them as.
    pub results: &'static [(&'static str, ParamType)],
    /// Whether every adapter must define it.
    pub required: bool,
    /// Whether it must be a single read-only step (it is batched into one call).
    pub single_view: bool,
}

use ParamType::{Address as A, Amount as N, Text as T};

/// Every operation the engine uses, with the names adapters refer to.
pub const OPS: &[OpSignature] = &[
    OpSignature {
        name: "create_asset",
        params: &[
            ("name", T),
            ("symbol", T),
            ("cap", N),
            ("dt_mint", N),
            ("dt_in_pool", N),
            ("dt_weight", N),
            ("ocean_in_pool", N),
            ("ocean_weight", N),
            ("swap_fee", N),
            ("rate", N),
            ("vesting_amount", N),
            ("vesting_blocks", N),
            ("publish_market_fee", N),
            ("dt_start_weight", N),
            ("ocean_start_weight", N),
            ("burn_in_seconds", N),
            ("soft_cap", N),
            ("fee_slope", N),
            ("volume_half_life_seconds", N),
        ],
        results: &[("datatoken", A), ("pool", A)],
        required: true,
        single_view: false,
    },
    OpSignature {
        name: "swap_exact_in",
        params: &[
            ("pool", A),
            ("datatoken", A),
            ("token_in", A),
            ("amount_in", N),
            ("token_out", A),
            ("min_out", N),
        ],
        results: &[("amount_out", N)],
        required: true,
        single_view: false,
    },
    OpSignature {
        name: "swap_exact_out",
        params: &[
            ("pool", A),
            ("datatoken", A),
            ("token_in", A),
            ("max_in", N),
            ("token_out", A),
            ("amount_out", N),
        ],
        results: &[("amount_in", N)],
        required: true,
        single_view: false,
    },
    OpSignature {
        name: "stake",
        params: &[("pool", A), ("datatoken", A), ("ocean_in", N)],
        results: &[("shares", N)],
        required: true,
        single_view: false,
    },
    OpSignature {
        name: "unstake",
        params: &[("pool", A), ("datatoken", A), ("shares", N)],
        results: &[("ocean_out", N)],
        required: true,
        single_view: false,
    },
    OpSignature {
        name: "consume",
        params: &[("pool", A), ("datatoken", A), ("amount", N)],
        results: &[],
        required: true,
        single_view: false,
    },
    OpSignature {
        name: "claim_vesting",
        params: &[("pool", A), ("datatoken", A)],
        results: &[("claimed", N)],
        required: false,
        single_view: false,
    },
    OpSignature {
        name: "spot_price",
        params: &[("pool", A), ("datatoken", A), ("token_in", A), ("token_out", A)],
        results: &[("price", N)],
        required: true,
        single_view: true,
    },
    OpSignature {
        name: "pool_balance",
        params: &[("pool", A), ("datatoken", A), ("token", A)],
        results: &[("balance", N)],
        required: false,
        single_view: true,
    },
];

/// An adapter checked against one build, ready to deploy and run.
#[derive(Debug, Clone)]
pub struct Adapter {
    /// The built-in name or the file it came from.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The design the build implements.
    pub design: Design,
    /// The build, as described for messages and run.json.
    pub build: String,
    /// The role of the one-sided staking bot, if any.
    pub bot: Option<String>,
    /// Role → contract name, after the netlist's overrides.
    pub roles: BTreeMap<String, String>,
    /// Role → its contract's ABI (for decoding traces and reverts).
    role_abis: BTreeMap<String, Arc<JsonAbi>>,
    /// Operation → the `$variables` its steps read.
    variables: BTreeMap<String, BTreeSet<String>>,
    system: Vec<Step>,
    ops: BTreeMap<String, Vec<Step>>,
}

impl Adapter {
    /// The adapter to use for `build` when none is named: a built-in one
    /// whose `package` is the build's npm package, else `own-<design>`.
    pub fn default_for(build: &Build, design: Design) -> &'static str {
        let by_package = BUILTIN_ADAPTERS.iter().find(|(_, text)| {
            let package = toml::from_str::<spec::AdapterSpec>(text).ok().and_then(|s| s.package);
            package.is_some() && package == build.package
        });
        match (by_package, design) {
            (Some((name, _)), _) => name,
            (None, Design::V3) => "own-v3",
            (None, Design::V4) => "own-v4",
        }
    }

    /// Read adapter `name_or_path` (a built-in name or a TOML file) and check it
    /// against `build`; `role_overrides` replace entries of its `[roles]`.
    pub fn load(
        name_or_path: &str,
        build: &Build,
        role_overrides: &BTreeMap<String, String>,
    ) -> anyhow::Result<Self> {
        let spec = read_spec(name_or_path, 0)?;
        let Some(design) = spec.design else {
            bail!("adapter {name_or_path}: no design = \"v3\" or \"v4\" (nor in what it extends)")
        };
        check_roles(name_or_path, &spec, role_overrides)?;
        let mut roles = spec.roles.clone();
        for (role, contract) in role_overrides {
            roles.insert(role.clone(), contract.clone());
        }
        let at = format!("adapter {name_or_path} on build {}", build.describe());
        let mut artifacts = BTreeMap::new();
        for (role, contract) in &roles {
            let artifact = load_role(build, contract).map_err(|e| {
                let hint = if has_contract(build, contract) {
                    String::new()
                } else {
                    suggest(build, name_or_path, design)
                };
                anyhow::anyhow!("{at}: role {role} = {contract:?}: {e}{hint}")
            })?;
            artifacts.insert(role.clone(), artifact);
        }
        let (system, ops) = compile::compile(&spec, &artifacts).map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
        if let Some(bot) = &spec.bot {
            if !roles.contains_key(bot) {
                bail!("{at}: bot = {bot:?} is not a role in [roles]");
            }
        }
        let role_abis =
            artifacts.into_iter().map(|(role, artifact)| (role, Arc::new(artifact.abi))).collect();
        let variables = spec.op_variables();
        Ok(Self {
            name: name_or_path.to_string(),
            description: spec.description,
            design,
            build: build.describe(),
            bot: spec.bot,
            roles,
            role_abis,
            variables,
            system,
            ops,
        })
    }

    /// The `$variables` each operation of adapter `name_or_path` reads,
    /// without a build (for the typed build, whose calls `own-v3` and
    /// `own-v4` reproduce).
    pub fn variables_of(name_or_path: &str) -> anyhow::Result<BTreeMap<String, BTreeSet<String>>> {
        Ok(read_spec(name_or_path, 0)?.op_variables())
    }

    /// The `$variables` each operation reads.
    pub fn variables(&self) -> &BTreeMap<String, BTreeSet<String>> {
        &self.variables
    }

    /// Whether the adapter defines operation `op`.
    pub fn has_op(&self, op: &str) -> bool {
        self.ops.contains_key(op)
    }

    /// The ABI of `role`'s contract (a role of `[roles]`).
    pub fn role_abi(&self, role: &str) -> Option<&Arc<JsonAbi>> {
        self.role_abis.get(role)
    }
}

/// Read an adapter and what it extends (at most 8 levels deep).
fn read_spec(name_or_path: &str, depth: usize) -> anyhow::Result<spec::AdapterSpec> {
    let text = match BUILTIN_ADAPTERS.iter().find(|(name, _)| *name == name_or_path) {
        Some((_, text)) => (*text).to_string(),
        None if Path::new(name_or_path).is_file() => std::fs::read_to_string(name_or_path)
            .with_context(|| format!("adapter {name_or_path}: cannot read"))?,
        None => {
            let names: Vec<&str> = BUILTIN_ADAPTERS.iter().map(|(n, _)| *n).collect();
            bail!("adapter {name_or_path:?}: neither a built-in adapter ({}) nor a file", names.join(", "))
        }
    };
    let mut spec: spec::AdapterSpec =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("adapter {name_or_path}: {e}"))?;
    spec.written_roles = spec.roles.keys().cloned().collect();
    let Some(base) = spec.extends.clone() else { return Ok(spec) };
    if depth >= 8 {
        bail!("adapter {name_or_path}: extends = {base:?} nests more than 8 levels (a cycle?)");
    }
    let base_path = match Path::new(name_or_path).parent() {
        Some(dir) if Path::new(name_or_path).is_file() && dir.join(&base).is_file() => {
            dir.join(&base).to_string_lossy().into_owned()
        }
        _ => base,
    };
    let base_spec =
        read_spec(&base_path, depth + 1).with_context(|| format!("adapter {name_or_path}: extends"))?;
    Ok(spec.over(base_spec))
}

/// A role's contract: from the build, or `own:Name` from the project's build.
fn load_role(build: &Build, contract: &str) -> anyhow::Result<Artifact> {
    let artifact = match contract.strip_prefix("own:") {
        Some(own) => crate::artifacts::own_artifact(own)?,
        None => build.artifact(contract)?,
    };
    artifact.creation_code()?;
    Ok(artifact)
}

/// Every role of `[roles]` this adapter file writes is one its steps use,
/// and every role a netlist's `[contracts] roles` names is one of the
/// adapter's; the errors name the key and list the known roles.
fn check_roles(
    name_or_path: &str,
    spec: &spec::AdapterSpec,
    overrides: &BTreeMap<String, String>,
) -> anyhow::Result<()> {
    let known = || spec.roles.keys().map(String::as_str).collect::<Vec<_>>().join(", ");
    if let Some(role) = overrides.keys().find(|role| !spec.roles.contains_key(*role)) {
        bail!("[contracts] roles: unknown role {role:?}; adapter {name_or_path} has roles: {}", known());
    }
    let used = spec.used_roles();
    if let Some(role) = spec.written_roles.iter().find(|role| *role == "ocean" || !used.contains(*role)) {
        let why = if role == "ocean" {
            "@ocean is always the run's OCEAN token, not a contract of the build"
        } else {
            "no step deploys, calls or passes it"
        };
        let used: Vec<&str> = used.iter().map(String::as_str).filter(|r| *r != "ocean").collect();
        bail!(
            "adapter {name_or_path}: [roles] {role}: unknown role ({why}); the roles its steps use: {}",
            used.join(", ")
        );
    }
    Ok(())
}

/// Whether `contract` (`Name`, `path:Name` or `own:Name`) names a contract of the build.
fn has_contract(build: &Build, contract: &str) -> bool {
    if contract.starts_with("own:") {
        return true;
    }
    let short = contract.rsplit_once(':').map_or(contract, |(_, name)| name);
    build.names().any(|name| name == short)
}

/// The built-in adapters (other than `current`) of the same design whose
/// every role's contract is in `build`, as a hint to add to a
/// missing-contract error; empty when none fits.
fn suggest(build: &Build, current: &str, design: Design) -> String {
    let fitting: Vec<&str> = BUILTIN_ADAPTERS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| *name != current)
        .filter(|name| {
            read_spec(name, 0).is_ok_and(|spec| {
                spec.design == Some(design) && spec.roles.values().all(|c| has_contract(build, c))
            })
        })
        .collect();
    match fitting.as_slice() {
        [] => String::new(),
        names => {
            let adds: Vec<String> = names.iter().map(|n| format!("--adapter {n}")).collect();
            format!(
                "\nthis build looks like {}: add {} (in a netlist: adapter = \"{}\" under [contracts])",
                names.join(" or "),
                adds.join(" or "),
                names[0]
            )
        }
    }
}
