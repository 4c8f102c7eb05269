#!/usr/bin/env bash
# Installs Uniswap V2's published contract builds — npm packages
# @uniswap/v2-core 1.0.1 (factory, pair, test ERC20; solc 0.5.16) and
# @uniswap/v2-periphery 1.1.0-beta.0 (Router02, Router01, WETH9, ...;
# solc 0.6.6, the newest release, and the first with Router02) — into
# vendor/uniswap/<package>-<version>/ (git-ignored) and prints each folder on
# stdout; everything else goes to stderr.
#
# Each folder is the unpacked package: package.json, contracts/ and the
# Waffle build in build/*.json (abi, evm.bytecode.object, ...), which
# tokenspice::artifacts::Build::open finds from the folder. The versioned
# folder name lets a later release sit beside this one.
#
# Only the tarballs are needed; their npm dependencies (waffle, solc, ...)
# are not installed. `npm pack` fetches each tarball alone from the registry
# and its sha512 is checked against the pin below before it is unpacked.
# Idempotent: a package already unpacked with the same pin is kept.
#
# Usage: scripts/uniswap-builds.sh [v2-core|v2-periphery]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/npm-pinned.sh
source scripts/lib/npm-pinned.sh

declare -A version=(
  [v2-core]="1.0.1"
  [v2-periphery]="1.1.0-beta.0"
)
declare -A integrity=(
  [v2-core]="sha512-MtybtkUPSyysqLY2U210NBDeCHX+ltHt3oADGdjqoThZaFRDKwM6k1Nb3F0A3hk5hwuQvytFWhrWHOEq6nVJ8Q=="
  [v2-periphery]="sha512-6dkwAMKza8nzqYiXEr2D86dgW3TTavUvCR0w2Tu33bAbM8Ah43LKAzH7oKKPRT5VJQaMi1jtkGs1E8JPor1n5g=="
)
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(v2-core v2-periphery)

for package in "${packages[@]}"; do
  pin="${integrity[$package]:-}"
  if [ -z "$pin" ]; then
    echo "uniswap-builds.sh: unknown package $package (known: ${!integrity[*]})" >&2
    exit 1
  fi
  npm_pinned uniswap-builds.sh "@uniswap/$package@${version[$package]}" \
    "vendor/uniswap/$package-${version[$package]}" "$pin" build
done
