"""What the running app holds: settings, the engine and its session makers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.lockout import SignInLimit
from server.db import SessionMaker, create_engine, create_session_maker, has_own_writer
from server.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    read_sessions: SessionMaker
    write_sessions: SessionMaker
    # Sessions for the short reads of the pages people open all day (decision 27): on a SQLite
    # file run on the event loop (`quick_engine`), elsewhere the same as `read_sessions`.
    quick_read_sessions: SessionMaker
    # On a SQLite file, the one-connection engine the write sessions use (server/db.py).
    writer_engine: AsyncEngine | None = None
    quick_engine: AsyncEngine | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AppState:
        url, echo = settings.database_url, settings.log_sql
        engine = create_engine(url, echo=echo)
        own = has_own_writer(url)
        writer = create_engine(url, echo=echo, writer=True) if own else None
        quick = create_engine(url, echo=echo, quick_reads=True) if own else None
        reads = create_session_maker(engine)
        return cls(
            settings=settings,
            engine=engine,
            read_sessions=reads,
            write_sessions=create_session_maker(writer or engine, write=True),
            quick_read_sessions=create_session_maker(quick) if quick else reads,
            writer_engine=writer,
            quick_engine=quick,
        )

    @property
    def engines(self) -> list[AsyncEngine]:
        """Every engine this app holds (reads, writes, quick reads)."""
        return [e for e in (self.engine, self.writer_engine, self.quick_engine) if e is not None]

    async def dispose(self) -> None:
        for engine in self.engines:
            await engine.dispose()

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(days=self.settings.session_days)

    @property
    def sign_in_limit(self) -> SignInLimit:
        return SignInLimit(
            max_failures=self.settings.sign_in_max_failures,
            first_lock=timedelta(minutes=self.settings.sign_in_lock_minutes),
            max_lock=timedelta(minutes=self.settings.sign_in_lock_max_minutes),
        )
