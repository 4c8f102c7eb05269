//! Running a netlist written inline by a test: one run of one netlist, its
//! rows by column, and the loaded netlist's errors as `tsp check` sees them.

// Not every theme uses every helper.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use tokenspice::engine::{RunSummary, SimEngine};
use tokenspice::netlist::load;

/// A finished run: its columns, its rows (tick, values), its summary and the engine.
#[derive(Debug)]
pub(crate) struct Ran {
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<(u64, Vec<f64>)>,
    pub(crate) summary: RunSummary,
    pub(crate) engine: SimEngine,
}

impl Ran {
    /// One column, a value per row; panics naming the column when it is missing.
    pub(crate) fn column(&self, name: &str) -> Vec<f64> {
        let Some(index) = self.columns.iter().position(|c| c == name) else {
            panic!("no column {name}; columns: {}", self.columns.join(", "));
        };
        self.rows.iter().map(|(_, values)| values[index]).collect()
    }

    /// Whether the run has `name` as a column.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c == name)
    }
}

/// Write `text` as `name` in `dir`.
pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file
}

/// Load (with `--set` overrides), build and run `file`; any error as text with its context chain.
pub(crate) fn try_run_file(file: &Path, sets: &[&str]) -> Result<Ran, String> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let loaded = load(file, &sets).map_err(|e| format!("{e:#}"))?;
    let mut engine = loaded.build().map_err(|e| format!("{e:#}"))?;
    let columns = engine.columns().to_vec();
    let (summary, rows) = engine.run_to_rows().map_err(|e| format!("{e:#}"))?;
    Ok(Ran { columns, rows, summary, engine })
}

/// [`try_run_file`] on `text` written to a temporary directory; panics on an error.
pub(crate) fn run_text(text: &str, sets: &[&str]) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "net.toml", text);
    try_run_file(&file, sets).unwrap_or_else(|e| panic!("the run failed: {e}"))
}

/// The error of `tsp check` on `text` (load, then build), with the file's path; panics when it passes.
pub(crate) fn check_error(text: &str, sets: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "net.toml", text);
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let result =
        std::panic::catch_unwind(|| load(&file, &sets).and_then(|loaded| loaded.build().map(|_| ())));
    let outcome = result.unwrap_or_else(|_| panic!("check panicked on:\n{text}"));
    let error = outcome.expect_err(&format!("check passed, but should fail:\n{text}"));
    (format!("{error:#}"), file.display().to_string())
}

/// The line (1-based) of the first line of `text` containing `needle`.
pub(crate) fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("no {needle:?} in the netlist"))
        + 1
}

/// `a` and `b` agree within `tol`, relative to `b`.
pub(crate) fn assert_close(what: &str, a: f64, b: f64, tol: f64) {
    let scale = b.abs().max(1e-300);
    assert!((a - b).abs() / scale <= tol, "{what}: {a} vs reference {b} (rel {:e})", (a - b).abs() / scale);
}
