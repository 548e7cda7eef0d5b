"""Recording attendance: the one place a mark is applied, whether it comes from a form post
or from a device's queued batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, update
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
from server.attendance.prefetch import (
    MarkCache,
    MarkRow,
    current_row,
    deferred_marks,
    mark_cache,
)
from server.audit.service import audit_by, audit_groups
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
    mark_id: uuid.UUID
    status: MarkStatus  # the mark's value now
    superseded: bool  # True when a later mark was already recorded and this one lost


class MarkValues(Protocol):
    """A mark's value: an `AttendanceMark` loaded through the session, or a batch's `MarkRow`."""

    id: uuid.UUID
    session_id: uuid.UUID
    person_id: uuid.UUID
    status: MarkStatus
    quantity: int | None
    marked_by_id: uuid.UUID | None
    marked_at: datetime
    device_id: uuid.UUID | None
    recorded_at: datetime
    idempotency_key: uuid.UUID | None
    disagreement: bool


# What a winning value replaces (the rest is the mark's identity, and the disagreement flag).
_MERGED = ("status", "quantity", "marked_by_id", "marked_at", "device_id", "recorded_at",
           "idempotency_key")  # fmt: skip


async def _activity_of(db: AsyncSession, actor: Actor, session_id: uuid.UUID) -> Activity:
    return (await get_session(db, actor, session_id)).activity


def _check_status(activity: Activity, data: MarkInput) -> None:
    is_distribution = activity.kind == ActivityKind.DISTRIBUTION
    if is_distribution != (data.status == MarkStatus.RECEIVED):
        raise ValidationFailed({"status": Message(N_("This mark does not fit this activity."))})
    if data.quantity is not None and not (is_distribution and 1 <= data.quantity <= 100):
        raise ValidationFailed({"quantity": Message(N_("Enter a count from 1 to 100."))})


def _order(mark: MarkValues) -> tuple[datetime, str]:
    """Which of two values of a mark wins: the later (corrected) time, ties by device id."""
    return mark.marked_at, str(mark.device_id or "")


def _history_of(mark: MarkValues) -> dict[str, Any]:
    """The row for `MarkHistory` that keeps a losing value."""
    return {
        "id": new_id(),
        "superseded_at": utcnow(),
        "session_id": mark.session_id,
        "person_id": mark.person_id,
        "status": mark.status,
        "quantity": mark.quantity,
        "marked_by_id": mark.marked_by_id,
        "marked_at": mark.marked_at,
        "device_id": mark.device_id,
        "recorded_at": mark.recorded_at,
        "idempotency_key": mark.idempotency_key,
    }


def _disagrees(mark: MarkValues, incoming: MarkValues) -> bool:
    other_source = (
        mark.device_id != incoming.device_id or mark.marked_by_id != incoming.marked_by_id
    )
    return other_source and (mark.status, mark.quantity) != (incoming.status, incoming.quantity)


def _merge(mark: MarkValues, incoming: MarkValues) -> tuple[bool, dict[str, Any]]:
    """Merge `incoming` into the current `mark` (changed in place). Returns whether `incoming`
    lost, and the history row of the value that lost."""
    disagreement = mark.disagreement or _disagrees(mark, incoming)
    if _order(incoming) < _order(mark):
        superseded, history = True, _history_of(incoming)
    else:
        superseded, history = False, _history_of(mark)
        for name in _MERGED:
            setattr(mark, name, getattr(incoming, name))
    mark.disagreement = disagreement
    return superseded, history


async def _load_mark(db: AsyncSession, data: MarkInput) -> AttendanceMark | None:
    statement = (
        select(AttendanceMark)
        .where(AttendanceMark.session_id == data.session_id)
        .where(AttendanceMark.person_id == data.person_id)
        # A batch writes its marks without the session: what it holds may be older.
        .execution_options(populate_existing=True)
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


async def _current_status(db: AsyncSession, data: MarkInput) -> MarkStatus | None:
    deferred = deferred_marks(db)
    if deferred is not None:
        row = await current_row(db, deferred, (data.session_id, data.person_id))
        return row.status if row is not None else None
    mark = await _load_mark(db, data)
    return mark.status if mark is not None else None


async def _merge_in_session(db: AsyncSession, incoming: MarkRow) -> tuple[MarkValues, bool]:
    """Merge through the session: the mark as an ORM object, the history row added."""
    data = MarkInput(incoming.session_id, incoming.person_id, incoming.status)
    mark = await _load_mark(db, data)
    if mark is None:
        db.add(AttendanceMark(**incoming.values()))
        return incoming, False
    superseded, history = _merge(mark, incoming)
    db.add(MarkHistory(**history))
    db.add(mark)
    return mark, superseded


async def _merge_deferred(
    db: AsyncSession, cache: MarkCache, incoming: MarkRow
) -> tuple[MarkValues, bool]:
    """Merge into the batch's rows, written when the batch ends."""
    pair = (incoming.session_id, incoming.person_id)
    if pair not in cache.marks:
        await current_row(db, cache, pair)  # read once into the cache
    return merge_cached(cache, incoming)


def merge_cached(cache: MarkCache, incoming: MarkRow) -> tuple[MarkValues, bool]:
    """Merge into the batch's rows when the pair's current mark is in the cache already."""
    pair = (incoming.session_id, incoming.person_id)
    mark = cache.marks[pair]
    if mark is None:
        cache.marks[pair] = incoming
        return incoming, False
    superseded, history = _merge(mark, incoming)
    mark.changed = True
    cache.history.append(history)
    return mark, superseded


def new_mark(
    actor: Actor,
    data: MarkInput,
    *,
    now: datetime,
    marked_at: datetime | None,
    idempotency_key: uuid.UUID | None,
    mark_id: uuid.UUID | None = None,
) -> MarkRow:
    """The incoming value of a mark, before it is merged."""
    return MarkRow(
        id=mark_id or new_id(),
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


def mark_audit_details(data: MarkInput, superseded: bool) -> dict[str, Any]:
    """What the audit entry of a mark says changed."""
    return {
        "person_id": str(data.person_id),
        "status": data.status.value,
        "superseded": superseded,
    }


# The audit entry of a sync batch's marks in one session (decision 20): details {"marks": [...]}.
BATCH_MARKS = "attendance.marks"


def batch_mark_item(data: MarkInput, superseded: bool, marked_at: datetime) -> dict[str, Any]:
    """One mark in a batch's audit entry: what `mark_audit_details` says, and when it was
    made (the device's time, corrected)."""
    return {
        "person_id": str(data.person_id),
        "status": data.status.value,
        "superseded": superseded,
        "marked_at": marked_at.isoformat(),
    }


def record_cached_mark(
    cache: MarkCache,
    actor: Actor,
    data: MarkInput,
    *,
    now: datetime,
    marked_at: datetime | None,
    idempotency_key: uuid.UUID | None,
    mark_id: uuid.UUID | None = None,
) -> tuple[MarkOutcome, dict[str, Any]] | None:
    """`record_mark` for a batch whose cache holds everything the mark needs (the session's
    activity, the enrolment, the current mark), with no query and no await. Returns the
    outcome and the mark's item for the batch's audit entry (`batch_mark_item`), or None
    when something is not in the cache or the mark would be refused: then `record_mark`
    decides (and says why)."""
    activity = cache.activities.get(data.session_id)
    if (
        activity is None
        or not cache.deferring
        or (data.session_id, data.person_id) not in cache.marks
        or (activity.id, data.person_id) not in cache.enrolled
    ):
        return None
    try:
        _check_status(activity, data)
    except ValidationFailed:
        return None
    incoming = new_mark(
        actor, data, now=now, marked_at=marked_at, idempotency_key=idempotency_key,
        mark_id=mark_id,
    )  # fmt: skip
    mark, superseded = merge_cached(cache, incoming)
    outcome = MarkOutcome(mark_id=mark.id, status=mark.status, superseded=superseded)
    return outcome, batch_mark_item(data, superseded, incoming.marked_at)


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
    incoming = new_mark(
        actor, data, now=utcnow(), marked_at=marked_at, idempotency_key=idempotency_key
    )
    deferred = deferred_marks(db)
    if deferred is not None:
        mark, superseded = await _merge_deferred(db, deferred, incoming)
    else:
        mark, superseded = await _merge_in_session(db, incoming)
    groups = audit_groups(db)
    if groups is not None:  # a sync batch: one entry per session lists its marks
        groups.add(
            actor,
            BATCH_MARKS,
            entity_type="session",
            entity_id=str(data.session_id),
            list_key="marks",
            item=batch_mark_item(data, superseded, incoming.marked_at),
            at=utcnow(),
        )
    else:
        await audit_by(
            db,
            actor,
            "attendance.mark",
            entity_type="session",
            entity_id=str(data.session_id),
            details=mark_audit_details(data, superseded),
        )
    return MarkOutcome(mark_id=mark.id, status=mark.status, superseded=superseded)


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
    existing = await _current_status(db, MarkInput(session_id, person_id, status))
    if existing in (status, MarkStatus.LATE):
        return CheckInOutcome(already=True)
    await record_mark(db, actor, MarkInput(session_id, person_id, status), marked_at=marked_at)
    return CheckInOutcome(already=False)


async def move_marks(db: AsyncSession, kept_id: uuid.UUID, merged_id: uuid.UUID) -> int:
    """Two records of one person become one: the merged person's marks move to the kept one.
    Where both have a mark for the same session, the later value wins, as when two devices
    mark the same person, and the other is kept in history. Returns the marks moved."""
    theirs = (
        await db.exec(select(AttendanceMark).where(AttendanceMark.person_id == merged_id))
    ).all()
    ours = {
        m.session_id: m
        for m in (
            await db.exec(select(AttendanceMark).where(AttendanceMark.person_id == kept_id))
        ).all()
    }
    history: list[dict[str, Any]] = []
    for mark in theirs:
        current = ours.get(mark.session_id)
        if current is None:
            mark.person_id = kept_id
            db.add(mark)
            continue
        _, lost = _merge(current, mark)
        history.append({**lost, "person_id": kept_id})
        db.add(current)
        await db.delete(mark)
    await db.flush()
    await db.exec(
        update(MarkHistory).where(col(MarkHistory.person_id) == merged_id).values(person_id=kept_id)
    )
    if history:
        await db.exec(insert(MarkHistory), params=history)
    return len(theirs)
