//! Errors of the trace sink; every variant names the file it concerns.

use std::path::PathBuf;

/// Result alias of the trace sink.
pub type Result<T, E = TraceError> = std::result::Result<T, E>;

/// Why a trace file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The directory or a file could not be created, written, flushed,
    /// synced or renamed.
    #[error("{file}: cannot {action}: {source}")]
    Io {
        /// The file (or directory).
        file: PathBuf,
        /// What was being done ("create", "write", "rename", ...).
        action: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The CSV writer failed.
    #[error("{file}: cannot {action}: {source}")]
    Csv {
        /// The CSV file.
        file: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The CSV writer's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The Parquet writer failed.
    #[error("{file}: cannot {action}: {source}")]
    Parquet {
        /// The Parquet file being written (its `.partial` name until finished).
        file: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The Parquet writer's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An earlier write to this file failed, so it may end in a partial row;
    /// no further row is written to it.
    #[error("{file}: not written: an earlier write to this file failed")]
    AfterFailure {
        /// The file.
        file: PathBuf,
    },
    /// A log record holds more topics than the EVM allows (four).
    #[error(
        "{file}: event {log_index} of transaction {tx_index} has {topics} topics, at most 4 are possible"
    )]
    TooManyTopics {
        /// The events file.
        file: PathBuf,
        /// Run-wide number of the transaction.
        tx_index: u64,
        /// Position of the log in its transaction.
        log_index: u32,
        /// Number of topics given.
        topics: usize,
    },
}
