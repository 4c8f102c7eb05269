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
  spec="@uniswap/$package@${version[$package]}"
  dest="vendor/uniswap/$package-${version[$package]}"
  if [ -f "$dest/.integrity" ] && [ "$(cat "$dest/.integrity")" = "$pin" ] && [ -d "$dest/build" ]; then
    echo "$(pwd)/$dest"
    continue
  fi
  if ! command -v npm >/dev/null; then
    echo "uniswap-builds.sh: npm is missing (bash scripts/setup.sh installs Node.js and npm)" >&2
    exit 1
  fi
  echo "uniswap-builds.sh: fetching $spec into $dest" >&2
  mkdir -p vendor/uniswap
  staging="$(mktemp -d vendor/uniswap/.staging.XXXXXX)"
  trap 'rm -rf "$staging"' EXIT
  (cd "$staging" && npm pack "$spec" --silent --loglevel=error >/dev/null) >&2
  tarball="$(ls "$staging"/*.tgz)"
  actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [ "$actual" != "$pin" ]; then
    echo "uniswap-builds.sh: $tarball has $actual, expected $pin" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$staging"
  echo "$pin" > "$staging/package/.integrity"
  rm -rf "$dest"
  mv "$staging/package" "$dest"
  rm -rf "$staging"
  trap - EXIT
  echo "$(pwd)/$dest"
done
