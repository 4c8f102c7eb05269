#!/usr/bin/env bash
# Installs what tokenspice needs on a fresh machine, from package registries
# only: a TTF font for charts (Debian's fonts-dejavu-core), Debian's chromium
# for the headless-browser test of report.html, Node.js for `tsp build` when
# it is missing, and the pinned solc-js (npm ci).
# Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  echo "setup: installing fonts-dejavu-core (charts need a TTF font)"
  apt_install fonts-dejavu-core
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium (tests/report_browser.rs loads report.html headless)"
  apt_install chromium
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing nodejs and npm (tsp build runs solc-js)"
  apt_install nodejs npm
fi
if [ ! -f tools/solc/node_modules/solc/package.json ]; then
  echo "setup: installing the pinned solc-js into tools/solc"
  (cd tools/solc && npm ci --no-audit --no-fund --loglevel=error)
fi
