"""Resolving a disagreement between devices: a coordinator confirms the mark's current value
or sets another. The flag is cleared; every value that lost stays in history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.sessions import get_session
from server.attendance.models import AttendanceMark, MarkHistory, MarkStatus
from server.attendance.service import MarkInput, _check_status, _history_of
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Forbidden, Message, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_

MARK_NOT_FOUND = N_("This mark does not exist (any more).")
ALREADY_RESOLVED = N_("This disagreement has been resolved already.")


@dataclass(frozen=True)
class Resolution:
    mark_id: uuid.UUID
    status: MarkStatus
    changed: bool  # False when the current value was confirmed


async def resolve_disagreement(
    db: AsyncSession,
    actor: Actor,
    mark_id: uuid.UUID,
    status: MarkStatus,
    quantity: int | None = None,
    *,
    idempotency_key: uuid.UUID | None = None,
) -> Resolution:
    """Keep the current value (same status and count) or replace it with the coordinator's.

    A replaced value goes to history like any value that lost; the new one is the
    coordinator's, made now, so a phone's older queued tap arriving later does not undo it."""
    if not actor.sees_all_activities:
        raise Forbidden
    mark = await db.get(AttendanceMark, mark_id, populate_existing=True)
    if mark is None:
        raise ValidationFailed({"mark_id": Message(MARK_NOT_FOUND)})
    activity = (await get_session(db, actor, mark.session_id)).activity
    _check_status(activity, MarkInput(mark.session_id, mark.person_id, status, quantity))
    if not mark.disagreement:
        raise ValidationFailed({"": Message(ALREADY_RESOLVED)})
    if quantity is None and status == mark.status:
        quantity = mark.quantity
    previous = mark.status
    changed = (status, quantity) != (mark.status, mark.quantity)
    if changed:
        now = utcnow()
        db.add(MarkHistory(**_history_of(mark)))
        mark.status, mark.quantity = status, quantity
        mark.marked_by_id, mark.device_id = actor.user_id, actor.device_id
        mark.marked_at = mark.recorded_at = now
        mark.idempotency_key = idempotency_key
    mark.disagreement = False
    db.add(mark)
    await audit_by(
        db,
        actor,
        "attendance.resolve",
        entity_type="attendance_mark",
        entity_id=str(mark.id),
        details={
            "session_id": str(mark.session_id),
            "person_id": str(mark.person_id),
            "from": previous.value,
            "to": status.value,
            "changed": changed,
        },
    )
    return Resolution(mark_id=mark.id, status=mark.status, changed=changed)
