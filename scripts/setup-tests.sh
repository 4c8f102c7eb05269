#!/usr/bin/env bash
# Installs what the test suite needs beyond the main job's set-up: solc-js and
# Node.js (setup.sh --solc; the build tests compile Solidity), Debian's
# chromium (tests/report_browser.rs loads report.html headless), the
# Python packages of the Python tests in .venv (scripts/python-env.sh, PyPI)
# and the tokenspice Python package itself, built into .venv
# (scripts/python-package.sh).
# Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/apt.sh

bash scripts/setup.sh --solc
if [ ! -x /usr/bin/chromium ]; then
  echo "setup-tests: installing chromium (tests/report_browser.rs loads report.html headless)"
  apt_install chromium
fi
if ! command -v ip > /dev/null && [ ! -x /usr/sbin/ip ]; then
  echo "setup-tests: installing iproute2 (tests/python/test_ray.py brings up loopback in its own network namespace)"
  apt_install iproute2
fi
bash scripts/python-env.sh
echo "setup-tests: building the Python package into .venv (maturin, release)"
bash scripts/python-package.sh
