"""Batch mode for marks: what a batch of marks needs from the database (the sessions the actor
may see, enrolments, current marks), read with three queries instead of three per mark.

`record_mark` consults this cache when a batch has set it up, and the database otherwise; the
merge rules live in one place either way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivitySession,
    Enrollment,
    EnrollmentStatus,
)
from server.activities.scope import visible_activity_ids
from server.attendance.models import AttendanceMark
from server.auth.actor import Actor

MARK_CACHE = "razem_mark_cache"
Pair = tuple[uuid.UUID, uuid.UUID]


@dataclass
class MarkCache:
    activities: dict[uuid.UUID, Activity | None] = field(default_factory=dict)  # by session
    # (activity, person) pairs known to be enrolled. Only "yes" is kept: a person registered or
    # enrolled earlier in the same batch is then looked up again rather than refused.
    enrolled: set[Pair] = field(default_factory=set)
    marks: dict[Pair, AttendanceMark | None] = field(default_factory=dict)  # (session, person)


def mark_cache(db: AsyncSession) -> MarkCache | None:
    cache: MarkCache | None = db.info.get(MARK_CACHE)
    return cache


async def prefetch_marks(db: AsyncSession, actor: Actor, pairs: list[Pair]) -> None:
    """Load, for (session, person) pairs, everything `record_mark` reads."""
    cache = MarkCache()
    db.info[MARK_CACHE] = cache
    if not pairs:
        return
    session_ids = {session_id for session_id, _ in pairs}
    person_ids = {person_id for _, person_id in pairs}
    cache.activities = dict.fromkeys(session_ids)
    rows = await db.exec(
        select(ActivitySession.id, Activity)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .where(col(ActivitySession.id).in_(session_ids))
        .where(col(Activity.id).in_(visible_activity_ids(actor)))
    )
    for session_id, visible in rows.all():
        cache.activities[session_id] = visible
    activity_ids = {a.id for a in cache.activities.values() if a is not None}
    enrolments = await db.exec(
        select(Enrollment.activity_id, Enrollment.person_id, Enrollment.status)
        .where(col(Enrollment.activity_id).in_(activity_ids))
        .where(col(Enrollment.person_id).in_(person_ids))
    )
    for activity_id, person_id, status in enrolments.all():
        if status != EnrollmentStatus.WITHDRAWN:
            cache.enrolled.add((activity_id, person_id))
    cache.marks = dict.fromkeys(pairs)
    marks = await db.exec(
        select(AttendanceMark)
        .where(col(AttendanceMark.session_id).in_(session_ids))
        .where(col(AttendanceMark.person_id).in_(person_ids))
    )
    for mark in marks.all():
        cache.marks[(mark.session_id, mark.person_id)] = mark


def end_marks(db: AsyncSession) -> None:
    db.info.pop(MARK_CACHE, None)
