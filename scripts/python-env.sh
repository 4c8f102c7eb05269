#!/usr/bin/env bash
# A Python virtual environment at .venv with the packages of
# python/requirements-test.txt, from PyPI; reused while the requirements are
# unchanged. Prints nothing on success.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=python/requirements-test.txt
stamp=.venv/.requirements
if [[ -x .venv/bin/python ]] && cmp -s "$requirements" "$stamp"; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
