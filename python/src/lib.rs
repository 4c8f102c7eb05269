//! `tokenspice._core`: the simulator as a Python extension module. The
//! Python package (`python/py/tokenspice/`) wraps it: `run` writes a run's
//! folder exactly as `tsp run` does and hands back its files; `cli` runs
//! any `tsp` subcommand in-process (sweeps and comparisons whose Python
//! agents live in this interpreter); `Sim` steps a run tick by tick (the
//! Gymnasium environment). Importing the module registers the loader of
//! `type = "python"` agents ([`agent`]).
//!
//! The GIL is released while the simulator runs, so runs on worker threads
//! proceed in parallel; a Python agent takes it back for its step.

mod agent;
mod sim;
mod values;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::path::PathBuf;
use tokenspice::chain::SimChain;
use tokenspice::cli::{run_to_dir_with, write_charts, RunOptions};
use tokenspice::netlist::load;

/// An error of the simulator as a Python exception, with its context chain
/// (as `tsp` prints it).
pub(crate) fn to_py(error: anyhow::Error) -> PyErr {
    PyRuntimeError::new_err(tokenspice::cli::describe(&error))
}

/// Run `netlist` with `--set` assignments into the folder `out`: kpis.csv,
/// run.json (and `trace/`, charts and report.html when asked), as `tsp run`
/// writes them. Returns the one-line summary.
#[pyfunction]
#[pyo3(signature = (netlist, out, sets, trace = false, charts = false))]
fn run(
    py: Python<'_>,
    netlist: PathBuf,
    out: PathBuf,
    sets: Vec<String>,
    trace: bool,
    charts: bool,
) -> PyResult<String> {
    py.detach(move || -> anyhow::Result<String> {
        let loaded = load(&netlist, &sets)?;
        let options = RunOptions { progress: false, trace };
        let finished = run_to_dir_with(&loaded, &out, SimChain::embedded(), options)?;
        if charts {
            let (drawn, _flat) = write_charts(&loaded, &out, false)?;
            let label = out.file_name().map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
            tokenspice::report::write_run_report(&out, &label, &drawn)?;
        }
        if let Some(stopped) = finished.stopped {
            anyhow::bail!(
                "{stopped} (kpis.csv and run.json in {} hold the run up to that tick)",
                out.display()
            );
        }
        Ok(finished.summary)
    })
    .map_err(to_py)
}

/// Run the `tsp` command line with `args` (without the program name) in
/// this process; returns its exit status (0: success). Output goes to the
/// process's stdout and stderr.
#[pyfunction]
fn cli(py: Python<'_>, args: Vec<String>) -> PyResult<i32> {
    use clap::Parser;
    let parsed = tokenspice::cli::Cli::try_parse_from(std::iter::once("tsp".to_string()).chain(args))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let code = py.detach(move || parsed.run());
    Ok(if code == std::process::ExitCode::SUCCESS { 0 } else { 1 })
}

/// Check `netlist` with `--set` assignments as `tsp check` does; an error
/// names what is wrong.
#[pyfunction]
fn check(py: Python<'_>, netlist: PathBuf, sets: Vec<String>) -> PyResult<Vec<String>> {
    py.detach(move || load(&netlist, &sets).map(|loaded| loaded.warnings())).map_err(to_py)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    agent::register();
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(cli, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_class::<agent::World>()?;
    m.add_class::<sim::Sim>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
