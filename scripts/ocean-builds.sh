#!/usr/bin/env bash
# Installs Ocean Protocol's published contract builds — npm package
# @oceanprotocol/contracts 0.6.9 (V3, Truffle artifacts) and 1.1.15 (V4,
# Hardhat artifacts) — into vendor/ocean-contracts/<version>/ (git-ignored)
# and prints that folder on stdout; everything else goes to stderr.
#
# Only the package tarballs are needed (their artifacts/ folders); their
# npm dependencies (truffle, hardhat, ...) are not, and some of them resolve
# through git, so `npm pack` fetches each tarball alone from the registry and
# its sha512 is checked against the pin below before it is unpacked.
# Idempotent: a version already unpacked with the same pin is kept.
#
# Usage: scripts/ocean-builds.sh [0.6.9|1.1.15]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/npm-pinned.sh
source scripts/lib/npm-pinned.sh

declare -A integrity=(
  [0.6.9]="sha512-3VqI+TBy07QwJJrhkXUyqJ2nHFs2n1G98KLTzxUPjJgOXZMPnWlmJnmWMKqSj23S/eT16DgEdlTfsqtzC+eKUg=="
  [1.1.15]="sha512-iMT7gQd+R/XDSYpMjGhfBIvvki/qzL37XoE1zowIawAHEQnr32Oo4z1e4QVMOYLk2NbS5tpaTApxg44aNBh47Q=="
)
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(0.6.9 1.1.15)

for version in "${versions[@]}"; do
  pin="${integrity[$version]:-}"
  if [ -z "$pin" ]; then
    echo "ocean-builds.sh: no pin for version $version (known: ${!integrity[*]})" >&2
    exit 1
  fi
  npm_pinned ocean-builds.sh "@oceanprotocol/contracts@$version" "vendor/ocean-contracts/$version" "$pin" artifacts
done
