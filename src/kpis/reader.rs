//! [`read_kpis`]: a KPI CSV file back into columns of `f64`.

use super::error::{KpiError, Result};
use super::names::{check_columns, TICK_COLUMN, TIME_COLUMN};
use super::number::parse_value;
use std::path::{Path, PathBuf};

/// A KPI table read back from CSV, stored column by column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KpiTable {
    /// KPI column names, in file order, without `tick` and `time_s`.
    pub columns: Vec<String>,
    /// The `tick` of every row.
    pub ticks: Vec<u64>,
    /// The `time_s` (simulated seconds) of every row.
    pub times: Vec<u64>,
    /// One vector per entry of `columns`, each with one value per row.
    pub values: Vec<Vec<f64>>,
}

impl KpiTable {
    /// The values of the KPI column `name`, one per row; `None` if there is no
    /// such KPI column (`tick` and `time_s` are in `ticks` and `times`).
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let index = self.columns.iter().position(|column| column == name)?;
        Some(&self.values[index])
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ticks.len()
    }

    /// Whether the table has no rows (only a header).
    pub fn is_empty(&self) -> bool {
        self.ticks.is_empty()
    }
}

/// Read a KPI table written by [`super::KpiWriter`].
///
/// The header must start with `tick,time_s` and name valid, unique KPI
/// columns; every row must have one field per column, with unsigned integers
/// for tick and time and numbers (or `NaN`, `inf`, `-inf`) for the KPIs.
/// Anything else is a [`KpiError::Malformed`] naming the line.
///
/// A run written with only the long table has no `kpis.csv`: when `path`
/// is a missing `kpis.csv` and its folder holds `kpis.parquet/`, that table
/// is read instead ([`super::read_long_kpis`]), so charts, reports and
/// comparisons work with either.
pub fn read_kpis(path: &Path) -> Result<KpiTable> {
    read_kpis_where(path, &|_| true)
}

/// [`read_kpis`] keeping only the KPI columns `keep` accepts (ticks and
/// times always): a caller that needs a few columns of a long run's table
/// does not hold the whole table in memory. The other columns' cells are
/// not parsed, so a malformed one goes unnoticed.
pub fn read_kpis_where(path: &Path, keep: &dyn Fn(&str) -> bool) -> Result<KpiTable> {
    if let Some(long) = long_instead(path) {
        let mut table = super::read_long_kpis(&long)?;
        let mut values = std::mem::take(&mut table.values).into_iter();
        let (columns, values) = std::mem::take(&mut table.columns)
            .into_iter()
            .zip(values.by_ref())
            .filter(|(c, _)| keep(c))
            .unzip();
        return Ok(KpiTable { columns, values, ..table });
    }
    let file = std::fs::File::open(path).map_err(|source: std::io::Error| KpiError::Io {
        file: path.to_owned(),
        action: "open",
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(file);
    let mut records = reader.records();
    let malformed = |line: u64, problem: String| KpiError::Malformed { file: path.to_owned(), line, problem };

    let header = match records.next() {
        None => {
            return Err(malformed(1, "empty file: expected a header starting with tick,time_s".to_owned()))
        }
        Some(record) => record.map_err(|error| csv_error(path, error))?,
    };
    let line = header.position().map_or(1, csv::Position::line);
    if header.get(0) != Some(TICK_COLUMN) || header.get(1) != Some(TIME_COLUMN) {
        return Err(malformed(line, format!("header must start with {TICK_COLUMN},{TIME_COLUMN}")));
    }
    let columns: Vec<String> = header.iter().skip(2).map(str::to_owned).collect();
    check_columns(&columns).map_err(|(column, problem)| KpiError::BadColumn {
        file: path.to_owned(),
        column,
        problem,
    })?;

    let width = columns.len() + 2;
    let kept: Vec<usize> = (0..columns.len()).filter(|&i| keep(&columns[i])).collect();
    let columns = kept.iter().map(|&i| columns[i].clone()).collect();
    let mut table =
        KpiTable { values: vec![Vec::new(); kept.len()], columns, ticks: Vec::new(), times: Vec::new() };
    for record in records {
        let record = record.map_err(|error| csv_error(path, error))?;
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != width {
            return Err(malformed(
                line,
                format!("{} fields, expected {width} (as in the header)", record.len()),
            ));
        }
        let integer = |index: usize, name: &str| {
            record[index].parse::<u64>().map_err(|_| {
                malformed(line, format!("{name} {:?} is not an unsigned integer", &record[index]))
            })
        };
        table.ticks.push(integer(0, TICK_COLUMN)?);
        table.times.push(integer(1, TIME_COLUMN)?);
        for ((&index, column), values) in kept.iter().zip(&table.columns).zip(&mut table.values) {
            let text = &record[index + 2];
            let value = parse_value(text)
                .ok_or_else(|| malformed(line, format!("column {column}: {text:?} is not a number")))?;
            values.push(value);
        }
    }
    Ok(table)
}

/// The long table to read for `path`, a missing `kpis.csv` beside one.
fn long_instead(path: &Path) -> Option<PathBuf> {
    if path.exists() || path.file_name()? != super::WIDE_TABLE {
        return None;
    }
    let long = path.with_file_name(super::LONG_TABLE);
    long.is_dir().then_some(long)
}

fn csv_error(path: &Path, error: csv::Error) -> KpiError {
    let file: PathBuf = path.to_owned();
    let line = error.position().map_or(0, csv::Position::line);
    let problem = error.to_string();
    match error.into_kind() {
        csv::ErrorKind::Io(source) => KpiError::Io { file, action: "read", source },
        _ => KpiError::Malformed { file, line, problem },
    }
}
