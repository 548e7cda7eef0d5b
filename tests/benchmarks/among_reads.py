"""CPU a query for a batch's many-id read: SQLAlchemy's expanding IN against `among`
(server/common/bulk.py: one parameter, `json_each` on SQLite).

    .venv/bin/python -m tests.benchmarks.among_reads [--sizes 40 100 1000] [--repeat 200]

Seeds a demo SQLite database in a temporary folder and times, for each size, the idempotency
key lookup a batch makes (keys not found, as for new writes), both ways, twice each.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import select

from server.common.bulk import in_one_parameter
from server.db import create_engine, create_session_maker
from server.sync.writes import APPLIED_TABLE
from tests.browser.servers import seed_database


async def _run(sizes: list[int], repeat: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="razem-among-"))
    try:
        url = seed_database(folder / "razem.db")
        engine = create_engine(url)
        maker = create_session_maker(engine, write=True)
        column = APPLIED_TABLE.c.idempotency_key
        print(f"load average {os.getloadavg()[0]:.2f}")
        for size in sizes:
            keys = [uuid.uuid4() for _ in range(size)]
            async with maker() as db:
                dialect = (await db.connection()).dialect
                ways: dict[str, Callable[[], Any]] = {
                    "IN": lambda keys=keys: column.in_(keys),
                    "json_each": lambda keys=keys, d=dialect: in_one_parameter(column, keys, d),
                }
                for _ in range(2):
                    for name, where in ways.items():
                        for _ in range(20):  # warm the statement caches
                            await db.exec(select(column).where(where()))
                        start = time.process_time()
                        for _ in range(repeat):
                            found = await db.exec(
                                select(column, APPLIED_TABLE.c.result).where(where())
                            )
                            found.all()
                        cpu = (time.process_time() - start) / repeat * 1000
                        print(f"{size:6d} ids  {name:9s} {cpu:7.3f} ms CPU a query")
        await engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 100, 1000])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(_run(args.sizes, args.repeat))


if __name__ == "__main__":
    main()
