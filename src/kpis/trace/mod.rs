//! The trace sink: every committed transaction and every event of a run, as
//! CSV and Parquet, so a user can check results to the wei (`tsp run
//! --trace`).
//!
//! A [`TraceWriter`] writes four files into one directory:
//! `transactions.csv` and `transactions.parquet` (one [`TxRecord`] a row),
//! `events.csv` and `events.parquet` (one [`EventRecord`] a row). Both files
//! of a table hold the same columns and the same text: addresses checksummed,
//! wei amounts and decoded arguments as exact decimal strings (never through
//! `f64`), raw topics and data as `0x` hex. Ticks, transaction numbers, log
//! positions and gas are integer columns (Parquet `UINT_64` / `UINT_32`).
//! `tx_index` joins an event to its transaction. A missing value (the `to`
//! of a deployment, the created contract of a call, absent topics) is null
//! in Parquet and empty in CSV.
//! Parquet columns are Snappy-compressed; the same records give the same
//! bytes (no timestamps in either format).
//!
//! # State
//! The writer owns its four files. Each CSV row is written and flushed before
//! [`TraceWriter::tx`] / [`TraceWriter::event`] return, so a run that is
//! killed leaves CSV files of complete rows. Parquet rows are buffered and
//! written a row group (64 Ki rows) at a time into `<table>.parquet.partial`;
//! only [`TraceWriter::finish`] writes the footer and renames the files to
//! `<table>.parquet`. A killed run therefore leaves no `.parquet` file (a
//! stale one from an earlier run in the same directory is removed when the
//! writer is created), only an unreadable `.partial`.
//!
//! # Errors
//! Every [`TraceError`] names the file. After a failed write to a file, every
//! further row for it is refused ([`TraceError::AfterFailure`]) rather than
//! appended after a partial line. An event with more than four topics is
//! refused before anything is written for it.

mod columns;
mod csv_table;
mod error;
mod parquet_table;
mod records;

pub use error::{Result, TraceError};
pub use records::{EventRecord, TxRecord, TxStatus};

use csv_table::CsvTable;
use parquet_table::ParquetTable;
use records::{EVENT_COLUMNS, MAX_TOPICS, TX_COLUMNS};
use std::path::{Path, PathBuf};

/// File name of the transactions table in CSV.
pub const TRANSACTIONS_CSV: &str = "transactions.csv";
/// File name of the transactions table in Parquet.
pub const TRANSACTIONS_PARQUET: &str = "transactions.parquet";
/// File name of the events table in CSV.
pub const EVENTS_CSV: &str = "events.csv";
/// File name of the events table in Parquet.
pub const EVENTS_PARQUET: &str = "events.parquet";
/// Rows per Parquet row group.
pub const ROW_GROUP_ROWS: usize = 65_536;

/// Writes a run's trace: transactions and events, as CSV and Parquet.
#[derive(Debug)]
pub struct TraceWriter {
    dir: PathBuf,
    transactions_csv: CsvTable<TxRecord>,
    transactions_parquet: ParquetTable<TxRecord>,
    events_csv: CsvTable<EventRecord>,
    events_parquet: ParquetTable<EventRecord>,
    transactions: u64,
    events: u64,
}

impl TraceWriter {
    /// Create `dir` if needed and start the four trace files in it
    /// (CSV headers written at once), with [`ROW_GROUP_ROWS`] rows per
    /// Parquet row group.
    pub fn create(dir: &Path) -> Result<Self> {
        Self::with_row_group_rows(dir, ROW_GROUP_ROWS)
    }

    /// [`create`](Self::create) with `rows` rows per Parquet row group
    /// (at least 1): smaller groups hold less in memory, larger ones make
    /// smaller, faster files.
    pub fn with_row_group_rows(dir: &Path, rows: usize) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| TraceError::Io {
            file: dir.to_owned(),
            action: "create",
            source,
        })?;
        Ok(Self {
            dir: dir.to_owned(),
            transactions_csv: CsvTable::create(&dir.join(TRANSACTIONS_CSV), TX_COLUMNS)?,
            transactions_parquet: ParquetTable::create(
                &dir.join(TRANSACTIONS_PARQUET),
                "transactions",
                TX_COLUMNS,
                rows,
            )?,
            events_csv: CsvTable::create(&dir.join(EVENTS_CSV), EVENT_COLUMNS)?,
            events_parquet: ParquetTable::create(&dir.join(EVENTS_PARQUET), "events", EVENT_COLUMNS, rows)?,
            transactions: 0,
            events: 0,
        })
    }

    /// Record one transaction: a flushed CSV row, a buffered Parquet row.
    pub fn tx(&mut self, record: &TxRecord) -> Result<()> {
        self.transactions_csv.write(record)?;
        self.transactions_parquet.push(record.clone())?;
        self.transactions += 1;
        Ok(())
    }

    /// Record one event: a flushed CSV row, a buffered Parquet row. An event
    /// with more than four topics is refused and nothing is written for it.
    pub fn event(&mut self, record: &EventRecord) -> Result<()> {
        if record.topics.len() > MAX_TOPICS {
            return Err(TraceError::TooManyTopics {
                file: self.dir.join(EVENTS_CSV),
                tx_index: record.tx_index,
                log_index: record.log_index,
                topics: record.topics.len(),
            });
        }
        self.events_csv.write(record)?;
        self.events_parquet.push(record.clone())?;
        self.events += 1;
        Ok(())
    }

    /// Sync the CSV files, write the last Parquet row groups and footers and
    /// give the Parquet files their final names. Every file is finished even
    /// when an earlier one fails; the first error is returned.
    pub fn finish(self) -> Result<()> {
        let results = [
            self.transactions_csv.finish(),
            self.events_csv.finish(),
            self.transactions_parquet.finish(),
            self.events_parquet.finish(),
        ];
        results.into_iter().collect()
    }

    /// The directory being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Transactions recorded so far.
    pub fn transactions_written(&self) -> u64 {
        self.transactions
    }

    /// Events recorded so far.
    pub fn events_written(&self) -> u64 {
        self.events
    }
}

#[cfg(test)]
mod tests;
