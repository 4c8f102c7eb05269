//! One fuzz input: a netlist's text with its `--set` values and edits to a
//! copy of the project's build and of the own-v3 adapter; how it is stored
//! (a netlist whose leading `# key: json` comment lines hold the rest), laid
//! out in a folder, and what `tsp check` and a short run make of it.

// The fuzz harness and the regression corpus use different parts.
#![allow(dead_code)]

use crate::fs::copy_dir;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tokenspice::netlist::load;

/// Runs longer than this many ticks (or with more agents than
/// [`MAX_RUN_AGENTS`]) are checked but not run.
pub(crate) const MAX_RUN_TICKS: u64 = 400;
/// See [`MAX_RUN_TICKS`].
pub(crate) const MAX_RUN_AGENTS: usize = 60;

/// A fuzz input.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Case {
    /// How it was made (mutations, in order).
    pub(crate) origin: Vec<String>,
    /// The netlist text.
    pub(crate) netlist: String,
    /// `--set` values.
    pub(crate) sets: Vec<String>,
    /// Edits of the build: `(artifact file under out/, JSON pointer, value)`.
    pub(crate) artifacts: Vec<(String, String, Value)>,
    /// Edits of adapters/own-v3.toml: `(dotted path, value)`; `None` deletes.
    /// Stored as TOML text, which gives floats back exactly (JSON does not).
    pub(crate) adapter: Vec<(String, Option<toml::Value>)>,
    /// The expected outcome lines (regression corpus only).
    pub(crate) expect: Vec<String>,
}

/// What the simulator made of an input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Loading or building refused it (the message).
    Refused(String),
    /// It passed; the warnings, and the run's error if a short run failed.
    Accepted { warnings: Vec<String>, ran: bool, run_error: Option<String> },
}

impl Outcome {
    /// The lines a regression case records.
    pub(crate) fn lines(&self) -> Vec<String> {
        match self {
            Self::Refused(message) => message.lines().map(|l| format!("refused: {l}")).collect(),
            Self::Accepted { warnings, ran, run_error } => {
                let mut lines: Vec<String> = warnings.iter().map(|w| format!("warning: {w}")).collect();
                lines.push(match (ran, run_error) {
                    (_, Some(error)) => format!("run failed: {error}"),
                    (true, None) => "ran".to_string(),
                    (false, None) => "checked".to_string(),
                });
                lines
            }
        }
    }
}

fn header(key: &str, value: &Value) -> String {
    format!("# {key}: {value}\n")
}

impl Case {
    /// The stored form.
    pub(crate) fn to_text(&self) -> String {
        let mut text = String::new();
        for origin in &self.origin {
            text += &header("origin", &Value::from(origin.as_str()));
        }
        for set in &self.sets {
            text += &header("set", &Value::from(set.as_str()));
        }
        for (file, pointer, value) in &self.artifacts {
            text += &header("artifact", &serde_json::json!([file, pointer, value]));
        }
        for (path, value) in &self.adapter {
            text +=
                &header("adapter", &serde_json::json!([path, value.as_ref().map(toml::Value::to_string)]));
        }
        for line in &self.expect {
            text += &header("expect", &Value::from(line.as_str()));
        }
        text + "# ---\n" + self.netlist.as_str()
    }

    /// Parse the stored form (`name` for messages).
    pub(crate) fn from_text(name: &str, text: &str) -> Result<Self, String> {
        let (head, netlist) = text.split_once("# ---\n").ok_or(format!("{name}: no `# ---` line"))?;
        let mut case = Self { netlist: netlist.to_string(), ..Self::default() };
        for line in head.lines() {
            let (key, json) = line
                .strip_prefix("# ")
                .and_then(|l| l.split_once(": "))
                .ok_or(format!("{name}: bad header line {line:?}"))?;
            let value: Value = serde_json::from_str(json).map_err(|e| format!("{name}: {key}: {e}"))?;
            let text =
                |v: &Value| v.as_str().map(str::to_string).ok_or(format!("{name}: {key} must be a string"));
            match (key, value) {
                ("origin", v) => case.origin.push(text(&v)?),
                ("set", v) => case.sets.push(text(&v)?),
                ("expect", v) => case.expect.push(text(&v)?),
                ("artifact", Value::Array(parts)) if parts.len() == 3 => {
                    case.artifacts.push((text(&parts[0])?, text(&parts[1])?, parts[2].clone()))
                }
                ("adapter", Value::Array(parts)) if parts.len() == 2 => {
                    let value = match &parts[1] {
                        Value::Null => None,
                        v => Some(
                            format!("v = {}", text(v)?)
                                .parse::<toml::Table>()
                                .map_err(|e| format!("{name}: adapter value: {e}"))?
                                .remove("v")
                                .unwrap_or(toml::Value::Boolean(false)),
                        ),
                    };
                    case.adapter.push((text(&parts[0])?, value))
                }
                _ => return Err(format!("{name}: bad header line {line:?}")),
            }
        }
        Ok(case)
    }

    /// Lay the case out in `dir`: `netlist.toml`, `include/` (the shipped
    /// includes), `build/` (a copy of out/, edited) and `adapter.toml`
    /// (own-v3, edited) when the case edits them. The netlist file.
    pub(crate) fn lay_out(&self, dir: &Path) -> PathBuf {
        copy_dir(&repo("netlists/include"), &dir.join("include"));
        if !self.artifacts.is_empty() || !self.adapter.is_empty() {
            copy_dir(&repo("out"), &dir.join("build"));
        }
        for (file, pointer, value) in &self.artifacts {
            edit_artifact(&dir.join("build").join(file), pointer, value.clone());
        }
        if !self.adapter.is_empty() {
            let own: toml::Table =
                std::fs::read_to_string(repo("adapters/own-v3.toml")).unwrap().parse().unwrap();
            let mut adapter = toml::Value::Table(own);
            for (path, value) in &self.adapter {
                super::mutate::set_path(&mut adapter, path, value.clone());
            }
            std::fs::write(dir.join("adapter.toml"), toml::to_string(&adapter).unwrap_or_default()).unwrap();
        }
        let file = dir.join("netlist.toml");
        std::fs::write(&file, &self.netlist).unwrap();
        file
    }

    /// Check the case (as `tsp check` does) and, when it passes and is
    /// short, run it; messages have `dir` replaced by `{dir}`.
    pub(crate) fn evaluate(&self, dir: &Path) -> Outcome {
        let file = self.lay_out(dir);
        let shown = dir.display().to_string();
        let clean = |e: anyhow::Error| format!("{e:#}").replace(&shown, "{dir}");
        let loaded = match load(&file, &self.sets) {
            Ok(loaded) => loaded,
            Err(e) => return Outcome::Refused(clean(e)),
        };
        let warnings: Vec<String> = loaded.warnings().iter().map(|w| w.replace(&shown, "{dir}")).collect();
        let clock = match loaded.clock() {
            Ok(clock) => clock,
            Err(e) => return Outcome::Refused(clean(e)),
        };
        let mut engine = match loaded.build() {
            Ok(engine) => engine,
            Err(e) => return Outcome::Refused(clean(e)),
        };
        if let Err(e) = loaded.selected_columns(engine.columns()) {
            return Outcome::Refused(clean(e));
        }
        if clock.ticks > MAX_RUN_TICKS || loaded.agents.len() > MAX_RUN_AGENTS {
            return Outcome::Accepted { warnings, ran: false, run_error: None };
        }
        let run_error = engine.run_to_rows().err().map(clean);
        Outcome::Accepted { warnings, ran: true, run_error }
    }
}

/// A repository path.
pub(crate) fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Replace the value at `pointer` in the artifact (an empty pointer
/// replaces the whole file; a missing parent leaves the file as it is).
fn edit_artifact(file: &Path, pointer: &str, value: Value) {
    let Ok(text) = std::fs::read_to_string(file) else { return };
    let mut json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if pointer.is_empty() {
        json = value;
    } else if let Some(slot) = json.pointer_mut(pointer) {
        *slot = value;
    }
    std::fs::write(file, json.to_string()).unwrap();
}
