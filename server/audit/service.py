"""Write audit entries. Called inside the transaction of the write it describes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry


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
    db.add(
        AuditEntry(
            action=action,
            actor_id=actor_id,
            device_id=device_id,
            ip_address=ip_address[:64],
            entity_type=entity_type,
            entity_id=entity_id,
            details=details or {},
        )
    )
