"""The SQLite writer connection (decision 21): writes run on the event loop, wait in order for
the process's one writer connection, and wait for another process's lock without blocking."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from server.db import (
    InlineSQLite,
    create_engine,
    create_session_maker,
    has_own_writer,
    session_scope,
)


def test_only_a_sqlite_file_gets_its_own_writer() -> None:
    assert has_own_writer("sqlite+aiosqlite:////tmp/x.db")
    assert not has_own_writer("sqlite+aiosqlite:///:memory:")
    assert not has_own_writer("postgresql+psycopg://postgres@127.0.0.1/razem")


def test_concurrent_writes_queue_for_the_one_writer(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"

    async def scenario() -> tuple[int, int, bool]:
        writer = create_engine(url, writer=True)
        reader = create_engine(url)
        writes = create_session_maker(writer, write=True)
        try:
            async with session_scope(writes) as db:
                await db.exec(text("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)"))
                raw = await (await db.connection()).get_raw_connection()
                inline = isinstance(raw.driver_connection, InlineSQLite)

            async def one(i: int) -> None:
                async with session_scope(writes) as db:
                    await db.exec(text("INSERT INTO t (b) VALUES (:b)").bindparams(b=str(i)))
                    await asyncio.sleep(0.001)  # other writers run meanwhile, and must wait

            await asyncio.gather(*(one(i) for i in range(40)))
            async with reader.connect() as conn:
                count = (await conn.exec_driver_sql("SELECT count(*) FROM t")).scalar_one()
                busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
            return count, busy, inline
        finally:
            await writer.dispose()
            await reader.dispose()

    count, reader_busy_timeout, inline = asyncio.run(scenario())
    assert (count, reader_busy_timeout, inline) == (40, 15000, True)


def test_another_process_lock_is_waited_for_without_blocking_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    url = f"sqlite+aiosqlite:///{path}"

    async def scenario() -> tuple[float, float, list[str]]:
        writer = create_engine(url, writer=True)
        writes = create_session_maker(writer, write=True)
        try:
            async with session_scope(writes) as db:
                await db.exec(text("CREATE TABLE t (b TEXT)"))
            other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            other.execute("BEGIN IMMEDIATE")
            other.execute("INSERT INTO t VALUES ('other')")
            threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
            gaps: list[float] = []

            async def ticker() -> None:
                while True:
                    before = time.perf_counter()
                    await asyncio.sleep(0.005)
                    gaps.append(time.perf_counter() - before)

            ticking = asyncio.create_task(ticker())
            started = time.perf_counter()
            async with session_scope(writes) as db:
                await db.exec(text("INSERT INTO t VALUES ('mine')"))
            waited = time.perf_counter() - started
            ticking.cancel()
            other.close()
            async with writer.connect() as conn:
                rows = (await conn.exec_driver_sql("SELECT b FROM t")).scalars().all()
            return waited, max(gaps), list(rows)
        finally:
            await writer.dispose()

    waited, longest_gap, rows = asyncio.run(scenario())
    assert waited >= 0.45  # it did wait for the other connection's commit
    assert rows == ["other", "mine"]
    # The loop kept running meanwhile: never stopped for the whole wait (the busy handler
    # blocks 20 ms at a time; a loaded machine adds its own delays).
    assert longest_gap < 0.3
