//! Comparison and reporting: the table that scores runs (or Monte Carlo
//! seeds) of several designs against the criteria of the model they ran
//! ([`CriteriaSet`]), and a self-contained HTML page with the table and the
//! charts.
//!
//! A run is a results directory written by `tsp run` (`kpis.csv`, `run.json`).
//! Each criterion reads one KPI column of `kpis.csv` (its last row) and
//! judges it by a [`Rule`]; "simplicity" is measured from the Solidity sources
//! of the design named by `run.json`'s `"design"` field, with the file
//! patterns the model gives for that design ([`simplicity`]).
//! A KPI column that a run lacks, a non-finite value or an unknown design is
//! shown as `n/a`, never a failure of the report.
//!
//! # State
//! Nothing is kept between calls. [`write_report`] replaces `report.html` in
//! the output directory and writes nothing else.
//!
//! # Errors
//! Every [`ReportError`] names the file concerned: a results directory without
//! `kpis.csv` or `run.json`, a malformed one, an unreadable chart or Solidity
//! source, an output file that cannot be written. Bad input never panics.

mod attack_row;
mod core_reverts;
mod format;
mod html;
mod run_page;
mod simplicity;
mod stats;
mod table;
mod tables_csv;

pub use crate::models::criteria::{CriteriaSet, Criterion, Rule, SIMPLICITY_ID};
pub use attack_row::{AttackFinding, AttackStep, WORST_ATTACK, WORST_ATTACK_ID, WORST_ATTACK_LIMIT_PCT};
pub use html::{base64_encode, write_report, write_run_report};
pub use simplicity::{design_files, measure_design, measure_source, DesignSources, Simplicity};
pub use stats::{paired_differences, t_critical_95, SeedStats};
pub use table::{
    criteria_values, interval_verdict, Cell, CellValue, CriteriaRow, CriteriaTable, DesignSeeds, PairedRow,
    RunInfo,
};

use std::path::{Path, PathBuf};

/// Result alias of the report layer.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// Why a comparison or report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{file}: cannot {action}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// What was being done ("read", "write", ...).
        action: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A results directory lacks a file that `tsp run` writes.
    #[error("{file}: missing ({what}); is {dir} a results directory written by `tsp run`?")]
    MissingFile {
        /// The missing file.
        file: PathBuf,
        /// The results directory.
        dir: PathBuf,
        /// What the file holds.
        what: &'static str,
    },
    /// `run.json` is not the JSON object `tsp run` writes.
    #[error("{file}: {problem}")]
    BadRunJson {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// `kpis.csv` could not be read.
    #[error(transparent)]
    Kpis(#[from] crate::kpis::KpiError),
    /// The runs given do not fit together (none, or seeds without a partner).
    #[error("{0}")]
    Runs(String),
}

/// Where the project's Solidity sources are: `contracts/` in the current
/// directory when it exists (a checkout), else the one this binary was built from.
pub fn contracts_root() -> PathBuf {
    let local = Path::new("contracts");
    if local.is_dir() {
        local.to_owned()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts")
    }
}

#[cfg(test)]
pub(crate) mod tests;
