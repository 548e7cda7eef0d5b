"""What the running app holds: settings, the engine and its session makers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.lockout import SignInLimit
from server.db import SessionMaker, create_engine, create_session_maker
from server.settings import Settings


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    read_sessions: SessionMaker
    write_sessions: SessionMaker

    @classmethod
    def from_settings(cls, settings: Settings) -> AppState:
        engine = create_engine(settings.database_url, echo=settings.log_sql)
        return cls(
            settings=settings,
            engine=engine,
            read_sessions=create_session_maker(engine),
            write_sessions=create_session_maker(engine, write=True),
        )

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
