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
from server.attendance.models import AttendanceMark, MarkHistory, MarkStatus
from server.attendance.prefetch import mark_cache
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Message, NotFound, ValidationFailed
from server.common.models import new_id, utcnow
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


def _order(marked_at: datetime, device_id: uuid.UUID | None) -> tuple[datetime, str]:
    """Which of two values of a mark wins: the later (corrected) time, ties by device id."""
    return marked_at, str(device_id or "")


def _history_of(mark: AttendanceMark) -> MarkHistory:
    return MarkHistory(
        id=new_id(),
        superseded_at=utcnow(),
        session_id=mark.session_id,
        person_id=mark.person_id,
        status=mark.status,
        quantity=mark.quantity,
        marked_by_id=mark.marked_by_id,
        marked_at=mark.marked_at,
        device_id=mark.device_id,
        recorded_at=mark.recorded_at,
        idempotency_key=mark.idempotency_key,
    )


def _disagrees(mark: AttendanceMark, data: MarkInput, actor: Actor) -> bool:
    other_source = mark.device_id != actor.device_id or mark.marked_by_id != actor.user_id
    return other_source and (mark.status, mark.quantity) != (data.status, data.quantity)


async def _load_mark(db: AsyncSession, data: MarkInput) -> AttendanceMark | None:
    statement = (
        select(AttendanceMark)
        .where(AttendanceMark.session_id == data.session_id)
        .where(AttendanceMark.person_id == data.person_id)
    )
    return (await db.exec(statement)).first()


async def _activity_for_mark(db: AsyncSession, actor: Actor, session_id: uuid.UUID) -> Activity:
    cache = mark_cache(db)
    if cache is not None and session_id in cache.activities:
        activity = cache.activities[session_id]
        if activity is None:
            raise NotFound
        return activity
    return await _activity_of(db, actor, session_id)


async def _is_enrolled(db: AsyncSession, activity_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    cache = mark_cache(db)
    if cache is not None and (activity_id, person_id) in cache.enrolled:
        return True
    enrollment = (
        await db.exec(
            select(Enrollment)
            .where(Enrollment.activity_id == activity_id)
            .where(Enrollment.person_id == person_id)
        )
    ).first()
    return enrollment is not None and enrollment.status != EnrollmentStatus.WITHDRAWN


async def _current_mark(db: AsyncSession, data: MarkInput) -> AttendanceMark | None:
    cache = mark_cache(db)
    if cache is not None and (data.session_id, data.person_id) in cache.marks:
        return cache.marks[(data.session_id, data.person_id)]
    return await _load_mark(db, data)


async def record_mark(
    db: AsyncSession,
    actor: Actor,
    data: MarkInput,
    *,
    marked_at: datetime | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> MarkOutcome:
    """Set one person's mark in one session, merging with what other devices sent.

    The value made later wins (by `marked_at`, the device's clock corrected for skew and never
    later than now), ties broken by device id, whatever order values arrive in. The losing
    value is kept in `MarkHistory`; differing values from two sources flag a disagreement."""
    activity = await _activity_for_mark(db, actor, data.session_id)
    _check_status(activity, data)
    if not await _is_enrolled(db, activity.id, data.person_id):
        raise ValidationFailed({"person_id": Message(N_("This person is not enrolled here."))})
    now = utcnow()
    incoming = AttendanceMark(
        id=new_id(),  # given, not defaulted: a default factory costs more than the rest here
        disagreement=False,
        session_id=data.session_id,
        person_id=data.person_id,
        status=data.status,
        quantity=data.quantity,
        marked_by_id=actor.user_id,
        marked_at=min(marked_at or now, now),
        device_id=actor.device_id,
        recorded_at=now,
        idempotency_key=idempotency_key,
    )
    mark = await _current_mark(db, data)
    superseded = False
    if mark is None:
        mark = incoming
    else:
        disagreement = mark.disagreement or _disagrees(mark, data, actor)
        if _order(incoming.marked_at, incoming.device_id) < _order(mark.marked_at, mark.device_id):
            db.add(_history_of(incoming))
            superseded = True
        else:
            db.add(_history_of(mark))
            for name in ("status", "quantity", "marked_by_id", "marked_at", "device_id",
                         "recorded_at", "idempotency_key"):  # fmt: skip
                setattr(mark, name, getattr(incoming, name))
        mark.disagreement = disagreement
    db.add(mark)
    cache = mark_cache(db)
    if cache is not None:
        cache.marks[(data.session_id, data.person_id)] = mark
    await audit_by(
        db,
        actor,
        "attendance.mark",
        entity_type="session",
        entity_id=str(data.session_id),
        details={
            "person_id": str(data.person_id),
            "status": data.status.value,
            "superseded": superseded,
        },
    )
    return MarkOutcome(mark=mark, superseded=superseded)


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
    await audit_by(
        db,
        actor,
        "session.close",
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
    existing = await _current_mark(db, MarkInput(session_id, person_id, status))
    if existing is not None and existing.status in (status, MarkStatus.LATE):
        return CheckInOutcome(mark=existing, already=True)
    outcome = await record_mark(
        db, actor, MarkInput(session_id, person_id, status), marked_at=marked_at
    )
    return CheckInOutcome(mark=outcome.mark, already=False)
