"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SessionMaker = async_sessionmaker[AsyncSession]
IMMEDIATE = "razem_sqlite_immediate"


BUSY_TIMEOUT_MS = 15000  # a 1,000-write batch can hold the lock seconds
# The writer connection runs on the event loop (below): SQLite's own busy handler blocks only
# this long, then the statement is tried again after an asynchronous sleep, up to BUSY_TIMEOUT_MS.
INLINE_BUSY_MS = 20


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # aiosqlite's adapter wraps sqlite3; isolation_level None lets SQLAlchemy emit BEGIN itself.
    dbapi_connection.isolation_level = None
    # (a plain sqlite3 connection too: the benchmarks apply the same pragmas to their own)
    inline = isinstance(getattr(dbapi_connection, "driver_connection", None), InlineSQLite)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={INLINE_BUSY_MS if inline else BUSY_TIMEOUT_MS}")
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


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class _InlineCursor:
    """aiosqlite's Cursor interface (what SQLAlchemy's adapter uses), run on the calling thread."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def _retrying(self, call: Callable[[], Any]) -> Any:
        # Another process holds the write lock: wait without blocking the event loop.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.002
        while True:
            try:
                return call()
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def execute(self, sql: str, parameters: Any = ()) -> _InlineCursor:
        await self._retrying(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, rows: Iterable[Any]) -> _InlineCursor:
        rows = list(rows)
        await self._retrying(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def __aenter__(self) -> _InlineCursor:  # aiosqlite: `async with conn.cursor()`
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    def __aiter__(self) -> _InlineCursor:
        return self

    async def __anext__(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Stands for aiosqlite's queue to its thread (SQLAlchemy puts the isolation level there)."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class InlineSQLite:
    """An aiosqlite-like connection whose calls run on the event loop's own thread.

    aiosqlite runs each call in a thread of its own connection: two thread switches per
    statement, each waiting for the GIL and, on a busy machine, for the OS to run the other
    thread. For the one writer connection of a process, whose transaction holds SQLite's write
    lock while those switches happen, that waiting made every other writer wait too. Its
    statements are short (the rows of one request, indexed), WAL commits do not fsync
    (synchronous=NORMAL), and once BEGIN IMMEDIATE holds the lock no statement waits for
    another connection; BEGIN itself is retried asynchronously when another process holds
    the lock (_InlineCursor._retrying). The short reads of the pages people open all day (the
    session lookup, rosters, the offline pack; decision 27) use such connections too; other
    reads keep aiosqlite, so that a long report query does not stop the event loop."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._tx = _RunNow()

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("Connection closed")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._open().in_transaction

    def cursor(self) -> _InlineCursor:
        return _InlineCursor(self._open().cursor())

    async def execute(self, sql: str, parameters: Any = ()) -> _InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await _InlineCursor(self._open().cursor())._retrying(self._open().commit)

    async def rollback(self) -> None:
        self._open().rollback()

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)


def _inline_creator(path: str) -> Callable[[], Any]:
    async def connect() -> InlineSQLite:
        # check_same_thread off: a pooled connection may be closed by the garbage collector
        # elsewhere; it is only ever used by one task at a time (the pool's checkout).
        return InlineSQLite(sqlite3.connect(path, check_same_thread=False))

    return connect


# Connections of the quick-read pool (create_engine's `quick_reads`): as many as aiosqlite's
# default pool keeps (5, and 10 more while requests need them).
QUICK_READERS, QUICK_READERS_OVERFLOW = 5, 10

# How long a write transaction waits for the process's one SQLite writer connection before it
# fails (500): as long as the clients' own patience, and longer than busy_timeout below.
WRITER_WAIT_SECONDS = 30.0


def create_engine(
    url: str, *, echo: bool = False, writer: bool = False, quick_reads: bool = False
) -> AsyncEngine:
    """`hide_parameters`: SQL errors and echoed SQL in logs never show the values (names).

    `writer=True` (SQLite file only): an engine of exactly one connection (InlineSQLite, run on
    the event loop), for the process's write transactions. SQLite lets one writer in at a time;
    with one connection a process's writers wait their turn in the pool's queue (first come,
    first served, without a thread and a connection each), instead of each polling the lock in
    SQLite's busy handler (sleeps of up to 100 ms) while holding a pooled connection. Other
    processes (the scheduler, a second worker) are still waited for, asynchronously.

    `quick_reads=True` (SQLite file only): a pool of InlineSQLite connections for short reads
    (decision 27). A read in WAL mode never waits for a writer, and each of the few indexed
    statements of a page costs less than the two thread switches aiosqlite makes for it, which
    on a busy event loop each wait behind everything else queued there."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if writer:
            options = {"pool_size": 1, "max_overflow": 0, "pool_timeout": WRITER_WAIT_SECONDS}
            options["async_creator"] = _inline_creator(str(parsed.database))
        elif quick_reads:
            options = {"pool_size": QUICK_READERS, "max_overflow": QUICK_READERS_OVERFLOW}
            options["async_creator"] = _inline_creator(str(parsed.database))
        engine = create_async_engine(url, echo=echo, hide_parameters=True, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=10, max_overflow=10
    )


def has_own_writer(url: str) -> bool:
    """A SQLite file gets a one-connection engine for writes (create_engine's `writer`); an
    in-memory database cannot (each connection would be a database of its own), nor does
    PostgreSQL need one (row locks, not one lock for the whole database)."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")


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
