"""Where a sync batch's time goes, phase by phase, in-process (no HTTP server, no socket).

    .venv/bin/python -m tests.benchmarks.phases_batch [--engine sqlite|postgres]
        [--size 1000] [--batches 8]

Builds the app on a fresh demo database (plus the batch benchmark's choir) with garbage
collection as `razem serve` has it, signs in as the demo facilitator, sends two warm-up
batches of `--size` new marks through httpx's ASGI transport, then `--batches` timed ones.
Each phase below is wrapped with a timer; prints, per phase, the median time and the sum
per batch, with the request's wall and CPU time (the process's, so the database thread's
work counts) and the garbage collections that ran.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import shutil
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from server.app import create_app
from server.common.memory import settle_after_startup
from server.settings import Settings
from tests.benchmarks.bench_batch import (
    PG_ADMIN_URL,
    BenchData,
    _add_bench_data,
    _admin,
    _body,
    _in_db,
    _seed_postgres,
)
from tests.benchmarks.profile_batch import _send, _sign_in
from tests.browser.servers import seed_database

# (module, function): wrapped where it is looked up, so each is timed where it is called.
PHASES = [
    ("server.web.middleware", "resolve_session"),
    ("server.app", "refuse_unreadable_input"),
    ("server.sync.routes", "_read_strictly"),
    ("server.sync.routes", "apply_batch"),
    ("server.sync.batch", "ensure_device"),  # before decision 20
    ("server.sync.batch", "record_device_sync"),
    ("server.sync.batch", "prefetch_keys"),
    ("server.sync.batch", "prefetch_marks"),
    ("server.sync.batch", "_apply_all"),
    ("server.sync.batch", "flush_marks"),
    ("server.attendance.prefetch", "insert_rows"),
    ("server.sync.batch", "finish_batch"),
    ("server.sync.writes", "insert_rows"),
    ("server.audit.service", "insert_rows"),
]
TIMES: dict[str, list[float]] = defaultdict(list)


def _timed(label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    if asyncio.iscoroutinefunction(func):

        @wraps(func)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await func(*args, **kwargs)
            finally:
                TIMES[label].append(time.perf_counter() - start)

        return timed_async

    @wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            TIMES[label].append(time.perf_counter() - start)

    return timed


def _wrap_phases() -> None:
    for module_name, name in PHASES:
        module = importlib.import_module(module_name)
        if not hasattr(module, name):
            continue  # a phase of another version of the code
        label = f"{module_name.rsplit('.', 1)[-1]}.{name}"
        setattr(module, name, _timed(label, getattr(module, name)))
    AsyncSession.commit = _timed("session.commit", AsyncSession.commit)  # type: ignore[method-assign]
    started: list[float] = []

    def collections(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            TIMES[f"gc generation {info['generation']}"].append(time.perf_counter() - started[0])

    gc.callbacks.append(collections)


async def _run(url: str, folder: Path, data: BenchData, args: argparse.Namespace) -> None:
    app = create_app(Settings(database_url=url, secret_key="p" * 40, data_dir=folder))
    settle_after_startup()  # as `razem serve` does

    async def timed_app(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("path") != "/api/sync/batch":
            await app(scope, receive, send)
            return
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            await app(scope, receive, send)
        finally:
            TIMES["request (wall)"].append(time.perf_counter() - wall)
            TIMES["request (CPU)"].append(time.process_time() - cpu)

    device = uuid.uuid4()
    pairs = iter(data.pairs)
    bodies = [
        _body(device, data.user_id, [next(pairs) for _ in range(args.size)])
        for _ in range(args.batches + 2)
    ]
    transport = httpx.ASGITransport(app=timed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        await _sign_in(client)
        for body in bodies[:2]:
            await _send(client, device, body)
        TIMES.clear()
        for body in bodies[2:]:
            await _send(client, device, body)
    print(f"{args.engine}, batches of {args.size} marks, {args.batches} timed batches")
    for label, values in TIMES.items():
        per_batch = sum(values) / args.batches
        median = statistics.median(values) * 1000
        print(
            f"  {label:32s} {len(values) / args.batches:5.1f} a batch, median {median:7.2f} ms,"
            f" {per_batch * 1000:7.2f} ms a batch"
        )
    wall = statistics.median(TIMES["request (wall)"])
    print(f"  {args.size / wall:,.0f} marks/s (median request)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=8)
    args = parser.parse_args()
    _wrap_phases()
    folder = Path(tempfile.mkdtemp(prefix="razem-phases-batch-"))
    database = ""
    try:
        if args.engine == "sqlite":
            url = seed_database(folder / "phases.db")
        else:
            database = f"razem_phases_{uuid.uuid4().hex[:12]}"
            _admin(f'CREATE DATABASE "{database}"')
            url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql:", "postgresql+psycopg:")
            url = f"{url}/{database}"
            _seed_postgres(url)
        sessions = (args.batches + 2) * args.size // 200 + 2
        data = _in_db(url, lambda db: _add_bench_data(db, sessions))
        asyncio.run(_run(url, folder, data, args))
    finally:
        if database:
            _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
