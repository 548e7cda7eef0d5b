"""The retention job anonymises people inactive for longer than RAZEM_RETENTION_MONTHS, once
per slot, and records how many in its run; each person also gets an audit entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.jobs.registry import get_job
from server.jobs.runner import run_for_slot
from server.people.models import Person
from tests.factories import make_person, run_in_db
from tests.jobs.helpers import job_settings, with_app_state

RETENTION = get_job("retention")
assert RETENTION is not None


def test_the_retention_job_anonymises_inactive_people_once(
    database_url: str, tmp_path: Path
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=400)

    async def people(db: AsyncSession) -> None:
        await make_person(db, "Old", "Record", created_at=long_ago, updated_at=long_ago)
        await make_person(db, "New", "Record")

    run_in_db(database_url, people)
    settings = job_settings(database_url, tmp_path, retention_months=12)
    run = with_app_state(settings, lambda s: run_for_slot(s, RETENTION, "2026-11-24T02:00"))
    assert run is not None and run.status == "ok"
    assert run.details == {"anonymised": 1, "months": 12}
    again = with_app_state(settings, lambda s: run_for_slot(s, RETENTION, "2026-11-24T02:00"))
    assert again is None  # the slot is taken: it ran once

    async def names(db: AsyncSession) -> tuple[list[str], list[str]]:
        given = sorted(p.given_name for p in (await db.exec(select(Person))).all())
        audited = (await db.exec(select(AuditEntry.action))).all()
        return given, list(audited)

    given, audited = run_in_db(database_url, names)
    assert given == ["", "New"]
    assert audited.count("person.anonymise") == 1
