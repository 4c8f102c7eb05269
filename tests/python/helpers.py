"""What the Python tests share: the repository's root and the tsp binary."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TSP = os.environ.get("TSP", str(ROOT / "target" / "release" / "tsp"))


def tsp(*args):
    """Run tsp in the repository's root; its stdout, or a failure with its stderr."""
    done = subprocess.run([TSP, *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"tsp {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout
