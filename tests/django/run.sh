#!/usr/bin/env bash
# Real-Django verification of ormhint's rules (see tests/django/README.md).
# Creates target/venv-django from requirements.txt when absent (or when the
# requirements changed), then runs pytest on tests/django; exits with pytest's code.
# Extra arguments go to pytest. ORMHINT_SKIP_STATIC=1 skips the ormhint-binary tests;
# ORMHINT_BIN picks the binary (default target/debug/ormhint, built with cargo if absent).
# ORMHINT_DJANGO=6.1 runs under Django 6.1 (requirements-6.1.txt, target/venv-django-6.1),
# which needs Python 3.12 or later: python3.12/python3.13 on PATH or under pyenv; without
# one it says so and exits 0.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$REPO/target/venv-django"
REQ="$REPO/tests/django/requirements.txt"
PYTHON="${PYTHON:-python3}"
if [ "${ORMHINT_DJANGO:-}" = "6.1" ]; then
    VENV="$REPO/target/venv-django-6.1"
    REQ="$REPO/tests/django/requirements-6.1.txt"
    if [ -z "${PYTHON_312:-}" ]; then
        for candidate in python3.13 python3.12 "$HOME"/.pyenv/versions/3.1[23]*/bin/python3; do
            # A pyenv shim answers `command -v` for versions it will not run.
            if "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then
                PYTHON_312="$candidate"
                break
            fi
        done
    fi
    if [ -z "${PYTHON_312:-}" ]; then
        echo "== skipped: Django 6.1 needs Python 3.12 or later, and none was found"
        exit 0
    fi
    PYTHON="$PYTHON_312"
fi

if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQ" "$VENV/.requirements.txt"; then
    echo "== creating $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
    cp "$REQ" "$VENV/.requirements.txt"
fi

cd "$REPO"
export PYTHONDONTWRITEBYTECODE=1
exec "$VENV/bin/python" -m pytest tests/django "$@"
