#!/usr/bin/env bash
# Installs the VS Code server (npm package `code-server`) into the git-ignored
# folder .vscode-test/code-server-<version>, so that scripts/host/run-integration.js
# and scripts/host/screenshots.js can run the extension in a real extension host
# without downloading desktop VS Code (see scripts/host/README.md).
#
# Idempotent: a marker file per version; a second run only re-checks the prerequisites.
#
# Usage: bash scripts/host/install-code-server.sh [--with-apt] [--force]
#   --with-apt  install the Debian packages it needs (chromium libkrb5-dev pkg-config) with apt-get
#   --force     reinstall even when the marker is there
# Env: CODE_SERVER_VERSION (default 4.100.3), CHROMIUM_PATH (default /usr/bin/chromium)
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
APT_PACKAGES=(chromium libkrb5-dev pkg-config)
# @vscode/ripgrep version pinned by code-server 4.100.x's lib/vscode/npm-shrinkwrap.json, and the rg
# release its postinstall would download from GitHub (unreachable here).
RIPGREP_WRAPPER_VERSION="1.15.11"
RIPGREP_ASSET="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"  # other code-server versions: check both

WITH_APT=0
FORCE=0
for arg in "$@"; do
  case "$arg" in
    --with-apt) WITH_APT=1 ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install-code-server: unknown argument $arg" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="$ROOT/.vscode-test"
DEST="$BASE/code-server-$VERSION"
MARKER="$DEST/.corpus-cite-installed"
SERVER_MAIN="$DEST/node_modules/code-server/lib/vscode/out/server-main.js"
LOG_DIR="$BASE/logs"
LOG="$LOG_DIR/install-code-server-$VERSION.log"

say() { echo "[host:install] $*"; }
die() { echo "[host:install] ERROR: $*" >&2; exit 1; }

# Run from an npm script, the parent npm's npm_* variables leak in: its user agent, its
# local_prefix (the nested installs would go to the project!), yes=, allow_scripts=...
# Keep only the cache and the registry.
for v in $(compgen -e); do
  case "$v" in
    npm_config_cache|npm_config_registry) ;;
    npm_*|NPM_*|INIT_CWD) unset "$v" ;;
  esac
done

# --- Debian packages -----------------------------------------------------------------
missing_apt=()
[ -x "$CHROMIUM" ] || missing_apt+=(chromium)
if ! command -v pkg-config >/dev/null 2>&1; then
  missing_apt+=(pkg-config libkrb5-dev)
elif ! pkg-config --exists krb5-gssapi 2>/dev/null; then
  missing_apt+=(libkrb5-dev)
fi
if [ "${#missing_apt[@]}" -gt 0 ]; then
  if [ "$WITH_APT" = 1 ]; then
    say "apt-get install -y ${APT_PACKAGES[*]}"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${APT_PACKAGES[@]}" >/dev/null
  else
    die "missing Debian packages: ${missing_apt[*]}.
  $CHROMIUM (the browser that shows the workbench) and libkrb5-dev + pkg-config (to build the
  'kerberos' native module of the VS Code server) are needed. Install them with
      apt-get update && apt-get install -y ${APT_PACKAGES[*]}
  or rerun this script with --with-apt."
  fi
fi
[ -x "$CHROMIUM" ] || die "$CHROMIUM not found or not executable (apt-get install -y chromium, or set CHROMIUM_PATH)"
for tool in g++ make python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed to build native modules (apt-get install -y build-essential python3)"
done

# --- playwright-core (devDependency) ---------------------------------------------------
if ! (cd "$ROOT" && node -e "require.resolve('playwright-core')" >/dev/null 2>&1); then
  spec="$(cd "$ROOT" && node -p "(require('./package.json').devDependencies||{})['playwright-core']||'latest'")"
  say "playwright-core missing from node_modules: npm install --no-save playwright-core@$spec"
  (cd "$ROOT" && npm install --no-save --no-audit --no-fund "playwright-core@$spec") >/dev/null
fi

# --- code-server ---------------------------------------------------------------------------
node_major="$(node -p 'process.versions.node.split(".")[0]')"
case "$VERSION" in
  4.100.*|4.99.*|4.98.*)
    [ "$node_major" = 20 ] || [ -n "${FORCE_NODE_VERSION:-}" ] ||
      die "code-server $VERSION needs Node 20 (this is $(node -v)); its postinstall refuses other versions" ;;
esac

if [ "$FORCE" = 0 ] && [ -f "$MARKER" ] && [ -f "$SERVER_MAIN" ]; then
  say "code-server $VERSION already installed in ${DEST#"$ROOT"/} ($(cat "$MARKER"))"
  exit 0
fi

start=$(date +%s)
say "installing code-server $VERSION into ${DEST#"$ROOT"/} (log: ${LOG#"$ROOT"/}) ..."
rm -rf "$DEST"
mkdir -p "$DEST/tmp" "$LOG_DIR"
: > "$LOG"

# @vscode/ripgrep's postinstall downloads rg from GitHub unless its download cache (under
# os.tmpdir()) already holds the asset: pre-fill it with the rg binary of the npm package
# @vscode/ripgrep-linux-x64.
rg_cache="$DEST/tmp/vscode-ripgrep-cache-$RIPGREP_WRAPPER_VERSION"
mkdir -p "$rg_cache" "$DEST/tmp/rg-pkg"
(cd "$DEST/tmp/rg-pkg" && npm pack --silent @vscode/ripgrep-linux-x64 >>"$LOG" 2>&1 && tar xzf ./*.tgz) ||
  die "could not fetch @vscode/ripgrep-linux-x64 (see $LOG)"
[ -x "$DEST/tmp/rg-pkg/package/bin/rg" ] || die "@vscode/ripgrep-linux-x64 has no bin/rg"
tar czf "$rg_cache/$RIPGREP_ASSET" -C "$DEST/tmp/rg-pkg/package/bin" rg

cat > "$DEST/package.json" <<EOF
{ "name": "corpus-cite-code-server", "private": true, "description": "VS Code server for Corpus Cite's integration tests; installed by scripts/host/install-code-server.sh" }
EOF

set +e
(
  cd "$DEST"
  export TMPDIR="$DEST/tmp"
  # npm 11 skips dependency install scripts not approved in package.json#allowScripts or .npmrc.
  # The nested `npm install`s that code-server's postinstall runs in lib/vscode and
  # lib/vscode/extensions inherit the parent's config as npm_config_* variables, and an
  # allow-scripts list arriving that way is an error (EALLOWSCRIPTS) in a project install; so
  # allow all (npm < 11 behaviour) and check the native modules below instead.
  export npm_config_dangerously_allow_all_scripts=true
  export npm_config_unsafe_perm=true   # code-server's postinstall.sh demands it when root
  export npm_config_yes=true           # node-pty's install runs `npx node-gyp`
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  npm install --no-save --foreground-scripts "code-server@$VERSION"
) >>"$LOG" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ] || [ ! -f "$SERVER_MAIN" ]; then
  tail -40 "$LOG" >&2
  die "npm install code-server@$VERSION failed (rc=$rc); full log in $LOG"
fi

# Check that the native modules the server loads were built (a skipped install script
# leaves the package without its .node file and the server fails only at run time).
vsnm="$DEST/node_modules/code-server/lib/vscode/node_modules"
for f in node-pty/build/Release/pty.node @vscode/spdlog/build/Release/spdlog.node \
         native-watchdog/build/Release/watchdog.node kerberos/build/Release/kerberos.node \
         @vscode/ripgrep/bin/rg; do
  [ -e "$vsnm/$f" ] || die "code-server installed but $f is missing (an install script was skipped?); log: $LOG"
done
(cd "$DEST" && node -e "require('$vsnm/node-pty'); require('$vsnm/@vscode/spdlog')") >>"$LOG" 2>&1 ||
  die "native modules do not load under $(node -v); log: $LOG"

rm -rf "$DEST/tmp"
secs=$(( $(date +%s) - start ))
echo "code-server $VERSION, node $(node -v), installed $(date -u +%FT%TZ) in ${secs}s" > "$MARKER"
say "done in ${secs}s: $(du -sh "$DEST" | cut -f1) in ${DEST#"$ROOT"/}"
