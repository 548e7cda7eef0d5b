#!/usr/bin/env bash
# A Razem cluster on loopback: fresh PostgreSQL database, two app instances, the scheduler and
# Caddy terminating TLS.
# Usage: deploy/local-cluster.sh up|down|status|stop-app N|start-app N|stop-proxy|start-proxy
# Settings and what each step does: deploy/local_cluster.py and deploy/README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/.venv/bin/python"
if [ ! -x "$python" ]; then
  echo "local-cluster: run scripts/install.sh first (no $python)" >&2
  exit 1
fi
exec "$python" "$root/deploy/local_cluster.py" "$@"
