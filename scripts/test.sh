#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium included) and run the whole suite:
# formatting, lint, types, then unit, integration, migration and browser tests.
# Set RAZEM_TEST_POSTGRES_URL to run every database test on PostgreSQL as well.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Debian packages: Chromium (browser tests); Caddy, certutil and the PostgreSQL client tools
# (tests/deploy: the local cluster's HTTPS proxy, the phone's trusted local CA, pg_dump and
# pg_restore of the runbook's backup).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v caddy >/dev/null || missing="$missing caddy"
command -v certutil >/dev/null || missing="$missing libnss3-tools"
command -v pg_restore >/dev/null || missing="$missing postgresql-client"
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi
scripts/install.sh --dev

echo "== ruff format --check"; .venv/bin/ruff format --check .
echo "== ruff check";          .venv/bin/ruff check .
echo "== mypy";                .venv/bin/mypy
echo "== pytest (PostgreSQL: ${RAZEM_TEST_POSTGRES_URL:-not set, SQLite only})"
exec .venv/bin/pytest -p no:cacheprovider "$@"
