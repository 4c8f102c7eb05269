//! Where a Solidity project keeps things and how it wants them compiled:
//! read from `foundry.toml` (`[profile.default]`), from a Hardhat config
//! (read statically: its compiler versions, optimizer and sources folder),
//! or defaults for a plain folder of `.sol` files (this repository is one);
//! command-line flags override each.

use super::pragma::Version;
use super::{BuildError, Result};
use std::path::{Path, PathBuf};

/// Which kind of project the root holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `foundry.toml` at the root.
    Foundry,
    /// `hardhat.config.{js,ts,cjs,mjs}` at the root.
    Hardhat,
    /// Neither: `.sol` files under `contracts/`, `src/` or the root itself.
    Plain,
}

/// Command-line choices that override the project's own configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--solc X.Y.Z`.
    pub solc: Option<Version>,
    /// `--evm-version NAME`.
    pub evm_version: Option<String>,
    /// `--optimizer-runs N` (turns the optimizer on).
    pub optimizer_runs: Option<u32>,
    /// `--no-optimizer`.
    pub no_optimizer: bool,
    /// `--sources DIR` (relative to the root).
    pub sources: Option<PathBuf>,
}

/// How to compile one project.
#[derive(Debug, Clone)]
pub struct Config {
    /// What kind of project this is.
    pub layout: Layout,
    /// The project root.
    pub root: PathBuf,
    /// The folder of the project's own sources.
    pub sources: PathBuf,
    /// Source unit names are paths relative to this folder: the sources
    /// folder for a plain project (so `contracts/tokens/ERC20.sol` is
    /// `tokens/ERC20.sol`), the root for Foundry and Hardhat.
    pub unit_base: PathBuf,
    /// Where artifacts go (`out/`).
    pub out: PathBuf,
    /// Library folders (Foundry `libs`), searched for imports.
    pub libs: Vec<PathBuf>,
    /// solc remappings `prefix=target`.
    pub remappings: Vec<String>,
    /// Compiler versions the project allows; empty means "any released one".
    pub versions: Vec<Version>,
    /// Where the versions came from, for messages.
    pub versions_from: String,
    /// `evmVersion`; `None` leaves the compiler's default.
    pub evm_version: Option<String>,
    /// Optimizer runs, `None` when the optimizer is off.
    pub optimizer_runs: Option<u32>,
    /// Compile through the IR pipeline.
    pub via_ir: bool,
}

/// Folders that never hold the project's own sources.
pub(super) const NOT_SOURCES: &[&str] =
    &["out", "cache", "node_modules", "lib", "artifacts", "build", "tools", "target"];

/// The solc-js version a plain project pins in `tools/solc/package.json`.
pub(super) fn pinned_version(root: &Path) -> Result<Option<Version>> {
    let file = root.join("tools/solc/package.json");
    let Ok(text) = std::fs::read_to_string(&file) else { return Ok(None) };
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| BuildError::Other(format!("{}: not JSON: {e}", file.display())))?;
    let pinned = json.pointer("/dependencies/solc").and_then(|v| v.as_str());
    pinned
        .map(|text| {
            text.parse().map_err(|e| BuildError::Other(format!("{}: dependencies.solc: {e}", file.display())))
        })
        .transpose()
}

impl Config {
    /// Read the project at `root`, then apply `overrides`.
    pub fn detect(root: &Path, overrides: &Overrides) -> Result<Self> {
        let hardhat = ["js", "ts", "cjs", "mjs"]
            .iter()
            .map(|ext| root.join(format!("hardhat.config.{ext}")))
            .find(|file| file.is_file());
        let mut config = if root.join("foundry.toml").is_file() {
            Self::foundry(root)?
        } else if let Some(file) = hardhat {
            Self::hardhat(root, &file)?
        } else {
            Self::plain(root)?
        };
        if let Some(sources) = &overrides.sources {
            config.sources = root.join(sources);
            if config.layout == Layout::Plain {
                config.unit_base = config.sources.clone();
            }
        }
        if let Some(version) = overrides.solc {
            config.versions = vec![version];
            config.versions_from = "--solc".into();
        }
        if let Some(evm) = &overrides.evm_version {
            config.evm_version = Some(evm.clone());
        }
        if let Some(runs) = overrides.optimizer_runs {
            config.optimizer_runs = Some(runs);
        }
        if overrides.no_optimizer {
            config.optimizer_runs = None;
        }
        if !config.sources.is_dir() {
            return Err(BuildError::Other(format!(
                "sources folder {} does not exist",
                config.sources.display()
            )));
        }
        Ok(config)
    }

    fn base(layout: Layout, root: &Path, sources: PathBuf) -> Self {
        Self {
            layout,
            root: root.to_path_buf(),
            unit_base: if layout == Layout::Plain { sources.clone() } else { root.to_path_buf() },
            sources,
            out: root.join("out"),
            libs: Vec::new(),
            remappings: Vec::new(),
            versions: Vec::new(),
            versions_from: "the pragmas".into(),
            evm_version: None,
            optimizer_runs: Some(super::OPTIMIZER_RUNS),
            via_ir: false,
        }
    }

    fn plain(root: &Path) -> Result<Self> {
        let sources = ["contracts", "src"]
            .iter()
            .map(|d| root.join(d))
            .find(|d| d.is_dir())
            .unwrap_or(root.to_path_buf());
        let mut config = Self::base(Layout::Plain, root, sources);
        if let Some(version) = pinned_version(root)? {
            config.versions = vec![version];
            config.versions_from = "tools/solc/package.json".into();
            if version >= (Version { major: 0, minor: 8, patch: 24 }) {
                config.evm_version = Some(super::EVM_VERSION.into());
            }
        }
        let node_modules = root.join("node_modules");
        if node_modules.is_dir() {
            config.libs.push(node_modules);
        }
        Ok(config)
    }

    fn foundry(root: &Path) -> Result<Self> {
        let file = root.join("foundry.toml");
        let text =
            std::fs::read_to_string(&file).map_err(|source| BuildError::Io { file: file.clone(), source })?;
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| BuildError::Other(format!("{}: {e}", file.display())))?;
        let profile = table
            .get("profile")
            .and_then(|p| p.get("default"))
            .cloned()
            .unwrap_or(toml::Value::Table(toml::Table::new()));
        let key = |name: &str| profile.get(name);
        let string = |name: &str| -> Result<Option<String>> {
            match key(name) {
                None => Ok(None),
                Some(toml::Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(BuildError::Other(format!(
                    "{}: profile.default.{name} must be a string, not {other}",
                    file.display()
                ))),
            }
        };
        let sources = root.join(string("src")?.unwrap_or_else(|| "src".into()));
        let mut config = Self::base(Layout::Foundry, root, sources);
        config.out = root.join(string("out")?.unwrap_or_else(|| "out".into()));
        let strings = |name: &str| -> Vec<String> {
            key(name)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
                .map(String::from)
                .collect()
        };
        let libs = strings("libs");
        let libs = if key("libs").is_some() { libs } else { vec!["lib".into()] };
        config.libs = libs.iter().map(|lib| root.join(lib)).collect();
        config.remappings = strings("remappings");
        if let Ok(text) = std::fs::read_to_string(root.join("remappings.txt")) {
            config.remappings.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
        }
        config.add_library_remappings();
        if let Some(version) = string("solc_version")?.or(string("solc")?) {
            let parsed = version.parse().map_err(|e| {
                BuildError::Other(format!(
                    "{}: solc_version {e} (a path to a solc binary is not supported)",
                    file.display()
                ))
            })?;
            config.versions = vec![parsed];
            config.versions_from = "foundry.toml".into();
        }
        config.evm_version = string("evm_version")?;
        let optimizer = key("optimizer").and_then(toml::Value::as_bool).unwrap_or(false);
        let runs = key("optimizer_runs").and_then(toml::Value::as_integer).unwrap_or(200);
        config.optimizer_runs = optimizer.then_some(runs.clamp(0, u32::MAX as i64) as u32);
        config.via_ir = key("via_ir").and_then(toml::Value::as_bool).unwrap_or(false);
        Ok(config)
    }

    /// Foundry's automatic remappings: `name/=lib/name/src/` (or `lib/name/`)
    /// for every library folder no explicit remapping already covers.
    fn add_library_remappings(&mut self) {
        for lib in self.libs.clone() {
            let Ok(entries) = std::fs::read_dir(&lib) else { continue };
            let mut names: Vec<String> = entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into())
                .collect();
            names.sort();
            for name in names {
                let prefix = format!("{name}/");
                if self.remappings.iter().any(|r| r.starts_with(&prefix)) {
                    continue;
                }
                let folder = lib.join(&name);
                let target = if folder.join("src").is_dir() { folder.join("src") } else { folder };
                let relative = target.strip_prefix(&self.root).unwrap_or(&target);
                self.remappings.push(format!("{prefix}={}/", relative.display()));
            }
        }
    }

    fn hardhat(root: &Path, file: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(file).map_err(|source| BuildError::Io { file: file.into(), source })?;
        let quoted_after = |key: &str| -> Vec<String> {
            text.match_indices(key)
                .filter_map(|(at, _)| {
                    let rest = text[at + key.len()..].trim_start().strip_prefix(':')?.trim_start();
                    let quote = rest.chars().next().filter(|c| "\"'`".contains(*c))?;
                    rest[1..].split(quote).next().map(String::from)
                })
                .collect()
        };
        let sources = quoted_after("sources").into_iter().next().unwrap_or_else(|| "contracts".into());
        let mut config = Self::base(Layout::Hardhat, root, root.join(sources));
        config.libs.push(root.join("node_modules"));
        config.versions = quoted_after("version").iter().filter_map(|v| v.parse().ok()).collect();
        config.versions.sort();
        config.versions.dedup();
        config.versions_from = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        config.evm_version = quoted_after("evmVersion").into_iter().next();
        let enabled = text.contains("enabled: true") || text.contains("enabled:true");
        let runs = text
            .match_indices("runs")
            .find_map(|(at, _)| {
                let rest = text[at + 4..].trim_start().strip_prefix(':')?.trim_start();
                rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
            })
            .unwrap_or(200);
        config.optimizer_runs = enabled.then_some(runs);
        Ok(config)
    }

    /// Folders an import is looked up in, in order.
    pub fn import_roots(&self) -> Vec<PathBuf> {
        let mut roots = vec![self.unit_base.clone(), self.root.clone()];
        roots.extend(self.libs.iter().cloned());
        let mut dir = Some(self.root.as_path());
        while let Some(current) = dir {
            let node_modules = current.join("node_modules");
            if node_modules.is_dir() && !roots.contains(&node_modules) {
                roots.push(node_modules);
            }
            dir = current.parent();
        }
        roots.dedup();
        roots
    }

    /// The unit name an import resolves to, after remappings.
    pub fn resolve_import(&self, from_unit: &str, path: &str) -> String {
        let joined = if path.starts_with("./") || path.starts_with("../") {
            match from_unit.rsplit_once('/') {
                Some((parent, _)) => normalize(&format!("{parent}/{path}")),
                None => normalize(path),
            }
        } else {
            path.to_string()
        };
        let remapped = self
            .remappings
            .iter()
            .filter_map(|r| r.split_once('='))
            .map(|(prefix, target)| (prefix.rsplit_once(':').map_or(prefix, |(_, p)| p), target))
            .filter(|(prefix, _)| joined.starts_with(prefix))
            .max_by_key(|(prefix, _)| prefix.len());
        match remapped {
            Some((prefix, target)) => format!("{target}{}", &joined[prefix.len()..]),
            None => joined,
        }
    }

    /// The file a unit name is read from, if any.
    pub fn locate(&self, unit: &str) -> Option<PathBuf> {
        self.import_roots().into_iter().map(|root| root.join(unit)).find(|path| path.is_file())
    }
}

/// `a/./b/../c` → `a/c`, keeping a leading scheme such as `project:`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." => {}
            ".." if parts.last().is_some_and(|p| !p.is_empty() && *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_hardhat_config_is_read_statically() {
        let config_js = r#"module.exports = {
  solidity: { compilers: [{ version: "0.8.19" }, { version: '0.6.12' }],
              settings: { optimizer: { enabled: true, runs: 1000 }, evmVersion: "paris" } },
  paths: { sources: "./sol" },
};"#;
        let dir = project(&[("hardhat.config.js", config_js), ("sol/A.sol", "")]);
        let config = Config::detect(dir.path(), &Overrides::default()).unwrap();
        assert_eq!(config.layout, Layout::Hardhat);
        let versions: Vec<String> = config.versions.iter().map(Version::to_string).collect();
        assert_eq!(versions, ["0.6.12", "0.8.19"], "both compilers, for the pragmas to choose from");
        assert_eq!((config.optimizer_runs, config.evm_version.as_deref()), (Some(1000), Some("paris")));
        assert_eq!(config.sources, dir.path().join("./sol"));
        assert_eq!(config.unit_base, dir.path(), "Hardhat names units from the root");
    }

    #[test]
    fn foundry_toml_and_flags_configure_the_build() {
        let toml = "[profile.default]\nsrc = \"contracts\"\nsolc_version = \"0.8.20\"\noptimizer = true\n\
                    optimizer_runs = 999\nremappings = [\"@oz/=lib/openzeppelin-contracts/contracts/\"]\n";
        let dir = project(&[
            ("foundry.toml", toml),
            ("contracts/A.sol", ""),
            ("lib/forge-std/src/Test.sol", ""),
            ("lib/openzeppelin-contracts/contracts/X.sol", ""),
        ]);
        let config = Config::detect(dir.path(), &Overrides::default()).unwrap();
        assert_eq!(config.layout, Layout::Foundry);
        assert_eq!(config.versions, ["0.8.20".parse::<Version>().unwrap()]);
        assert_eq!(config.optimizer_runs, Some(999));
        let expected = [
            "@oz/=lib/openzeppelin-contracts/contracts/",
            "forge-std/=lib/forge-std/src/",
            "openzeppelin-contracts/=lib/openzeppelin-contracts/",
        ];
        assert_eq!(config.remappings, expected, "explicit first, then one per library as forge does");
        let flags = Overrides {
            solc: Some("0.8.24".parse().unwrap()),
            no_optimizer: true,
            evm_version: Some("shanghai".into()),
            ..Overrides::default()
        };
        let config = Config::detect(dir.path(), &flags).unwrap();
        assert_eq!(config.versions, ["0.8.24".parse::<Version>().unwrap()]);
        assert_eq!((config.optimizer_runs, config.evm_version.as_deref()), (None, Some("shanghai")));
    }

    #[test]
    fn imports_resolve_relative_then_through_remappings() {
        let mut config = Config::base(Layout::Foundry, Path::new("/p"), PathBuf::from("/p/src"));
        config.remappings =
            vec!["@oz/=lib/openzeppelin/contracts/".into(), "forge-std/=lib/forge-std/src/".into()];
        assert_eq!(config.resolve_import("src/a/Token.sol", "./B.sol"), "src/a/B.sol");
        assert_eq!(config.resolve_import("src/a/Token.sol", "../C.sol"), "src/C.sol");
        assert_eq!(config.resolve_import("Token.sol", "./Math.sol"), "Math.sol", "from a top-level unit");
        assert_eq!(
            config.resolve_import("src/Token.sol", "@oz/token/ERC20.sol"),
            "lib/openzeppelin/contracts/token/ERC20.sol"
        );
        assert_eq!(
            config.resolve_import("project:/contracts/balancer/BPool.sol", "./BToken.sol"),
            "project:/contracts/balancer/BToken.sol"
        );
    }
}
