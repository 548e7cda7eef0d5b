#!/usr/bin/env bash
# Install and run the demo on SQLite: a fresh demo database, then http://127.0.0.1:8000
# Usage: scripts/demo.sh [--port N]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install.sh"
exec "$root/.venv/bin/razem" demo "$@"
