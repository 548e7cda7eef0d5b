"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SessionMaker = async_sessionmaker[AsyncSession]
IMMEDIATE = "razem_sqlite_immediate"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # aiosqlite's adapter wraps sqlite3; isolation_level None lets SQLAlchemy emit BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")  # a 1,000-write batch can hold the lock seconds
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The WAL is copied back into the database (a checkpoint, with its fsyncs) by the commit
    # that takes it past this many pages. SQLite's 1,000 (4 MB) made every second or third
    # 1,000-mark sync batch pay one; at 10,000 a checkpoint runs ten times less often and copies
    # a page written by several batches once (docs/performance.md). The file is cut back to
    # 64 MB after a checkpoint when it grew larger (a long reader can hold it back).
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA journal_size_limit=67108864")
    # Erased personal data is overwritten with zeros in the file, not only unlinked.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A write transaction takes the write lock at its start, so concurrent writers wait on
    # busy_timeout instead of failing with "database is locked" when a read lock is upgraded.
    # Reads keep a deferred BEGIN and never wait for writers (WAL).
    if conn.get_execution_options().get(IMMEDIATE):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """`hide_parameters`: SQL errors and echoed SQL in logs never show the values (names)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=10
    )


def create_session_maker(engine: AsyncEngine, *, write: bool = False) -> SessionMaker:
    """Sessions for reading, or (`write=True`) sessions whose transactions begin immediate."""
    bind = engine.execution_options(**{IMMEDIATE: True}) if write else engine
    return async_sessionmaker(bind, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def session_scope(session_maker: SessionMaker) -> AsyncIterator[AsyncSession]:
    """A unit of work: commit on success, roll back on any error."""
    async with session_maker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# Longer than a proxy's own health-check timeout (Caddy's files here: 5 s): a busy instance is
# judged by the proxy's patience, not declared down by itself. At 3 s, instances under the
# load test answered 503 while their event loop was merely slow, and the proxy took both out.
HEALTH_TIMEOUT_SECONDS = 10.0


async def database_is_reachable(engine: AsyncEngine) -> bool:
    """One `SELECT 1` on a pooled connection (cheap enough for a proxy's health check every
    few seconds); a database that does not answer within HEALTH_TIMEOUT_SECONDS counts as down."""

    async def ask() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(ask(), HEALTH_TIMEOUT_SECONDS)
    except Exception:
        return False
    return True
