//! [`CsvTable`]: one trace table streamed to CSV, one flushed row at a time.

use super::columns::{csv_fields, names, Column};
use super::error::{Result, TraceError};
use std::fs::File;
use std::path::{Path, PathBuf};

/// A CSV file of records `R`: the header, then one complete, flushed line per
/// record. Fields holding a comma, a quote or a line break are quoted.
pub(super) struct CsvTable<R: 'static> {
    path: PathBuf,
    columns: &'static [Column<R>],
    out: csv::Writer<File>,
    /// Set after a failed write: the file may end in a partial line.
    failed: bool,
}

impl<R> std::fmt::Debug for CsvTable<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvTable").field("path", &self.path).field("failed", &self.failed).finish()
    }
}

impl<R> CsvTable<R> {
    /// Create (or truncate) `path` and write the header line.
    pub(super) fn create(path: &Path, columns: &'static [Column<R>]) -> Result<Self> {
        let file = File::create(path).map_err(|source| TraceError::Io {
            file: path.to_owned(),
            action: "create",
            source,
        })?;
        let out = csv::WriterBuilder::new().has_headers(false).from_writer(file);
        let mut table = Self { path: path.to_owned(), columns, out, failed: false };
        let header = names(columns);
        table.write_line(&header)?;
        Ok(table)
    }

    /// Write one record and flush it.
    pub(super) fn write(&mut self, record: &R) -> Result<()> {
        let fields = csv_fields(self.columns, record);
        self.write_line(&fields)
    }

    /// Flush and sync the file to disk.
    pub(super) fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|source| self.io("flush", source))?;
        self.out.get_ref().sync_all().map_err(|source| self.io("sync", source))
    }

    fn write_line<S: AsRef<[u8]>>(&mut self, fields: &[S]) -> Result<()> {
        if self.failed {
            return Err(TraceError::AfterFailure { file: self.path.clone() });
        }
        self.failed = true;
        self.out.write_record(fields).map_err(|source| TraceError::Csv {
            file: self.path.clone(),
            action: "write",
            source: Box::new(source),
        })?;
        self.out.flush().map_err(|source| self.io("flush", source))?;
        self.failed = false;
        Ok(())
    }

    fn io(&self, action: &'static str, source: std::io::Error) -> TraceError {
        TraceError::Io { file: self.path.clone(), action, source }
    }
}
