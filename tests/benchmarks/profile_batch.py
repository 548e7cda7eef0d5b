"""Where a batch of new marks spends its time, in-process (no HTTP server, no socket).

    .venv/bin/python -m tests.benchmarks.profile_batch [--engine sqlite|postgres] [--batches 3]
        [--size 1000] [--profiler cprofile|pyinstrument|none]

Builds the app on a fresh demo database (plus the batch benchmark's choir), signs in as the
demo facilitator and sends `--batches` batches of `--size` (1,000) new marks through the ASGI
app with httpx's ASGI transport, after one warm-up batch. Prints the wall time of each batch and the
profile of the timed ones: cProfile's top functions by cumulative time, or pyinstrument's
tree (pyinstrument is not a dependency: `pip install pyinstrument` into the venv first).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from server.app import create_app
from server.common.memory import settle_after_startup
from server.demo import DEMO_PASSWORD
from server.settings import Settings
from tests.benchmarks.bench_batch import (
    FACILITATOR,
    LARGE,
    PG_ADMIN_URL,
    BenchData,
    _add_bench_data,
    _admin,
    _body,
    _in_db,
    _seed_postgres,
)
from tests.browser.servers import seed_database


async def _sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/sign-in")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    response = await client.post(
        "/sign-in",
        data={"email": FACILITATOR, "password": DEMO_PASSWORD, "_csrf_token": token.group(1)},
    )
    assert response.status_code == 303, response.text[:500]


async def _send(client: httpx.AsyncClient, device: uuid.UUID, body: bytes) -> None:
    response = await client.post(
        "/api/sync/batch",
        content=body,
        headers={"X-Razem-Device": str(device), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text[:1000]
    outcomes = {r["outcome"] for r in response.json()["results"]}
    assert outcomes == {"applied"}, outcomes


async def _run(url: str, folder: Path, data: BenchData, args: argparse.Namespace) -> None:
    settings = Settings(database_url=url, secret_key="p" * 40, data_dir=folder)
    app = create_app(settings)
    settle_after_startup()  # as `razem serve` does (server/common/memory.py)
    transport = httpx.ASGITransport(app=app)
    device = uuid.uuid4()
    pairs = iter(data.pairs)
    bodies = [
        _body(device, data.user_id, [next(pairs) for _ in range(args.size)])
        for _ in range(args.batches + 1)
    ]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        await _sign_in(client)
        await _send(client, device, bodies[0])  # warm-up
        profiler = _start(args.profiler)
        for body in bodies[1:]:
            start = time.perf_counter()
            await _send(client, device, body)
            seconds = time.perf_counter() - start
            marks = args.size
            print(f"{marks} marks in {seconds * 1000:.1f} ms = {marks / seconds:,.0f} marks/s")
        _stop(args.profiler, profiler, args.dump)


def _start(kind: str) -> Any:
    if kind == "cprofile":
        profiler = cProfile.Profile()
        profiler.enable()
        return profiler
    if kind == "pyinstrument":
        from pyinstrument import Profiler  # not a dependency: for local profiling only

        profiler = Profiler(async_mode="enabled")
        profiler.start()
        return profiler
    return None


def _stop(kind: str, profiler: Any, dump: str = "") -> None:
    if kind == "cprofile":
        profiler.disable()
        if dump:  # for pstats' callers/callees: python -m pstats FILE
            profiler.dump_stats(dump)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    elif kind == "pyinstrument":
        profiler.stop()
        print(profiler.output_text(unicode=True, show_all=False))
        print(profiler.output_text(unicode=True, flat=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--size", type=int, default=LARGE, help="new marks a batch")
    parser.add_argument(
        "--profiler", choices=("cprofile", "pyinstrument", "none"), default="cprofile"
    )
    parser.add_argument("--dump", default="", help="cProfile: also save the stats to this file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="razem-profile-batch-"))
    database = ""
    try:
        if args.engine == "sqlite":
            url = seed_database(folder / "profile.db")
        else:
            database = f"razem_profile_{uuid.uuid4().hex[:12]}"
            _admin(f'CREATE DATABASE "{database}"')
            url = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql:", "postgresql+psycopg:")
            url = f"{url}/{database}"
            _seed_postgres(url)
        sessions = (args.batches + 1) * args.size // 200 + 1
        data = _in_db(url, lambda db: _add_bench_data(db, sessions))
        asyncio.run(_run(url, folder, data, args))
    finally:
        if database:
            _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
