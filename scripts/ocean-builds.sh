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
  dest="vendor/ocean-contracts/$version"
  if [ -f "$dest/.integrity" ] && [ "$(cat "$dest/.integrity")" = "$pin" ] && [ -d "$dest/artifacts" ]; then
    echo "$(pwd)/$dest"
    continue
  fi
  if ! command -v npm >/dev/null; then
    echo "ocean-builds.sh: npm is missing (bash scripts/setup.sh installs Node.js and npm)" >&2
    exit 1
  fi
  echo "ocean-builds.sh: fetching @oceanprotocol/contracts@$version into $dest" >&2
  mkdir -p vendor/ocean-contracts
  staging="$(mktemp -d vendor/ocean-contracts/.staging.XXXXXX)"
  trap 'rm -rf "$staging"' EXIT
  (cd "$staging" && npm pack "@oceanprotocol/contracts@$version" --silent --loglevel=error >/dev/null) >&2
  tarball="$(ls "$staging"/*.tgz)"
  actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [ "$actual" != "$pin" ]; then
    echo "ocean-builds.sh: $tarball has $actual, expected $pin" >&2
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
