#!/usr/bin/env bash
# Builds the VS Code extension with an ormhint binary inside, one .vsix per platform as
# vsce's --target names them:
#   editors/vscode/package.sh [--target TARGET]   -> editors/vscode/ormhint-<version>-<TARGET>.vsix
# TARGET: this machine's platform by default; else one of linux-x64, linux-arm64,
# linux-armhf, alpine-x64, alpine-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64.
# Another platform's binary is cross-compiled with `cargo build --target <triple>`: that
# needs the Rust target installed (`rustup target add <triple>`) and a linker for it
# (for macOS and Windows, their SDKs): build those on their own platform, or in CI.
# Steps: cargo build --release, copy the binary to bin/, npm ci (when the lock changed),
# tsc (strict), eslint, the unit tests (node --test), vsce package --target <target>.
# ORMHINT_SKIP_CARGO=1 reuses an existing target/release/ormhint (host target only).
set -euo pipefail
# Progress goes to stderr; the .vsix path alone to stdout.
exec 3>&1 1>&2
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) host=linux-x64 ;;
  Linux-aarch64) host=linux-arm64 ;;
  Darwin-x86_64) host=darwin-x64 ;;
  Darwin-arm64) host=darwin-arm64 ;;
  *) host="" ;;
esac
target=$host
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="${2:-}"; shift 2 || { echo "package.sh: --target needs a value" >&2; exit 2; } ;;
    --target=*) target="${1#--target=}"; shift ;;
    *) echo "package.sh: unknown argument '$1' (usage: package.sh [--target TARGET])" >&2; exit 2 ;;
  esac
done
case "$target" in
  linux-x64) triple=x86_64-unknown-linux-gnu ;;
  linux-arm64) triple=aarch64-unknown-linux-gnu ;;
  linux-armhf) triple=armv7-unknown-linux-gnueabihf ;;
  alpine-x64) triple=x86_64-unknown-linux-musl ;;
  alpine-arm64) triple=aarch64-unknown-linux-musl ;;
  darwin-x64) triple=x86_64-apple-darwin ;;
  darwin-arm64) triple=aarch64-apple-darwin ;;
  win32-x64) triple=x86_64-pc-windows-msvc ;;
  win32-arm64) triple=aarch64-pc-windows-msvc ;;
  "") echo "package.sh: no VS Code target for $(uname -s)-$(uname -m); pass --target" >&2; exit 2 ;;
  *) echo "package.sh: unknown target '$target' (see the list at the top of package.sh)" >&2; exit 2 ;;
esac
exe=ormhint
case "$target" in win32-*) exe=ormhint.exe ;; esac

if [ "$target" = "$host" ]; then
  built="$root/target/release/$exe"
  if [ "${ORMHINT_SKIP_CARGO:-}" != 1 ]; then
    (cd "$root" && cargo build --release --bin ormhint)
  fi
else
  if ! rustup target list --installed 2>/dev/null | grep -qx "$triple"; then
    echo "package.sh: building for $target needs the Rust target $triple" \
      "(rustup target add $triple) and a linker for it; build it on that platform instead" >&2
    exit 1
  fi
  (cd "$root" && cargo build --release --bin ormhint --target "$triple")
  built="$root/target/$triple/release/$exe"
fi
rm -rf "$here/bin"
mkdir -p "$here/bin"
# The release profile strips the binary (about 6 MB).
install -m 755 "$built" "$here/bin/$exe"

cd "$here"
# npm ci only when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent compile
npm run --silent lint
npm test --silent

version="$(node -p 'require("./package.json").version')"
out="ormhint-$version-$target.vsix"
rm -f "$out"
npx --no-install vsce package --target "$target" --out "$out" \
  --skip-license --allow-missing-repository --no-update-package-json
echo "$here/$out" >&3
