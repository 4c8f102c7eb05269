//! [`read_long_kpis`]: a long KPI table ([`super::LongKpiWriter`]) back into
//! the wide [`KpiTable`] that charts, reports and comparisons use.
//!
//! Every tick that has a cell becomes a row; a cell absent from the long
//! table is `NaN`, as the wide table writes an empty cell. Columns come in
//! the order of `_columns.txt` (so a column that never had a value is still
//! there); without that file, in the order they first appear.
//!
//! # Errors
//! A missing directory, an unreadable part, a part whose schema is not the
//! long table's, ticks going backwards, a cell given twice or a KPI not in
//! `_columns.txt` are errors naming the file.

use super::error::{KpiError, Result};
use super::long_writer::{parquet_error, COLUMNS_FILE, LONG_COLUMNS};
use super::reader::KpiTable;
use parquet::column::reader::ColumnReader;
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The cells of one part, column by column.
#[derive(Default)]
struct Cells {
    ticks: Vec<i64>,
    times: Vec<i64>,
    kpis: Vec<parquet::data_type::ByteArray>,
    values: Vec<f64>,
}

/// Read the long KPI table in directory `dir` (a results folder's `kpis.parquet`).
pub fn read_long_kpis(dir: &Path) -> Result<KpiTable> {
    let io = |file: &Path, action: &'static str| {
        let file = file.to_owned();
        move |source| KpiError::Io { file, action, source }
    };
    let listing = dir.join(COLUMNS_FILE);
    let listed = match std::fs::read_to_string(&listing) {
        Ok(text) => Some(text.lines().map(str::to_owned).collect::<Vec<_>>()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(io(&listing, "read")(error)),
    };
    let mut parts: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir, "read"))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(io(dir, "read"))?;
    parts.retain(|path| {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        name.starts_with("part-") && name.ends_with(".parquet")
    });
    parts.sort();
    if parts.is_empty() {
        return Err(KpiError::LongTable {
            file: dir.to_owned(),
            problem: "no part-*.parquet file: not a long KPI table, or its run wrote no part".to_owned(),
        });
    }
    let fixed = listed.is_some();
    let columns = listed.unwrap_or_default();
    let mut index: BTreeMap<String, usize> =
        columns.iter().enumerate().map(|(i, c)| (c.clone(), i)).collect();
    let mut table =
        KpiTable { values: vec![Vec::new(); columns.len()], columns, ticks: Vec::new(), times: Vec::new() };
    for part in &parts {
        let cells = read_part(part)?;
        let bad = |problem: String| KpiError::LongTable { file: part.clone(), problem };
        for (((&tick, &time), kpi), &value) in
            cells.ticks.iter().zip(&cells.times).zip(&cells.kpis).zip(&cells.values)
        {
            let (tick, time) = match (u64::try_from(tick), u64::try_from(time)) {
                (Ok(tick), Ok(time)) => (tick, time),
                _ => return Err(bad(format!("negative tick {tick} or time_s {time}"))),
            };
            match table.ticks.last() {
                Some(&last) if last == tick => {}
                Some(&last) if last > tick => {
                    return Err(bad(format!("tick {tick} comes after tick {last}")))
                }
                _ => {
                    table.ticks.push(tick);
                    table.times.push(time);
                    table.values.iter_mut().for_each(|column| column.push(f64::NAN));
                }
            }
            let name = kpi.as_utf8().map_err(|_| bad(format!("tick {tick}: a kpi name is not UTF-8")))?;
            let column = match index.get(name) {
                Some(&column) => column,
                None if fixed => {
                    return Err(bad(format!("tick {tick}: KPI {name:?} is not listed in {COLUMNS_FILE}")))
                }
                None => {
                    index.insert(name.to_owned(), table.columns.len());
                    table.columns.push(name.to_owned());
                    table.values.push(vec![f64::NAN; table.ticks.len()]);
                    table.columns.len() - 1
                }
            };
            let cell = table.values[column].last_mut().unwrap_or_else(|| unreachable!("a row was pushed"));
            if !cell.is_nan() {
                return Err(bad(format!("tick {tick}: KPI {name} has two values")));
            }
            *cell = value;
        }
    }
    Ok(table)
}

/// Every cell of one part file.
fn read_part(path: &Path) -> Result<Cells> {
    let file = std::fs::File::open(path).map_err(|source| KpiError::Io {
        file: path.to_owned(),
        action: "open",
        source,
    })?;
    let reader = SerializedFileReader::new(file).map_err(|source| parquet_error(path, "read", source))?;
    let fields = reader.metadata().file_metadata().schema().get_fields();
    let names: Vec<&str> = fields.iter().map(|f| f.name()).collect();
    if names != LONG_COLUMNS {
        return Err(KpiError::LongTable {
            file: path.to_owned(),
            problem: format!("columns {names:?}, expected {LONG_COLUMNS:?}"),
        });
    }
    let mut cells = Cells::default();
    let wrong_type = |column: &str| KpiError::LongTable {
        file: path.to_owned(),
        problem: format!("column {column} does not have the long table's type"),
    };
    for group in 0..reader.num_row_groups() {
        let group = reader.get_row_group(group).map_err(|source| parquet_error(path, "read", source))?;
        let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
        for (column, name) in LONG_COLUMNS.iter().enumerate() {
            let reader =
                group.get_column_reader(column).map_err(|source| parquet_error(path, "read", source))?;
            let read = match (reader, column) {
                (ColumnReader::Int64ColumnReader(mut r), 0) => {
                    r.read_records(rows, None, None, &mut cells.ticks)
                }
                (ColumnReader::Int64ColumnReader(mut r), 1) => {
                    r.read_records(rows, None, None, &mut cells.times)
                }
                (ColumnReader::ByteArrayColumnReader(mut r), 2) => {
                    r.read_records(rows, None, None, &mut cells.kpis)
                }
                (ColumnReader::DoubleColumnReader(mut r), 3) => {
                    r.read_records(rows, None, None, &mut cells.values)
                }
                _ => return Err(wrong_type(name)),
            };
            read.map_err(|source| parquet_error(path, "read", source))?;
        }
    }
    let lengths = [cells.ticks.len(), cells.times.len(), cells.kpis.len(), cells.values.len()];
    if lengths.iter().any(|&n| n != lengths[0]) {
        return Err(KpiError::LongTable {
            file: path.to_owned(),
            problem: format!("columns of unequal length {lengths:?}"),
        });
    }
    Ok(cells)
}
