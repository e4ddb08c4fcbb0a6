#!/usr/bin/env bash
# Installs code-server (a full VS Code: workbench, server and Node extension host) offline from npm into a cache
# folder outside the clone, keyed by version, so integration and UI tests can run inside a real VS Code without
# downloading one. Reused when present and complete; rebuilt when absent. Prints the install folder on stdout.
# Recipe: ../shared/vscode-test-host.md (code-server's own postinstall downloads ripgrep from GitHub, so we skip
# scripts and do the postinstall's work by hand).
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE_ROOT="${PRIVATE_CODER_CACHE:-$HOME/.cache/private-coder}"
TARGET="$CACHE_ROOT/code-server-$VERSION"
BIN="$TARGET/node_modules/.bin/code-server"

log() { echo "[install-code-server] $*" >&2; }

# node-pty (the terminal's pseudo-terminal) is built with node-gyp; its post-install step then fails harmlessly
# (it asks npx for node-gyp), so success is judged by the built module. Without it no terminal starts, and the
# `@terminal` tests have no shell to read.
build_node_pty() {
  (cd "$1" && npm rebuild --loglevel=silent node-pty >/dev/null 2>&1 || true)
  [[ -f "$1/node_modules/node-pty/build/Release/pty.node" ]] || log "warning: node-pty did not build; terminals will not start in the test host"
}

if [[ -f "$TARGET/.complete" && -x "$BIN" ]]; then
  # A cache made before node-pty was built: build it in place once.
  PTY_DIR="$TARGET/node_modules/code-server/lib/vscode"
  [[ -f "$PTY_DIR/node_modules/node-pty/build/Release/pty.node" ]] || build_node_pty "$PTY_DIR"
  echo "$TARGET"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
WORK="$(mktemp -d "$CACHE_ROOT/.code-server-$VERSION.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log "installing code-server $VERSION into $TARGET (one-time, ~2 minutes)"
cd "$WORK"
echo '{"name":"code-server-host","private":true}' > package.json
npm install --no-audit --no-fund --loglevel=error --ignore-scripts "code-server@$VERSION" >&2
npm rebuild --loglevel=error argon2 >&2

VSCODE_DIR="$WORK/node_modules/code-server/lib/vscode"
(
  cd "$VSCODE_DIR"
  npm install --no-audit --no-fund --loglevel=error --omit=dev --ignore-scripts >&2
  npm rebuild --loglevel=error kerberos @parcel/watcher @vscode/spdlog native-watchdog @vscode/deviceid >&2
  build_node_pty "$VSCODE_DIR"
  ln -sfn node_modules node_modules.asar
  if command -v rg >/dev/null 2>&1; then
    mkdir -p node_modules/@vscode/ripgrep/bin
    cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  fi
)
(cd "$VSCODE_DIR/extensions" && npm install --no-audit --no-fund --loglevel=error --omit=dev --ignore-scripts >&2)

"$WORK/node_modules/.bin/code-server" --version >&2
touch "$WORK/.complete"
rm -rf "$TARGET"
mv "$WORK" "$TARGET"
trap - EXIT
echo "$TARGET"
