#!/usr/bin/env bash
# Real-Django verification of ormhint's rules (see tests/django/README.md).
# Creates target/venv-django from requirements.txt when absent (or when the
# requirements changed), then runs pytest on tests/django; exits with pytest's code.
# Extra arguments go to pytest. ORMHINT_SKIP_STATIC=1 skips the ormhint-binary tests;
# ORMHINT_BIN picks the binary (default target/debug/ormhint, built with cargo if absent).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$REPO/target/venv-django"
REQ="$REPO/tests/django/requirements.txt"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQ" "$VENV/.requirements.txt"; then
    echo "== creating $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
    cp "$REQ" "$VENV/.requirements.txt"
fi

cd "$REPO"
export PYTHONDONTWRITEBYTECODE=1
exec "$VENV/bin/python" -m pytest tests/django "$@"
