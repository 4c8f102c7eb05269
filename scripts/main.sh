#!/usr/bin/env bash
# The main job on a fresh machine: set-up, then run the default netlist
# (results and charts under results/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo run --release --quiet -- run netlists/simplepool.toml
