#!/usr/bin/env bash
# Stand-in for a desktop VS Code executable, for @vscode/test-electron's
# runTests({ vscodeExecutablePath }) on machines that cannot download VS Code.
# Takes what runTests passes (--extensionDevelopmentPath=... --extensionTestsPath=... <folder>
# plus desktop-only flags, which are ignored) and runs the suite in the VS Code server's
# extension host through scripts/host/run-integration.js.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec node "$HERE/run-integration.js" "$@"
