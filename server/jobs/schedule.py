"""When jobs run: each job's crontab (or the override in settings) as an APScheduler trigger in
the centre's time zone, the slot a run is for, and the schedule in words.

A slot is the scheduled time a run is for, in UTC to the second: every process computes the
same slot for the same firing, which is what makes the database's unique (job, slot) a lock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from server.common.errors import Message
from server.i18n.catalogs import N_
from server.jobs.registry import Job
from server.settings import Settings

# How far back to look for the last time a trigger fired (the longest is a yearly job).
_LOOK_BACK = (timedelta(minutes=2), timedelta(hours=2), timedelta(days=2), timedelta(days=9),
              timedelta(days=33), timedelta(days=367))  # fmt: skip


def crontab_of(job: Job, settings: Settings) -> str:
    return settings.job_schedules.get(job.name, job.schedule)


def job_trigger(job: Job, settings: Settings) -> CronTrigger:
    zone = ZoneInfo(settings.timezone)
    if settings.jobs_every_seconds:
        return CronTrigger(second=f"*/{settings.jobs_every_seconds}", timezone=zone)
    return CronTrigger.from_crontab(crontab_of(job, settings), timezone=zone)


def check_schedules(jobs: tuple[Job, ...], settings: Settings) -> None:
    """Refuse an override for a job that does not exist, or a schedule cron cannot read."""
    names = {job.name for job in jobs}
    unknown = sorted(set(settings.job_schedules) - names)
    if unknown:
        raise ValueError(f"RAZEM_JOB_SCHEDULES names unknown jobs: {', '.join(unknown)}")
    for job in jobs:
        job_trigger(job, settings)  # raises ValueError for a bad crontab


def next_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    found: datetime | None = trigger.get_next_fire_time(None, now)
    return found


def previous_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The last time the trigger fired at or before `now`."""
    for back in _LOOK_BACK:
        moment = next_fire_time(trigger, now - back)
        if moment is None or moment > now:
            continue
        while True:
            following = next_fire_time(trigger, moment + timedelta(microseconds=1))
            if following is None or following > now:
                return moment
            moment = following
    return None


def slot_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def manual_slot() -> str:
    return f"manual-{uuid.uuid4().hex}"


def describe(job: Job, settings: Settings) -> Message:
    """The schedule in words where it is a simple one, else the crontab itself."""
    if settings.jobs_every_seconds:
        return Message(N_("Every %(seconds)s seconds"), {"seconds": settings.jobs_every_seconds})
    crontab = crontab_of(job, settings)
    fields = crontab.split()
    if (
        len(fields) == 5
        and fields[0].isdigit()
        and fields[1].isdigit()
        and fields[2:] == ["*", "*", "*"]
    ):
        at = f"{int(fields[1]):02d}:{int(fields[0]):02d}"
        return Message(N_("Every day at %(time)s"), {"time": at})
    return Message(N_("Schedule (cron): %(crontab)s"), {"crontab": crontab})
