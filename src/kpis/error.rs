//! Errors of the kpis layer; every variant names the file it concerns.

use std::path::PathBuf;

/// Result alias of the kpis layer.
pub type Result<T, E = KpiError> = std::result::Result<T, E>;

/// Why a KPI table could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KpiError {
    /// The file could not be created, written, flushed or read.
    #[error("{file}: cannot {action}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// What was being done ("create", "write", "read", ...).
        action: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A KPI column name is not acceptable.
    #[error("{file}: bad KPI column name {column:?}: {problem}")]
    BadColumn {
        /// The file.
        file: PathBuf,
        /// The offending name.
        column: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A row does not have one value per KPI column.
    #[error("{file}: row at tick {tick} has {got} values, expected {expected} (one per KPI column)")]
    RowLength {
        /// The file.
        file: PathBuf,
        /// Tick of the refused row.
        tick: u64,
        /// Number of KPI columns.
        expected: usize,
        /// Number of values given.
        got: usize,
    },
    /// A line of a KPI file cannot be parsed.
    #[error("{file}: line {line}: {problem}")]
    Malformed {
        /// The file.
        file: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        problem: String,
    },
    /// A Parquet file of a KPI table could not be written or read.
    #[error("{file}: cannot {action}: {source}")]
    Parquet {
        /// The file.
        file: PathBuf,
        /// What was being done ("write a part", "read", ...).
        action: &'static str,
        /// The Parquet error.
        source: Box<parquet::errors::ParquetError>,
    },
    /// A long KPI table does not hold what its writer writes.
    #[error("{file}: {problem}")]
    LongTable {
        /// The table's directory or part file.
        file: PathBuf,
        /// What is wrong.
        problem: String,
    },
}
