//! [`Frame`]: a table of typed columns built in memory and written as CSV and
//! as Parquet with the same columns and values — for the tables a study
//! writes (tidy rows, one summary row per run), which pandas and polars read
//! as numbers.
//!
//! Floats are written in the KPI writer's shortest round-trip form in CSV
//! (`NaN`, `inf`) and as `DOUBLE` in Parquet; integers as `INT64`; text as
//! UTF-8. A file is written next to its target and renamed into place, so a
//! reader never sees half a table.
//!
//! # Errors
//! I/O and encoding failures name the file.

use super::number::format_value;
use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Whole numbers.
    Int(Vec<i64>),
    /// Floats.
    Float(Vec<f64>),
    /// Text.
    Text(Vec<String>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Self::Int(v) => v.len(),
            Self::Float(v) => v.len(),
            Self::Text(v) => v.len(),
        }
    }

    fn field(&self, row: usize, out: &mut String) {
        match self {
            Self::Int(v) => out.push_str(&v[row].to_string()),
            Self::Float(v) => format_value(out, v[row]),
            Self::Text(v) => out.push_str(&v[row]),
        }
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    /// `(name, values)` in order.
    pub columns: Vec<(String, Values)>,
}

impl Frame {
    /// Add a column.
    pub fn push(&mut self, name: impl Into<String>, values: Values) {
        self.columns.push((name.into(), values));
    }

    /// Rows (the length of the first column).
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    fn check(&self) -> anyhow::Result<()> {
        let rows = self.rows();
        if let Some((name, values)) = self.columns.iter().find(|(_, v)| v.len() != rows) {
            anyhow::bail!("column {name} has {} values, the table {rows} rows", values.len());
        }
        Ok(())
    }

    /// Write the table as CSV (header row, then the rows).
    pub fn write_csv(&self, path: &Path) -> anyhow::Result<()> {
        self.check()?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(self.columns.iter().map(|(name, _)| name.as_str()))?;
        let mut fields = vec![String::new(); self.columns.len()];
        for row in 0..self.rows() {
            for (field, (_, values)) in fields.iter_mut().zip(&self.columns) {
                field.clear();
                values.field(row, field);
            }
            writer.write_record(&fields)?;
        }
        let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        write_atomically(path, |file| file.write_all(&bytes).map_err(Into::into))
    }

    /// Write the table as Parquet (one row group; Snappy-compressed).
    pub fn write_parquet(&self, path: &Path) -> anyhow::Result<()> {
        self.check()?;
        let fields = self
            .columns
            .iter()
            .map(|(name, values)| {
                let (physical, logical) = match values {
                    Values::Int(_) => (PhysicalType::INT64, None),
                    Values::Float(_) => (PhysicalType::DOUBLE, None),
                    Values::Text(_) => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
                };
                Type::primitive_type_builder(name, physical)
                    .with_repetition(Repetition::REQUIRED)
                    .with_logical_type(logical)
                    .build()
                    .map(Arc::new)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Arc::new(Type::group_type_builder("table").with_fields(fields).build()?);
        let properties = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
        write_atomically(path, |file| {
            let mut writer = SerializedFileWriter::new(file, schema, properties)?;
            let mut group = writer.next_row_group()?;
            for (_, values) in &self.columns {
                let mut column =
                    group.next_column()?.ok_or_else(|| anyhow::anyhow!("schema has fewer columns"))?;
                match values {
                    Values::Int(v) => {
                        column.typed::<Int64Type>().write_batch(v, None, None)?;
                    }
                    Values::Float(v) => {
                        column.typed::<DoubleType>().write_batch(v, None, None)?;
                    }
                    Values::Text(v) => {
                        let bytes: Vec<ByteArray> = v.iter().map(|s| ByteArray::from(s.as_str())).collect();
                        column.typed::<ByteArrayType>().write_batch(&bytes, None, None)?;
                    }
                }
                column.close()?;
            }
            group.close()?;
            writer.close()?;
            Ok(())
        })
    }
}

/// Write `path` through a `.partial` file renamed into place on success.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let partial = path.with_extension(format!(
        "{}.partial",
        path.extension().map_or(String::new(), |e| e.to_string_lossy().into_owned())
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&partial)?;
        write(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&partial, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result.map_err(|e: anyhow::Error| anyhow::anyhow!("{}: cannot write: {e:#}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    #[test]
    fn csv_and_parquet_hold_the_same_typed_values() {
        let mut frame = Frame::default();
        frame.push("run", Values::Int(vec![0, 1, 2]));
        frame.push("value", Values::Float(vec![0.1, f64::NAN, 1e300]));
        frame.push("kpi", Values::Text(vec!["a.b".into(), "c,d".into(), String::new()]));
        let dir = tempfile::tempdir().unwrap();
        let (csv_path, parquet_path) = (dir.path().join("t.csv"), dir.path().join("t.parquet"));
        frame.write_csv(&csv_path).unwrap();
        frame.write_parquet(&parquet_path).unwrap();
        let text = std::fs::read_to_string(&csv_path).unwrap();
        assert_eq!(text, "run,value,kpi\n0,0.1,a.b\n1,NaN,\"c,d\"\n2,1e300,\n");
        let reader = SerializedFileReader::new(std::fs::File::open(&parquet_path).unwrap()).unwrap();
        let rows: Vec<Vec<Field>> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|row| row.unwrap().get_column_iter().map(|(_, f)| f.clone()).collect())
            .collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], vec![Field::Long(0), Field::Double(0.1), Field::Str("a.b".into())]);
        assert!(matches!(rows[1][1], Field::Double(x) if x.is_nan()));
        assert_eq!(rows[2][2], Field::Str(String::new()));
        assert!(!dir.path().join("t.parquet.partial").exists());
        let mut bad = Frame::default();
        bad.push("a", Values::Int(vec![1]));
        bad.push("b", Values::Int(vec![]));
        assert!(bad.write_csv(&csv_path).unwrap_err().to_string().contains("column b has 0 values"));
    }
}
