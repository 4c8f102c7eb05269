#!/usr/bin/env bash
# Installs the pinned anvil (Foundry's local EVM node, for the JSON-RPC
# backend `tokenspice::chain::RpcChain`) and prints the path of its binary on
# stdout; everything else goes to stderr.
#
# The pin is tools/anvil/package.json + package-lock.json (committed):
# `@foundry-rs/anvil-linux-amd64` 1.7.1, the package that the
# `@foundry-rs/anvil` 1.7.1 wrapper lists as its optional dependency for this
# platform and that holds the ELF. It is pinned directly because npm writes
# the wrapper's lock without the other platforms' optional dependencies and
# `npm ci` then refuses that lock as out of sync; the wrapper itself is only a
# node shim (and a postinstall fallback that fetches a tarball), and the
# backend starts the binary directly. The pin is copied into vendor/anvil/
# (git-ignored) and installed there with `npm ci --ignore-scripts`, so only
# that npm package is downloaded and no install script runs.
# Idempotent: when vendor/anvil holds the same lock file and a working
# binary, nothing is downloaded. Linux x86-64 only.
set -euo pipefail
cd "$(dirname "$0")/.."

pin=tools/anvil
dest=vendor/anvil
binary="$dest/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "anvil.sh: the pinned anvil package is for Linux x86-64, not $(uname -s) $(uname -m)" >&2
  exit 1
fi

installed() {
  [ -x "$binary" ] && cmp -s "$pin/package-lock.json" "$dest/package-lock.json" \
    && "$binary" --version 2>/dev/null | grep -q "Version: 1.7.1"
}

if ! installed; then
  if ! command -v npm >/dev/null; then
    echo "anvil.sh: npm is missing (bash scripts/setup.sh --solc installs Node.js and npm)" >&2
    exit 1
  fi
  echo "anvil.sh: installing anvil 1.7.1 (@foundry-rs/anvil-linux-amd64) into $dest" >&2
  mkdir -p vendor
  # Install next to the target, then swap, so an interrupted install never
  # leaves a half-filled vendor/anvil behind.
  staging="$(mktemp -d vendor/anvil.staging.XXXXXX)"
  trap 'rm -rf "$staging"' EXIT
  cp "$pin/package.json" "$pin/package-lock.json" "$staging/"
  (cd "$staging" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
  rm -rf "$dest"
  mv "$staging" "$dest"
  trap - EXIT
  if ! installed; then
    echo "anvil.sh: $binary is missing or is not anvil 1.7.1 after npm ci" >&2
    exit 1
  fi
fi

echo "$(pwd)/$binary"
