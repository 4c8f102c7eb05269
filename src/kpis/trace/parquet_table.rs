//! [`ParquetTable`]: one trace table written to Parquet in row groups.
//!
//! Rows are buffered and written a row group at a time into
//! `<name>.parquet.partial`; [`ParquetTable::finish`] writes the footer and
//! renames the file to `<name>.parquet`. A run that stops before that leaves
//! only the `.partial` file, which has no footer and is not readable.

use super::columns::{Column, ColumnValue};
use super::error::{Result, TraceError};
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::Type;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The codec of every column chunk: Snappy, which every Parquet reader
/// supports, costs little CPU and shrinks the repetitive hex columns.
const COMPRESSION: Compression = Compression::SNAPPY;

/// A Parquet file of records `R`, written a row group at a time.
pub(super) struct ParquetTable<R: 'static> {
    /// Where the file is written until it is finished.
    partial: PathBuf,
    /// Its name once finished.
    path: PathBuf,
    columns: &'static [Column<R>],
    writer: SerializedFileWriter<File>,
    pending: Vec<R>,
    rows_per_group: usize,
    /// Set after a failed row group: the file cannot be completed.
    failed: bool,
}

impl<R> std::fmt::Debug for ParquetTable<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetTable")
            .field("path", &self.path)
            .field("pending_rows", &self.pending.len())
            .field("rows_per_group", &self.rows_per_group)
            .field("failed", &self.failed)
            .finish()
    }
}

impl<R> ParquetTable<R> {
    /// Remove a stale `path` left by an earlier run (so it cannot be taken
    /// for this run's), then start writing `path` + `.partial`.
    /// `rows_per_group` is at least 1.
    pub(super) fn create(
        path: &Path,
        table: &str,
        columns: &'static [Column<R>],
        rows_per_group: usize,
    ) -> Result<Self> {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(TraceError::Io { file: path.to_owned(), action: "remove", source }),
        }
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let parquet_error = |action, source: parquet::errors::ParquetError| TraceError::Parquet {
            file: partial.clone(),
            action,
            source: Box::new(source),
        };
        let schema = schema(table, columns).map_err(|source| parquet_error("build the schema", source))?;
        let file = File::create(&partial).map_err(|source| TraceError::Io {
            file: partial.clone(),
            action: "create",
            source,
        })?;
        let properties = WriterProperties::builder().set_compression(COMPRESSION).build();
        let writer = SerializedFileWriter::new(file, schema, Arc::new(properties))
            .map_err(|source| parquet_error("start", source))?;
        Ok(Self {
            partial: partial.clone(),
            path: path.to_owned(),
            columns,
            writer,
            pending: Vec::new(),
            rows_per_group: rows_per_group.max(1),
            failed: false,
        })
    }

    /// Buffer one record; write a row group when the buffer is full.
    pub(super) fn push(&mut self, record: R) -> Result<()> {
        if self.failed {
            return Err(TraceError::AfterFailure { file: self.partial.clone() });
        }
        self.pending.push(record);
        if self.pending.len() >= self.rows_per_group {
            self.write_group()?;
        }
        Ok(())
    }

    /// Write the last row group and the footer, sync, and rename the file to
    /// its final name.
    pub(super) fn finish(mut self) -> Result<()> {
        if self.failed {
            return Err(TraceError::AfterFailure { file: self.partial.clone() });
        }
        self.write_group()?;
        self.writer.finish().map_err(|source| self.parquet("write the footer", source))?;
        self.writer.inner().sync_all().map_err(|source| self.io("sync", source))?;
        std::fs::rename(&self.partial, &self.path).map_err(|source| self.io("rename", source))
    }

    /// Write the buffered records as one row group.
    fn write_group(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.failed = true;
        let mut group = self
            .writer
            .next_row_group()
            .map_err(|source| parquet_of(&self.partial, "start a row group", source))?;
        for column in self.columns {
            let next =
                group.next_column().map_err(|source| parquet_of(&self.partial, "start a column", source))?;
            let Some(mut writer) = next else {
                let missing = parquet::errors::ParquetError::General(format!("no column {}", column.name));
                return Err(parquet_of(&self.partial, "write a column", missing));
            };
            write_column(&mut writer, &column.value, &self.pending)
                .and_then(|()| writer.close())
                .map_err(|source| parquet_of(&self.partial, "write a column", source))?;
        }
        group.close().map_err(|source| parquet_of(&self.partial, "close a row group", source))?;
        self.pending.clear();
        self.failed = false;
        Ok(())
    }

    fn parquet(&self, action: &'static str, source: parquet::errors::ParquetError) -> TraceError {
        parquet_of(&self.partial, action, source)
    }

    fn io(&self, action: &'static str, source: std::io::Error) -> TraceError {
        TraceError::Io { file: self.partial.clone(), action, source }
    }
}

fn parquet_of(file: &Path, action: &'static str, source: parquet::errors::ParquetError) -> TraceError {
    TraceError::Parquet { file: file.to_owned(), action, source: Box::new(source) }
}

/// Write one column of `records` into the open column chunk.
fn write_column<R>(
    writer: &mut SerializedColumnWriter<'_>,
    value: &ColumnValue<R>,
    records: &[R],
) -> parquet::errors::Result<()> {
    match value {
        ColumnValue::U64(read) => {
            // UINT_64 is stored as INT64 with the same bits.
            let values: Vec<i64> = records.iter().map(|record| read(record) as i64).collect();
            writer.typed::<Int64Type>().write_batch(&values, None, None)?;
        }
        ColumnValue::U32(read) => {
            // UINT_32 is stored as INT32 with the same bits.
            let values: Vec<i32> = records.iter().map(|record| read(record) as i32).collect();
            writer.typed::<Int32Type>().write_batch(&values, None, None)?;
        }
        ColumnValue::Text(read) => {
            let values: Vec<ByteArray> =
                records.iter().map(|record| ByteArray::from(read(record).into_bytes())).collect();
            writer.typed::<ByteArrayType>().write_batch(&values, None, None)?;
        }
        ColumnValue::OptionalText(read) => {
            let mut values = Vec::with_capacity(records.len());
            let mut defined = Vec::with_capacity(records.len());
            for record in records {
                match read(record) {
                    Some(text) => {
                        values.push(ByteArray::from(text.into_bytes()));
                        defined.push(1);
                    }
                    None => defined.push(0),
                }
            }
            writer.typed::<ByteArrayType>().write_batch(&values, Some(&defined), None)?;
        }
    }
    Ok(())
}

/// The Parquet schema of a table: one flat field per column.
fn schema<R>(table: &str, columns: &[Column<R>]) -> parquet::errors::Result<Arc<Type>> {
    let fields = columns
        .iter()
        .map(|column| {
            let (physical, logical, repetition) = match column.value {
                ColumnValue::U64(_) => {
                    (PhysicalType::INT64, LogicalType::integer(64, false), Repetition::REQUIRED)
                }
                ColumnValue::U32(_) => {
                    (PhysicalType::INT32, LogicalType::integer(32, false), Repetition::REQUIRED)
                }
                ColumnValue::Text(_) => (PhysicalType::BYTE_ARRAY, LogicalType::String, Repetition::REQUIRED),
                ColumnValue::OptionalText(_) => {
                    (PhysicalType::BYTE_ARRAY, LogicalType::String, Repetition::OPTIONAL)
                }
            };
            Type::primitive_type_builder(column.name, physical)
                .with_repetition(repetition)
                .with_logical_type(Some(logical))
                .build()
                .map(Arc::new)
        })
        .collect::<parquet::errors::Result<Vec<_>>>()?;
    Type::group_type_builder(table).with_fields(fields).build().map(Arc::new)
}
