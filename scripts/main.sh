#!/usr/bin/env bash
# The main job on a fresh machine: set-up (only what a run needs), a release
# build of tsp, then the default netlist (results and charts under
# results/simplepool/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "main: building tsp (cargo build --release; the first build takes a few minutes)"
cargo build --release
echo "main: running netlists/simplepool.toml"
"${CARGO_TARGET_DIR:-target}/release/tsp" run netlists/simplepool.toml
echo "main: results in results/simplepool/ (kpis.csv, run.json, report.html, charts)"
