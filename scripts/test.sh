#!/usr/bin/env bash
# The whole test suite, on a fresh machine: set-up for the tests (solc-js,
# chromium, Python packages in .venv), then every unit and integration test in
# release mode (EVM code is ~35x slower in debug), then the Python tests
# (the package: runs, Python agents, Gym, Ray, the notebook; tables read by
# pandas and polars).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-tests.sh
cargo test --release --all-targets "$@"
TSP="$PWD/target/release/tsp" .venv/bin/python -m unittest discover -s tests/python -v
