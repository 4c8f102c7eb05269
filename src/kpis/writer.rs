//! [`KpiWriter`]: the streaming CSV writer, one flushed line per tick.

use super::error::{KpiError, Result};
use super::names::{check_columns, TICK_COLUMN, TIME_COLUMN};
use super::number::format_value;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Streams a KPI table to a CSV file, one complete, flushed line per row.
#[derive(Debug)]
pub struct KpiWriter {
    path: PathBuf,
    columns: Vec<String>,
    out: BufWriter<File>,
    line: String,
    rows: u64,
    /// Set after an I/O error: the file may end in a partial line, so no
    /// further row is written after it.
    failed: bool,
}

impl KpiWriter {
    /// Check the KPI column names, then create (or truncate) `path` and write
    /// the header `tick,time_s,<columns...>`.
    ///
    /// Names must be `<scope>.<quantity>` of letters, digits, `_`, `-` and
    /// dots, unique, and not `tick` or `time_s` (the writer adds those).
    pub fn create(path: &Path, columns: Vec<String>) -> Result<Self> {
        check_columns(&columns).map_err(|(column, problem)| KpiError::BadColumn {
            file: path.to_owned(),
            column,
            problem,
        })?;
        let file = File::create(path).map_err(|source| KpiError::Io {
            file: path.to_owned(),
            action: "create",
            source,
        })?;
        let mut writer = Self {
            path: path.to_owned(),
            columns,
            out: BufWriter::new(file),
            line: String::new(),
            rows: 0,
            failed: false,
        };
        writer.line.push_str(TICK_COLUMN);
        writer.line.push(',');
        writer.line.push_str(TIME_COLUMN);
        for column in &writer.columns {
            writer.line.push(',');
            writer.line.push_str(column);
        }
        writer.line.push('\n');
        writer.emit_line()?;
        Ok(writer)
    }

    /// Write one row: `values` holds one value per KPI column, in the order
    /// given to [`create`](Self::create). The line is flushed before this
    /// returns. A row of the wrong length is refused and nothing is written;
    /// after an I/O error every further row is refused.
    pub fn write_row(&mut self, tick: u64, time_s: u64, values: &[f64]) -> Result<()> {
        if self.failed {
            return Err(self.io("write", std::io::Error::other("an earlier write to this file failed")));
        }
        if values.len() != self.columns.len() {
            return Err(KpiError::RowLength {
                file: self.path.clone(),
                tick,
                expected: self.columns.len(),
                got: values.len(),
            });
        }
        self.line.clear();
        // Writing to a String cannot fail.
        let _ = write!(self.line, "{tick},{time_s}");
        for &value in values {
            self.line.push(',');
            format_value(&mut self.line, value);
        }
        self.line.push('\n');
        self.emit_line()?;
        self.rows += 1;
        Ok(())
    }

    /// Flush the file and close it, without waiting for the disk (a study's
    /// unit file, renamed into place afterwards: a killed process loses
    /// nothing the kernel has, only a machine crash could).
    pub fn close(mut self) -> Result<()> {
        self.out.flush().map_err(|source| self.io("flush", source))
    }

    /// Flush and sync the file to disk, and close it.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|source| self.io("flush", source))?;
        self.out.get_ref().sync_all().map_err(|source| self.io("sync", source))
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The KPI column names (without `tick` and `time_s`).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Number of rows written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Write the whole of `self.line` and flush it.
    fn emit_line(&mut self) -> Result<()> {
        let written = self.out.write_all(self.line.as_bytes()).map_err(|source| self.io("write", source));
        let flushed = written.and_then(|()| self.out.flush().map_err(|source| self.io("flush", source)));
        self.failed = flushed.is_err();
        flushed
    }

    fn io(&self, action: &'static str, source: std::io::Error) -> KpiError {
        KpiError::Io { file: self.path.clone(), action, source }
    }
}
