"""The registered write kinds. Each validates its payload and calls one domain function."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.models import MarkStatus
from server.attendance.service import MarkInput, record_mark
from server.auth.actor import Actor
from server.common.validation import parse_form
from server.sync.writes import Outcome, Write, WriteResult, write_handler


class MarkPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID
    person_id: uuid.UUID
    status: MarkStatus
    quantity: int | None = Field(default=None, ge=1, le=100)


@write_handler("attendance.mark")
async def apply_mark(db: AsyncSession, actor: Actor, write: Write) -> WriteResult:
    payload = parse_form(MarkPayload, write.payload)
    outcome = await record_mark(
        db,
        actor,
        MarkInput(payload.session_id, payload.person_id, payload.status, payload.quantity),
        marked_at=write.device_time,
        idempotency_key=write.key,
    )
    result = {"mark_id": str(outcome.mark.id), "status": outcome.mark.status.value}
    return WriteResult(Outcome.SUPERSEDED if outcome.superseded else Outcome.APPLIED, result)
