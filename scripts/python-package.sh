#!/usr/bin/env bash
# Builds the Python package (python/: pyo3 + maturin) in release mode and
# installs it into .venv (made by scripts/python-env.sh, which also installs
# maturin from PyPI). Quiet on success; rebuilding after a change takes
# seconds when the simulator itself is already built.
set -euo pipefail
cd "$(dirname "$0")/.."
wheels=target/wheels
rm -f "$wheels"/tokenspice-*.whl
if ! log=$(VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin build --release --quiet -m python/Cargo.toml -o "$wheels" 2>&1); then
  echo "$log" >&2
  echo "python-package: building the wheel failed" >&2
  exit 1
fi
.venv/bin/pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheels"/tokenspice-*.whl
