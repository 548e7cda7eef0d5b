"""Load test (issue 8): many facilitators sign in, open their roster and send batches of marks.

    # one `razem serve` on a fresh SQLite database, started here
    .venv/bin/python -m tests.benchmarks.load_test --target sqlite
    # one `razem serve` on a fresh PostgreSQL database, created here (and dropped after)
    .venv/bin/python -m tests.benchmarks.load_test --target postgres \\
        --postgres-url postgresql://postgres@127.0.0.1:5432/postgres
    # a set-up already running (the local cluster behind its TLS proxy): its database is seeded
    # directly (it must be migrated already) and checked after the run
    .venv/bin/python -m tests.benchmarks.load_test --base-url https://127.0.0.1:8443 \\
        --database-url postgresql://postgres@127.0.0.1:5432/razem --cafile deploy/local/ca.pem

Options: --users 300 --duration 120 --interval 10 --batch 40 --retry-rate 0.1 --ramp 10
--workers 1 (uvicorn workers of a server started here), --profile FILE.html|FILE.txt (the
started server runs under pyinstrument), --insecure (no TLS verification), --keep (keep the
database).

Each simulated facilitator has an account of their own (seeded directly into the database,
with one password hash computed once), an activity, today's session and 40 enrolled people.
Starting at a random moment within --ramp seconds, each one: GET /sign-in, POST /sign-in (the
real form, with its CSRF token), GET the roster page, then every --interval seconds POST a batch
of --batch marks (one per person, a new status each round) to /api/sync/batch; with probability
--retry-rate the same batch (same idempotency keys) is sent again 0.5-2 s later, as a phone does
when an answer is lost. Everything runs on loopback only and stops after --duration seconds.

Printed: requests per second, latency p50/p95/p99 overall and by request type, errors (any
unexpected status, a network error, or a write answered other than `applied` the first time
and `duplicate` when repeated). Then the database is checked: every write sent has exactly
one applied key; each (session, person) has exactly one mark, holding the last value sent; and
each mark has exactly (writes applied to it - 1) history rows, so no write was lost or applied
twice. Exit status 1 when any error, loss or duplicate is found.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    Enrollment,
)
from server.attendance.models import AttendanceMark, MarkHistory
from server.auth.models import Role, StaffUser
from server.auth.passwords import hash_password
from server.common.bulk import insert_rows
from server.db import create_engine, create_session_maker, session_scope
from server.migrations.runner import upgrade
from server.people.codes import make_person_code
from server.people.models import Person
from server.people.names import search_key
from server.settings import Settings, normalise_database_url
from server.sync.models import AppliedWrite

PASSWORD = "load-test-password-7c41e9"
SECRET = "load-test-secret-key-0123456789abcdefghij"
STATUSES = ("present", "late", "absent", "excused")
# The database checks that must find nothing.
PROBLEMS = ("lost", "keys stored", "keys nobody", "marks missing", "marks not", "duplicated",
            "marks whose")  # fmt: skip
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


# --- the facilitators' data -------------------------------------------------------------------


@dataclass
class Facilitator:
    email: str
    user_id: uuid.UUID
    session_id: uuid.UUID
    people: list[uuid.UUID]


def _table(model: type) -> Any:
    return model.__table__  # type: ignore[attr-defined]


async def seed(database_url: str, users: int, per_roster: int, run: str) -> list[Facilitator]:
    """`users` facilitators with an activity each, today's session and `per_roster` people
    enrolled: inserted in a few statements a table (the same rows the app's own code makes)."""
    today = Settings(secret_key=SECRET).today()  # the centre's date (RAZEM_TIMEZONE)
    password_hash = hash_password(PASSWORD)  # once: argon2 is slow on purpose
    rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    facilitators = []
    codes: set[str] = set()
    for i in range(users):
        user = StaffUser(
            email=f"load-{run}-{i:04d}@example.org",
            display_name=f"Load {i:04d}",
            role=Role.FACILITATOR,
            password_hash=password_hash,
        )
        activity = Activity(kind=ActivityKind.CHOIR, title=f"Load choir {i:04d}", start_date=today)
        session = ActivitySession(
            activity_id=activity.id, date=today, start_time=clock(0, 0), end_time=clock(23, 59)
        )
        rows[StaffUser].append(user.model_dump())
        rows[Activity].append(activity.model_dump())
        rows[ActivityStaff].append(
            ActivityStaff(activity_id=activity.id, user_id=user.id).model_dump()
        )
        rows[ActivitySession].append(session.model_dump())
        people = []
        for j in range(per_roster):
            given, family = f"Given{j:02d}", f"Family{i:04d}"
            while (code := make_person_code()) in codes:  # 12,000 random codes may meet
                pass
            codes.add(code)
            person = Person(
                code=code,
                given_name=given,
                family_name=family,
                search_name=search_key(given, family),
            )
            rows[Person].append(person.model_dump())
            rows[Enrollment].append(
                Enrollment(activity_id=activity.id, person_id=person.id).model_dump()
            )
            people.append(person.id)
        facilitators.append(Facilitator(user.email, user.id, session.id, people))
    engine = create_engine(database_url)
    try:
        async with session_scope(create_session_maker(engine, write=True)) as db:
            for model in (StaffUser, Activity, ActivityStaff, ActivitySession, Person, Enrollment):
                for start in range(0, len(rows[model]), 5000):
                    await insert_rows(db, _table(model), rows[model][start : start + 5000])
    finally:
        await engine.dispose()
    return facilitators


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Stats:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # (when it ended, how long it took) of every request, and when the last sign-in ended
    ends: list[tuple[float, float]] = field(default_factory=list)
    last_sign_in: float = 0.0
    # (request type, when it started, how long it took) of every request: for the windows
    records: list[tuple[str, float, float]] = field(default_factory=list)
    # (seconds into the run, server CPU seconds so far, load generator CPU seconds so far)
    cpu_samples: list[tuple[float, float, float]] = field(default_factory=list)
    # how late the load generator's own event loop woke a 10 ms sleep (its own busyness: time
    # counted in the latencies above that is not the server's)
    loop_lag: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {what}")


@dataclass
class Sent:
    """What the facilitators sent and were told: by key, the (session, person, status, round)
    of each write answered `applied`; keys whose answer never came."""

    applied: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, str, int]] = field(default_factory=dict)
    unanswered: set[uuid.UUID] = field(default_factory=set)
    duplicates_answered: int = 0
    # every first send's writes, by key, answered or not
    pending: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, str, int]] = field(default_factory=dict)


async def timed(
    stats: Stats, kind: str, call: Any, *args: Any, **kwargs: Any
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response: httpx.Response = await call(*args, **kwargs)
    except httpx.HTTPError as exc:
        response = None
        stats.error(kind, f"{type(exc).__name__}: {exc}")
    ended = time.perf_counter()
    stats.timings[kind].append(ended - started)
    stats.ends.append((ended, ended - started))
    stats.records.append((kind, started, ended - started))
    if kind == "POST /sign-in":
        stats.last_sign_in = max(stats.last_sign_in, ended)
    return response


async def facilitator_day(
    me: Facilitator,
    args: argparse.Namespace,
    client: httpx.AsyncClient,
    stats: Stats,
    sent: Sent,
    deadline: float,
) -> None:
    rng = random.Random(me.email)
    await asyncio.sleep(rng.uniform(0, args.ramp))
    page = await timed(stats, "GET /sign-in", client.get, "/sign-in")
    if page is None:
        return
    if page.status_code != 200 or not (token := CSRF_FIELD.search(page.text)):
        stats.error("GET /sign-in", f"status {page.status_code}")
        return
    form = {"email": me.email, "password": PASSWORD, "_csrf_token": token.group(1)}
    signed = await timed(stats, "POST /sign-in", client.post, "/sign-in", data=form)
    if signed is None:
        return
    if signed.status_code != 303:
        stats.error("POST /sign-in", f"status {signed.status_code}")
        return
    roster = await timed(stats, "GET roster", client.get, f"/sessions/{me.session_id}")
    if roster is None:
        return
    if roster.status_code != 200:
        stats.error("GET roster", f"status {roster.status_code}")
        return
    if roster.text.count('id="roster-row-') != len(me.people):
        stats.error("GET roster", "the roster does not list every enrolled person")
    device = str(uuid.uuid4())
    round_no = 0
    next_round = time.monotonic()
    while time.monotonic() < deadline:
        status = STATUSES[round_no % len(STATUSES)]
        writes = [
            {
                "key": str(uuid.uuid4()),
                "kind": "attendance.mark",
                "payload": {
                    "session_id": str(me.session_id),
                    "person_id": str(person),
                    "status": status,
                },
                "device_time": datetime.now(UTC).isoformat(),
                "user_id": str(me.user_id),
            }
            for person in me.people[: args.batch]
        ]
        await send_batch(client, device, writes, stats, sent, me, status, round_no, repeat=False)
        if rng.random() < args.retry_rate and time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            await send_batch(client, device, writes, stats, sent, me, status, round_no, repeat=True)
        round_no += 1
        next_round += args.interval
        await asyncio.sleep(max(0.0, min(next_round, deadline) - time.monotonic()))


async def send_batch(
    client: httpx.AsyncClient,
    device: str,
    writes: list[dict[str, Any]],
    stats: Stats,
    sent: Sent,
    me: Facilitator,
    status: str,
    round_no: int,
    *,
    repeat: bool,
) -> None:
    kind = "POST batch (repeat)" if repeat else "POST batch"
    body = {
        "device_id": device,
        "sent_at": datetime.now(UTC).isoformat(),
        "pending_count": len(writes),
        "writes": writes,
    }
    response = await timed(
        stats, kind, client.post, "/api/sync/batch", json=body, headers={"X-Razem-Device": device}
    )
    keys = [uuid.UUID(w["key"]) for w in writes]
    if not repeat:
        for key, write in zip(keys, writes, strict=True):
            person = uuid.UUID(write["payload"]["person_id"])
            sent.pending[key] = (me.session_id, person, status, round_no)
    if response is None or response.status_code != 200:
        if response is not None:
            stats.error(kind, f"status {response.status_code}: {response.text[:200]}")
        if not repeat:
            sent.unanswered.update(keys)
        return
    expected = "duplicate" if repeat else "applied"
    results = response.json()["results"]
    for write, result in zip(writes, results, strict=True):
        key = uuid.UUID(write["key"])
        if result["outcome"] != expected:
            stats.error(kind, f"{result['outcome']} instead of {expected}: {result['errors']}")
            continue
        if repeat:
            sent.duplicates_answered += 1
            continue
        person = uuid.UUID(write["payload"]["person_id"])
        sent.applied[key] = (me.session_id, person, status, round_no)
        sent.unanswered.discard(key)


# --- checking the database --------------------------------------------------------------------


async def check_database(
    database_url: str, facilitators: list[Facilitator], sent: Sent
) -> dict[str, int]:
    users = [f.user_id for f in facilitators]
    sessions = [f.session_id for f in facilitators]
    engine = create_engine(database_url)
    try:
        async with create_session_maker(engine)() as db:
            db: AsyncSession  # type: ignore[no-redef]
            keys = {
                key: outcome
                for key, outcome in (
                    await db.exec(
                        select(AppliedWrite.idempotency_key, AppliedWrite.outcome).where(
                            AppliedWrite.user_id.in_(users)  # type: ignore[attr-defined]
                        )
                    )
                ).all()
            }
            marks = (
                await db.exec(
                    select(
                        AttendanceMark.session_id,
                        AttendanceMark.person_id,
                        AttendanceMark.status,
                        AttendanceMark.idempotency_key,
                    ).where(AttendanceMark.session_id.in_(sessions))  # type: ignore[attr-defined]
                )
            ).all()
            history = dict(
                (
                    (session_id, person_id),
                    count,
                )
                for session_id, person_id, count in (
                    await db.exec(
                        select(
                            MarkHistory.session_id,
                            MarkHistory.person_id,
                            func.count(),
                        )
                        .where(MarkHistory.session_id.in_(sessions))  # type: ignore[attr-defined]
                        .group_by(MarkHistory.session_id, MarkHistory.person_id)
                    )
                ).all()
            )
    finally:
        await engine.dispose()

    # A batch whose answer never came may have been applied (a phone would send it again and
    # be told `duplicate`): its writes count as applied when their keys are stored so.
    applied = dict(sent.applied)
    for key in sent.unanswered:
        if keys.get(key) == "applied":
            applied[key] = sent.pending[key]
    # The last write applied for each (session, person), and how many were applied.
    last: dict[tuple[uuid.UUID, uuid.UUID], tuple[int, uuid.UUID, str]] = {}
    applied_per_pair: dict[tuple[uuid.UUID, uuid.UUID], int] = defaultdict(int)
    for key, (session_id, person_id, status, round_no) in applied.items():
        pair = (session_id, person_id)
        applied_per_pair[pair] += 1
        if pair not in last or round_no > last[pair][0]:
            last[pair] = (round_no, key, status)
    by_pair: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[str, uuid.UUID | None]]] = defaultdict(
        list
    )
    for session_id, person_id, status, key in marks:
        by_pair[(session_id, person_id)].append((str(getattr(status, "value", status)), key))
    lost_keys = [key for key in sent.applied if key not in keys]
    not_applied = [key for key in sent.applied if keys.get(key, "applied") != "applied"]
    superseded = [key for key in sent.unanswered if keys.get(key) == "superseded"]
    unknown_keys = [key for key in keys if key not in sent.applied and key not in sent.unanswered]
    wrong_marks = 0
    missing_marks = 0
    for pair, (_round, key, status) in last.items():
        found = by_pair.get(pair, [])
        if not found:
            missing_marks += 1
        elif found != [(status, key)]:
            wrong_marks += 1
    duplicated_marks = sum(1 for rows in by_pair.values() if len(rows) > 1)
    # A write stored as `superseded` (a timed-out batch applied after the next round's) keeps
    # its losing value in the history as well.
    for key in sent.unanswered:
        if keys.get(key) == "superseded":
            session_id, person_id, _status, _round = sent.pending[key]
            applied_per_pair[(session_id, person_id)] += 1
    history_off = sum(1 for pair, n in applied_per_pair.items() if history.get(pair, 0) != n - 1)
    return {
        "writes answered applied": len(sent.applied),
        "repeats answered duplicate": sent.duplicates_answered,
        "writes without an answer": len(sent.unanswered),
        "of those, stored as applied": len(applied) - len(sent.applied),
        "of those, stored as superseded": len(superseded),
        "applied keys in the database": len(keys),
        "marks in the database": len(marks),
        "lost (applied, key missing)": len(lost_keys),
        "keys stored as not applied": len(not_applied),
        "keys nobody was told about": len(unknown_keys),
        "marks missing": missing_marks,
        "marks not holding the last value": wrong_marks,
        "duplicated marks (same session and person)": duplicated_marks,
        "marks whose history count != applied writes - 1": history_off,
    }


# --- servers and databases --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    database_url: str, folder: Path, args: argparse.Namespace
) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = folder / "server.log"
    env = {
        **os.environ,
        "RAZEM_DATABASE_URL": database_url,
        "RAZEM_SECRET_KEY": SECRET,
        "RAZEM_DATA_DIR": str(folder),
        "RAZEM_RUN_JOBS": "false",
        "RAZEM_HTMX_URL": "/static/vendor/htmx-2.0.11.min.js",
    }
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(port)]
    command += ["--workers", str(args.workers)]
    if args.profile:
        renderer = "html" if args.profile.suffix == ".html" else "text"
        command = [sys.executable, "-m", "pyinstrument", "-r", renderer,
                   "-o", str(args.profile), "-m", "server.cli", *command[3:]]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return process, base_url, log
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the server did not answer:\n{log.read_text()[-3000:]}")


def cpu_seconds(pid: int | list[int]) -> float:
    """CPU time (user + system) of processes and their children (uvicorn's workers), so far."""
    pids = {pid} if isinstance(pid, int) else set(pid)
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) in pids or int(fields[1]) in pids:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)  # pyinstrument writes its report on a clean exit
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def create_postgres_database(admin_url: str, name: str) -> str:
    url = make_url(normalise_database_url(admin_url))
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, name: str) -> None:
    url = make_url(normalise_database_url(admin_url))
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


# --- the run ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def report(stats: Stats, wall: float) -> None:
    everything = [t for times in stats.timings.values() for t in times]
    total = len(everything)
    print(f"requests: {total} in {wall:.1f} s = {total / wall:.1f} requests/s")
    print(
        f"{'type':<22}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
    )

    def line(name: str, times: list[float], errors: int) -> None:
        if not times:
            print(f"{name:<22}{0:>7}{'':>36}{errors:>8}")
            return
        p = [percentile(times, q) * 1000 for q in (0.5, 0.95, 0.99, 1.0)]
        print(f"{name:<22}{len(times):>7}" + "".join(f"{v:>9.1f}" for v in p) + f"{errors:>8}")

    for name in sorted(stats.timings):
        line(name, stats.timings[name], stats.errors.get(name, 0))
    line("all", everything, sum(stats.errors.values()))
    after = [took for ended, took in stats.ends if ended - took > stats.last_sign_in]
    if after:
        print("after the last sign-in ended (batches and repeats only):")
        line("all after sign-ins", after, 0)
    windows(stats)
    for example in stats.examples:
        print(f"  error: {example}")


WINDOW = 15.0  # seconds


def windows(stats: Stats) -> None:
    """Latency by when the request started (15-second windows), and by type for the first
    window against the rest: the sign-in burst against the steady state."""
    if not stats.records:
        return
    origin = min(started for _kind, started, _took in stats.records)
    by_window: dict[int, list[float]] = defaultdict(list)
    for _kind, started, took in stats.records:
        by_window[int((started - origin) // WINDOW)].append(took)
    print(f"by start time ({WINDOW:.0f} s windows), all types:")
    print(f"  {'window s':<12}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for index in sorted(by_window):
        times = by_window[index]
        p = [percentile(times, q) * 1000 for q in (0.5, 0.95, 0.99)]
        label = f"{index * WINDOW:.0f}-{(index + 1) * WINDOW:.0f}"
        print(f"  {label:<12}{len(times):>7}" + "".join(f"{v:>9.1f}" for v in p))
    print(f"by type, started in the first {WINDOW:.0f} s / later (count p50 p95 ms):")
    kinds = sorted({kind for kind, _s, _t in stats.records})
    for kind in kinds:
        cells = []
        for early in (True, False):
            times = [t for k, s, t in stats.records if k == kind and (s - origin < WINDOW) == early]
            if times:
                p50, p95 = (percentile(times, q) * 1000 for q in (0.5, 0.95))
                cells.append(f"{len(times):>6} {p50:>8.1f} {p95:>8.1f}")
            else:
                cells.append(f"{0:>6} {'':>8} {'':>8}")
        print(f"  {kind:<22}" + "   |".join(cells))
    if stats.loop_lag:
        p = [percentile(stats.loop_lag, q) * 1000 for q in (0.5, 0.95, 0.99, 1.0)]
        print(
            "load generator's event loop lag (a 10 ms sleep woken late), p50/p95/p99/max ms: "
            + " / ".join(f"{v:.1f}" for v in p)
        )
    if len(stats.cpu_samples) > 1:
        print("CPU by 15 s (cores busy): server, load generator")
        line = []
        for (t0, s0, o0), (t1, s1, o1) in itertools.pairwise(stats.cpu_samples):
            line.append(
                f"{t0:.0f}-{t1:.0f}s {(s1 - s0) / (t1 - t0):.2f}/{(o1 - o0) / (t1 - t0):.2f}"
            )
        print("  " + ", ".join(line))


def server_side(log: Path) -> None:
    """The server's own durations (its JSON access lines): without the network and the load
    generator's own waiting."""
    by_route: dict[str, list[float]] = defaultdict(list)
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if '"razem.access"' in line:
            entry = json.loads(line)
            if entry["route"] != "/healthz":
                by_route[f"{entry['method']} {entry['route']}"].append(entry["duration_ms"] / 1000)
    print("server-side durations (its access log):")
    everything = [t for times in by_route.values() for t in times]
    for name in sorted(by_route):
        p = [percentile(by_route[name], q) * 1000 for q in (0.5, 0.95, 0.99, 1.0)]
        print(f"  {name[:40]:<40}{len(by_route[name]):>7}" + "".join(f"{v:>9.1f}" for v in p))
    if everything:
        p = [percentile(everything, q) * 1000 for q in (0.5, 0.95, 0.99, 1.0)]
        print(f"  {'all':<40}{len(everything):>7}" + "".join(f"{v:>9.1f}" for v in p))


async def sample_cpu(stats: Stats, server_pid: int | list[int] | None, started: float) -> None:
    """Every WINDOW seconds: the server's CPU (with its workers) and the load generator's."""
    while True:
        server = cpu_seconds(server_pid) if server_pid is not None else 0.0
        stats.cpu_samples.append((time.monotonic() - started, server, time.process_time()))
        await asyncio.sleep(WINDOW)


async def sample_lag(stats: Stats) -> None:
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        stats.loop_lag.append(time.perf_counter() - before - 0.01)


async def run_load(
    base_url: str,
    facilitators: list[Facilitator],
    args: argparse.Namespace,
    server_pid: int | list[int] | None = None,
) -> tuple[Stats, Sent, float]:
    stats, sent = Stats(), Sent()
    verify: Any = True
    if args.insecure:
        verify = False
    elif args.cafile:
        import ssl

        verify = ssl.create_default_context(cafile=args.cafile)
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    timeout = httpx.Timeout(args.timeout)
    clients = [
        httpx.AsyncClient(base_url=base_url, verify=verify, limits=limits, timeout=timeout)
        for _ in facilitators
    ]
    started = time.monotonic()
    deadline = started + args.duration
    sampler = asyncio.create_task(sample_cpu(stats, server_pid, started))
    lag = asyncio.create_task(sample_lag(stats))
    try:
        await asyncio.gather(
            *(
                facilitator_day(me, args, client, stats, sent, deadline)
                for me, client in zip(facilitators, clients, strict=True)
            )
        )
    finally:
        wall = time.monotonic() - started
        server = cpu_seconds(server_pid) if server_pid is not None else 0.0
        stats.cpu_samples.append((wall, server, time.process_time()))
        sampler.cancel()
        lag.cancel()
        await asyncio.gather(*(client.aclose() for client in clients))
    return stats, sent, wall


def main() -> int:
    parser = argparse.ArgumentParser(description="Razem load test (issue 8)")
    parser.add_argument("--target", choices=["sqlite", "postgres"])
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--base-url", help="an already running set-up")
    parser.add_argument("--database-url", help="its database (with --base-url)")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--retry-rate", type=float, default=0.1)
    parser.add_argument("--ramp", type=float, default=None, help="default: --interval")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--insecure", action="store_true")
    parser.add_argument("--cafile")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--server-pid", type=int, action="append", default=[],
        help="with --base-url: a server process whose CPU time to report (repeatable)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.ramp is None:
        args.ramp = args.interval
    if bool(args.target) == bool(args.base_url):
        parser.error("give either --target or --base-url (with --database-url)")
    if args.base_url and not args.database_url:
        parser.error("--base-url needs --database-url (to seed the accounts and check marks)")
    if args.base_url and make_url(args.base_url).host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the load test runs against loopback only")
    if not (1 <= args.users <= 2000 and 1 <= args.duration <= 1800 and 1 <= args.batch <= 40):
        parser.error("bounded: --users 1..2000, --duration 1..1800 s, --batch 1..40")

    run = uuid.uuid4().hex[:8]
    folder = Path(tempfile.mkdtemp(prefix="razem-load-"))
    process = None
    pg_name = ""
    if args.target == "sqlite":
        database_url = normalise_database_url(f"sqlite:///{folder / 'load.db'}")
    elif args.target == "postgres":
        pg_name = f"razem_load_{run}"
        database_url = normalise_database_url(create_postgres_database(args.postgres_url, pg_name))
    else:
        database_url = normalise_database_url(args.database_url)
    try:
        if args.target:
            upgrade(database_url)
        started = time.perf_counter()
        facilitators = asyncio.run(seed(database_url, args.users, 40, run))
        print(
            f"seeded {args.users} facilitators x 40 people in {time.perf_counter() - started:.1f} s"
        )
        log = None
        if args.target:
            process, base_url, log = start_server(database_url, folder, args)
        else:
            base_url = args.base_url
        machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        backend = make_url(database_url).get_backend_name()
        workers = args.workers if args.target else "n/a"
        print(f"machine: {machine}")
        print(f"target: {args.target or base_url} ({backend}), workers {workers}")
        print(
            f"users {args.users}, duration {args.duration:.0f} s, interval {args.interval:.0f} s,"
            f" batch {args.batch}, retry rate {args.retry_rate}, ramp {args.ramp:.0f} s"
        )
        print(f"load average before: {os.getloadavg()}")
        watched: int | list[int] | None = process.pid if process is not None else args.server_pid
        cpu_before = cpu_seconds(watched) if watched else 0.0
        own_before = time.process_time()
        stats, sent, wall = asyncio.run(run_load(base_url, facilitators, args, watched or None))
        print(f"load average after:  {os.getloadavg()}")
        if watched:
            cpu = cpu_seconds(watched) - cpu_before
            print(f"server CPU: {cpu:.1f} s in {wall:.0f} s ({cpu / wall:.2f} cores busy)")
        own = time.process_time() - own_before
        print(f"load generator CPU: {own:.1f} s ({own / wall:.2f} cores busy)")
        if process is not None:
            stop_server(process)
            process = None
        report(stats, wall)
        checks = asyncio.run(check_database(database_url, facilitators, sent))
        print("database check:")
        for name, value in checks.items():
            print(f"  {name}: {value}")
        if log is not None:
            server_side(log)
            print(f"server log: {log}")
        bad = sum(stats.errors.values()) + sum(
            value for name, value in checks.items() if name.startswith(PROBLEMS)
        )
        print("RESULT:", "ok" if bad == 0 else f"{bad} problems")
        return 0 if bad == 0 else 1
    finally:
        if process is not None:
            stop_server(process)
        if pg_name and not args.keep:
            drop_postgres_database(args.postgres_url, pg_name)


if __name__ == "__main__":
    raise SystemExit(main())
