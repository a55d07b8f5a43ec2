#!/usr/bin/env bash
# The whole test suite: formatting, lints, Rust tests, then the Python and editor suites.
# Installs what it needs itself (venvs under target/ for Django, Neovim, maturin and
# pre-commit; cargo-fuzz under target/tools/; for the VS Code test: Debian chromium and
# libkrb5-dev, and Node 24,
# code-server and playwright-core under target/vscode-e2e/).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace
echo "== fuzz targets, a minute in all (tests/fuzz.sh)"
./tests/fuzz.sh
echo "== real-Django verification (tests/django)"
ORMHINT_BIN="$PWD/target/debug/ormhint" ./tests/django/run.sh -q
echo "== real-Django verification under Django 6.1 (tests/django, ORMHINT_DJANGO=6.1)"
ORMHINT_DJANGO=6.1 ORMHINT_BIN="$PWD/target/debug/ormhint" ./tests/django/run.sh -q
echo "== Neovim end to end (tests/editors/neovim)"
ORMHINT_BIN="$PWD/target/debug/ormhint" ./tests/editors/neovim/run.sh
echo "== pip wheel and pre-commit hooks (tests/install)"
ORMHINT_BIN="$PWD/target/debug/ormhint" ./tests/install/run.sh
echo "== VS Code extension in code-server + headless Chromium (tests/editors/vscode)"
./tests/editors/vscode/run.sh
