//! `type = "python"` agents: the loader the module registers with the
//! simulator, and [`World`], what a Python agent's `step(world)` sees — the
//! same as a generic agent: calls and transactions by ABI (approvals and
//! reverts recorded alike), balances, transfers, the clock, the address
//! book and the agent's own seeded stream.
//!
//! Classes are found by `tokenspice._load_class` (Python): `file.py:Class`
//! relative to the netlist, `module:Class`, or a class handed to
//! `tokenspice.run(agents=...)`. A `World` is valid only during the step it
//! was given to; kept and used later, it raises.

use crate::to_py;
use crate::values::{from_sol, to_sol};
use alloy_dyn_abi::{DynSolType, DynSolValue, FunctionExt, JsonAbiExt, Specifier};
use alloy_json_abi::Function;
use alloy_primitives::{Address, U256};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::collections::HashMap;
use std::sync::Arc;
use tokenspice::agents::action::ActionContext;
use tokenspice::agents::external::{register as register_loader, Behaviour, BehaviourClass, BehaviourLoader};
use tokenspice::chain::{Backend, ChainError};
use tokenspice::world::ReaderId;

/// Register the loader of `type = "python"` agents.
pub(crate) fn register() {
    register_loader("python", Arc::new(PythonLoader));
}

#[derive(Debug)]
struct PythonLoader;

impl BehaviourLoader for PythonLoader {
    fn load(
        &self,
        class: &str,
        _agent: &str,
        dir: &std::path::Path,
    ) -> Result<Arc<dyn BehaviourClass>, String> {
        Python::attach(|py| {
            let module = py.import("tokenspice").map_err(|e| e.to_string())?;
            let found = module
                .call_method1("_load_class", (class, dir.display().to_string()))
                .map_err(|e| python_error(py, &e))?;
            Ok(Arc::new(PythonClass { class: found.unbind(), spec: class.to_string() })
                as Arc<dyn BehaviourClass>)
        })
    }
}

/// A loaded class.
#[derive(Debug)]
struct PythonClass {
    class: Py<PyAny>,
    spec: String,
}

impl BehaviourClass for PythonClass {
    fn build(&self, name: &str, params: &toml::Table) -> anyhow::Result<Box<dyn Behaviour>> {
        Python::attach(|py| {
            let json = py.import("json")?;
            let params = json.call_method1("loads", (serde_json::to_string(params).unwrap_or_default(),))?;
            let instance = self.class.bind(py).call1((name, params))?;
            Ok::<_, PyErr>(instance.unbind())
        })
        .map(|instance| {
            Box::new(PythonBehaviour { instance, state: AgentState::default() }) as Box<dyn Behaviour>
        })
        .map_err(|e| {
            anyhow::anyhow!(
                "class {}: creating agent {name}: {}",
                self.spec,
                Python::attach(|py| python_error(py, &e))
            )
        })
    }
}

/// A resolved function and its parameter types.
#[derive(Debug)]
struct Resolved {
    function: Function,
    types: Vec<DynSolType>,
}

/// What a Python agent keeps between steps: the functions it has called,
/// resolved once, and its place in the event log once it reads events.
#[derive(Debug, Default)]
struct AgentState {
    functions: HashMap<(Address, String), Arc<Resolved>>,
    events: Option<ReaderId>,
}

/// A Python agent's instance and its state.
#[derive(Debug)]
struct PythonBehaviour {
    instance: Py<PyAny>,
    state: AgentState,
}

impl Behaviour for PythonBehaviour {
    fn step(&mut self, ctx: &mut ActionContext<'_>) -> anyhow::Result<()> {
        Python::attach(|py| {
            // The world lends the context for this call only (see `World`).
            let ctx: *mut ActionContext<'_> = ctx;
            let world = World { ctx: ctx.cast(), state: &mut self.state };
            let world = Py::new(py, world).map_err(|e| anyhow::anyhow!(python_error(py, &e)))?;
            let result = self.instance.bind(py).call_method1("step", (world.clone_ref(py),));
            world.borrow_mut(py).ctx = std::ptr::null_mut();
            result.map(|_| ()).map_err(|e| anyhow::anyhow!("{}", python_error(py, &e)))
        })
    }
}

/// A Python exception as text, with its traceback.
fn python_error(py: Python<'_>, error: &PyErr) -> String {
    let traceback = error
        .traceback(py)
        .and_then(|tb| tb.format().ok())
        .map(|text| format!("\n{}", text.trim_end()))
        .unwrap_or_default();
    format!(
        "Python {}{traceback}",
        error.value(py).repr().map_or_else(|_| error.to_string(), |r| r.to_string())
    )
}

/// What a Python agent's `step(world)` acts on.
#[pyclass(unsendable, module = "tokenspice._core")]
pub(crate) struct World {
    ctx: *mut ActionContext<'static>,
    state: *mut AgentState,
}

impl World {
    fn ctx(&mut self) -> PyResult<&mut ActionContext<'static>> {
        if self.ctx.is_null() {
            return Err(PyRuntimeError::new_err(
                "this world belongs to a step that has ended; use the one step() is given",
            ));
        }
        // Safety: non-null only during the step that lent it, whose
        // context outlives the call and is not otherwise used meanwhile.
        Ok(unsafe { &mut *self.ctx })
    }

    /// The address a name, `@name`, `self` or `0x…` stands for.
    fn address_of(&mut self, target: &str) -> PyResult<Address> {
        let ctx = self.ctx()?;
        let text = target.trim();
        if text == "self" {
            return Ok(ctx.wallet.address);
        }
        if let Some(hex) = text.strip_prefix("0x") {
            return format!("0x{hex}").parse().map_err(|e| PyValueError::new_err(format!("{text:?}: {e}")));
        }
        let name = text.strip_prefix('@').unwrap_or(text);
        ctx.world.book.address(name).ok_or_else(|| {
            let known: Vec<&str> =
                ctx.world.book.entries().iter().map(|e| e.name.as_str()).take(30).collect();
            PyValueError::new_err(format!("unknown name @{name}; the address book has {}", known.join(", ")))
        })
    }

    fn resolve(&mut self, to: Address, function: &str) -> PyResult<Arc<Resolved>> {
        // Safety: as `ctx`: the behaviour's state outlives the step.
        let cache = unsafe { &mut (*self.state).functions };
        if let Some(found) = cache.get(&(to, function.to_string())) {
            return Ok(Arc::clone(found));
        }
        let ctx = self.ctx()?;
        let artifact = ctx.world.book.at(to).and_then(|e| e.artifact_name().map(str::to_string));
        let resolved = if function.contains('(') || artifact.is_none() {
            tokenspice::agents::call::resolve(function, None)
        } else {
            let name = artifact.unwrap_or_default();
            match ctx.world.abis.functions_named(&name, function).as_slice() {
                [one] => Ok(one.clone()),
                [] => Err(format!("{name} has no function {function}")),
                several => Err(format!(
                    "{function} is overloaded in {name}: write one of {}",
                    several.iter().map(Function::signature).collect::<Vec<_>>().join(", ")
                )),
            }
        }
        .map_err(PyValueError::new_err)?;
        let types = resolved
            .inputs
            .iter()
            .map(|p| p.resolve().map_err(|e| PyValueError::new_err(format!("{}: {e}", resolved.signature()))))
            .collect::<PyResult<Vec<_>>>()?;
        let resolved = Arc::new(Resolved { function: resolved, types });
        cache.insert((to, function.to_string()), Arc::clone(&resolved));
        Ok(resolved)
    }

    /// The calldata of `resolved` with `args` (none: no arguments).
    fn encode(&mut self, resolved: &Resolved, args: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u8>> {
        let items: Vec<Bound<'_, PyAny>> = match args {
            Some(args) => args.try_iter()?.collect::<PyResult<_>>()?,
            None => Vec::new(),
        };
        let signature = resolved.function.signature();
        if items.len() != resolved.types.len() {
            return Err(PyValueError::new_err(format!(
                "{signature} takes {} argument(s), {} given",
                resolved.types.len(),
                items.len()
            )));
        }
        let mut values = Vec::with_capacity(items.len());
        for (item, ty) in items.iter().zip(&resolved.types) {
            values.push(
                to_sol(item, ty, &mut |name| self.address_of(name))
                    .map_err(|e| PyValueError::new_err(format!("{signature}: {}", e)))?,
            );
        }
        resolved
            .function
            .abi_encode_input(&values)
            .map_err(|e| PyValueError::new_err(format!("{signature}: {e}")))
    }

    fn decode<'py>(py: Python<'py>, resolved: &Resolved, output: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let decoded = resolved.function.abi_decode_output(output).map_err(|e| {
            PyValueError::new_err(format!(
                "{}: cannot decode the return data: {e}",
                resolved.function.signature()
            ))
        })?;
        match decoded.as_slice() {
            [] => Ok(py.None().into_bound(py)),
            [one] => from_sol(py, one),
            many => {
                let items = many.iter().map(|v| from_sol(py, v)).collect::<PyResult<Vec<_>>>()?;
                Ok(PyTuple::new(py, items)?.into_any())
            }
        }
    }

    fn amount(&mut self, amount: &Bound<'_, PyAny>) -> PyResult<U256> {
        match to_sol(amount, &DynSolType::Uint(256), &mut |name| self.address_of(name))? {
            DynSolValue::Uint(value, _) => Ok(value),
            _ => Err(PyValueError::new_err("an amount must be a number")),
        }
    }
}

/// What a transaction that reverted returns: falsy, with the reason.
#[pyclass(module = "tokenspice._core", frozen)]
#[derive(Debug)]
pub(crate) struct Reverted {
    /// The decoded reason.
    #[pyo3(get)]
    reason: String,
}

#[pymethods]
impl Reverted {
    fn __bool__(&self) -> bool {
        false
    }

    fn __repr__(&self) -> String {
        format!("Reverted({:?})", self.reason)
    }
}

impl World {
    fn reverted(&mut self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ctx = self.ctx()?;
        let reason =
            ctx.world.reverts.last().map(|r| ctx.world.describe_revert(&r.reason)).unwrap_or_default();
        Ok(Py::new(py, Reverted { reason })?.into_any())
    }
}

#[pymethods]
impl World {
    /// The current tick (0-based).
    #[getter]
    fn tick(&mut self) -> PyResult<u64> {
        Ok(self.ctx()?.world.tick)
    }

    /// Simulated seconds since the run started.
    #[getter]
    fn time(&mut self) -> PyResult<u64> {
        let world = &self.ctx()?.world;
        Ok(world.tick * world.tick_seconds)
    }

    /// Seconds per tick.
    #[getter]
    fn tick_seconds(&mut self) -> PyResult<u64> {
        Ok(self.ctx()?.world.tick_seconds)
    }

    /// The agent's name.
    #[getter]
    fn name(&mut self) -> PyResult<String> {
        Ok(self.ctx()?.wallet.name.clone())
    }

    /// The agent's address (`0x…`, checksummed).
    #[getter(address)]
    fn own_address(&mut self) -> PyResult<String> {
        Ok(self.ctx()?.wallet.address.to_checksum(None))
    }

    /// The address of a name of the address book (`"usd"`, `"@usd"`, `"self"`).
    fn address(&mut self, name: &str) -> PyResult<String> {
        Ok(self.address_of(name)?.to_checksum(None))
    }

    /// Every name of the address book with its address.
    fn book<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for entry in self.ctx()?.world.book.entries() {
            dict.set_item(&entry.name, entry.address.to_checksum(None))?;
        }
        Ok(dict)
    }

    /// Call a view: `world.call("curve", "spotPrice")`,
    /// `world.call("@usd", "balanceOf(address) returns (uint256)", ["self"])`.
    /// Arguments: ints are exact units, floats are tokens (×10^18), strings
    /// name addresses. A revert raises `RuntimeError`.
    #[pyo3(signature = (to, function, args = None))]
    fn call<'py>(
        &mut self,
        py: Python<'py>,
        to: &str,
        function: &str,
        args: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let target = self.address_of(to)?;
        let resolved = self.resolve(target, function)?;
        let data = self.encode(&resolved, args)?;
        let ctx = self.ctx()?;
        let from = ctx.wallet.address;
        let signature = resolved.function.signature();
        let fail = |e: String| PyRuntimeError::new_err(format!("{signature} on {to}: {e}"));
        let receipt = ctx.world.chain.call(from, target, data.into()).map_err(|e| fail(e.to_string()))?;
        let output = match receipt.into_output() {
            Ok(output) => output,
            Err(ChainError::Reverted { reason, .. }) => {
                return Err(fail(format!("reverted: {}", ctx.world.describe_revert(&reason))))
            }
            Err(other) => return Err(fail(other.to_string())),
        };
        Self::decode(py, &resolved, &output)
    }

    /// Send a transaction from the agent, granting `approve` allowances
    /// (`[(token, amount)]` or `[(token, amount, spender)]`; spender: the
    /// target) first when short. Returns the decoded result (True for a
    /// function returning nothing), or a falsy `Reverted` when it reverted —
    /// recorded in the run as any agent's revert.
    #[pyo3(signature = (to, function, args = None, value = None, approve = None))]
    fn transact<'py>(
        &mut self,
        py: Python<'py>,
        to: &str,
        function: &str,
        args: Option<&Bound<'py, PyAny>>,
        value: Option<&Bound<'py, PyAny>>,
        approve: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let target = self.address_of(to)?;
        self.ctx()?.check_code(target, function).map_err(to_py)?;
        let resolved = self.resolve(target, function)?;
        let data = self.encode(&resolved, args)?;
        let value = value.map(|v| self.amount(v)).transpose()?.unwrap_or_default();
        let label = resolved.function.name.clone();
        for approval in approve.map(|a| a.try_iter()).transpose()?.into_iter().flatten() {
            let approval = approval?;
            let parts: Vec<Bound<'_, PyAny>> = approval.try_iter()?.collect::<PyResult<_>>()?;
            let (token, amount, spender) = match parts.as_slice() {
                [token, amount] => (token, amount, None),
                [token, amount, spender] => (token, amount, Some(spender)),
                _ => {
                    return Err(PyValueError::new_err(
                        "approve: give (token, amount) or (token, amount, spender)",
                    ))
                }
            };
            let token = self.address_of(&token.extract::<String>()?)?;
            let amount = self.amount(amount)?;
            let spender = match spender {
                Some(s) => self.address_of(&s.extract::<String>()?)?,
                None => target,
            };
            if !self.ctx()?.approve(token, spender, amount, &label).map_err(to_py)? {
                return self.reverted(py);
            }
        }
        let sent = self.ctx()?.send(target, data.into(), value, &label).map_err(to_py)?;
        match sent {
            None => self.reverted(py),
            Some(output) => {
                let decoded = Self::decode(py, &resolved, &output)?;
                Ok(if decoded.is_none() {
                    true.into_pyobject(py)?.to_owned().into_any().unbind()
                } else {
                    decoded.unbind()
                })
            }
        }
    }

    /// Send `amount` of an ERC-20 `token` to `to`; False when it reverted (recorded).
    fn transfer(&mut self, token: &str, to: &str, amount: &Bound<'_, PyAny>) -> PyResult<bool> {
        let (token, to) = (self.address_of(token)?, self.address_of(to)?);
        let amount = self.amount(amount)?;
        let ctx = self.ctx()?;
        let sent = ctx.wallet.transfer_token(&mut ctx.world.chain, token, to, amount);
        Ok(ctx.world.attempt(&ctx.wallet.name, "transfer", sent).map_err(to_py)?.is_some())
    }

    /// ERC-20 balance of `who` (default: the agent) in tokens (÷10^18).
    #[pyo3(signature = (token, who = "self"))]
    fn balance(&mut self, token: &str, who: &str) -> PyResult<f64> {
        let (token, who) = (self.address_of(token)?, self.address_of(who)?);
        self.ctx()?.world.balance(token, who).map_err(to_py)
    }

    /// ERC-20 balance of `who` (default: the agent) in base units, exact.
    #[pyo3(signature = (token, who = "self"))]
    fn balance_units(&mut self, token: &str, who: &str) -> PyResult<u128> {
        let (token, who) = (self.address_of(token)?, self.address_of(who)?);
        let units = self.ctx()?.world.balance_units(token, who).map_err(to_py)?;
        u128::try_from(units).map_err(|_| PyValueError::new_err("the balance exceeds 2^128 base units"))
    }

    /// ETH of `who` (default: the agent), in ether.
    #[pyo3(signature = (who = "self"))]
    fn eth(&mut self, who: &str) -> PyResult<f64> {
        let who = self.address_of(who)?;
        let wei =
            self.ctx()?.world.chain.eth_balance(who).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(tokenspice::script::units_to_f64(wei, 18))
    }

    /// A draw uniform in [0, 1) from the agent's own stream (seeded by the
    /// run's seed and the agent's name, as a TOML agent's).
    fn random(&mut self) -> PyResult<f64> {
        Ok(self.ctx()?.rng.uniform())
    }

    /// True with probability `p`, from the agent's stream (as a TOML
    /// behaviour's `probability`).
    fn chance(&mut self, p: f64) -> PyResult<bool> {
        if !(0.0..=1.0).contains(&p) {
            return Err(PyValueError::new_err(format!("chance({p}): p must be within [0, 1]")));
        }
        Ok(self.ctx()?.rng.chance(p))
    }

    /// A uniform integer in [0, n) from the agent's stream.
    fn below(&mut self, n: usize) -> PyResult<usize> {
        if n == 0 {
            return Err(PyValueError::new_err("below(0): n must be positive"));
        }
        Ok(self.ctx()?.rng.below(n))
    }

    /// The value of the exogenous series `name` at this tick.
    fn series(&mut self, name: &str) -> PyResult<f64> {
        let ctx = self.ctx()?;
        let tick = ctx.world.tick;
        ctx.world
            .series
            .value(name, tick)
            .ok_or_else(|| PyValueError::new_err(format!("unknown series {name:?}")))
    }

    /// Events committed since this agent's previous call (the first call:
    /// those of the current tick so far), decoded by the run's ABIs, oldest
    /// first, as dicts: `tick`, `contract` (its name, else its address),
    /// `event`, then each field (numbers as `int`, the rest as `str`).
    /// `contract` and `event` keep only those of that contract (a name) or
    /// event name.
    #[pyo3(signature = (contract = None, event = None))]
    fn events<'py>(
        &mut self,
        py: Python<'py>,
        contract: Option<&str>,
        event: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let only = contract.map(|c| self.address_of(c)).transpose()?;
        // Safety: as `ctx`: the behaviour's state outlives the step.
        let state = unsafe { &mut *self.state };
        let world = &mut self.ctx()?.world;
        world.sync_events();
        let reader = *state.events.get_or_insert_with(|| world.events.reader_from_oldest());
        let entries: Vec<_> = world.events.unread(reader).cloned().collect();
        let list = PyList::empty(py);
        for entry in entries {
            if only.is_some_and(|address| address != entry.log.address) {
                continue;
            }
            let name = world.book.name_of(entry.log.address).map(str::to_string);
            let artifact =
                world.book.at(entry.log.address).and_then(|e| e.artifact_name().map(str::to_string));
            let Some(decoded) = world.abis.decode_log(artifact.as_deref(), &entry.log) else { continue };
            if event.is_some_and(|wanted| wanted != decoded.name) {
                continue;
            }
            let dict = PyDict::new(py);
            dict.set_item("tick", entry.tick)?;
            dict.set_item("contract", name.unwrap_or_else(|| entry.log.address.to_checksum(None)))?;
            dict.set_item("event", &decoded.name)?;
            for (field, text) in &decoded.fields {
                let number =
                    !text.is_empty() && text.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit());
                if number {
                    dict.set_item(field, py.get_type::<pyo3::types::PyInt>().call1((text,))?)?;
                } else {
                    dict.set_item(field, text)?;
                }
            }
            list.append(dict)?;
        }
        Ok(list)
    }

    /// The run's counter `name` (0 when never set).
    fn counter(&mut self, name: &str) -> PyResult<f64> {
        Ok(self.ctx()?.world.counters.get(name).copied().unwrap_or(0.0))
    }

    /// Add `amount` to the run's counter `name` (KPI `counter("name")`).
    fn count(&mut self, name: &str, amount: f64) -> PyResult<()> {
        *self.ctx()?.world.counters.entry(name.to_string()).or_default() += amount;
        Ok(())
    }
}
