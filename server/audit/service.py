"""Write audit entries. Called inside the transaction of the write it describes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.auth.actor import Actor
from server.common.bulk import insert_rows
from server.common.models import new_id, utcnow

# While a batch applies writes that cannot fail half-way, their audit rows are collected here
# and inserted together at the end (one statement instead of one ORM object a write).
AUDIT_ROWS = "razem_audit_rows"
AUDIT_TABLE = AuditEntry.__table__  # type: ignore[attr-defined]


async def insert_audit_rows(db: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await insert_rows(db, AUDIT_TABLE, rows)  # one executemany (see server.common.bulk)


async def record_audit(
    db: AsyncSession,
    *,
    action: str,
    actor_id: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None,
    ip_address: str = "",
    entity_type: str = "",
    entity_id: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    row = audit_row(
        action=action,
        actor_id=actor_id,
        device_id=device_id,
        ip_address=ip_address,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details,
        at=utcnow(),
    )
    collected: list[dict[str, Any]] | None = db.info.get(AUDIT_ROWS)
    if collected is not None:
        collected.append(row)
    else:
        db.add(AuditEntry(**row))


def audit_row(
    *,
    action: str,
    actor_id: uuid.UUID | None,
    device_id: uuid.UUID | None,
    ip_address: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None,
    at: datetime,
    entry_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The columns of one audit entry."""
    return {
        "id": entry_id or new_id(),
        "at": at,
        "action": action,
        "actor_id": actor_id,
        "device_id": device_id,
        "ip_address": ip_address[:64],
        "entity_type": entity_type,
        "entity_id": entity_id,
        "details": details or {},
    }


async def audit_by(
    db: AsyncSession,
    actor: Actor,
    action: str,
    *,
    entity_type: str = "",
    entity_id: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Audit what a signed-in actor did: who, from which device and address."""
    await record_audit(
        db,
        action=action,
        actor_id=actor.user_id,
        device_id=actor.device_id,
        ip_address=actor.ip_address,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details,
    )
