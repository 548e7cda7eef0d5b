"""Batch mode for marks: what a batch of marks needs from the database (the sessions the actor
may see, enrolments, current marks), read with three queries instead of three per mark, and
the marks it sets, written with one statement a kind at the end instead of one ORM object a mark.

`record_mark` consults this cache when a batch has set it up, and the database otherwise; the
merge rules live in one place either way. While `deferring`, marks live here as plain rows
(`MarkRow`) until `flush_marks`; a write that needs a savepoint runs with deferring off, after
the rows so far are flushed, so it reads them and what it writes is rolled back with it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Dialect
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivitySession,
    Enrollment,
    EnrollmentStatus,
)
from server.activities.scope import visible_activity_ids
from server.attendance.models import AttendanceMark, MarkHistory, MarkStatus
from server.auth.actor import Actor
from server.common.bulk import among, insert_rows

MARK_CACHE = "razem_mark_cache"
Pair = tuple[uuid.UUID, uuid.UUID]
MARKS = AttendanceMark.__table__  # type: ignore[attr-defined]
HISTORY = MarkHistory.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class MarkRow:
    """One attendance mark as a plain row (the columns of `AttendanceMark`)."""

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
    disagreement: bool = False
    stored: bool = False  # in the database already (inserted earlier, or loaded)
    changed: bool = True  # differs from what the database holds

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COLUMNS}


COLUMNS = tuple(f.name for f in fields(MarkRow) if f.name not in ("stored", "changed"))
_UPDATED = tuple(name for name in COLUMNS if name not in ("id", "session_id", "person_id"))


@dataclass
class MarkCache:
    activities: dict[uuid.UUID, Activity | None] = field(default_factory=dict)  # by session
    # (activity, person) pairs known to be enrolled. Only "yes" is kept: a person registered or
    # enrolled earlier in the same batch is then looked up again rather than refused.
    enrolled: set[Pair] = field(default_factory=set)
    marks: dict[Pair, MarkRow | None] = field(default_factory=dict)  # (session, person)
    history: list[dict[str, Any]] = field(default_factory=list)  # rows for MarkHistory
    deferring: bool = True


def mark_cache(db: AsyncSession) -> MarkCache | None:
    cache: MarkCache | None = db.info.get(MARK_CACHE)
    return cache


def deferred_marks(db: AsyncSession) -> MarkCache | None:
    """The batch's mark rows, when marks are to be collected rather than written now."""
    cache = mark_cache(db)
    return cache if cache is not None and cache.deferring else None


async def prefetch_marks(db: AsyncSession, actor: Actor, pairs: list[Pair]) -> None:
    """Load, for (session, person) pairs, everything `record_mark` reads."""
    cache = MarkCache()
    db.info[MARK_CACHE] = cache
    if not pairs:
        return
    session_ids = {session_id for session_id, _ in pairs}
    person_ids = {person_id for _, person_id in pairs}
    cache.activities = dict.fromkeys(session_ids)
    dialect = (await db.connection()).dialect
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
        .where(among(Enrollment.person_id, list(person_ids), dialect))  # one parameter
    )
    for activity_id, person_id, status in enrolments.all():
        if status != EnrollmentStatus.WITHDRAWN:
            cache.enrolled.add((activity_id, person_id))
    cache.marks = dict.fromkeys(pairs)
    for row in await _stored_marks(db, session_ids, person_ids, dialect):
        cache.marks[(row.session_id, row.person_id)] = row


async def _stored_marks(
    db: AsyncSession,
    session_ids: set[uuid.UUID],
    person_ids: set[uuid.UUID],
    dialect: Dialect | None = None,
) -> list[MarkRow]:
    people = (
        MARKS.c.person_id.in_(person_ids)
        if dialect is None
        else among(MARKS.c.person_id, list(person_ids), dialect)  # a batch's many: one parameter
    )
    found = await db.exec(
        select(*(MARKS.c[name] for name in COLUMNS))
        .where(MARKS.c.session_id.in_(session_ids))
        .where(people)
    )
    return [_stored_row(tuple(row)) for row in found.all()]


def _stored_row(values: tuple[Any, ...]) -> MarkRow:
    row = MarkRow(*values)
    row.stored, row.changed = True, False
    return row


async def current_row(db: AsyncSession, cache: MarkCache, pair: Pair) -> MarkRow | None:
    """The mark of a (session, person) pair: from the cache, or read once into it."""
    if pair in cache.marks:
        return cache.marks[pair]
    rows = await _stored_marks(db, {pair[0]}, {pair[1]})
    cache.marks[pair] = rows[0] if rows else None
    return cache.marks[pair]


async def flush_marks(db: AsyncSession) -> None:
    """Write the batch's new and changed marks and their history: a statement each."""
    cache = mark_cache(db)
    if cache is None:
        return
    rows = [row for row in cache.marks.values() if row is not None and row.changed]
    new = [row for row in rows if not row.stored]
    changed = [_update_params(row) for row in rows if row.stored]
    if new or changed or cache.history:
        await db.flush()  # what the rows refer to (the device, a newcomer) first
    await insert_rows(db, MARKS, new, from_attributes=True)  # MarkRow: a column's attributes
    if changed:
        # executemany: the SET clause is made from the parameters' other keys
        await db.exec(update(MARKS).where(MARKS.c.id == bindparam("row_id")), params=changed)
    await insert_rows(db, HISTORY, cache.history)
    for row in rows:
        row.stored, row.changed = True, False
    cache.history = []


def _update_params(row: MarkRow) -> dict[str, Any]:
    params = {name: getattr(row, name) for name in _UPDATED}
    params["row_id"] = row.id
    return params


@asynccontextmanager
async def marks_written_now(db: AsyncSession) -> AsyncIterator[None]:
    """For a write that runs in a savepoint: the batch's marks so far are flushed first, and
    its own marks go through the session (so a rollback takes them back). Marks it wrote are
    read again from the database afterwards."""
    cache = mark_cache(db)
    if cache is None:
        yield
        return
    await flush_marks(db)
    cache.deferring = False
    try:
        yield
    finally:
        cache.deferring = True
        cache.marks.clear()


def end_marks(db: AsyncSession) -> None:
    db.info.pop(MARK_CACHE, None)
