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

if [[ -f "$TARGET/.complete" && -x "$BIN" ]]; then
  echo "$TARGET"
  exit 0
fi

log() { echo "[install-code-server] $*" >&2; }
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
