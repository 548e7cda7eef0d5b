"""The worker's sync code in Node (tests/js/outbox-sync.test.js): batch sizes, gzip, the
halving after a timeout and the plain-JSON fallback, against a stand-in server."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_TEST = "tests/js/outbox-sync.test.js"


def test_outbox_sync_batches_in_node() -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js (20 or later) is needed for tests/js"
    result = subprocess.run(
        [node, "--test", NODE_TEST], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "# pass 3" in result.stdout
