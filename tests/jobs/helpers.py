"""Running jobs from synchronous tests, against the test's own database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.jobs.models import JobRun
from server.settings import Settings
from server.web.appstate import AppState
from tests.conftest import TEST_SECRET
from tests.factories import run_in_db

T = TypeVar("T")


def job_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        data_dir=tmp_path,
        default_language="en",
        run_jobs=False,
        **overrides,
    )


def with_app_state(settings: Settings, work: Callable[[AppState], Awaitable[T]]) -> T:
    """Run `work` with an app state of its own (its own engine), as a process would."""

    async def runner() -> T:
        app_state = AppState.from_settings(settings)
        try:
            return await work(app_state)
        finally:
            await app_state.engine.dispose()

    return asyncio.run(runner())


def job_runs(database_url: str, job: str | None = None) -> list[JobRun]:
    async def load(db: AsyncSession) -> list[JobRun]:
        query = select(JobRun).order_by(col(JobRun.started_at))
        if job is not None:
            query = query.where(JobRun.job == job)
        return list((await db.exec(query)).all())

    return run_in_db(database_url, load)
