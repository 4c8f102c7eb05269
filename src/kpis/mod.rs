//! KPI tables: named metrics sampled each tick, streamed to a CSV file (the
//! wide table), to a long Parquet table ([`LongKpiWriter`], for runs with
//! many columns that are mostly empty) or both ([`KpiSinks`]), and read back
//! for plots and comparisons; [`trace`] is the other sink, every transaction
//! and event of a run as CSV and Parquet.
//!
//! A table has the columns `tick`, `time_s` (added by the writer) followed by
//! the KPI columns, each named `<scope>.<quantity>` (`pool.dt1.spot_price`,
//! `agent.alice.usd`, `global.consumes`). Numbers are written in Rust's
//! shortest round-trip form (scientific notation for very large or very small
//! magnitudes), `NaN`, `inf` and `-inf` for non-finite values, so reading a
//! file back gives the exact `f64`s that were written.
//!
//! # State
//! A [`KpiWriter`] owns its file. [`KpiWriter::write_row`] writes one complete
//! line and flushes it before returning, so a run that is interrupted (a
//! panic, a kill, a dropped writer) leaves a file of complete rows: the header
//! and every row whose `write_row` returned `Ok`. [`KpiWriter::finish`] also
//! syncs the file to disk.
//!
//! # Errors
//! Every [`KpiError`] names the file. Bad column names are refused when the
//! writer is created, before the file is touched; a row of the wrong length is
//! refused with the tick and both lengths, and nothing is written for it.
//! [`read_kpis`] refuses a malformed file (bad header, wrong field count,
//! unparsable number) naming the line and column instead of guessing.

mod error;
mod frame;
mod long_reader;
mod long_writer;
mod names;
mod number;
mod reader;
mod sink;
pub mod trace;
mod writer;

pub use error::{KpiError, Result};
pub use frame::{Frame, Values};
pub use long_reader::read_long_kpis;
pub use long_writer::{LongKpiWriter, COLUMNS_FILE, LONG_COLUMNS, LONG_TABLE, PART_CELLS};
pub use names::{nearest_columns, quantity_of, scope_of, TICK_COLUMN, TIME_COLUMN};
pub use number::{format_value, parse_value};
pub use reader::{read_kpis, read_kpis_where, KpiTable};
pub use sink::{has_kpis, KpiFormat, KpiSink, KpiSinks, WIDE_TABLE};
pub use writer::KpiWriter;

#[cfg(test)]
mod long_tests;
#[cfg(test)]
mod tests;
