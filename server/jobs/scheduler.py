"""APScheduler wiring: every job of the registry on its trigger, in the app process (when
`run_jobs` is on) or in a process of its own (`razem scheduler`).

Any number of processes may run this: each firing is claimed in the database for its slot
(`server/jobs/runner.py`), so a job runs once per slot however many processes fire it. At
start-up, jobs marked `catch_up` whose last scheduled slot has no run (the server was down)
run for that slot."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from server.common.models import utcnow
from server.jobs.registry import JOBS, Job
from server.jobs.runner import close_interrupted, run_for_slot
from server.jobs.schedule import check_schedules, job_trigger, previous_fire_time, slot_of
from server.settings import Settings
from server.web.appstate import AppState

logger = logging.getLogger("razem.jobs")
CATCH_UP_AFTER = timedelta(seconds=2)


async def fire(app_state: AppState, job: Job, trigger: CronTrigger) -> None:
    """What the scheduler calls: run the job for the slot that just came (APScheduler does
    not pass the scheduled time, so it is found from the trigger, the same in every process)."""
    now = datetime.now(ZoneInfo(app_state.settings.timezone))
    moment = previous_fire_time(trigger, now)
    if moment is None:
        return
    await run_for_slot(app_state, job, slot_of(moment))


async def catch_up(app_state: AppState, jobs: tuple[Job, ...]) -> None:
    """Close the runs a stopped process left "running", then run each catch-up job for its
    last slot if no process has (it is claimed like any slot, so the processes starting
    together run it once)."""
    await close_interrupted(app_state, utcnow())
    now = datetime.now(ZoneInfo(app_state.settings.timezone))
    for job in jobs:
        if not job.catch_up:
            continue
        moment = previous_fire_time(job_trigger(job, app_state.settings), now)
        if moment is not None:
            await run_for_slot(app_state, job, slot_of(moment))


def start_scheduler(app_state: AppState, jobs: tuple[Job, ...] = JOBS) -> AsyncIOScheduler:
    """Start the jobs on the running event loop."""
    settings = app_state.settings
    check_schedules(jobs, settings)
    zone = ZoneInfo(settings.timezone)
    scheduler = AsyncIOScheduler(timezone=zone)
    for job in jobs:
        trigger = job_trigger(job, settings)
        scheduler.add_job(
            fire,
            trigger,
            args=[app_state, job, trigger],
            id=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    scheduler.add_job(
        catch_up,
        DateTrigger(datetime.now(zone) + CATCH_UP_AFTER),
        args=[app_state, jobs],
        id="catch_up",
    )
    scheduler.start()
    return scheduler


async def run_scheduler(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """`razem scheduler`: only the jobs, until SIGTERM or SIGINT (or `stop`)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    app_state = AppState.from_settings(settings)
    scheduler = start_scheduler(app_state)
    logger.info("scheduler started: %s", ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        await app_state.dispose()
        logger.info("scheduler stopped")
