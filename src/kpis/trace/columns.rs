//! One column list per record type, shared by the CSV and Parquet outputs
//! so the two files of a table always hold the same columns and values.

/// How a column's value is read from a record, and so its type in both files.
pub(super) enum ColumnValue<R> {
    /// An unsigned 64-bit integer: Parquet `INT64` annotated `UINT_64`.
    U64(fn(&R) -> u64),
    /// An unsigned 32-bit integer: Parquet `INT32` annotated `UINT_32`.
    U32(fn(&R) -> u32),
    /// A UTF-8 string, always present (possibly empty).
    Text(fn(&R) -> String),
    /// A UTF-8 string that may be missing: null in Parquet, empty in CSV.
    OptionalText(fn(&R) -> Option<String>),
}

/// A named column of the table of records `R`.
pub(super) struct Column<R> {
    /// The header in CSV and the field name in Parquet.
    pub(super) name: &'static str,
    /// How to read it from a record.
    pub(super) value: ColumnValue<R>,
}

/// The column names, in order.
pub(super) fn names<R>(columns: &[Column<R>]) -> Vec<&'static str> {
    columns.iter().map(|column| column.name).collect()
}

/// One record as CSV fields, in column order (a missing value is empty).
pub(super) fn csv_fields<R>(columns: &[Column<R>], record: &R) -> Vec<String> {
    columns
        .iter()
        .map(|column| match &column.value {
            ColumnValue::U64(read) => read(record).to_string(),
            ColumnValue::U32(read) => read(record).to_string(),
            ColumnValue::Text(read) => read(record),
            ColumnValue::OptionalText(read) => read(record).unwrap_or_default(),
        })
        .collect()
}
