#!/usr/bin/env bash
# Everything the tests need beyond `npm ci`, from Debian and the npm registry only:
#   pandoc (the export is checked with `pandoc --citeproc`, BibTeX reading with `pandoc -t csljson`
#   on texlive-bibtex-extra's .bib files), Debian chromium (drives the VS Code
#   workbench headless), libkrb5-dev + pkg-config (native modules of code-server), and
#   code-server itself (the real VS Code server and extension host) in .vscode-test/.
# Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v pandoc >/dev/null 2>&1 || need+=(pandoc)
# Beebe's bibliographies and biblatex-examples.bib: real .bib files for the Pandoc BibTeX judge.
dpkg -s texlive-bibtex-extra >/dev/null 2>&1 || need+=(texlive-bibtex-extra)
[ -x /usr/bin/chromium ] || need+=(chromium)
# A CJK font, so the GB/T 7714 preview screenshot shows 参考文献 and 等 instead of empty boxes.
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${need[@]}"
fi
bash scripts/host/install-code-server.sh
