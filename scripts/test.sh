#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium included) and run the whole suite:
# formatting, lint, types, then unit, integration, migration and browser tests.
# Set RAZEM_TEST_POSTGRES_URL to run every database test on PostgreSQL as well.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
scripts/install.sh --dev

echo "== ruff format --check"; .venv/bin/ruff format --check .
echo "== ruff check";          .venv/bin/ruff check .
echo "== mypy";                .venv/bin/mypy
echo "== pytest (PostgreSQL: ${RAZEM_TEST_POSTGRES_URL:-not set, SQLite only})"
exec .venv/bin/pytest -p no:cacheprovider "$@"
