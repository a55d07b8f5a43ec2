#!/usr/bin/env bash
# Latency of `ormhint server` on the synthetic workspace: cold initialized -> first
# diagnostics of the 3,000-line view, one-character didChange -> publishDiagnostics
# (median, p99 over 500 edits), peak RSS. Prints a table; asserts nothing.
#
#   benches/lsp.sh [WORKSPACE] [-- extra arguments for benches/lsp_latency.py]
#
# Environment: PYTHON (default python3), REGENERATE=1 to rebuild the workspace.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
WS=target/bench-workspace
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    WS=$1
    shift
fi
[ "${1:-}" = "--" ] && shift

echo "== cargo build --release" >&2
cargo build --release --quiet

if [ ! -d "$WS" ] || [ "${REGENERATE:-0}" = 1 ]; then
    echo "== generating $WS" >&2
    "$PYTHON" benches/generate.py "$WS"
fi

echo "== $(target/release/ormhint --version 2>/dev/null || echo ormhint) server, $(nproc) cores" >&2
exec "$PYTHON" benches/lsp_latency.py "$WS" --ormhint target/release/ormhint "$@"
