"""Recording attendance: the one place a mark is applied, whether it comes from a form post
or from a device's queued batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivityKind,
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
)
from server.activities.sessions import get_session
from server.attendance.models import AttendanceMark, MarkStatus
from server.audit.service import record_audit
from server.auth.actor import Actor
from server.common.errors import Message, ValidationFailed
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


async def _activity_of(db: AsyncSession, actor: Actor, session_id: uuid.UUID) -> Activity:
    return (await get_session(db, actor, session_id)).activity


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
    activity = await _activity_of(db, actor, data.session_id)
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


@dataclass(frozen=True)
class CloseOutcome:
    marked_absent: int


async def close_session(
    db: AsyncSession, actor: Actor, session_id: uuid.UUID, *, marked_at: datetime | None = None
) -> CloseOutcome:
    """Mark everyone enrolled and not yet marked as absent, and record the session as held."""
    context = await get_session(db, actor, session_id)
    if context.activity.kind == ActivityKind.DISTRIBUTION:
        unmarked_status = None  # nobody "did not receive": leave them unmarked
    else:
        unmarked_status = MarkStatus.ABSENT
    marked = select(AttendanceMark.person_id).where(AttendanceMark.session_id == session_id)
    unmarked = await db.exec(
        select(Enrollment.person_id)
        .where(Enrollment.activity_id == context.activity.id)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE)
        .where(col(Enrollment.person_id).not_in(marked))
    )
    count = 0
    if unmarked_status is not None:
        for person_id in unmarked.all():
            await record_mark(
                db, actor, MarkInput(session_id, person_id, unmarked_status), marked_at=marked_at
            )
            count += 1
    if context.session.status == SessionStatus.PLANNED:
        context.session.status = SessionStatus.HELD
        db.add(context.session)
    await record_audit(
        db,
        action="session.close",
        actor_id=actor.user_id,
        device_id=actor.device_id,
        ip_address=actor.ip_address,
        entity_type="session",
        entity_id=str(session_id),
        details={"marked_absent": count},
    )
    return CloseOutcome(marked_absent=count)


@dataclass(frozen=True)
class CheckInOutcome:
    mark: AttendanceMark
    already: bool


async def check_in(
    db: AsyncSession,
    actor: Actor,
    session_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    marked_at: datetime | None = None,
) -> CheckInOutcome:
    """Mark a person present at an event; checking in twice changes nothing."""
    activity = await _activity_of(db, actor, session_id)
    status = (
        MarkStatus.RECEIVED if activity.kind == ActivityKind.DISTRIBUTION else MarkStatus.PRESENT
    )
    existing = (
        await db.exec(
            select(AttendanceMark)
            .where(AttendanceMark.session_id == session_id)
            .where(AttendanceMark.person_id == person_id)
        )
    ).first()
    if existing is not None and existing.status in (status, MarkStatus.LATE):
        return CheckInOutcome(mark=existing, already=True)
    outcome = await record_mark(
        db, actor, MarkInput(session_id, person_id, status), marked_at=marked_at
    )
    return CheckInOutcome(mark=outcome.mark, already=False)
