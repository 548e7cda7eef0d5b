"""Running a job once across processes, and recording how it went.

A run first claims its (job, slot) by inserting the `job_runs` row in a transaction of its own,
committed before the job starts. The unique (job, slot) constraint lets exactly one process
insert it, on SQLite and PostgreSQL alike: the others get an integrity error and skip. The row
then records the status (ok or failed), when it finished and the job's summary, or the error's
class and a message that carries no personal data. Logs say the same, and no more."""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import time
import traceback
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from server.common.models import utcnow
from server.db import session_scope
from server.jobs.backup import BackupFailed
from server.jobs.models import JobRun
from server.jobs.registry import Job
from server.web.appstate import AppState

logger = logging.getLogger("razem.jobs")

RUNNING, OK, FAILED, INTERRUPTED = "running", "ok", "failed", "interrupted"
# A run still "running" after this long is taken as interrupted, whichever host ran it (no job
# takes more than minutes; a backup of a large database perhaps an hour).
STALE_AFTER = timedelta(hours=6)


def runner_name() -> str:
    """Which process runs a job: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def error_details(exc: BaseException) -> dict[str, Any]:
    """The error's class and a message safe to store and show. Messages of database drivers
    and most libraries may quote the values of a statement (a person's name), so only
    messages known to be free of data are kept: this app's own, the operating system's
    (`strerror`, e.g. "No space left on device") and SQLite's own (no values in them)."""
    if isinstance(exc, BackupFailed):
        message = str(exc)
    elif isinstance(exc, OSError):
        message = exc.strerror or ""
    elif isinstance(exc, sqlite3.Error):
        message = str(exc).splitlines()[0][:200] if str(exc) else ""
    else:
        message = ""
    return {"error": type(exc).__name__, "message": message}


def _process_gone(runner: str) -> bool:
    """Whether the process named `host:pid` is known to be gone: only this host's processes
    can be checked; a process with the same id still alive (or another host's) is not gone."""
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


async def close_interrupted(app_state: AppState, now: datetime) -> int:
    """Mark the runs left "running" by a process that stopped in the middle (killed, the
    machine restarted) as interrupted: those of this host whose process is gone, and any run
    older than STALE_AFTER. Their slot stays claimed: the next slot runs as usual."""
    closed = 0
    async with session_scope(app_state.write_sessions) as db:
        running = (await db.exec(select(JobRun).where(JobRun.status == RUNNING))).all()
        for run in running:
            if _process_gone(run.runner) or run.started_at < now - STALE_AFTER:
                run.status = INTERRUPTED
                run.finished_at = now
                run.details = {"error": "Interrupted"}
                db.add(run)
                closed += 1
                logger.warning("job %s, slot %s: interrupted in %s", run.job, run.slot, run.runner)
    return closed


async def claim(app_state: AppState, job: Job, slot: str) -> uuid.UUID | None:
    """Insert the run's row, committed at once; None if another process has this slot."""
    run = JobRun(job=job.name, slot=slot, runner=runner_name(), status=RUNNING)
    try:
        async with session_scope(app_state.write_sessions) as db:
            db.add(run)
    except IntegrityError:
        logger.info("job %s, slot %s: already claimed, skipped", job.name, slot)
        return None
    logger.info("job %s, slot %s: started in %s", job.name, slot, run.runner)
    return run.id


async def execute(app_state: AppState, job: Job, run_id: uuid.UUID) -> JobRun:
    """Run a claimed job and record how it went."""
    started = time.monotonic()
    try:
        summary = await job.run(app_state)
    except Exception as exc:
        status, details = FAILED, error_details(exc)
        # The frames say where; the exception's text is left out (it may quote data).
        frames = "".join(traceback.format_tb(exc.__traceback__))
        logger.error(
            "job %s: failed after %.1fs: %s %s\n%s",
            job.name, time.monotonic() - started, details["error"], details["message"], frames,
        )  # fmt: skip
    else:
        status, details = OK, summary
        logger.info("job %s: done in %.1fs: %s", job.name, time.monotonic() - started, summary)
    async with session_scope(app_state.write_sessions) as db:
        run = await db.get(JobRun, run_id)
        assert run is not None
        run.status = status
        run.finished_at = utcnow()
        run.details = details
        db.add(run)
    return run


async def run_for_slot(app_state: AppState, job: Job, slot: str) -> JobRun | None:
    """Run `job` for `slot` unless another process has claimed it; None when skipped."""
    run_id = await claim(app_state, job, slot)
    if run_id is None:
        return None
    return await execute(app_state, job, run_id)
