"""The jobs admin page's data, and "Run now"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Message
from server.jobs.models import JobRun
from server.jobs.registry import Job
from server.jobs.runner import RUNNING, runner_name
from server.jobs.schedule import describe, job_trigger, manual_slot, next_fire_time
from server.settings import Settings

HISTORY = 10  # runs shown per job


@dataclass(frozen=True)
class JobStatus:
    job: Job
    schedule: Message
    next_run: datetime | None
    runs: list[JobRun]  # newest first

    @property
    def last_run(self) -> JobRun | None:
        return self.runs[0] if self.runs else None


def is_manual(run: JobRun) -> bool:
    return run.slot.startswith("manual-")


async def job_overview(
    db: AsyncSession, jobs: tuple[Job, ...], settings: Settings, now: datetime
) -> list[JobStatus]:
    """Every job with its schedule, next scheduled run and latest runs."""
    overview = []
    for job in jobs:
        runs = await db.exec(
            select(JobRun)
            .where(JobRun.job == job.name)
            .order_by(col(JobRun.started_at).desc())
            .limit(HISTORY)
        )
        overview.append(
            JobStatus(
                job=job,
                schedule=describe(job, settings),
                next_run=next_fire_time(job_trigger(job, settings), now),
                runs=list(runs.all()),
            )
        )
    return overview


async def start_manual_run(db: AsyncSession, actor: Actor, job: Job) -> JobRun:
    """Claim a run of `job` with a slot of its own, in the request's transaction, audited; the
    caller runs it (`runner.execute`) once this is committed."""
    run = JobRun(job=job.name, slot=manual_slot(), runner=runner_name(), status=RUNNING)
    db.add(run)
    await audit_by(
        db, actor, "job.run", entity_type="job", entity_id=job.name,
        details={"run_id": str(run.id), "slot": run.slot},
    )  # fmt: skip
    await db.flush()
    return run
