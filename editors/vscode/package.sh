#!/usr/bin/env bash
# Builds the VS Code extension with the ormhint binary of this machine inside:
#   editors/vscode/ormhint-<version>-<target>.vsix   (target: linux-x64 on x86_64 Linux)
# Steps: cargo build --release, copy target/release/ormhint to bin/, npm ci (when the lock
# changed), tsc (strict), eslint, vsce package --target <target>.
# ORMHINT_SKIP_CARGO=1 reuses an existing target/release/ormhint.
set -euo pipefail
# Progress goes to stderr; the .vsix path alone to stdout.
exec 3>&1 1>&2
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=linux-x64 ;;
  Linux-aarch64) target=linux-arm64 ;;
  Darwin-x86_64) target=darwin-x64 ;;
  Darwin-arm64) target=darwin-arm64 ;;
  *) echo "package.sh: no VS Code target for $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac

if [ "${ORMHINT_SKIP_CARGO:-}" != 1 ]; then
  (cd "$root" && cargo build --release --bin ormhint)
fi
mkdir -p "$here/bin"
install -m 755 "$root/target/release/ormhint" "$here/bin/ormhint"
# The release profile keeps debug info: not needed in the extension (47 MB -> ~6 MB).
command -v strip >/dev/null && strip "$here/bin/ormhint"

cd "$here"
# npm ci only when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent compile
npm run --silent lint

version="$(node -p 'require("./package.json").version')"
out="ormhint-$version-$target.vsix"
rm -f "$out"
npx --no-install vsce package --target "$target" --out "$out" \
  --skip-license --allow-missing-repository --no-update-package-json
echo "$here/$out" >&3
