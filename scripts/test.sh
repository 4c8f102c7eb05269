#!/usr/bin/env bash
# The whole test suite, on a fresh machine: set-up, then every unit and
# integration test in release mode (EVM code is ~35x slower in debug).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --release --all-targets "$@"
