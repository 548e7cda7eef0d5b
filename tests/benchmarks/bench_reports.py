"""Time of the reports page and the exports for 5,000 people and 100,000 marks on SQLite.

    .venv/bin/python -m tests.benchmarks.bench_reports [--runs 5] [--engine sqlite|postgres]

Seeds a temporary database (SQLite, or a fresh PostgreSQL database on 127.0.0.1:5432, dropped
at the end) with bulk inserts (executemany): 30 activities of every kind, two
sessions a week each for the 50 weeks up to today (3,000 sessions), 5,000 people in about
200-person pools per activity, and 100,000 marks. Then times, in-process (middleware, sign-in
lookup, queries, rendering; no network), the report page and each export for the current
quarter and for the whole year (all 100,000 marks). Prints figures (wall-clock, and CPU time,
which a shared machine's load disturbs less); asserts nothing on time. Runs no scheduled jobs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import random
import re
import shutil
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from sqlmodel import SQLModel

from server.activities.models import Activity, ActivityKind, ActivitySession, SessionStatus
from server.app import create_app
from server.attendance.models import AttendanceMark, MarkStatus
from server.auth.models import Role, StaffUser
from server.auth.passwords import hash_password
from server.common.bulk import insert_rows
from server.db import create_engine, create_session_maker, session_scope
from server.migrations.runner import upgrade
from server.people.models import Person, PopulationGroup, Sex
from server.reports.filters import current_quarter
from server.settings import Settings

PEOPLE, MARKS, ACTIVITIES, WEEKS = 5_000, 100_000, 30, 50
EMAIL, PASSWORD = "coordinator@example.org", "bench-password"
NATIONALITIES = ["UA"] * 12 + ["PL"] * 4 + ["BY", "GE", "SY", "AF", "CO", "VN", "IN", "TR"]
STATUSES = (
    [MarkStatus.PRESENT] * 14
    + [MarkStatus.LATE] * 2
    + [MarkStatus.ABSENT] * 3
    + [MarkStatus.EXCUSED]
)


def _row(model: SQLModel) -> dict[str, Any]:
    return {column.key: getattr(model, column.key) for column in model.__table__.columns}  # type: ignore[attr-defined]


def _people(rng: random.Random, today: date) -> list[Person]:
    codes: set[str] = set()
    people = []
    for n in range(PEOPLE):
        code = f"B{n:07d}"
        codes.add(code)
        people.append(
            Person(
                code=code,
                given_name=f"Given{n}",
                family_name=f"Family{n}",
                search_name=f"given{n} family{n}",
                sex=rng.choice(list(Sex)),
                birth_year=None if n % 17 == 0 else today.year - rng.randint(1, 85),
                nationality=rng.choice(NATIONALITIES),
                population_group=rng.choice([*PopulationGroup, None]),
            )
        )
    return people


def _sessions(activities: list[Activity], today: date) -> list[ActivitySession]:
    sessions = []
    first = today - timedelta(weeks=WEEKS)
    for index, activity in enumerate(activities):
        for week in range(WEEKS):
            for day in (index % 3, index % 3 + 2):
                on = first + timedelta(weeks=week, days=day)
                sessions.append(
                    ActivitySession(
                        activity_id=activity.id,
                        date=on,
                        start_time=clock(10 + index % 8, 0),
                        end_time=clock(11 + index % 8, 30),
                        status=SessionStatus.HELD,
                    )
                )
    return sessions


def _marks(
    rng: random.Random,
    sessions: list[ActivitySession],
    kinds: dict[Any, ActivityKind],
    pools: dict[Any, list[Person]],
    marker: StaffUser,
) -> list[AttendanceMark]:
    marks = []
    per_session, extra = divmod(MARKS, len(sessions))
    for n, session in enumerate(sessions):
        count = per_session + (1 if n < extra else 0)
        distribution = kinds[session.activity_id] == ActivityKind.DISTRIBUTION
        at = datetime.combine(session.date, session.start_time, tzinfo=UTC)
        for k, person in enumerate(rng.sample(pools[session.activity_id], count)):
            status = MarkStatus.RECEIVED if distribution else rng.choice(STATUSES)
            # A mark every few seconds, as a facilitator taps down the list.
            marked = at + timedelta(
                seconds=4 * k + rng.randint(0, 3), microseconds=rng.randint(0, 999_999)
            )
            marks.append(
                AttendanceMark(
                    session_id=session.id,
                    person_id=person.id,
                    status=status,
                    marked_by_id=marker.id,
                    marked_at=marked,
                    recorded_at=marked,
                )
            )
    return marks


async def _seed(url: str, today: date) -> None:
    rng = random.Random(6)
    coordinator = StaffUser(
        email=EMAIL, display_name="Bench Coordinator", role=Role.COORDINATOR,
        password_hash=hash_password(PASSWORD),
    )  # fmt: skip
    kinds = list(ActivityKind)
    activities = [
        Activity(kind=kinds[n % len(kinds)], title=f"Activity {n:02d}", start_date=today)
        for n in range(ACTIVITIES)
    ]
    people = _people(rng, today)
    pools = {a.id: rng.sample(people, 200) for a in activities}
    sessions = _sessions(activities, today)
    marks = _marks(rng, sessions, {a.id: a.kind for a in activities}, pools, coordinator)
    engine = create_engine(url)
    async with session_scope(create_session_maker(engine, write=True)) as db:
        for batch in ([coordinator], activities, people, sessions, marks):
            table = type(batch[0]).__table__  # type: ignore[attr-defined]
            await insert_rows(db, table, [_row(item) for item in batch])
    await engine.dispose()


def _timed(client: TestClient[Any], path: str, runs: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU times (this process, all threads: the SQLite driver's included, so
    less sensitive to a shared machine's load) of each request."""
    client.get(path)  # warm-up
    timings, cpu, size = [], [], 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.text[:300]
        size = len(response.content)
    return timings, cpu, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file, print its path")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # One access line a request would interleave with the figures (it costs well under 1 ms).
    logging.getLogger("razem.access").setLevel(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="razem-bench-reports-"))
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    if args.engine == "postgres":
        from tests.benchmarks.bench_batch import PG_HOST, PG_PORT, _admin

        name = f"razem_bench_reports_{folder.name.rsplit('-', 1)[-1].lower()}"
        url = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
        _admin(f'CREATE DATABASE "{name}"')
        try:
            _run(args, folder, url)
        finally:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        _run(args, folder, url)
    finally:
        if not args.keep:  # the SQLite file is about 60 MB
            shutil.rmtree(folder, ignore_errors=True)


def _run(args: argparse.Namespace, folder: Path, url: str) -> None:
    today = date.today()
    started = time.perf_counter()
    upgrade(url)
    asyncio.run(_seed(url, today))
    if args.engine == "postgres":
        # What autovacuum does within a minute of a bulk load: without statistics the planner
        # guesses, and the first reports take seconds.
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
    if args.keep:
        print(f"database: {url}")
    print(f"seeded {PEOPLE:,} people, {MARKS:,} marks in {time.perf_counter() - started:.1f} s")
    quarter = current_quarter(today)
    periods = {
        "quarter": f"from={quarter[0]}&to={quarter[1]}",
        "year": f"from={today - timedelta(weeks=WEEKS)}&to={today}",
    }
    paths = {
        "report page": "/reports?{q}",
        "attendance CSV": "/reports/export/attendance/csv?{q}",
        "attendance XLSX": "/reports/export/attendance/xlsx?{q}",
        "report tables CSV": "/reports/export/report/csv?{q}",
        "report tables XLSX": "/reports/export/report/xlsx?{q}",
    }
    settings = Settings(database_url=url, secret_key="b" * 40, data_dir=folder, run_jobs=False)
    machine = f"{platform.node()} {platform.machine()} Python {platform.python_version()}"
    engine = "SQLite" if args.engine == "sqlite" else "PostgreSQL"
    print(f"machine: {machine}, {engine}, in-process, {args.runs} runs after one warm-up")
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1") as client:
        page = client.get("/sign-in").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD, "_csrf_token": token})
        for period, query in periods.items():
            figures = client.get(paths["report page"].format(q=query)).text
            people = re.search(r'id="figure-people">([^<]+)<', figures).group(1)  # type: ignore[union-attr]
            marks = re.search(r'id="figure-participations">([^<]+)<', figures).group(1)  # type: ignore[union-attr]
            print(f"{period} ({query}): {people} people reached, {marks} participations")
            for name, path in paths.items():
                timings, cpu, size = _timed(client, path.format(q=query), args.runs)
                print(
                    f"  {name:<20} median {statistics.median(timings) * 1000:7.0f} ms, "
                    f"max {max(timings) * 1000:7.0f} ms, "
                    f"CPU median {statistics.median(cpu) * 1000:7.0f} ms, {size / 1024:9.1f} KiB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
