"""Throughput of the sync batch endpoint (POST /api/sync/batch), in marks applied per second.

    .venv/bin/python -m tests.benchmarks.bench_batch [--engine sqlite|postgres|both] [--runs 3]

Starts a real `razem serve` process on 127.0.0.1 over a demo database (plus one benchmark
activity assigned to the demo facilitator: 200 enrolled people and enough sessions that no
(session, person) pair is marked twice, so every mark is an insert), signs in as the
facilitator and sends `attendance.mark` batches sequentially over one keep-alive httpx client:
batches of 40 marks (800 marks a run: 20 requests) and of 1,000 marks (3,000 a run: 3
requests), `--runs` times, after one discarded warm-up batch. The server applies a few hundred
marks a second, so these defaults keep `--engine both --runs 3` near two minutes; pass
`--small-marks 4000 --large-marks 10000` for longer runs. Then replays one 1,000-mark batch
(all duplicates). Every result must be "applied" (or "duplicate" for the replay); afterwards
the database must hold exactly one new attendance mark and applied write per mark sent.

For context it also prints the raw SQLite upsert rate on this machine (stdlib sqlite3, the
server's pragmas, 1,000-row `INSERT ... ON CONFLICT DO UPDATE` batches). PostgreSQL uses a
fresh database on postgresql://postgres@127.0.0.1:5432 (dropped at the end), and is skipped
when nothing listens there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psycopg
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivitySession, Enrollment
from server.attendance.models import AttendanceMark
from server.auth.models import StaffUser
from server.db import create_engine, create_session_maker, session_scope
from server.demo import DEMO_PASSWORD, seed_demo
from server.migrations.runner import upgrade
from server.people.codes import make_person_code
from server.people.models import Person
from server.people.names import search_key
from server.sync.models import AppliedWrite
from tests.browser.servers import ServerProcess, seed_database
from tests.factories import make_activity

T = TypeVar("T")
FACILITATOR = "facilitator@example.org"
PEOPLE = 200
SMALL, LARGE = 40, 1000
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
RAW_ROWS, RAW_BATCH = 20_000, 1000


@dataclass(frozen=True)
class BenchData:
    user_id: uuid.UUID
    activity_id: uuid.UUID
    pairs: list[tuple[uuid.UUID, uuid.UUID]]  # (session_id, person_id), each marked once


@dataclass
class SizeResult:
    batch_size: int
    marks: int  # per run
    requests: int  # per run
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)  # the server process's

    @property
    def rates(self) -> list[float]:
        return [self.marks / s for s in self.seconds]


@dataclass
class EngineResult:
    engine: str
    sizes: list[SizeResult]
    replay_marks: int = 0
    replay_seconds: float = 0.0
    replay_cpu_seconds: float = 0.0
    duplicate_rate: float = 0.0
    marks_sent: int = 0
    marks_added: int = 0
    writes_added: int = 0


# --- the database ------------------------------------------------------------------------


def _in_thread(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on its own event loop in its own thread."""
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(asyncio.run(work()))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def _in_db(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def runner() -> T:
        engine = create_engine(url)
        try:
            async with session_scope(create_session_maker(engine, write=True)) as db:
                return await work(db)
        finally:
            await engine.dispose()

    return _in_thread(runner)


def _seed_postgres(url: str) -> None:
    """What seed_database does for SQLite: migrate, then the demo data."""
    upgrade(url)

    async def seed(db: AsyncSession) -> None:
        await seed_demo(db, today=date.today())

    _in_db(url, seed)


async def _add_bench_data(db: AsyncSession, sessions: int) -> BenchData:
    """One choir of the demo facilitator's with PEOPLE enrolled and `sessions` past sessions."""
    facilitator = (await db.exec(select(StaffUser).where(StaffUser.email == FACILITATOR))).one()
    activity = await make_activity(
        db, staff=[facilitator], title="Benchmark choir", start_date=date(2020, 1, 1)
    )
    codes = set((await db.exec(select(Person.code))).all())
    people = []
    for i in range(PEOPLE):
        code = make_person_code()
        while code in codes:
            code = make_person_code()
        codes.add(code)
        given, family = f"Bench{i:03d}", "Benchmark"
        people.append(
            Person(
                code=code,
                given_name=given,
                family_name=family,
                search_name=search_key(given, family),
                created_by_id=facilitator.id,
            )
        )
    db.add_all(people)
    await db.flush()
    db.add_all(Enrollment(activity_id=activity.id, person_id=p.id) for p in people)
    first = date.today() - timedelta(days=sessions + 30)
    meetings = [
        ActivitySession(
            activity_id=activity.id,
            date=first + timedelta(days=i),
            start_time=clock(17),
            end_time=clock(18, 30),
        )
        for i in range(sessions)
    ]
    db.add_all(meetings)
    await db.flush()
    pairs = [(s.id, p.id) for s in meetings for p in people]
    return BenchData(user_id=facilitator.id, activity_id=activity.id, pairs=pairs)


def _counts(url: str, activity_id: uuid.UUID) -> tuple[int, int]:
    """Attendance marks in the benchmark activity, and applied writes overall."""

    async def count(db: AsyncSession) -> tuple[int, int]:
        marks = await db.exec(
            select(func.count())
            .select_from(AttendanceMark)
            .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
            .where(ActivitySession.activity_id == activity_id)
        )
        writes = await db.exec(select(func.count()).select_from(AppliedWrite))
        return int(marks.one()), int(writes.one())

    return _in_db(url, count)


def _postgres_listens() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


def _admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


# --- the client --------------------------------------------------------------------------


def _sign_in(client: httpx.Client, email: str = FACILITATOR, password: str = DEMO_PASSWORD) -> None:
    page = client.get("/sign-in")
    page.raise_for_status()
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "_csrf_token": token.group(1)},
    )
    if response.status_code != 303 or "razem_session" not in client.cookies:
        raise RuntimeError(f"sign-in failed: {response.status_code} {response.text[:500]}")


def _body(
    device_id: uuid.UUID, user_id: uuid.UUID, pairs: list[tuple[uuid.UUID, uuid.UUID]]
) -> bytes:
    now = datetime.now(UTC).isoformat()
    writes = [
        {
            "key": str(uuid.uuid4()),
            "kind": "attendance.mark",
            "payload": {"session_id": str(s), "person_id": str(p), "status": "present"},
            "device_time": now,
            "user_id": str(user_id),
        }
        for s, p in pairs
    ]
    body = {
        "device_id": str(device_id),
        "sent_at": now,
        "pending_count": len(writes),
        "app_version": "bench",
        "writes": writes,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sender:
    def __init__(self, client: httpx.Client, data: BenchData, server_pid: int) -> None:
        self.client = client
        self.server_pid = server_pid
        self.data = data
        self.device_id = uuid.uuid4()
        self.headers = {"X-Razem-Device": str(self.device_id), "Content-Type": "application/json"}
        self._pairs: Iterator[tuple[uuid.UUID, uuid.UUID]] = iter(data.pairs)
        self.sent = 0  # marks applied

    def bodies(self, size: int, total: int) -> list[tuple[bytes, int]]:
        """Fresh (session, person) pairs, made into batch bodies (and their number of writes)
        before the clock starts."""
        bodies = []
        for start in range(0, total, size):
            pairs = [next(self._pairs) for _ in range(min(size, total - start))]
            bodies.append((_body(self.device_id, self.data.user_id, pairs), len(pairs)))
        return bodies

    def send(self, body: bytes, writes: int, expect: str) -> None:
        response = self.client.post("/api/sync/batch", content=body, headers=self.headers)
        if response.status_code != 200:
            raise RuntimeError(f"batch: HTTP {response.status_code}: {response.text[:1000]}")
        results = response.json()["results"]
        wrong = [r for r in results if r["outcome"] != expect]
        if wrong or len(results) != writes:
            raise RuntimeError(
                f"{len(wrong)} of {len(results)} results not {expect!r}; first: {wrong[:1]}"
            )
        if expect == "applied":
            self.sent += len(results)

    def timed(
        self, bodies: list[tuple[bytes, int]], expect: str = "applied"
    ) -> tuple[float, float]:
        """Wall-clock seconds to send `bodies` one after another, and server CPU seconds."""
        cpu = _cpu_seconds(self.server_pid)
        start = time.perf_counter()
        for body, writes in bodies:
            self.send(body, writes, expect)
        return time.perf_counter() - start, _cpu_seconds(self.server_pid) - cpu


def _bench_server(
    url: str, folder: Path, data: BenchData, args: argparse.Namespace, name: str
) -> EngineResult:
    result = EngineResult(
        engine=name,
        sizes=[
            SizeResult(SMALL, args.small_marks, math.ceil(args.small_marks / SMALL)),
            SizeResult(LARGE, args.large_marks, math.ceil(args.large_marks / LARGE)),
        ],
    )
    server = ServerProcess(url, folder)
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=300) as client:
            _sign_in(client)
            assert server.process is not None
            sender = Sender(client, data, server.process.pid)
            sender.timed(sender.bodies(SMALL, SMALL))  # warm-up, discarded
            last: tuple[bytes, int] = (b"", 0)
            for size in result.sizes:
                for run in range(args.runs):
                    bodies = sender.bodies(size.batch_size, size.marks)
                    seconds, cpu = sender.timed(bodies)
                    size.seconds.append(seconds)
                    size.cpu_seconds.append(cpu)
                    last = bodies[-1]
                    print(
                        f"  {name} batch {size.batch_size:>4} run {run + 1}: "
                        f"{size.marks} marks in {seconds:.2f} s "
                        f"= {size.marks / seconds:,.0f} marks/s "
                        f"(server CPU {cpu * 1000 / size.marks:.2f} ms/mark)",
                        flush=True,
                    )
            result.replay_marks = last[1]
            result.replay_seconds, result.replay_cpu_seconds = sender.timed(
                [last], expect="duplicate"
            )
            result.duplicate_rate = result.replay_marks / result.replay_seconds
            print(
                f"  {name} replay of a {result.replay_marks}-mark batch: all duplicate, "
                f"{result.replay_seconds:.2f} s = {result.duplicate_rate:,.0f} marks/s",
                flush=True,
            )
            result.marks_sent = sender.sent
    finally:
        server.stop()
    return result


def _pairs_needed(args: argparse.Namespace) -> int:
    return SMALL + args.runs * (args.small_marks + args.large_marks)


def _bench_engine(name: str, url: str, folder: Path, args: argparse.Namespace) -> EngineResult:
    sessions = math.ceil(_pairs_needed(args) / PEOPLE) + 1
    start = time.perf_counter()
    data = _in_db(url, lambda db: _add_bench_data(db, sessions))
    print(
        f"{name}: added {sessions} sessions x {PEOPLE} people = {len(data.pairs):,} pairs "
        f"in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    marks_before, writes_before = _counts(url, data.activity_id)
    result = _bench_server(url, folder, data, args, name)
    marks_after, writes_after = _counts(url, data.activity_id)
    result.marks_added = marks_after - marks_before
    result.writes_added = writes_after - writes_before
    if result.marks_added != result.marks_sent or result.writes_added != result.marks_sent:
        raise RuntimeError(
            f"{name}: sent {result.marks_sent} marks, but {result.marks_added} attendance marks "
            f"and {result.writes_added} applied writes were added"
        )
    return result


def bench_sqlite(args: argparse.Namespace) -> EngineResult:
    folder = Path(tempfile.mkdtemp(prefix="razem-bench-batch-"))
    try:
        start = time.perf_counter()
        url = seed_database(folder / "bench.db")
        print(f"sqlite: demo seeded in {time.perf_counter() - start:.1f} s", flush=True)
        return _bench_engine("sqlite", url, folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_postgres(args: argparse.Namespace) -> EngineResult | None:
    if not _postgres_listens():
        print(f"postgres: nothing listens on {PG_HOST}:{PG_PORT}; skipped", flush=True)
        return None
    name = f"razem_bench_{uuid.uuid4().hex[:12]}"
    url = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    folder = Path(tempfile.mkdtemp(prefix="razem-bench-batch-pg-"))
    _admin(f'CREATE DATABASE "{name}"')
    try:
        start = time.perf_counter()
        _seed_postgres(url)
        print(f"postgres: demo seeded in {time.perf_counter() - start:.1f} s", flush=True)
        return _bench_engine("postgres", url, folder, args)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


# --- raw SQLite, for context -------------------------------------------------------------


def raw_sqlite_upserts(rows: int = RAW_ROWS, batch: int = RAW_BATCH) -> float:
    """Rows per second upserted by stdlib sqlite3 with the server's pragmas, one transaction
    per batch."""
    folder = Path(tempfile.mkdtemp(prefix="razem-bench-raw-"))
    try:
        conn = sqlite3.connect(folder / "raw.db", isolation_level=None)
        for pragma in ("journal_mode=WAL", "busy_timeout=5000", "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute(
            "CREATE TABLE marks (id CHAR(32) PRIMARY KEY, session_id CHAR(32) NOT NULL, "
            "person_id CHAR(32) NOT NULL, status VARCHAR(8) NOT NULL, marked_at DATETIME, "
            "UNIQUE (session_id, person_id))"
        )
        now = datetime.now(UTC).isoformat()
        sessions = [uuid.uuid4().hex for _ in range(math.ceil(rows / PEOPLE))]
        people = [uuid.uuid4().hex for _ in range(PEOPLE)]
        values = [(uuid.uuid4().hex, s, p, "present", now) for s in sessions for p in people]
        values = values[:rows]
        statement = (
            "INSERT INTO marks (id, session_id, person_id, status, marked_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, person_id) DO UPDATE SET "
            "status = excluded.status, marked_at = excluded.marked_at"
        )
        start = time.perf_counter()
        for i in range(0, rows, batch):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(statement, values[i : i + batch])
            conn.execute("COMMIT")
        seconds = time.perf_counter() - start
        (count,) = conn.execute("SELECT count(*) FROM marks").fetchone()
        conn.close()
        assert count == rows, count
        return rows / seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the report --------------------------------------------------------------------------


def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def _summary(
    results: list[EngineResult], raw_rate: float, args: argparse.Namespace, load_before: str
) -> None:
    print()
    print(f"date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"{load_before} before, {_load()} after"
    )
    print(
        "server: one `razem serve` process (uvicorn, 1 worker) on 127.0.0.1, one keep-alive "
        f"httpx client, batches sent one after another; {args.runs} runs per batch size; "
        "requests and seconds are per run (median); server CPU = the server process's "
        "user+system time"
    )
    print()
    header = (
        f"{'engine':<9} {'batch':>5} {'marks/s median [min-max]':>26} {'requests':>8} "
        f"{'seconds':>8} {'ms/mark':>8} {'server CPU ms/mark':>18}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        for size in result.sizes:
            rates = size.rates
            span = f"{statistics.median(rates):,.0f} [{min(rates):,.0f}-{max(rates):,.0f}]"
            seconds = statistics.median(size.seconds)
            cpu = statistics.median(size.cpu_seconds)
            print(
                f"{result.engine:<9} {size.batch_size:>5} {span:>26} {size.requests:>8} "
                f"{seconds:>8.2f} {seconds * 1000 / size.marks:>8.2f} "
                f"{cpu * 1000 / size.marks:>18.2f}"
            )
        replay = f"{result.duplicate_rate:,.0f} (all duplicate)"
        marks = result.replay_marks
        print(
            f"{result.engine:<9} {marks:>5} {replay:>26} {1:>8} {result.replay_seconds:>8.2f} "
            f"{result.replay_seconds * 1000 / marks:>8.2f} "
            f"{result.replay_cpu_seconds * 1000 / marks:>18.2f}"
        )
    print(
        f"raw sqlite3 upsert, {RAW_BATCH:,}-row batches: {raw_rate:,.0f} rows/s "
        f"({RAW_ROWS:,} rows; stdlib sqlite3, WAL, synchronous=NORMAL, one transaction a batch)"
    )
    print()
    for result in results:
        print(
            f"{result.engine}: {result.marks_sent:,} marks sent and applied (warm-up included); "
            f"{result.marks_added:,} attendance marks and {result.writes_added:,} applied writes "
            "added: each exactly once"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small-marks", type=int, default=800, help="marks a run, batches of 40")
    parser.add_argument(
        "--large-marks", type=int, default=3000, help="marks a run, batches of 1,000"
    )
    args = parser.parse_args()
    load_before = _load()
    results: list[EngineResult] = []
    if args.engine in ("sqlite", "both"):
        results.append(bench_sqlite(args))
    if args.engine in ("postgres", "both"):
        pg = bench_postgres(args)
        if pg is not None:
            results.append(pg)
    raw_rate = raw_sqlite_upserts()
    _summary(results, raw_rate, args, load_before)


if __name__ == "__main__":
    main()
