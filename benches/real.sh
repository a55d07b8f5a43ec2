#!/usr/bin/env bash
# Times `ormhint check` against `ruff check --select ALL` on a real project tree given
# as an argument, alternately, cold (no cache) and warm (each tool's cache filled by a
# run before), and prints the medians, CPU time, peak RSS and their ratios. Asserts
# nothing. Export a tree first, for example:
#
#   mkdir -p /tmp/saleor && git -C <clone of saleor> archive HEAD | tar -x -C /tmp/saleor
#   benches/real.sh /tmp/saleor
#
# Environment: PYTHON (default python3), RUNS (5), WARMUP (1). The tree gets the
# tools' caches (`.ormhint_cache/`, `.ruff_cache/`) at its root.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=target/venv-bench
TREE=${1:?usage: benches/real.sh PROJECT_TREE}

if [ ! -x "$VENV/bin/ruff" ]; then
    echo "== creating $VENV with ruff" >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet ruff
fi

echo "== cargo build --release" >&2
cargo build --release --quiet

echo "== $("$VENV/bin/ruff" --version), $(target/release/ormhint --version 2>/dev/null || echo ormhint)" >&2
exec "$PYTHON" benches/measure.py "$TREE" --warm \
    --ormhint target/release/ormhint \
    --ruff "$VENV/bin/ruff" \
    --runs "${RUNS:-5}" --warmup "${WARMUP:-1}"
