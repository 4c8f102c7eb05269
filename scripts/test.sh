#!/usr/bin/env bash
# The whole test suite, on a fresh machine: set-up, then every unit and
# integration test in release mode (EVM code is ~35x slower in debug), then
# the Python tests (tables read by pandas and polars) in a .venv from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --release --all-targets "$@"
bash scripts/python-env.sh
TSP="$PWD/target/release/tsp" .venv/bin/python -m unittest discover -s tests/python -v
