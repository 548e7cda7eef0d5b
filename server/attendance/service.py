"""Recording attendance: the one place a mark is applied, whether it comes from a form post
or from a device's queued batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    Enrollment,
    EnrollmentStatus,
)
from server.attendance.models import AttendanceMark, MarkStatus
from server.audit.service import record_audit
from server.auth.actor import Actor
from server.common.errors import Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_


@dataclass(frozen=True)
class MarkInput:
    session_id: uuid.UUID
    person_id: uuid.UUID
    status: MarkStatus
    quantity: int | None = None


@dataclass(frozen=True)
class MarkOutcome:
    mark: AttendanceMark
    superseded: bool  # True when a later mark was already recorded and this one lost


async def _session_for(db: AsyncSession, actor: Actor, session_id: uuid.UUID) -> Activity:
    session = await db.get(ActivitySession, session_id)
    if session is None:
        raise NotFound
    if not actor.sees_all_activities:
        assigned = await db.get(ActivityStaff, (session.activity_id, actor.user_id))
        if assigned is None:
            raise NotFound
    activity = await db.get(Activity, session.activity_id)
    if activity is None:
        raise NotFound
    return activity


def _check_status(activity: Activity, data: MarkInput) -> None:
    is_distribution = activity.kind == ActivityKind.DISTRIBUTION
    if is_distribution != (data.status == MarkStatus.RECEIVED):
        raise ValidationFailed({"status": Message(N_("This mark does not fit this activity."))})
    if data.quantity is not None and not (is_distribution and 1 <= data.quantity <= 100):
        raise ValidationFailed({"quantity": Message(N_("Enter a count from 1 to 100."))})


async def record_mark(
    db: AsyncSession,
    actor: Actor,
    data: MarkInput,
    *,
    marked_at: datetime | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> MarkOutcome:
    """Set one person's mark in one session. The mark made later (by `marked_at`) wins."""
    activity = await _session_for(db, actor, data.session_id)
    _check_status(activity, data)
    enrollment = (
        await db.exec(
            select(Enrollment)
            .where(Enrollment.activity_id == activity.id)
            .where(Enrollment.person_id == data.person_id)
        )
    ).first()
    if enrollment is None or enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise ValidationFailed({"person_id": Message(N_("This person is not enrolled here."))})
    now = utcnow()
    marked_at = min(marked_at or now, now)
    mark = (
        await db.exec(
            select(AttendanceMark)
            .where(AttendanceMark.session_id == data.session_id)
            .where(AttendanceMark.person_id == data.person_id)
        )
    ).first()
    if mark is not None and mark.marked_at > marked_at:
        return MarkOutcome(mark=mark, superseded=True)
    if mark is None:
        mark = AttendanceMark(
            session_id=data.session_id, person_id=data.person_id, status=data.status, marked_at=now
        )
    mark.status = data.status
    mark.quantity = data.quantity
    mark.marked_by_id = actor.user_id
    mark.marked_at = marked_at
    mark.device_id = actor.device_id
    mark.recorded_at = now
    mark.idempotency_key = idempotency_key
    db.add(mark)
    await record_audit(
        db,
        action="attendance.mark",
        actor_id=actor.user_id,
        device_id=actor.device_id,
        ip_address=actor.ip_address,
        entity_type="session",
        entity_id=str(data.session_id),
        details={"person_id": str(data.person_id), "status": data.status.value},
    )
    return MarkOutcome(mark=mark, superseded=False)
