"""Sweeps on a Ray cluster: ``tsp sweep ... --backend ray --address ADDR``
and ``tokenspice.sweep(..., backend="ray", address=ADDR)``.

The study's runs are cut into shards (``tsp sweep --shard K/N``: the runs
at positions K, K+N, ...), each a Ray task that runs its shard in this
package's simulator and stores every finished run in the study's folder
(``units/``), as a local sweep does. When every task is done, the same
sweep runs here without ``--shard``: it reuses every stored run and writes
the tables, so they are the tables of a local run, byte for byte.

A task whose worker dies is retried by Ray (``max_retries``); the runs it
had stored are kept and not run again. The study's folder and the netlists
must be at the same paths on every node (one machine, or a shared
filesystem); tasks run in the driver's working directory.

    python -m tokenspice.ray_backend --address 127.0.0.1:6379 -- netlists/ocean_v3.toml --factor ...
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional, Sequence

__all__ = ["sweep_on_ray"]

# Options (with a value) and flags a task sets itself.
_TASK_OPTIONS = {"--jobs", "--shard"}
_TASK_FLAGS = {"--quiet"}


def _without(args: Sequence[str], options, flags=()) -> List[str]:
    kept, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in flags:
            continue
        name = arg.split("=", 1)[0]
        if name in options:
            skip = "=" not in arg
            continue
        kept.append(arg)
    return kept


def _run_shard(args: List[str], cwd: str, index: int, count: int) -> int:
    os.chdir(cwd)
    from tokenspice import _core

    return _core.cli(["sweep", *args, "--shard", f"{index}/{count}", "--jobs", "1", "--quiet"])


def sweep_on_ray(args: Sequence[str], address: str, shards: Optional[int] = None, max_retries: int = 3) -> int:
    """Run ``tsp sweep ARGS`` on the Ray cluster at ``address``; returns the sweep's exit status."""
    import ray

    from tokenspice import _core

    task_args = _without(args, _TASK_OPTIONS, _TASK_FLAGS)
    cwd = os.getcwd()
    ray.init(address=address, log_to_driver=False, configure_logging=False)
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        count = shards or max(1, 4 * cpus)
        task = ray.remote(num_cpus=1, max_retries=max_retries)(_run_shard)
        statuses = ray.get([task.remote(task_args, cwd, k, count) for k in range(count)])
    finally:
        ray.shutdown()
    failed = [k for k, status in enumerate(statuses) if status != 0]
    if failed:
        print(f"ray: shards {failed} of {count} ended with an error (printed by their workers); "
              "the runs they stored are kept", file=sys.stderr)
    # Every run is stored: this reuses them all and writes the tables.
    return _core.cli(["sweep", *args])


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tokenspice.ray_backend", description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", required=True, help="the Ray cluster's address, HOST:PORT")
    parser.add_argument("--shards", type=int, default=None, help="tasks to cut the study into (default: 4 per CPU)")
    parser.add_argument("sweep_args", nargs=argparse.REMAINDER, help="tsp sweep's arguments, after --")
    options = parser.parse_args(argv)
    args = options.sweep_args[1:] if options.sweep_args[:1] == ["--"] else options.sweep_args
    return sweep_on_ray(args, options.address, options.shards)


if __name__ == "__main__":
    sys.exit(main())
