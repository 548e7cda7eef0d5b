"""Forgetting old idempotency keys, and what keeps a write sent again after its key is gone
from being applied twice: the batch refuses queued writes old enough that their key may have
been forgotten (docs/security.md, "Scheduled jobs and backups")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.models import MarkHistory
from server.audit.models import AuditEntry
from server.auth.models import SignInAttempt
from server.common.models import utcnow
from server.jobs.registry import get_job
from server.jobs.runner import run_for_slot
from server.sync.models import AppliedWrite
from tests.coordination.setup import FACILITATOR, make_centre, mark_write, send_batch
from tests.factories import run_in_db
from tests.helpers import Client, sign_in
from tests.jobs.helpers import job_settings, with_app_state

CLEANUP = get_job("cleanup_idempotency_keys")
assert CLEANUP is not None


def _age_key(database_url: str, key: str, days: int) -> None:
    """The clock cannot move 200 days ahead, so the past moves back: the key was applied
    `days` ago."""

    async def backdate(db: AsyncSession) -> None:
        await db.exec(
            update(AppliedWrite)
            .where(col(AppliedWrite.idempotency_key) == uuid.UUID(key))
            .values(applied_at=datetime.now(UTC) - timedelta(days=days))
        )

    run_in_db(database_url, backdate)


def _counts(database_url: str) -> tuple[int, int, set[uuid.UUID]]:
    async def count(db: AsyncSession) -> tuple[int, int, set[uuid.UUID]]:
        history = (await db.exec(select(func.count()).select_from(MarkHistory))).one()
        audited = (
            await db.exec(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "attendance.mark")
            )
        ).one()
        keys = set((await db.exec(select(AppliedWrite.idempotency_key))).all())
        return int(history), int(audited), keys

    return run_in_db(database_url, count)


def _sent_days_ago(write: dict[str, Any], days: int) -> dict[str, Any]:
    """The same queued write, its device time `days` back (as it is when sent that late)."""
    made = datetime.fromisoformat(write["device_time"]) - timedelta(days=days)
    return {**write, "device_time": made.isoformat()}


def test_old_keys_are_deleted_and_a_write_sent_again_after_that_is_not_applied_twice(
    client: Client, database_url: str, tmp_path: Path
) -> None:
    centre = make_centre(database_url)
    sign_in(client, FACILITATOR)
    device = uuid.uuid4()
    old = mark_write(centre, centre.ended_unmarked, 0, "present")
    kept = mark_write(centre, centre.ended_unmarked, 1, "late")
    results = send_batch(client, device, [old, kept])["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied"]
    _age_key(database_url, old["key"], 200)
    _age_key(database_url, kept["key"], 150)

    settings = job_settings(database_url, tmp_path)
    run = with_app_state(settings, lambda s: run_for_slot(s, CLEANUP, "slot-1"))
    assert run is not None and run.details == {"deleted": 1, "older_than_days": 180}
    history, audited, keys = _counts(database_url)
    assert keys == {uuid.UUID(kept["key"])}

    # The phone sends both again, 200 and 150 days after it made them.
    again = send_batch(client, device, [_sent_days_ago(old, 200), _sent_days_ago(kept, 150)])[
        "results"
    ]
    assert again[0]["outcome"] == "refused"
    assert "more than 120 days ago" in again[0]["errors"][""]
    assert again[1]["outcome"] == "duplicate"  # its key is still known: answered as before
    assert _counts(database_url) == (history, audited, keys)  # nothing applied again


def test_a_queued_write_is_accepted_until_its_key_could_be_forgotten(
    client: Client, database_url: str
) -> None:
    """Keys are kept 180 days; the clock correction may move a write by up to 30 days each
    way between two sends, so writes up to 120 days old are accepted, older ones refused."""
    centre = make_centre(database_url)
    sign_in(client, FACILITATOR)
    fresh = mark_write(centre, centre.ended_unmarked, 0, "present")
    late = _sent_days_ago(mark_write(centre, centre.ended_unmarked, 1, "absent"), 119)
    too_late = _sent_days_ago(mark_write(centre, centre.ended_unmarked, 2, "absent"), 121)
    results = send_batch(client, uuid.uuid4(), [fresh, late, too_late])["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied", "refused"]
    _, _, keys = _counts(database_url)
    assert uuid.UUID(too_late["key"]) not in keys  # not stored: refused again if sent again


def test_failed_sign_in_attempts_go_after_a_week_and_successes_after_30_days(
    client: Client, database_url: str, tmp_path: Path
) -> None:
    now = utcnow()

    async def add(db: Any) -> None:
        for days in (0, 1, 6, 8, 30):
            when = now - timedelta(days=days)
            db.add(SignInAttempt(email=f"d{days}@example.org", ip_address="192.0.2.1",
                                 attempted_at=when, succeeded=False))  # fmt: skip
        for days in (8, 29, 31):  # successes make an address known for 30 days
            when = now - timedelta(days=days)
            db.add(SignInAttempt(email=f"ok{days}@example.org", ip_address="192.0.2.1",
                                 attempted_at=when, succeeded=True))  # fmt: skip

    run_in_db(database_url, add)
    job = get_job("cleanup_sign_in_attempts")
    assert job is not None
    settings = job_settings(database_url, tmp_path)
    run = with_app_state(settings, lambda s: run_for_slot(s, job, "slot-1"))
    assert run is not None and run.details == {
        "deleted": 3, "older_than_days": 7, "successes_kept_days": 30
    }  # fmt: skip

    async def emails(db: Any) -> set[str]:
        return set((await db.exec(select(SignInAttempt.email))).all())

    assert run_in_db(database_url, emails) == {
        "d0@example.org", "d1@example.org", "d6@example.org", "ok8@example.org",
        "ok29@example.org",
    }  # fmt: skip
