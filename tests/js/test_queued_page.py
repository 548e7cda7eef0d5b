"""The worker's queued-page.js in Node (tests/js/queued-page.test.js): queued marks written into
a cached roster before it is served, on hand-made rows and on the roster the server renders."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.attendance.test_roster_pages import _roster
from tests.helpers import Client, sign_in

ROOT = Path(__file__).resolve().parents[2]
NODE_TEST = "tests/js/queued-page.test.js"


def test_queued_marks_written_into_the_rendered_roster(
    client: Client, database_url: str, tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js (20 or later) is needed for tests/js"
    roster = _roster(database_url, n=12)
    sign_in(client, "me@example.org")
    page = tmp_path / "roster.html"
    page.write_text(client.get(f"/sessions/{roster.session_id}").text, encoding="utf-8")
    env = {
        **os.environ,
        "RAZEM_ROSTER_HTML": str(page),
        "RAZEM_ROSTER_SESSION": str(roster.session_id),
    }
    result = subprocess.run(
        [node, "--test", NODE_TEST], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "# pass 5" in result.stdout and "# skipped 0" in result.stdout
