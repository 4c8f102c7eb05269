#!/usr/bin/env bash
# Installs what `tsp run` of a netlist needs on a fresh machine, from package
# registries only: a Rust toolchain must be there already (checked here), and
# charts need a TTF font (Debian's fonts-dejavu-core). Running a netlist needs
# no Node: the compiled contracts are committed in out/ and built into tsp.
# `setup.sh --solc` also installs what `tsp build` (recompiling the Solidity)
# needs: Node.js when it is missing and the pinned solc-js (npm ci).
# What only the tests need (chromium, the Python packages) is installed by
# scripts/setup-tests.sh. Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/apt.sh

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is missing: install Rust with rustup (https://rustup.rs), then rerun" >&2
  exit 1
fi
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  echo "setup: installing fonts-dejavu-core (charts need a TTF font)"
  apt_install fonts-dejavu-core
fi
if [ "${1:-}" = "--solc" ]; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "setup: installing nodejs and npm (tsp build runs solc-js)"
    apt_install nodejs npm
  fi
  if [ ! -f tools/solc/node_modules/solc/package.json ]; then
    echo "setup: installing the pinned solc-js into tools/solc"
    (cd tools/solc && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
