#!/usr/bin/env bash
# Benchmarks `ormhint check` against `ruff check --select ALL` on a large synthetic
# Django workspace and prints a table (median wall time of 5 runs after 1 warm-up,
# lines/second, peak RSS, findings, and the ormhint/ruff ratios). It asserts nothing.
#
#   benches/run.sh [WORKSPACE]        (default target/bench-workspace)
#
# Environment: PYTHON (default python3), RUNS (5), WARMUP (1), REGENERATE=1 to rebuild
# the workspace even if it exists.
#
# The language server's latency (didChange -> publishDiagnostics, cold indexing, RSS) on
# the same workspace: benches/lsp.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
WS=${1:-target/bench-workspace}
VENV=target/venv-bench

if [ ! -x "$VENV/bin/ruff" ]; then
    echo "== creating $VENV with ruff" >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet ruff
fi

echo "== cargo build --release" >&2
cargo build --release --quiet

if [ ! -d "$WS" ] || [ "${REGENERATE:-0}" = 1 ]; then
    echo "== generating $WS" >&2
    "$PYTHON" benches/generate.py "$WS"
fi

echo "== $("$VENV/bin/ruff" --version), $(target/release/ormhint --version 2>/dev/null || echo ormhint)" >&2
exec "$PYTHON" benches/measure.py "$WS" \
    --ormhint target/release/ormhint \
    --ruff "$VENV/bin/ruff" \
    --runs "${RUNS:-5}" --warmup "${WARMUP:-1}"
