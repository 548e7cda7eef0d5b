"""How long `razem demo` takes to seed its database (SQLite, in-process).

.venv/bin/python -m tests.benchmarks.bench_demo [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from server.db import create_engine, create_session_maker, session_scope
from server.demo import seed_demo
from server.migrations.runner import upgrade


async def _seed(url: str) -> float:
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        async with session_scope(create_session_maker(engine, write=True)) as db:
            await seed_demo(db, today=date.today())
        return time.perf_counter() - started
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times = []
    for run in range(args.runs):
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / f'demo-{run}.db'}"
        upgrade(url)
        times.append(asyncio.run(_seed(url)))
    print(f"demo seeding over {args.runs} runs: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
