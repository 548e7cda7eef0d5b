"""Write audit entries. Called inside the transaction of the write it describes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
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
# While a batch collects its audit rows, acts of one kind on one record (a session's marks)
# share one entry listing each of them (decision 20) instead of one entry each.
AUDIT_GROUPS = "razem_audit_groups"


@dataclass
class AuditGroups:
    """A batch's grouped audit entries: one row per (action, entity), its details holding the
    list `items` under `list_key`. The rows go into `rows` (the batch's audit rows) when the
    first item of their group arrives, so they keep the batch's order of first appearance."""

    rows: list[dict[str, Any]]
    new_ids: Callable[[], uuid.UUID] | None = None
    open: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def add(
        self,
        actor: Actor,
        action: str,
        *,
        entity_type: str,
        entity_id: str,
        list_key: str,
        item: dict[str, Any],
        at: datetime,
    ) -> None:
        items = self.open.get((action, entity_id))
        if items is None:
            items = self.open[(action, entity_id)] = []
            self.rows.append(
                audit_row(
                    action=action,
                    actor_id=actor.user_id,
                    device_id=actor.device_id,
                    ip_address=actor.ip_address,
                    entity_type=entity_type,
                    entity_id=entity_id,
                    details={list_key: items},
                    at=at,
                    entry_id=self.new_ids() if self.new_ids is not None else None,
                )
            )
        items.append(item)


def audit_groups(db: AsyncSession) -> AuditGroups | None:
    """The batch's grouped entries, while a batch collects its audit rows (never inside a
    savepoint: what is written there is audited there, to be rolled back with it)."""
    if db.info.get(AUDIT_ROWS) is None:
        return None
    groups: AuditGroups | None = db.info.get(AUDIT_GROUPS)
    return groups


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
