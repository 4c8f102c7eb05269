//! Errors of the plot layer; every variant names the file or chart it concerns.

use crate::kpis::KpiError;
use std::path::PathBuf;

/// Result alias of the plot layer.
pub type Result<T, E = PlotError> = std::result::Result<T, E>;

/// Why charts could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// No TrueType font was found for the chart text.
    #[error(
        "no font for chart text (tried: {tried}); run `bash scripts/setup.sh` (installs Debian's \
         fonts-dejavu-core) or set TOKENSPICE_FONT to a .ttf file"
    )]
    FontMissing {
        /// The paths looked at, comma-separated.
        tried: String,
    },
    /// The font file exists but could not be read or is not a usable font.
    #[error("{file}: cannot use as the chart font: {problem}")]
    FontInvalid {
        /// The font file.
        file: PathBuf,
        /// What went wrong.
        problem: String,
    },
    /// The KPI table could not be read.
    #[error(transparent)]
    Kpis(#[from] KpiError),
    /// A chart's KPI pattern matches no column of the table.
    #[error("{file}: chart {title:?}: pattern {pattern:?} matches no KPI column; {available}")]
    NoMatch {
        /// The KPI table.
        file: PathBuf,
        /// Title of the chart.
        title: String,
        /// The pattern that matched nothing.
        pattern: String,
        /// The columns it most likely meant ([`crate::kpis::nearest_columns`]).
        available: String,
    },
    /// A KPI asked for in a comparison is missing from one run.
    #[error("{file}: run {run:?} has no KPI column {kpi:?}; {available}")]
    MissingKpi {
        /// The run's KPI table.
        file: PathBuf,
        /// The run's label.
        run: String,
        /// The KPI asked for.
        kpi: String,
        /// The columns it most likely meant ([`crate::kpis::nearest_columns`]).
        available: String,
    },
    /// A comparison was asked for with no runs.
    #[error("nothing to compare: no runs given")]
    NoRuns,
    /// The output directory could not be created.
    #[error("{dir}: cannot create the chart directory: {source}")]
    OutputDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// plotters failed while drawing or writing a chart file.
    #[error("{file}: cannot draw chart: {problem}")]
    Draw {
        /// The chart file being written.
        file: PathBuf,
        /// plotters' explanation.
        problem: String,
    },
}
