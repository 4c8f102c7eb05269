"""``python -m tokenspice.bench``: what a Python agent costs per step, against
the same agent run by the simulator itself (a TOML agent, stepped in Rust).

It runs ``python/examples/curve_market.toml`` with its dip buyer written in
Python (``agents.py:DipBuyer``) and as the TOML twin (``trader_toml.toml``),
alternating, and reports the best wall time of each, their ratio, and the
extra time per step of the Python agent. Both runs give the same KPIs (the
package's tests check it), so the difference is the Python agent's cost:
entering Python, its calls through ``world``, converting values.

    python -m tokenspice.bench [--repeats 5] [--duration 1y] [--netlist PATH]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

from . import run


def _default_netlist() -> Optional[Path]:
    for base in [Path.cwd(), *Path.cwd().parents]:
        candidate = base / "python" / "examples" / "curve_market.toml"
        if candidate.is_file():
            return candidate
    return None


def measure(netlist: Path, duration: str, repeats: int):
    """Best wall seconds of the Python agent's run and of its TOML twin's, and the ticks run."""
    best = {"python": float("inf"), "toml": float("inf")}
    ticks = 0
    scratch = Path(tempfile.mkdtemp(prefix="tokenspice-bench-"))
    try:
        for repeat in range(repeats):
            for label, sets in (("python", {}), ("toml", {"include": ["trader_toml.toml"]})):
                started = time.perf_counter()
                done = run(netlist, set={"sim.duration": duration, **sets}, out=scratch / f"{label}-{repeat}")
                best[label] = min(best[label], time.perf_counter() - started)
                ticks = int(done.manifest["ticks"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return best["python"], best["toml"], ticks


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tokenspice.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--netlist", type=Path, default=None, help="curve_market.toml (default: found from here)")
    parser.add_argument("--duration", default="1y", help="simulated time of each run (default 1y)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each variant; the best counts (default 5)")
    options = parser.parse_args(argv)
    netlist = options.netlist or _default_netlist()
    if netlist is None:
        parser.error("python/examples/curve_market.toml not found from here: give --netlist")
    python, toml, ticks = measure(netlist, options.duration, max(1, options.repeats))
    print(f"Python agent against the same agent in TOML (Rust), {netlist.name}, {ticks} ticks, best of {options.repeats}:")
    print(f"  run with the Python dip buyer   {python * 1e3:9.1f} ms")
    print(f"  run with the TOML dip buyer     {toml * 1e3:9.1f} ms")
    print(f"  ratio                           {python / toml:9.2f}x")
    print(f"  Python agent overhead per step  {(python - toml) / ticks * 1e6:9.1f} us  (one step per tick)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
