//! Where a run's KPI rows go: [`KpiFormat`] (the netlist's `[sim] kpis`,
//! `tsp run --kpis-format`) chooses the wide CSV `kpis.csv`, the long
//! Parquet table `kpis.parquet/`, or both; [`KpiSinks`] writes each row to
//! every chosen table; [`KpiSink`] is what a table writer does.
//!
//! # Errors
//! A row is offered to every table even when one refuses it; the first
//! error is returned. Finishing finishes every table, then reports the
//! first error.

use super::error::Result;
use super::long_writer::{LongKpiWriter, LONG_TABLE};
use super::writer::KpiWriter;
use std::path::Path;

/// Name of the wide table in a results folder.
pub const WIDE_TABLE: &str = "kpis.csv";

/// Which KPI tables a run writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KpiFormat {
    /// `kpis.csv`: a column per KPI, a row per sampled tick (the default).
    #[default]
    Wide,
    /// `kpis.parquet/`: a row per `(tick, kpi)` that has a value.
    Long,
    /// Both tables.
    Both,
}

impl KpiFormat {
    /// The names `[sim] kpis` and `--kpis-format` accept.
    pub const NAMES: [&'static str; 3] = ["wide", "long", "both"];

    /// Whether this is the default (`wide`).
    pub fn is_wide(&self) -> bool {
        *self == Self::Wide
    }

    /// The files this format writes in a results folder.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Self::Wide => &[WIDE_TABLE],
            Self::Long => &[LONG_TABLE],
            Self::Both => &[WIDE_TABLE, LONG_TABLE],
        }
    }
}

impl std::str::FromStr for KpiFormat {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text {
            "wide" => Ok(Self::Wide),
            "long" => Ok(Self::Long),
            "both" => Ok(Self::Both),
            _ => Err(format!("{text:?} is not a KPI format: give one of {}", Self::NAMES.join(", "))),
        }
    }
}

/// A KPI table being written, one row per sampled tick.
pub trait KpiSink: std::fmt::Debug {
    /// Write one row: one value per KPI column, `NaN` for an empty cell.
    fn write_row(&mut self, tick: u64, time_s: u64, values: &[f64]) -> Result<()>;
}

impl KpiSink for KpiWriter {
    fn write_row(&mut self, tick: u64, time_s: u64, values: &[f64]) -> Result<()> {
        Self::write_row(self, tick, time_s, values)
    }
}

impl KpiSink for LongKpiWriter {
    fn write_row(&mut self, tick: u64, time_s: u64, values: &[f64]) -> Result<()> {
        Self::write_row(self, tick, time_s, values)
    }
}

/// The tables [`KpiFormat`] chose, written together.
#[derive(Debug)]
pub struct KpiSinks {
    wide: Option<KpiWriter>,
    long: Option<LongKpiWriter>,
}

impl KpiSinks {
    /// Start the tables `format` chooses in results folder `dir`, with KPI
    /// columns `columns` (checked before any file is touched).
    pub fn create(dir: &Path, format: KpiFormat, columns: Vec<String>) -> Result<Self> {
        let (wide, long) = match format {
            KpiFormat::Wide => (Some(KpiWriter::create(&dir.join(WIDE_TABLE), columns)?), None),
            KpiFormat::Long => (None, Some(LongKpiWriter::create(&dir.join(LONG_TABLE), columns)?)),
            KpiFormat::Both => {
                let wide = KpiWriter::create(&dir.join(WIDE_TABLE), columns.clone())?;
                (Some(wide), Some(LongKpiWriter::create(&dir.join(LONG_TABLE), columns)?))
            }
        };
        Ok(Self { wide, long })
    }

    /// Finish every table (flushed and synced to disk).
    pub fn finish(self) -> Result<()> {
        let wide = self.wide.map_or(Ok(()), KpiWriter::finish);
        let long = self.long.map_or(Ok(()), LongKpiWriter::finish);
        wide.and(long)
    }

    /// Close every table without waiting for the disk.
    pub fn close(self) -> Result<()> {
        let wide = self.wide.map_or(Ok(()), KpiWriter::close);
        let long = self.long.map_or(Ok(()), LongKpiWriter::close);
        wide.and(long)
    }
}

impl KpiSink for KpiSinks {
    fn write_row(&mut self, tick: u64, time_s: u64, values: &[f64]) -> Result<()> {
        let wide = self.wide.as_mut().map_or(Ok(()), |w| w.write_row(tick, time_s, values));
        let long = self.long.as_mut().map_or(Ok(()), |w| w.write_row(tick, time_s, values));
        wide.and(long)
    }
}

/// Whether results folder `dir` holds a KPI table of either format.
pub fn has_kpis(dir: &Path) -> bool {
    dir.join(WIDE_TABLE).is_file() || dir.join(LONG_TABLE).is_dir()
}
