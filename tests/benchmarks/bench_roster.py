"""Render time and transfer size of a 40-person roster (today's demo choir) on SQLite.

    .venv/bin/python -m tests.benchmarks.bench_roster [--requests 200]

Prints the server's render time per request (in-process: middleware, sign-in lookup, the
database queries and the template, without network), median and p95 over N requests, and the
bytes sent gzip-compressed for the page and its own CSS and JS (htmx not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from litestar.testing import TestClient

from server.app import create_app
from server.db import create_engine, create_session_maker, session_scope
from server.demo import DEMO_PASSWORD, seed_demo
from server.migrations.runner import upgrade
from server.settings import Settings

# What the roster page loads (names.js only when the filter is used; htmx not counted).
OWN_ASSETS = (
    "/static/css/app.css",
    "/static/js/app.js",
    "/sw/outbox-store.js",
    "/static/js/outbox.js",
    "/static/js/roster.js",
)


def _seed(url: str) -> None:
    upgrade(url)

    async def seed() -> None:
        engine = create_engine(url)
        async with session_scope(create_session_maker(engine, write=True)) as db:
            await seed_demo(db, today=date.today())
        await engine.dispose()

    asyncio.run(seed())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="razem-bench-"))
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    _seed(url)
    settings = Settings(database_url=url, secret_key="b" * 40, data_dir=folder)
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1") as client:
        page = client.get("/sign-in").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        client.post(
            "/sign-in",
            data={
                "email": "facilitator@example.org",
                "password": DEMO_PASSWORD,
                "_csrf_token": token,
            },
        )
        home = client.get("/sessions").text
        today = home.split('id="today-heading"')[1].split("</section>")[0]
        session_path = re.search(r'href="(/sessions/[0-9a-f-]{36})"', today).group(1)  # type: ignore[union-attr]
        rows = client.get(session_path).text.count('class="roster-item')
        for _ in range(20):  # warm-up
            client.get(session_path)
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(session_path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        gzip_headers = {"Accept-Encoding": "gzip"}
        sizes = {}
        for path in (session_path, *OWN_ASSETS):
            response = client.get(path, headers=gzip_headers)
            sizes[path] = (
                response.num_bytes_downloaded,
                len(response.content),
                response.headers.get("content-encoding", "identity"),
            )
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    machine = f"{platform.node()} {platform.machine()} Python {platform.python_version()}"
    print(f"machine: {machine}, SQLite, in-process")
    print(f"roster rows: {rows}")
    median = statistics.median(timings)
    print(
        f"render time over {args.requests} requests: median {median:.2f} ms, "
        f"p95 {p95:.2f} ms, max {timings[-1]:.2f} ms"
    )
    total = 0
    for path, (sent, raw, encoding) in sizes.items():
        total += sent
        label = "roster page" if path == session_path else path
        print(f"  {label:<24} {sent:>7} bytes sent ({encoding}), {raw:>7} uncompressed")
    print(f"total own HTML+CSS+JS sent compressed: {total} bytes ({total / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
