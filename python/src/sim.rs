//! [`Sim`]: a run stepped tick by tick from Python (the Gymnasium
//! environment, notebooks). The netlist's system is deployed once; every
//! `reset(seed)` starts a new episode from a fork of that deployed world, so
//! an episode costs no deployment, and the same seed gives the same episode.

use crate::to_py;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::path::PathBuf;
use tokenspice::chain::SimChain;
use tokenspice::engine::SimEngine;
use tokenspice::netlist::{load, LoadedNetlist};
use tokenspice::world::World;

/// A run stepped from Python.
#[pyclass(unsendable, module = "tokenspice._core")]
pub(crate) struct Sim {
    loaded: LoadedNetlist,
    template: World,
    engine: Option<SimEngine>,
}

impl Sim {
    fn engine(&mut self) -> PyResult<&mut SimEngine> {
        self.engine.as_mut().ok_or_else(|| PyRuntimeError::new_err("call reset(seed) first"))
    }
}

#[pymethods]
impl Sim {
    /// Load `netlist` with `--set` assignments and extra KPI columns
    /// `kpis` (`[(name, expression)]`, as `[[kpi]]` tables), and deploy it.
    #[new]
    #[pyo3(signature = (netlist, sets = Vec::new(), kpis = Vec::new()))]
    fn new(
        py: Python<'_>,
        netlist: PathBuf,
        sets: Vec<String>,
        kpis: Vec<(String, String)>,
    ) -> PyResult<Self> {
        let mut loaded = load(&netlist, &sets).map_err(to_py)?;
        for (name, expr) in &kpis {
            loaded.add_kpi(name, expr, "tokenspice Sim kpis").map_err(to_py)?;
        }
        let _ = py;
        let template = loaded.set_up(SimChain::embedded(), false).map_err(to_py)?;
        Ok(Self { loaded, template, engine: None })
    }

    /// Start an episode with `seed` from the deployed world.
    fn reset(&mut self, seed: u64) -> PyResult<()> {
        let world = self.template.fork(seed).map_err(to_py)?;
        self.engine = Some(self.loaded.start_seeded(world, seed).map_err(to_py)?);
        Ok(())
    }

    /// Run one tick; returns the KPI row when the tick is a sampled one.
    fn step(&mut self) -> PyResult<Option<Vec<f64>>> {
        let stepped = self.engine()?.step().map_err(to_py)?;
        if let Some(stopped) = stepped.stopped {
            return Err(PyRuntimeError::new_err(stopped));
        }
        Ok(stepped.values)
    }

    /// The KPI row of this moment (every column, sampled now).
    fn observe(&mut self) -> PyResult<Vec<f64>> {
        self.engine()?.sample_now().map_err(to_py)
    }

    /// KPI column names, in row order.
    fn columns(&mut self) -> PyResult<Vec<String>> {
        Ok(self.engine()?.columns().to_vec())
    }

    /// The next tick to run.
    #[getter]
    fn tick(&mut self) -> PyResult<u64> {
        Ok(self.engine()?.next_tick())
    }

    /// Whether every tick of the netlist's duration has run.
    #[getter]
    fn finished(&mut self) -> PyResult<bool> {
        Ok(self.engine()?.finished())
    }

    /// Ticks in an episode.
    #[getter]
    fn ticks(&self) -> PyResult<u64> {
        Ok(self.loaded.clock().map_err(to_py)?.ticks)
    }
}
