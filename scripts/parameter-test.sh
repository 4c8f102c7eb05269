#!/usr/bin/env bash
# The parameter test of the three Ocean designs, in the seeds' style: the same
# market run with one value changed at a time — the publishers' swap fee and
# the number of consumers — on common seeds, a simulated year each; writes
# results/parameter-test/ (tidy, summary and effects tables, and under
# charts/ each criterion against each swept value, one line per design).
# SEEDS=N sets the seeds per point (default 5); extra arguments go to tsp sweep.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
exec target/release/tsp sweep netlists/ocean_v3.toml netlists/ocean_v4.toml netlists/ocean_v41.toml \
  --factor 'agent.publisher.swap_fee=0.001,0.003,0.01' \
  --factor 'agent.consumer.count=5,10,20' \
  --seeds "${SEEDS:-5}" --out results/parameter-test "$@"
