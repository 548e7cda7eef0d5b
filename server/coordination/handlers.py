"""The write kind of coordinators' pages: resolving a disagreement between devices. Through
the write path, so a resolution sent twice is applied once, and it is audited."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.models import MarkStatus
from server.attendance.resolve import resolve_disagreement
from server.auth.actor import Actor
from server.common.validation import parse_form
from server.sync.writes import Outcome, Write, WriteResult, write_handler


class ResolvePayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mark_id: uuid.UUID
    status: MarkStatus
    quantity: int | None = Field(default=None, ge=1, le=100)


@write_handler("attendance.resolve")
async def apply_resolution(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    payload = parse_form(ResolvePayload, write.payload)
    resolution = await resolve_disagreement(
        db, actor, payload.mark_id, payload.status, payload.quantity, idempotency_key=write.key
    )
    return WriteResult(
        Outcome.APPLIED,
        {"mark_id": str(resolution.mark_id), "status": resolution.status.value,
         "changed": resolution.changed},
    )  # fmt: skip
