//! Errors of the artifacts layer; every variant names the file it concerns.

use std::path::PathBuf;

/// Result alias of the artifacts layer.
pub type Result<T, E = ArtifactError> = std::result::Result<T, E>;

/// Why a compiled contract could not be loaded, linked or encoded.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{file}: not valid JSON: {source}")]
    Json {
        /// The file.
        file: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// The JSON is not a known artifact format, or a field is missing or malformed.
    #[error("{file}: {problem}")]
    Malformed {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The file is a compiler's output recording a failed compile.
    #[error("{file}: the compile failed; solc reported {}:\n{}", count_errors(errors.len()), errors.join("\n"))]
    CompileFailed {
        /// The file.
        file: PathBuf,
        /// Each error as the compiler formatted it (with `file:line:column`).
        errors: Vec<String>,
    },
    /// The file holds several contracts and the one asked for is not among them.
    #[error("{file}: no contract named {name:?}; it holds: {available}")]
    UnknownContract {
        /// The file.
        file: PathBuf,
        /// The name asked for.
        name: String,
        /// The names it holds, comma-separated.
        available: String,
    },
    /// The bytecode still has library placeholders.
    #[error("{file}: contract {contract} needs libraries linked first: {libraries}")]
    Unlinked {
        /// The file.
        file: PathBuf,
        /// The contract.
        contract: String,
        /// Libraries still unlinked, comma-separated.
        libraries: String,
    },
    /// Constructor arguments do not fit the ABI.
    #[error("{file}: constructor of {contract}{signature}: {problem}")]
    ConstructorArgs {
        /// The file.
        file: PathBuf,
        /// The contract.
        contract: String,
        /// The constructor's parameter list, e.g. `(address,uint256)`.
        signature: String,
        /// What does not fit.
        problem: String,
    },
}

fn count_errors(n: usize) -> String {
    if n == 1 {
        "1 error".to_string()
    } else {
        format!("{n} errors")
    }
}

impl ArtifactError {
    pub(crate) fn malformed(file: &std::path::Path, problem: impl Into<String>) -> Self {
        Self::Malformed { file: file.to_path_buf(), problem: problem.into() }
    }
}
