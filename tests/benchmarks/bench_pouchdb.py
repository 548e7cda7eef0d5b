"""Side by side with PouchDB (issue 9): the same 10,000 attendance marks synced by PouchDB 9 to
pouchdb-server 4.2 and by Razem's service worker code to Razem's batch endpoint, with the raw
SQLite upsert rate of the same marks beside them.

    .venv/bin/python -m tests.benchmarks.bench_pouchdb [--runs 3] [--json FILE]
        [--npm-dir DIR] [--pouch-batch-size 200]

PouchDB and pouchdb-server are installed from the npm registry into a temporary folder at run
time (`npm install --prefix TMP pouchdb@9 pouchdb-server@4.2`); `--npm-dir` reuses a folder
that already holds them. Both clients run in Node (tests/benchmarks/sync_clients.js): Razem's
is the real service_worker/outbox-sync.js (batches of up to 1,000, as on a phone) and
service_worker/offline-pack.js, over in-memory stand-ins for IndexedDB and the Cache API.

The marks: 10 choirs of a benchmark facilitator, 40 people enrolled in each and 25 sessions
each between 7 days ago and today (so all 250 are in the facilitator's offline pack), one
"present" mark per (session, person). PouchDB's documents have the natural key as `_id`
("session:person"). Each run (one warm-up run first, discarded, then `--runs`) has, per side,
a fresh server process and data folder (Razem: a copy of one seeded SQLite database), a
counting TCP proxy on loopback in front of it, and these phases, each a Node process:

- push: the 10,000 marks, already in the client's store (Razem: the outbox; PouchDB: a local
  LevelDB database), sent to the server; the clock starts when they are there.
- replay: the same again. Razem: the same outbox entries, same idempotency keys (all answered
  `duplicate`). PouchDB: a fresh local database holding the same documents at the same
  revisions, replicated again (the server is asked about every revision and has them all).
- pull: a second device fetching the marks. PouchDB: replication from the server into a fresh
  local database. Razem has no endpoint that lists marks: a phone gets them in the pages of its
  offline pack (GET /api/sync/pack, then every page it lists: each session's roster, sheet and
  newcomer form), so that is what is measured.
- rosters (Razem only, for reference; not what a phone does): the pack, then only its 250
  roster pages, the pages that carry the marks.

Measured per phase: the client's seconds, marks per second, HTTP requests (counted in the
client), bytes up and down and connections (the proxy), the server's CPU seconds (psutil, the
server's process tree); per run, the server's peak RSS (VmHWM of its processes). At the end of
each run both servers must hold exactly 10,000 marks/documents, and every phase's outcome is
checked (10,000 applied, then 10,000 duplicates, 10,000 marks pulled).

Durability: both sides write without an fsync per write. Razem's server opens SQLite with
WAL and synchronous=NORMAL (server/db.py); pouchdb-server's LevelDB writes without sync. The
raw SQLite figure uses the server's own pragmas (server.db._sqlite_pragmas) on a copy of the
same seeded database: the 10,000 marks upserted into attendance_marks (real schema, indexes,
foreign keys) in batches of 1,000, one transaction a batch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlmodel.ext.asyncio.session import AsyncSession

from server.db import _sqlite_pragmas
from tests.benchmarks.bench_batch import _in_db, _sign_in
from tests.benchmarks.counting_proxy import CountingProxy
from tests.browser.servers import ServerProcess, centre_today, free_port, seed_database
from tests.factories import PASSWORD, enroll, make_activity, make_person, make_session, make_user

HERE = Path(__file__).resolve().parent
CLIENT = HERE / "sync_clients.js"
OUTBOX_SYNC = HERE.parent.parent / "service_worker" / "outbox-sync.js"
NPM_PACKAGES = ("pouchdb@9", "pouchdb-server@4.2")
EMAIL = "bench-pouchdb@example.org"
ACTIVITIES, PEOPLE, SESSIONS = 10, 40, 25  # 10 x 25 sessions x 40 people = 10,000 marks
MARKS = ACTIVITIES * SESSIONS * PEOPLE
TITLE = "Bench sync choir"
DB = "bench"
RAW_BATCH = 1000
PHASES = ("push", "replay", "pull", "rosters")  # "rosters": Razem only


# --- seeding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    path: Path
    user_id: str
    marks: list[dict[str, str]]


async def _add_marks_data(db: AsyncSession) -> tuple[str, list[tuple[str, str]]]:
    """A facilitator with ACTIVITIES choirs, PEOPLE enrolled in each and SESSIONS sessions each
    from 7 days ago to today (all in the offline pack); the (session, person) pairs."""
    user = await make_user(db, email=EMAIL, display_name="Benchmark facilitator")
    today = centre_today()
    pairs: list[tuple[str, str]] = []
    for a in range(ACTIVITIES):
        activity = await make_activity(
            db, staff=[user], title=f"{TITLE} {a:02d}", start_date=today - timedelta(days=30)
        )
        people = []
        for p in range(PEOPLE):
            person = await make_person(db, given_name=f"Bench{p:02d}", family_name=f"Sync{a:02d}")
            await enroll(db, activity, person)
            people.append(person)
        for s in range(SESSIONS):
            on = today - timedelta(days=s % 8)
            session = await make_session(db, activity, on, start=clock(8 + 2 * (s // 8)))
            pairs += [(str(session.id), str(person.id)) for person in people]
    return str(user.id), pairs


def make_template(folder: Path) -> Template:
    path = folder / "template.db"
    url = seed_database(path)
    user_id, pairs = _in_db(url, _add_marks_data)
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    marks = [
        {"session_id": s, "person_id": p, "status": "present", "key": str(uuid.uuid4()),
         "device_time": now}
        for s, p in pairs
    ]  # fmt: skip
    assert len(marks) == MARKS == len(set(pairs))
    return Template(path, user_id, marks)


def _copy_database(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "razem.db"
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)  # a consistent copy, WAL included
    return target


# --- servers -----------------------------------------------------------------------------


def _tree(pid: int) -> list[psutil.Process]:
    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a server's process tree so far."""
    total = 0.0
    for process in _tree(pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def peak_rss(pid: int) -> int:
    """Peak resident memory of a server's process tree (the sum of each process's VmHWM)."""
    total = 0
    for process in _tree(pid):
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        total += int(found.group(1)) * 1024 if found else process.memory_info().rss
    return total


class PouchServer:
    def __init__(self, node_modules: Path, folder: Path) -> None:
        self.bin = node_modules / "pouchdb-server" / "bin" / "pouchdb-server"
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        data = self.folder / "data"
        data.mkdir(parents=True)
        log = (self.folder / "pouchdb-server.log").open("ab")
        self.process = subprocess.Popen(
            ["node", str(self.bin), "--port", str(self.port), "--dir", str(data),
             "--config", str(self.folder / "config.json"), "--no-stdout-logs"],
            cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("pouchdb-server exited; see its log in " + str(self.folder))
            try:
                with urllib.request.urlopen(self.url, timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("pouchdb-server did not start")
        request = urllib.request.Request(f"{self.url}/{DB}", method="PUT")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status in (201, 202), response.status

    def doc_count(self) -> int:
        url = f"{self.url}/{DB}"
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return int(json.load(response)["doc_count"])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def razem_counts(path: Path) -> tuple[int, int, int]:
    """Benchmark marks, distinct (session, person) among them, and applied writes."""
    with sqlite3.connect(path) as conn:
        marks, pairs = conn.execute(
            "SELECT count(*), count(DISTINCT m.session_id || m.person_id) FROM attendance_marks m"
            " JOIN sessions s ON s.id = m.session_id JOIN activities a ON a.id = s.activity_id"
            " WHERE a.title LIKE ? AND m.status = 'present'",
            (f"{TITLE} %",),
        ).fetchone()
        (applied,) = conn.execute("SELECT count(*) FROM applied_writes").fetchone()
    return int(marks), int(pairs), int(applied)


# --- running -----------------------------------------------------------------------------


@dataclass
class Phase:
    seconds: float
    requests: int
    up: int
    down: int
    connections: int
    server_cpu: float
    details: dict[str, Any]

    @property
    def rate(self) -> float:
        return MARKS / self.seconds

    @property
    def cpu_rate(self) -> float:
        """Marks per second of the server's CPU time: steadier than `rate` on a busy machine."""
        return MARKS / self.server_cpu


@dataclass
class SideRun:
    phases: dict[str, Phase] = field(default_factory=dict)
    peak_rss: int = 0


@dataclass
class Run:
    razem: SideRun
    pouchdb: SideRun
    raw_rate: float
    raw_cpu_rate: float


def run_phase(name: str, data: dict[str, Any], work: Path, pid: int, proxy: CountingProxy) -> Phase:
    spec = work / f"{name}.json"
    spec.write_text(json.dumps(data))
    before, cpu = proxy.counts(), cpu_seconds(pid)
    done = subprocess.run(
        ["node", str(CLIENT), name, str(spec)], capture_output=True, text=True, timeout=1800
    )
    used, counted = cpu_seconds(pid) - cpu, proxy.counts() - before
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {}
    if done.returncode or "error" in result:
        raise RuntimeError(f"{name}: {result.get('error') or done.stderr[-3000:]}")
    return Phase(
        seconds=result.pop("seconds"),
        requests=result.pop("requests"),
        up=counted.up,
        down=counted.down,
        connections=counted.connections,
        server_cpu=used,
        details=result,
    )


def _expect(name: str, found: object, wanted: object) -> None:
    if found != wanted:
        raise RuntimeError(f"{name}: expected {wanted!r}, found {found!r}")


def run_razem(template: Template, folder: Path) -> SideRun:
    path = _copy_database(template.path, folder)
    server = ServerProcess(f"sqlite+aiosqlite:///{path}", folder)
    side = SideRun()
    server.start()
    try:
        assert server.process is not None
        pid = server.process.pid
        with httpx.Client(base_url=server.url, timeout=60) as client:  # not through the proxy
            _sign_in(client, EMAIL, PASSWORD)
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        with CountingProxy(server.port) as proxy:
            base = {"base_url": proxy.url, "cookie": cookie, "user_id": template.user_id,
                    "work": str(folder)}  # fmt: skip
            push = {**base, "device_id": str(uuid.uuid4()), "marks": template.marks}
            side.phases["push"] = run_phase("razem-push", push, folder, pid, proxy)
            _expect("razem push", side.phases["push"].details["outcomes"], {"applied": MARKS})
            side.phases["replay"] = run_phase("razem-push", push, folder, pid, proxy)
            _expect("razem replay", side.phases["replay"].details["outcomes"], {"duplicate": MARKS})
            pull = {**base, "device_id": str(uuid.uuid4())}
            side.phases["pull"] = run_phase("razem-pull", pull, folder, pid, proxy)
            details = side.phases["pull"].details
            _expect("razem pull: roster pages", details["rosters"], ACTIVITIES * SESSIONS)
            _expect("razem pull: marks on them", details["marks"], MARKS)
            side.phases["rosters"] = run_phase("razem-pull-rosters", pull, folder, pid, proxy)
            details = side.phases["rosters"].details
            _expect("razem rosters: pages", details["rosters"], ACTIVITIES * SESSIONS)
            _expect("razem rosters: marks on them", details["marks"], MARKS)
        side.peak_rss = peak_rss(pid)
    finally:
        server.stop()
    marks, pairs, applied = razem_counts(path)
    _expect("razem: marks (and distinct pairs) in the database", (marks, pairs), (MARKS, MARKS))
    _expect("razem: applied writes", applied, MARKS)
    return side


def run_pouchdb(template: Template, node_modules: Path, folder: Path, batch: int) -> SideRun:
    server = PouchServer(node_modules, folder)
    side = SideRun()
    server.start()
    try:
        assert server.process is not None
        pid = server.process.pid
        with CountingProxy(server.port) as proxy:
            base = {
                "base_url": proxy.url, "node_modules": str(node_modules), "db": DB,
                "work": str(folder), "user_id": template.user_id, "batch_size": batch,
            }  # fmt: skip
            push = {**base, "marks": template.marks}
            side.phases["push"] = run_phase("pouch-push", push, folder, pid, proxy)
            _expect("pouchdb push: written", side.phases["push"].details["docs_written"], MARKS)
            side.phases["replay"] = run_phase("pouch-replay", base, folder, pid, proxy)
            _expect("pouchdb replay: written", side.phases["replay"].details["docs_written"], 0)
            side.phases["pull"] = run_phase("pouch-pull", base, folder, pid, proxy)
            _expect("pouchdb pull: local docs", side.phases["pull"].details["marks"], MARKS)
        for phase in side.phases.values():
            _expect("pouchdb errors", phase.details["errors"], 0)
        side.peak_rss = peak_rss(pid)
        _expect("pouchdb-server: documents", server.doc_count(), MARKS)
    finally:
        server.stop()
    return side


def raw_sqlite_rate(template: Template, folder: Path) -> tuple[float, float]:
    """The same 10,000 marks upserted straight into attendance_marks of a copy of the seeded
    database, stdlib sqlite3 with the server's pragmas, 1,000 a transaction: rows per second
    of wall time and per second of this thread's CPU time."""
    path = _copy_database(template.path, folder)
    conn = sqlite3.connect(path, isolation_level=None)
    _sqlite_pragmas(conn, None)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    user, device = uuid.UUID(template.user_id).hex, uuid.uuid4().hex
    conn.execute(
        "INSERT INTO devices (id, user_id, user_agent, app_version, first_seen_at,"
        " last_seen_at, pending_count) VALUES (?, ?, '', '', ?, ?, 0)",
        (device, user, now, now),
    )
    values = [
        (uuid.uuid4().hex, uuid.UUID(m["session_id"]).hex, uuid.UUID(m["person_id"]).hex,
         m["status"], None, user, now, device, now, uuid.UUID(m["key"]).hex, 0)
        for m in template.marks
    ]  # fmt: skip
    statement = (
        "INSERT INTO attendance_marks (id, session_id, person_id, status, quantity,"
        " marked_by_id, marked_at, device_id, recorded_at, idempotency_key, disagreement)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (session_id, person_id) DO UPDATE SET"
        " status = excluded.status, marked_by_id = excluded.marked_by_id,"
        " marked_at = excluded.marked_at, device_id = excluded.device_id,"
        " recorded_at = excluded.recorded_at, idempotency_key = excluded.idempotency_key"
    )
    start, cpu = time.perf_counter(), time.thread_time()
    for i in range(0, len(values), RAW_BATCH):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(statement, values[i : i + RAW_BATCH])
        conn.execute("COMMIT")
    seconds, cpu = time.perf_counter() - start, time.thread_time() - cpu
    (count,) = conn.execute(
        "SELECT count(*) FROM attendance_marks m JOIN sessions s ON s.id = m.session_id"
        " JOIN activities a ON a.id = s.activity_id WHERE a.title LIKE ?",
        (f"{TITLE} %",),
    ).fetchone()
    conn.close()
    _expect("raw sqlite: marks", count, MARKS)
    return MARKS / seconds, MARKS / cpu


def npm_install(folder: Path) -> Path:
    subprocess.run(
        ["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent",
         *NPM_PACKAGES],
        check=True,
    )  # fmt: skip
    return folder / "node_modules"


def _version(node_modules: Path, package: str) -> str:
    return str(json.loads((node_modules / package / "package.json").read_text())["version"])


def _node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


def _razem_batch_size() -> int:
    found = re.search(r"var MAX_BATCH = (\d+);", OUTBOX_SYNC.read_text())
    assert found, "no MAX_BATCH in outbox-sync.js"
    return int(found.group(1))


# --- the report --------------------------------------------------------------------------


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _span(values: list[float], fmt: str = ",.0f") -> str:
    return f"{statistics.median(values):{fmt}} [{min(values):{fmt}}–{max(values):{fmt}}]"


def summarise(runs: list[Run]) -> dict[str, Any]:
    def median(side: str, phase: str, attribute: str) -> float:
        return statistics.median(getattr(getattr(r, side).phases[phase], attribute) for r in runs)

    razem_rate, pouch_rate = median("razem", "push", "rate"), median("pouchdb", "push", "rate")
    raw = statistics.median(r.raw_rate for r in runs)
    raw_cpu = statistics.median(r.raw_cpu_rate for r in runs)
    razem_cpu_rate = median("razem", "push", "cpu_rate")
    razem_up, pouch_up = median("razem", "push", "up"), median("pouchdb", "push", "up")
    razem_mem = statistics.median(r.razem.peak_rss for r in runs)
    pouch_mem = statistics.median(r.pouchdb.peak_rss for r in runs)
    return {
        "push_rate_ratio": razem_rate / pouch_rate,
        "push_bytes_up_ratio": razem_up / pouch_up,
        "push_rate_of_raw_sqlite": razem_rate / raw,
        "push_cpu_rate_of_raw_sqlite_cpu_rate": razem_cpu_rate / raw_cpu,
        "peak_rss_ratio": razem_mem / pouch_mem,
        "targets_met": {
            "push >= 10x PouchDB marks/s": razem_rate >= 10 * pouch_rate,
            "push bytes up <= 1/2 PouchDB's": razem_up <= pouch_up / 2,
            "push >= 1/3 of raw SQLite upserts": razem_rate >= raw / 3,
            "server peak RSS < 1/2 pouchdb-server's": razem_mem < pouch_mem / 2,
        },
    }


def print_report(runs: list[Run], meta: dict[str, str], summary: dict[str, Any]) -> None:
    print()
    for key, value in meta.items():
        print(f"{key}: {value}")
    print()
    header = f"{'phase':<7} {'figure':<22} {'Razem':>28} {'PouchDB':>28}"
    print(header)
    print("-" * len(header))
    rows: list[tuple[str, str, Any, str]] = [
        ("seconds", "seconds", lambda p: p.seconds, ",.2f"),
        ("marks/s", "marks/s", lambda p: p.rate, ",.0f"),
        ("requests", "requests", lambda p: p.requests, ",.0f"),
        ("KB up", "KB up", lambda p: p.up / 1000, ",.0f"),
        ("KB down", "KB down", lambda p: p.down / 1000, ",.0f"),
        ("connections", "connections", lambda p: p.connections, ",.0f"),
        ("server CPU s", "server CPU s", lambda p: p.server_cpu, ",.2f"),
        ("marks/server CPU s", "marks/server CPU s", lambda p: p.cpu_rate, ",.0f"),
    ]
    for phase in PHASES:
        for _, label, get, fmt in rows:
            razem = _span([get(r.razem.phases[phase]) for r in runs], fmt)
            if phase in runs[0].pouchdb.phases:
                pouch = _span([get(r.pouchdb.phases[phase]) for r in runs], fmt)
            else:
                pouch = "—"
            print(f"{phase:<7} {label:<22} {razem:>28} {pouch:>28}")
    mem = [
        _span([getattr(r, side).peak_rss / 1e6 for r in runs], ",.0f")
        for side in ("razem", "pouchdb")
    ]
    print(f"{'run':<7} {'server peak RSS MB':<22} {mem[0]:>28} {mem[1]:>28}")
    raw, raw_cpu = _span([r.raw_rate for r in runs]), _span([r.raw_cpu_rate for r in runs])
    print(
        f"raw SQLite upserts, {RAW_BATCH:,}-row batches, server pragmas: {raw} rows/s, "
        f"{raw_cpu} rows per CPU second"
    )
    print()
    print(
        f"Razem push / PouchDB push, marks/s: {summary['push_rate_ratio']:.1f}x; "
        f"bytes up: {summary['push_bytes_up_ratio']:.2f}; Razem push / raw SQLite: "
        f"{summary['push_rate_of_raw_sqlite']:.2f} (per CPU second: "
        f"{summary['push_cpu_rate_of_raw_sqlite_cpu_rate']:.2f}); peak RSS Razem / pouchdb-server: "
        f"{summary['peak_rss_ratio']:.2f}"
    )
    for target, met in summary["targets_met"].items():
        print(f"  {'met    ' if met else 'NOT met'}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--npm-dir", type=Path, help="a folder already holding the packages")
    parser.add_argument("--pouch-batch-size", type=int, default=_razem_batch_size())
    args = parser.parse_args()
    load_before = _load()
    folder = Path(tempfile.mkdtemp(prefix="razem-bench-pouchdb-"))
    try:
        node_modules = (
            args.npm_dir / "node_modules" if args.npm_dir else npm_install(folder / "npm")
        )
        start = time.perf_counter()
        template = make_template(folder)
        print(f"seeded {MARKS:,} (session, person) pairs in {time.perf_counter() - start:.1f} s")
        runs: list[Run] = []
        for n in range(args.runs + 1):
            work = folder / f"run-{n}"
            razem = run_razem(template, work / "razem")
            pouch = run_pouchdb(template, node_modules, work / "pouchdb", args.pouch_batch_size)
            raw, raw_cpu = raw_sqlite_rate(template, work / "raw")
            label = "warm-up (discarded)" if n == 0 else f"run {n}"
            print(
                f"{label}: push Razem {razem.phases['push'].rate:,.0f} marks/s, PouchDB "
                f"{pouch.phases['push'].rate:,.0f}; raw SQLite {raw:,.0f} rows/s; "
                f"load {_load()}",
                flush=True,
            )
            if n:
                runs.append(Run(razem, pouch, raw, raw_cpu))
            shutil.rmtree(work, ignore_errors=True)
        meta = {
            "command": "python -m tests.benchmarks.bench_pouchdb " + " ".join(sys.argv[1:]),
            "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "machine": (
                f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
                f"{platform.system()} {platform.release()}, Python "
                f"{platform.python_version()}, Node {_node_version()}"
            ),
            "load average": f"{load_before} before, {_load()} after",
            "packages": (
                f"pouchdb {_version(node_modules, 'pouchdb')}, pouchdb-server "
                f"{_version(node_modules, 'pouchdb-server')}"
            ),
            "settings": (
                f"{MARKS:,} marks, {args.runs} runs after a discarded warm-up, medians "
                f"[min–max]; Razem batches of {_razem_batch_size()} (outbox-sync.js), PouchDB "
                f"batch_size {args.pouch_batch_size}"
            ),
        }
        summary = summarise(runs)
        print_report(runs, meta, summary)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {"meta": meta, "summary": summary, "runs": [asdict(r) for r in runs]}, indent=2
                )
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
