"""tokenspice from Python: EVM-in-the-loop, agent-based simulation of token
ecosystems, with results as pandas DataFrames.

    import tokenspice
    run = tokenspice.run("netlists/ocean_v3.toml", set={"sim.duration": "30d"}, seed=3)
    run.kpis                       # a pandas DataFrame, the bytes of kpis.csv
    tidy = tokenspice.sweep("netlists/ocean_v3.toml", factors={"agent.publisher.swap_fee": [0.001, 0.01]}, seeds=2)

Agents may be Python classes (``type = "python"`` in a netlist, with
``class = "agents.py:Trader"``, or ``run(..., agents={"trader": Trader})``);
see :class:`Agent`. ``tokenspice.gym`` has a Gymnasium environment, and
``tokenspice.ray_backend`` runs sweeps on a Ray cluster.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Union

from . import _core
from ._core import World, Sim  # noqa: F401  (re-exported)

__version__ = _core.__version__

__all__ = ["Agent", "Run", "run", "sweep", "compare", "check", "cli", "World", "Sim"]

PathLike = Union[str, os.PathLike]


class Agent:
    """A Python agent: subclass it and write ``step(self, world)``.

    The simulator creates one instance per agent of the netlist, as
    ``Class(name, params)`` (``params``: the agent's ``params`` table), and
    calls ``step(world)`` every tick in the run's shuffled order. The agent
    is an EOA funded like a ``type = "eoa"`` agent (``eth``, ``fund``) and
    reports the same KPI columns. ``world`` (a :class:`tokenspice.World`)
    offers calls and transactions by ABI, balances, transfers, the clock,
    the address book and the agent's own seeded stream
    (``world.random()``, ``world.chance(p)``): use those, not Python's
    ``random``, and a run stays reproducible.
    """

    def __init__(self, name: str, params: Mapping[str, Any]):
        self.name = name
        self.params = dict(params)

    def step(self, world: World) -> None:  # pragma: no cover - to be overridden
        raise NotImplementedError(f"{type(self).__name__}.step(world) is not written")


# Classes handed to run(agents=...) and the Gym environment, by id: the
# netlist names them as class = "py:<id>".
_CLASSES: Dict[int, type] = {}
_CLASS_IDS = itertools.count(1)
_MODULES: Dict[str, Any] = {}
_LOCK = threading.Lock()


def _register_class(cls: type) -> str:
    if not isinstance(cls, type) or not callable(getattr(cls, "step", None)):
        raise TypeError(f"{cls!r}: an agent must be a class with a step(self, world) method")
    with _LOCK:
        ident = next(_CLASS_IDS)
        _CLASSES[ident] = cls
    return f"py:{ident}"


def _load_class(spec: str, netlist_dir: str) -> type:
    """The class a netlist's ``class = ...`` names (called by the simulator)."""
    spec = spec.strip()
    if spec.startswith("py:"):
        try:
            return _CLASSES[int(spec[3:])]
        except (KeyError, ValueError):
            raise LookupError(f"{spec}: no class was handed to this process under that id") from None
    where, sep, name = spec.rpartition(":")
    if not sep or not where or not name:
        raise ValueError('write class = "file.py:ClassName" (a file relative to the netlist) or "module:ClassName"')
    if where.endswith(".py"):
        path = (Path(netlist_dir) / where).resolve()
        with _LOCK:
            module = _MODULES.get(str(path))
            if module is None:
                if not path.is_file():
                    raise FileNotFoundError(f"{path}: no such file")
                unique = f"tokenspice_agents_{len(_MODULES)}_{path.stem}"
                loader_spec = importlib.util.spec_from_file_location(unique, path)
                module = importlib.util.module_from_spec(loader_spec)
                sys.modules[unique] = module
                loader_spec.loader.exec_module(module)
                _MODULES[str(path)] = module
    else:
        module = importlib.import_module(where)
    cls = getattr(module, name, None)
    if cls is None:
        raise LookupError(f"{where} has no {name}")
    if not isinstance(cls, type) or not callable(getattr(cls, "step", None)):
        raise TypeError(f"{where}:{name} is not a class with a step(self, world) method")
    return cls


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"{value!r}: a --set value must be a bool, number, str or list")


def _sets(set: Optional[Mapping[str, Any]], seed: Optional[int], agents: Optional[Mapping[str, type]]) -> list:
    sets = [f"{key}={_toml_value(value)}" for key, value in (set or {}).items()]
    if seed is not None:
        sets.append(f"sim.seed={int(seed)}")
    for name, cls in (agents or {}).items():
        sets.append(f'agent.{name}.class="{_register_class(cls)}"')
    return sets


class Run:
    """A finished run: its folder (kpis.csv, run.json, trace/) and tables."""

    def __init__(self, out: Path, summary: str):
        self.out = out
        self.summary = summary
        self._kpis = None

    def __repr__(self) -> str:
        return f"Run({str(self.out)!r}: {self.summary})"

    @property
    def kpis_csv(self) -> str:
        """kpis.csv as text: the bytes ``tsp run`` writes for the same netlist."""
        return (self.out / "kpis.csv").read_text()

    @property
    def kpis(self):
        """The KPIs, one row per sampled tick (``tick``, ``time_s``, then every column), as a pandas DataFrame.

        A run that wrote only the long table (``[sim] kpis = "long"``) is pivoted back to this shape:
        the same columns in kpis.csv's order, NaN where a column had no value.
        """
        if self._kpis is None:
            import pandas as pd

            csv = self.out / "kpis.csv"
            self._kpis = pd.read_csv(csv) if csv.exists() else self._wide_from_long()
        return self._kpis

    @property
    def kpis_long(self):
        """The KPIs as the long table ``tick, time_s, kpi, value`` (one row per cell that has a
        value), from ``kpis.parquet/`` when the run wrote it, else melted from kpis.csv."""
        import pandas as pd

        if (self.out / "kpis.parquet").is_dir():
            return pd.read_parquet(self.out / "kpis.parquet")
        long = self.kpis.melt(id_vars=["tick", "time_s"], var_name="kpi", value_name="value")
        long = long.dropna(subset=["value"])
        order = {name: i for i, name in enumerate(self.kpis.columns)}
        long = long.sort_values(["tick", "kpi"], key=lambda c: c.map(order) if c.name == "kpi" else c)
        return long.reset_index(drop=True)

    def _wide_from_long(self):
        import pandas as pd

        folder = self.out / "kpis.parquet"
        if not folder.is_dir():
            raise FileNotFoundError(f"{self.out}: neither kpis.csv nor kpis.parquet/ (is it a finished run?)")
        long = pd.read_parquet(folder)
        columns = (folder / "_columns.txt").read_text().split()
        times = long.groupby("tick")["time_s"].first()
        wide = long.pivot(index="tick", columns="kpi", values="value").reindex(columns=columns)
        wide.insert(0, "time_s", times)
        return wide.reset_index().rename_axis(columns=None)

    def kpis_polars(self):
        """The KPIs as a polars DataFrame (polars must be installed)."""
        import polars as pl

        csv = self.out / "kpis.csv"
        return pl.read_csv(csv) if csv.exists() else pl.from_pandas(self.kpis)

    @property
    def manifest(self) -> dict:
        """run.json: the resolved netlist, seed, addresses, bytecode hashes, reverts, timing."""
        return json.loads((self.out / "run.json").read_text())

    @property
    def trace(self):
        """Every committed transaction (``trace=True`` runs), as a pandas DataFrame."""
        path = self.out / "trace" / "transactions.csv"
        if not path.exists():
            raise FileNotFoundError("this run kept no trace: run it with trace=True")
        import pandas as pd

        return pd.read_csv(path)

    @property
    def events(self):
        """Every event of the trace, decoded (``trace=True`` runs), as a pandas DataFrame."""
        import pandas as pd

        return pd.read_csv(self.out / "trace" / "events.csv")


def run(
    netlist: PathLike,
    set: Optional[Mapping[str, Any]] = None,
    seed: Optional[int] = None,
    out: Optional[PathLike] = None,
    agents: Optional[Mapping[str, type]] = None,
    trace: bool = False,
    charts: bool = False,
) -> Run:
    """Run a netlist, as ``tsp run`` does, and return its :class:`Run`.

    ``set``: ``--set`` assignments (``{"sim.duration": "30d"}``); ``seed``:
    the run's seed; ``out``: the folder to write (default: a new temporary
    folder; an existing folder must be empty); ``agents``: Python classes for
    the netlist's ``type = "python"`` agents, by name; ``trace``: keep every
    transaction and event; ``charts``: draw charts and report.html too.
    """
    if out is None:
        folder = Path(tempfile.mkdtemp(prefix="tokenspice-run-"))
    else:
        folder = Path(out)
        if folder.exists() and any(folder.iterdir()):
            raise FileExistsError(f"{folder}: not empty; give a new folder (earlier results are never overwritten)")
    summary = _core.run(str(netlist), str(folder), _sets(set, seed, agents), trace=trace, charts=charts)
    return Run(folder, summary)


def check(netlist: PathLike, set: Optional[Mapping[str, Any]] = None, agents: Optional[Mapping[str, type]] = None) -> list:
    """Check a netlist as ``tsp check`` does; returns its warnings, raises on errors."""
    return _core.check(str(netlist), _sets(set, None, agents))


def cli(*args: str) -> int:
    """Run any ``tsp`` subcommand in this process (Python agents included); returns the exit status."""
    return _core.cli([str(a) for a in args])


def _factor_args(factors: Optional[Mapping[str, Iterable[Any]]]) -> list:
    args = []
    for path, values in (factors or {}).items():
        text = ",".join(v if isinstance(v, str) else _toml_value(v) for v in values)
        args += ["--factor", f"{path}={text}"]
    return args


def sweep(
    netlists: Union[PathLike, Sequence[PathLike]],
    factors: Optional[Mapping[str, Iterable[Any]]] = None,
    seeds: int = 1,
    set: Optional[Mapping[str, Any]] = None,
    agents: Optional[Mapping[str, type]] = None,
    jobs: Optional[int] = None,
    out: Optional[PathLike] = None,
    tidy: bool = True,
    args: Sequence[str] = (),
    backend: str = "local",
    address: Optional[str] = None,
):
    """Run ``tsp sweep``: every design (netlist) × factor point × seed, in parallel.

    Returns the tidy table (``run, params..., seed, tick, kpi, value``) as a
    pandas DataFrame, or with ``tidy=False`` the summary (one row per run).
    The study folder (``out``, default a temporary one) keeps both tables
    as CSV and Parquet; ``args`` are further ``tsp sweep`` options.
    ``backend="ray"`` runs the runs as tasks on the Ray cluster at
    ``address`` (see ``tokenspice.ray_backend``); the tables are the same.
    """
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="tokenspice-sweep-")) / "study"
    paths = [netlists] if isinstance(netlists, (str, os.PathLike)) else list(netlists)
    command = ["sweep", *map(str, paths), *_factor_args(factors), "--seeds", str(seeds), "--no-charts", "--quiet"]
    for assignment in _sets(set, None, agents):
        command += ["--set", assignment]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    command += ["--out", str(folder), *args]
    if backend == "ray":
        if agents:
            raise ValueError("classes handed to agents= live in this process; on Ray, name them in the netlist (class = \"file.py:Class\")")
        from .ray_backend import sweep_on_ray

        status = sweep_on_ray(command[1:], address or "auto")
    elif backend == "local":
        status = _core.cli(command)
    else:
        raise ValueError(f"backend={backend!r}: expected \"local\" or \"ray\"")
    if status != 0:
        raise RuntimeError(f"tsp {' '.join(command)} failed (its error is printed above)")
    import pandas as pd

    return pd.read_parquet(folder / ("tidy.parquet" if tidy else "summary.parquet"))


def compare(
    netlists: Sequence[PathLike],
    seeds: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    out: Optional[PathLike] = None,
    args: Sequence[str] = (),
):
    """Run ``tsp compare`` on designs (with ``seeds``: Monte Carlo) and return
    the criteria table (``criteria.csv``) as a pandas DataFrame."""
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="tokenspice-compare-")) / "compare"
    command = ["compare", *map(str, netlists), "--out", str(folder)]
    if seeds is not None:
        command += ["--seeds", str(seeds)]
    for assignment in _sets(set, None, None):
        command += ["--set", assignment]
    command += list(args)
    if _core.cli(command) != 0:
        raise RuntimeError(f"tsp {' '.join(command)} failed (its error is printed above)")
    import pandas as pd

    return pd.read_csv(folder / "criteria.csv")
