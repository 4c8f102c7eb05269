# Sourced by the scripts that install published contract builds from npm
# (ocean-builds.sh, uniswap-builds.sh): one function that fetches a package
# tarball alone with `npm pack`, checks its sha512 against a pin and unpacks
# it into a folder, atomically (a staging folder renamed into place).

# npm_pinned WHO SPEC DEST PIN MARKER: install SPEC (name@version) into DEST
# unless DEST already holds the package with PIN and its MARKER subfolder;
# prints DEST's absolute path on stdout, progress and errors (prefixed with
# WHO) on stderr; exits 1 on a missing npm or a tarball that is not the pin.
npm_pinned() {
  local who="$1" spec="$2" dest="$3" pin="$4" marker="$5"
  if [ -f "$dest/.integrity" ] && [ "$(cat "$dest/.integrity")" = "$pin" ] && [ -d "$dest/$marker" ]; then
    echo "$(pwd)/$dest"
    return 0
  fi
  if ! command -v npm >/dev/null; then
    echo "$who: npm is missing (bash scripts/setup.sh --solc installs Node.js and npm)" >&2
    exit 1
  fi
  echo "$who: fetching $spec into $dest" >&2
  local parent
  parent="$(dirname "$dest")"
  mkdir -p "$parent"
  staging="$(mktemp -d "$parent/.staging.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  (cd "$staging" && npm pack "$spec" --silent --loglevel=error >/dev/null) >&2
  local tarball actual
  tarball="$(ls "$staging"/*.tgz)"
  actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  if [ "$actual" != "$pin" ]; then
    echo "$who: $tarball has $actual, expected $pin" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$staging"
  echo "$pin" > "$staging/package/.integrity"
  rm -rf "$dest"
  mv "$staging/package" "$dest"
  rm -rf "$staging"
  trap - EXIT
  echo "$(pwd)/$dest"
}
