"""Scheduled upkeep with APScheduler, run inside the app process.

For now one job: keep every activity's sessions generated `sessions_ahead_days` ahead, once at
start-up and every night. Adding sessions is idempotent (a meeting that exists is never added
again, and the database refuses a second one for the same activity, date and time), so two app
processes running it at once add nothing twice; running each job exactly once across
processes, the jobs admin page and the other jobs are the data-protection issue's (7)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import IntegrityError

from server.activities.generation import generate_ahead
from server.db import session_scope
from server.web.appstate import AppState

logger = logging.getLogger("razem.jobs")


async def generate_sessions(app_state: AppState) -> int:
    """The job: add the missing sessions up to the horizon; returns how many were added."""
    settings = app_state.settings
    today = settings.today()
    try:
        async with session_scope(app_state.write_sessions) as db:
            added = await generate_ahead(db, today=today, ahead_days=settings.sessions_ahead_days)
    except IntegrityError:
        # Another process added the same meetings first: nothing is missing any more.
        logger.info("session generation: another process was first")
        return 0
    logger.info("session generation: %d sessions added", added)
    return added


def start_scheduler(app_state: AppState) -> AsyncIOScheduler:
    zone = ZoneInfo(app_state.settings.timezone)
    scheduler = AsyncIOScheduler(timezone=zone)
    scheduler.add_job(
        generate_sessions,
        CronTrigger(hour=3, minute=0, timezone=zone),
        args=[app_state],
        id="generate_sessions",
        next_run_time=datetime.now(zone) + timedelta(seconds=2),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    scheduler.start()
    return scheduler
