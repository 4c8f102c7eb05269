//! [`LongKpiWriter`]: the KPI table in long format, `(tick, time_s, kpi,
//! value)` one row per cell that has a value, streamed to a Parquet dataset.
//!
//! A wide table row of a run with hundreds of pool slots is mostly `NaN`
//! (a slot whose pool does not exist yet); here such a cell is simply
//! absent, so the table grows with what exists, not with what was planned.
//! A `NaN` is the wide table's empty cell, so nothing is lost: reading the
//! long table back ([`super::read_long_kpis`]) gives the wide table again,
//! value for value.
//!
//! # Layout
//! `kpis.parquet/` is a directory (a Parquet dataset, read whole by
//! `pandas.read_parquet` and `polars.read_parquet`): `_columns.txt` lists
//! every KPI column in wide order, one a line, and `part-00000000.parquet`,
//! `part-00000001.parquet`, ... hold the cells in tick order, a part closed
//! after the row that brings it to [`PART_CELLS`] cells. Columns: `tick` and
//! `time_s` (`INT64`), `kpi` (UTF-8 text, dictionary-encoded), `value`
//! (`DOUBLE`), Snappy-compressed; the same rows give the same bytes.
//!
//! # State
//! The writer owns its directory and holds at most one part's cells (plus
//! one row) in memory. A part is written to a `.partial` file and renamed
//! when complete, so a killed run leaves every closed part readable and
//! loses only the cells of the part in progress. [`LongKpiWriter::finish`]
//! writes the last part (an empty one when the run had no cell at all, so
//! the dataset always has a schema) and syncs it.
//!
//! # Errors
//! As [`super::KpiWriter`]: bad column names are refused before anything
//! is written, a row of the wrong length is refused with nothing written
//! for it, and after a failed write every further row is refused.

use super::error::{KpiError, Result};
use super::names::check_columns;
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::writer::ColumnWriterImpl;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{Type, TypePtr};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Name of the long table's directory in a results folder.
pub const LONG_TABLE: &str = "kpis.parquet";
/// The file of a long table listing its KPI columns in wide order.
pub const COLUMNS_FILE: &str = "_columns.txt";
/// Cells a part holds before it is closed (at the end of a row).
pub const PART_CELLS: usize = 32_768;
/// Names converted to Parquet values at a time when a part is written.
const NAME_BATCH: usize = 4_096;
/// The long table's columns, in file order.
pub const LONG_COLUMNS: [&str; 4] = ["tick", "time_s", "kpi", "value"];

/// Streams a KPI table in long format to a Parquet dataset directory.
#[derive(Debug)]
pub struct LongKpiWriter {
    dir: PathBuf,
    columns: Vec<String>,
    /// The column names as Parquet text, cloned (cheaply) into each part.
    names: Vec<ByteArray>,
    schema: TypePtr,
    properties: WriterPropertiesPtr,
    part_cells: usize,
    /// The part in progress, column by column.
    ticks: Vec<i64>,
    times: Vec<i64>,
    kpis: Vec<usize>,
    values: Vec<f64>,
    parts: u64,
    rows: u64,
    cells: u64,
    failed: bool,
}

impl LongKpiWriter {
    /// Check the KPI column names, then create `dir` (removing the parts of
    /// an earlier table in it) and write its `_columns.txt`; parts of
    /// [`PART_CELLS`] cells.
    pub fn create(dir: &Path, columns: Vec<String>) -> Result<Self> {
        Self::with_part_cells(dir, columns, PART_CELLS)
    }

    /// [`create`](Self::create) with parts of `cells` cells (at least 1):
    /// smaller parts lose less to a kill and hold less in memory.
    pub fn with_part_cells(dir: &Path, columns: Vec<String>, cells: usize) -> Result<Self> {
        check_columns(&columns).map_err(|(column, problem)| KpiError::BadColumn {
            file: dir.to_owned(),
            column,
            problem,
        })?;
        let io = |file: &Path, action: &'static str| {
            let file = file.to_owned();
            move |source| KpiError::Io { file, action, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir, "create"))?;
        for entry in std::fs::read_dir(dir).map_err(io(dir, "read"))? {
            let path = entry.map_err(io(dir, "read"))?.path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name == COLUMNS_FILE || name.starts_with("part-") {
                std::fs::remove_file(&path).map_err(io(&path, "remove"))?;
            }
        }
        let listing = dir.join(COLUMNS_FILE);
        let text: String = columns.iter().map(|c| format!("{c}\n")).collect();
        std::fs::write(&listing, text).map_err(io(&listing, "write"))?;
        let schema = long_schema().map_err(|source| parquet_error(dir, "build the schema", source))?;
        let properties = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
        Ok(Self {
            dir: dir.to_owned(),
            names: columns.iter().map(|c| ByteArray::from(c.as_str())).collect(),
            columns,
            schema,
            properties,
            part_cells: cells.max(1),
            ticks: Vec::new(),
            times: Vec::new(),
            kpis: Vec::new(),
            values: Vec::new(),
            parts: 0,
            rows: 0,
            cells: 0,
            failed: false,
        })
    }

    /// Add one row: `values` holds one value per KPI column, in the order
    /// given to [`create`](Self::create); its `NaN`s are left out. A part
    /// that is full after this row is written before this returns.
    pub fn write_row(&mut self, tick: u64, time_s: u64, values: &[f64]) -> Result<()> {
        if self.failed {
            return Err(self.io(
                &self.dir,
                "write",
                std::io::Error::other("an earlier write to this table failed"),
            ));
        }
        if values.len() != self.columns.len() {
            return Err(KpiError::RowLength {
                file: self.dir.clone(),
                tick,
                expected: self.columns.len(),
                got: values.len(),
            });
        }
        let signed = |name: &str, number: u64| {
            i64::try_from(number).map_err(|_| KpiError::LongTable {
                file: self.dir.clone(),
                problem: format!("{name} {number} does not fit a signed 64-bit integer"),
            })
        };
        let (tick_value, time_value) = (signed("tick", tick)?, signed("time_s", time_s)?);
        let before = self.values.len();
        for (index, &value) in values.iter().enumerate() {
            if !value.is_nan() {
                self.kpis.push(index);
                self.values.push(value);
            }
        }
        let added = self.values.len() - before;
        self.ticks.resize(self.values.len(), tick_value);
        self.times.resize(self.values.len(), time_value);
        self.rows += 1;
        self.cells += added as u64;
        if self.values.len() >= self.part_cells {
            self.write_part()?;
        }
        Ok(())
    }

    /// Write the last part and close the table, without waiting for the disk.
    pub fn close(mut self) -> Result<()> {
        self.end().map(|_| ())
    }

    /// Write the last part, sync it to disk, and close the table.
    pub fn finish(mut self) -> Result<()> {
        let last = self.end()?;
        let file = std::fs::File::open(&last).map_err(|source| self.io(&last, "open", source))?;
        file.sync_all().map_err(|source| self.io(&last, "sync", source))
    }

    /// The table's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The KPI column names (without `tick` and `time_s`).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Rows (ticks) written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Cells (long rows) written so far.
    pub fn cells_written(&self) -> u64 {
        self.cells
    }

    /// Write what is buffered (an empty part when no part exists yet);
    /// returns the path of the last part.
    fn end(&mut self) -> Result<PathBuf> {
        if self.failed {
            return Err(self.io(
                &self.dir,
                "write",
                std::io::Error::other("an earlier write to this table failed"),
            ));
        }
        if !self.values.is_empty() || self.parts == 0 {
            self.write_part()?;
        }
        Ok(self.part_path(self.parts - 1))
    }

    fn part_path(&self, part: u64) -> PathBuf {
        self.dir.join(format!("part-{part:08}.parquet"))
    }

    /// Write the buffered cells as the next part: a `.partial` file renamed
    /// into place once complete.
    fn write_part(&mut self) -> Result<()> {
        let path = self.part_path(self.parts);
        let partial = path.with_extension("parquet.partial");
        self.failed = true;
        let file = std::fs::File::create(&partial).map_err(|source| self.io(&partial, "create", source))?;
        let written = (|| -> parquet::errors::Result<()> {
            let out = std::io::BufWriter::new(file);
            let mut writer =
                SerializedFileWriter::new(out, Arc::clone(&self.schema), Arc::clone(&self.properties))?;
            if !self.values.is_empty() {
                let mut group = writer.next_row_group()?;
                for column in 0..LONG_COLUMNS.len() {
                    let mut chunk = group
                        .next_column()?
                        .ok_or_else(|| parquet::errors::ParquetError::General("schema too short".into()))?;
                    match column {
                        0 => chunk.typed::<Int64Type>().write_batch(&self.ticks, None, None)?,
                        1 => chunk.typed::<Int64Type>().write_batch(&self.times, None, None)?,
                        2 => self.write_names(chunk.typed::<ByteArrayType>())?,
                        _ => chunk.typed::<DoubleType>().write_batch(&self.values, None, None)?,
                    };
                    chunk.close()?;
                }
                group.close()?;
            }
            writer.into_inner()?.flush()?;
            Ok(())
        })();
        written.map_err(|source| parquet_error(&partial, "write a part", source))?;
        std::fs::rename(&partial, &path).map_err(|source| self.io(&path, "rename", source))?;
        self.parts += 1;
        self.ticks.clear();
        self.times.clear();
        self.kpis.clear();
        self.values.clear();
        self.failed = false;
        Ok(())
    }

    /// Write the `kpi` column a slice at a time, so the names of a whole
    /// part are never held as Parquet values at once.
    fn write_names(
        &self,
        column: &mut ColumnWriterImpl<'_, ByteArrayType>,
    ) -> parquet::errors::Result<usize> {
        let mut batch = Vec::with_capacity(NAME_BATCH);
        let mut written = 0;
        for slice in self.kpis.chunks(NAME_BATCH) {
            batch.clear();
            batch.extend(slice.iter().map(|&i| self.names[i].clone()));
            written += column.write_batch(&batch, None, None)?;
        }
        Ok(written)
    }

    fn io(&self, file: &Path, action: &'static str, source: std::io::Error) -> KpiError {
        KpiError::Io { file: file.to_owned(), action, source }
    }
}

/// The long table's Parquet schema: `tick`, `time_s`, `kpi`, `value`, all required.
fn long_schema() -> parquet::errors::Result<TypePtr> {
    let [tick, time, kpi, value] = LONG_COLUMNS;
    let field = |name: &str, physical, logical| {
        Type::primitive_type_builder(name, physical)
            .with_repetition(Repetition::REQUIRED)
            .with_logical_type(logical)
            .build()
            .map(Arc::new)
    };
    let fields = vec![
        field(tick, PhysicalType::INT64, None)?,
        field(time, PhysicalType::INT64, None)?,
        field(kpi, PhysicalType::BYTE_ARRAY, Some(LogicalType::String))?,
        field(value, PhysicalType::DOUBLE, None)?,
    ];
    Ok(Arc::new(Type::group_type_builder("kpis").with_fields(fields).build()?))
}

pub(super) fn parquet_error(
    file: &Path,
    action: &'static str,
    source: parquet::errors::ParquetError,
) -> KpiError {
    KpiError::Parquet { file: file.to_owned(), action, source: Box::new(source) }
}
