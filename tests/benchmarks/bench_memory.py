"""Memory of a `razem serve` process (issue 9): resident memory after start-up, after ten
1,000-mark sync batches and after a phone's offline pack has been fetched.

    .venv/bin/python -m tests.benchmarks.bench_memory [--runs 3] [--env NAME=VALUE ...]

Seeds one SQLite database as tests/benchmarks/bench_pouchdb.py does (the demo, plus a
facilitator with 10 choirs x 40 people x 25 sessions in the offline pack's window: 10,000
(session, person) pairs), then, per run, on a fresh copy of it, starts a real `razem serve`
on 127.0.0.1 (tests/browser/servers.py) and reads VmRSS and VmHWM from /proc/PID/status:
- "start-up": 1 s after /healthz first answered, nothing else sent;
- "batches": after the facilitator signed in and sent the 10,000 marks as 10 `attendance.mark`
  batches of 1,000 (every result must be "applied"), one after another over one keep-alive
  connection, as the service worker sends its outbox;
- "pack": after fetching the offline pack as a phone does (service_worker/offline-pack.js):
  GET /api/sync/pack, then every page it lists, one after another. The roster pages must carry
  the 10,000 marks.
VmHWM is the process's peak so far, so "pack" is the peak of the whole run. `--env` passes
settings to the server's environment (e.g. `--env MALLOC_ARENA_MAX=8` to compare with the
default the command sets itself). Figures in docs/performance.md, "Server memory (issue 9)".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.benchmarks.bench_batch import _sign_in
from tests.benchmarks.bench_pouchdb import EMAIL, MARKS, Template, _copy_database, make_template
from tests.browser.servers import ServerProcess
from tests.factories import PASSWORD

BATCH = 1000
STAGES = ("start-up", "batches", "pack")
ROSTER = re.compile(r"^/sessions/[0-9a-f-]{36}$")


def memory(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (kB) and the number of threads of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = {}
    for name in ("VmRSS", "VmHWM", "Threads"):
        match = re.search(rf"^{name}:\s+(\d+)", status, re.MULTILINE)
        assert match, f"no {name} in /proc/{pid}/status"
        found[name] = int(match.group(1))
    return found


def _batches(template: Template) -> list[bytes]:
    device = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    bodies = []
    for start in range(0, MARKS, BATCH):
        writes = [
            {
                "key": mark["key"],
                "kind": "attendance.mark",
                "payload": {
                    "session_id": mark["session_id"],
                    "person_id": mark["person_id"],
                    "status": mark["status"],
                },
                "device_time": mark["device_time"],
                "user_id": template.user_id,
            }
            for mark in template.marks[start : start + BATCH]
        ]
        body = {
            "device_id": device,
            "sent_at": now,
            "pending_count": len(writes),
            "app_version": "bench",
            "writes": writes,
        }
        bodies.append(json.dumps(body, separators=(",", ":")).encode())
    return bodies


def _send(client: httpx.Client, bodies: list[bytes]) -> None:
    device = json.loads(bodies[0])["device_id"]
    headers = {"X-Razem-Device": device, "Content-Type": "application/json"}
    for body in bodies:
        response = client.post("/api/sync/batch", content=body, headers=headers)
        response.raise_for_status()
        outcomes = {r["outcome"] for r in response.json()["results"]}
        if outcomes != {"applied"}:
            raise RuntimeError(f"batch outcomes {outcomes}, not all applied")


def _fetch_pack(client: httpx.Client) -> tuple[int, int]:
    """Every page of the offline pack, one after another; (pages, marks on roster pages)."""
    pack = client.get("/api/sync/pack")
    pack.raise_for_status()
    pages = marks = 0
    for page in pack.json()["pages"]:
        response = client.get(page["url"])
        response.raise_for_status()
        pages += 1
        if ROSTER.match(page["url"]):
            marks += response.text.count('data-status="present"')
    return pages, marks


def run_once(template: Template, folder: Path, env: dict[str, str]) -> dict[str, dict[str, int]]:
    path = _copy_database(template.path, folder)
    bodies = _batches(template)
    server = ServerProcess(f"sqlite+aiosqlite:///{path}", folder, env=env)
    figures: dict[str, dict[str, int]] = {}
    server.start()
    try:
        assert server.process is not None
        pid = server.process.pid
        time.sleep(1)
        figures["start-up"] = memory(pid)
        with httpx.Client(base_url=server.url, timeout=300) as client:
            _sign_in(client, EMAIL, PASSWORD)
            _send(client, bodies)
            figures["batches"] = memory(pid)
            pages, marks = _fetch_pack(client)
            figures["pack"] = memory(pid)
        if marks != MARKS:
            raise RuntimeError(f"the pack's roster pages carry {marks} marks, not {MARKS}")
        print(f"  pack: {pages} pages, {marks} marks on roster pages", flush=True)
    finally:
        server.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    work = Path(tempfile.mkdtemp(prefix="razem-bench-memory-"))
    try:
        start = time.perf_counter()
        template = make_template(work)
        print(f"seeded in {time.perf_counter() - start:.1f} s; server env {env or 'default'}")
        runs = []
        for run in range(args.runs):
            figures = run_once(template, work / f"run{run}", env)
            runs.append(figures)
            print(
                f"run {run + 1}: "
                + "; ".join(
                    f"{stage} RSS {figures[stage]['VmRSS'] / 1024:.1f} MB "
                    f"(peak {figures[stage]['VmHWM'] / 1024:.1f} MB, "
                    f"{figures[stage]['Threads']} threads)"
                    for stage in STAGES
                ),
                flush=True,
            )
        print(f"\nmedian of {len(runs)} runs (MB), load average {os.getloadavg()[0]:.2f}:")
        for stage in STAGES:
            rss = statistics.median(r[stage]["VmRSS"] for r in runs) / 1024
            hwm = statistics.median(r[stage]["VmHWM"] for r in runs) / 1024
            low = min(r[stage]["VmHWM"] for r in runs) / 1024
            high = max(r[stage]["VmHWM"] for r in runs) / 1024
            print(
                f"  {stage:<9} VmRSS {rss:6.1f}  VmHWM {hwm:6.1f}  "
                f"(peak range {low:.1f}-{high:.1f})"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
