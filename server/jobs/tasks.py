"""What each scheduled job does. Each takes the app state and returns a summary for the run's
record and the admin page: counts and file names, never anything about a person."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from server.activities.generation import generate_ahead
from server.auth.lockout import KEEP_ATTEMPTS, KEEP_SUCCESSES, delete_attempts_before
from server.common.models import utcnow
from server.coordination.devices import count_silent
from server.db import session_scope
from server.jobs.backup import back_up, sqlite_path
from server.records.erasure import anonymise_inactive
from server.records.purge import purge_old_versions
from server.sync.cleanup import delete_keys_before
from server.web.appstate import AppState

logger = logging.getLogger("razem.jobs")


async def generate_sessions(app_state: AppState) -> dict[str, Any]:
    """Add the missing sessions up to the horizon. Adding is idempotent (a meeting that exists
    is never added again, and the database refuses a second one for the same activity, date
    and time), so a run at the same time as an activity's edit adds nothing twice."""
    settings = app_state.settings
    try:
        async with session_scope(app_state.write_sessions) as db:
            added = await generate_ahead(
                db, today=settings.today(), ahead_days=settings.sessions_ahead_days
            )
    except IntegrityError:
        # Someone else added the same meetings first: nothing is missing any more.
        logger.info("session generation: another writer was first")
        added = 0
    return {"sessions_added": added}


async def sqlite_backup(app_state: AppState) -> dict[str, Any]:
    """A checked copy of the SQLite database, keeping the newest `backups_keep`. PostgreSQL is
    backed up with pg_dump outside the app (docs/security.md): the run records that."""
    settings = app_state.settings
    source = sqlite_path(settings.database_url)
    if source is None:
        return {"method": "pg_dump"}
    folder = settings.backup_dir or settings.data_dir / "backups"
    result = await asyncio.to_thread(back_up, source, folder, settings.backups_keep, utcnow())
    return {"integrity": "ok", **asdict(result)}


async def cleanup_idempotency_keys(app_state: AppState) -> dict[str, Any]:
    days = app_state.settings.idempotency_keys_days
    deleted = await delete_keys_before(app_state.write_sessions, utcnow() - timedelta(days=days))
    return {"deleted": deleted, "older_than_days": days}


async def cleanup_sign_in_attempts(app_state: AppState) -> dict[str, Any]:
    async with session_scope(app_state.write_sessions) as db:
        now = utcnow()
        deleted = await delete_attempts_before(db, now - KEEP_ATTEMPTS, now - KEEP_SUCCESSES)
    return {
        "deleted": deleted,
        "older_than_days": KEEP_ATTEMPTS.days,
        "successes_kept_days": KEEP_SUCCESSES.days,
    }


async def silent_devices(app_state: AppState) -> dict[str, Any]:
    async with session_scope(app_state.read_sessions) as db:
        silent = await count_silent(db, utcnow())
    if silent:
        logger.warning("%d devices silent for more than 2 days with changes waiting", silent)
    return {"silent_devices": silent}


async def retention(app_state: AppState) -> dict[str, Any]:
    """Anonymise people with no activity for `retention_months` (server/records/erasure.py):
    each gets an audit entry; the run records how many."""
    months = app_state.settings.retention_months
    async with session_scope(app_state.write_sessions) as db:
        done = await anonymise_inactive(db, now=utcnow(), months=months)
    if done:
        await purge_old_versions(app_state.engine)
    return {"anonymised": len(done), "months": months}
