"""The audit trail is append-only in the database itself: an UPDATE or DELETE fails."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.audit.service import record_audit

pytestmark = pytest.mark.anyio


async def _one_entry(db: AsyncSession) -> None:
    await record_audit(db, action="person.create", entity_type="person", entity_id="p1")
    await db.commit()


async def test_an_audit_entry_cannot_be_changed(db: AsyncSession) -> None:
    await _one_entry(db)
    with pytest.raises(DBAPIError, match="audit entries cannot be changed"):
        await db.exec(update(AuditEntry).values(action="nothing.happened"))  # type: ignore[call-overload]
    await db.rollback()
    entry = (await db.exec(text("SELECT action FROM audit_entries"))).one()  # type: ignore[call-overload]
    assert entry[0] == "person.create"


async def test_an_audit_entry_cannot_be_deleted(db: AsyncSession) -> None:
    await _one_entry(db)
    with pytest.raises(DBAPIError, match="cannot be"):
        await db.exec(delete(AuditEntry))  # type: ignore[call-overload]
    await db.rollback()
    count = (await db.exec(text("SELECT count(*) FROM audit_entries"))).one()  # type: ignore[call-overload]
    assert count[0] == 1
