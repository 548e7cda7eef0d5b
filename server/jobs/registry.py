"""The scheduled jobs: one entry each. A job is a name, a schedule (crontab, in the centre's
time zone), and an async function of the app state that returns a JSON-able summary without
personal data (counts, file names). Adding a job is adding one `Job` here (its title,
description and labels are gettext ids: run scripts/i18n.sh and translate them); the scheduler,
the run-once claim, the admin page and "Run now" then cover it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from server.i18n.catalogs import N_
from server.jobs import tasks
from server.web.appstate import AppState

JobFunction = Callable[[AppState], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Job:
    name: str  # stored in job_runs.job; at most 60 characters
    title: str  # gettext id, shown on the admin page
    description: str  # gettext id
    schedule: str  # crontab "minute hour day month weekday", in settings.timezone
    run: JobFunction
    # Labels (gettext ids) of the summary's keys, for the admin page.
    labels: Mapping[str, str] = field(default_factory=dict)
    # At start-up, run it if the last scheduled run was missed (the server was down then).
    catch_up: bool = False


JOBS: tuple[Job, ...] = (
    Job(
        name="generate_sessions",
        title=N_("Generate sessions"),
        description=N_(
            "Adds every activity's sessions from its weekly schedule, up to the horizon ahead."
        ),
        schedule="0 3 * * *",
        run=tasks.generate_sessions,
        labels={"sessions_added": N_("Sessions added")},
        catch_up=True,
    ),
    Job(
        name="sqlite_backup",
        title=N_("Database backup"),
        description=N_(
            "Copies the SQLite database with its online backup, checks the copy and keeps "
            "the newest ones. On PostgreSQL backups are made with pg_dump instead."
        ),
        schedule="30 2 * * *",
        run=tasks.sqlite_backup,
        labels={
            "file": N_("Backup file"),
            "bytes": N_("Size in bytes"),
            "integrity": N_("Integrity check"),
            "kept": N_("Backups kept"),
            "deleted": N_("Old backups deleted"),
            "method": N_("Backups made with"),
        },
        catch_up=True,
    ),
    Job(
        name="retention",
        title=N_("Retention"),
        description=N_(
            "Anonymises the people with no activity for longer than the retention period: "
            "their names, phone, card code and notes are removed, their anonymous counts stay."
        ),
        schedule="0 2 * * *",
        run=tasks.retention,
        labels={"anonymised": N_("People anonymised"), "months": N_("Retention period (months)")},
    ),
    Job(
        name="cleanup_idempotency_keys",
        title=N_("Forget old idempotency keys"),
        description=N_(
            "Deletes the record of changes applied long ago (it stops a change sent twice "
            "from counting twice). Changes that waited on a phone nearly as long are refused."
        ),
        schedule="15 4 * * *",
        run=tasks.cleanup_idempotency_keys,
        labels={"deleted": N_("Keys deleted"), "older_than_days": N_("Older than (days)")},
    ),
    Job(
        name="cleanup_sign_in_attempts",
        title=N_("Forget old sign-in attempts"),
        description=N_(
            "Deletes the record of sign-in attempts (email and address) once the lockout no "
            "longer needs it. Failed sign-ins stay in the audit trail."
        ),
        schedule="20 4 * * *",
        run=tasks.cleanup_sign_in_attempts,
        labels={
            "deleted": N_("Attempts deleted"),
            "older_than_days": N_("Older than (days)"),
            "successes_kept_days": N_("Successful sign-ins kept (days)"),
        },
    ),
    Job(
        name="silent_devices",
        title=N_("Silent devices"),
        description=N_(
            "Counts phones that have not synced for more than 2 days with changes waiting."
        ),
        schedule="0 8 * * *",
        run=tasks.silent_devices,
        labels={"silent_devices": N_("Silent devices with changes waiting")},
    ),
)

# What every run's details may hold besides a job's own summary.
COMMON_LABELS: Mapping[str, str] = {
    "error": N_("Error"),
    "message": N_("Message"),
}


def get_job(name: str, jobs: tuple[Job, ...] = JOBS) -> Job | None:
    return next((job for job in jobs if job.name == name), None)
