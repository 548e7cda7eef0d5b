#!/usr/bin/env bash
# Install Razem into .venv (created if missing) and fetch the checked htmx copy.
# Usage: scripts/install.sh [--dev]   (--dev adds what the tests and linters need)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "install: Python 3.11 or newer is needed (found $("$python" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
extra=""
[ "${1:-}" = "--dev" ] && extra="[dev]"
.venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install --quiet -e ".$extra" 2>&1 | grep -v "is ignored\|^ *$" || true
.venv/bin/python -c "import server.app" # fails loudly when the install above did not work
scripts/vendor-htmx.sh
