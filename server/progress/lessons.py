"""The lesson log: what each session of a course covered, the materials and the homework.

Every save is a new entry; the one shown is the newest by the teacher's corrected clock (ties
by when the server received it), so an older save arriving late from an offline phone never
hides a newer one, and nothing anyone wrote is lost."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivitySession
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Forbidden
from server.common.models import new_id, utcnow
from server.progress.courses import course_of_session, teaches
from server.progress.models import LessonEntry


@dataclass(frozen=True)
class LessonInput:
    topic: str
    materials: str = ""
    homework: str = ""


@dataclass(frozen=True)
class LessonLogLine:
    session: ActivitySession
    entry: LessonEntry | None


def _newest(query):  # type: ignore[no-untyped-def]
    return query.order_by(col(LessonEntry.written_at).desc(), col(LessonEntry.created_at).desc())


async def current_lesson(db: AsyncSession, session_id: uuid.UUID) -> LessonEntry | None:
    query = select(LessonEntry).where(LessonEntry.session_id == session_id)
    return (await db.exec(_newest(query))).first()


async def save_lesson(
    db: AsyncSession,
    actor: Actor,
    session_id: uuid.UUID,
    lesson: LessonInput,
    *,
    written_at: datetime | None = None,
) -> tuple[LessonEntry, bool]:
    """Keep a save of the lesson; returns it and whether it is now the one shown (False when a
    newer save had arrived first)."""
    session, course = await course_of_session(db, actor, session_id)
    if not await teaches(db, actor, course.id):
        raise Forbidden
    now = utcnow()
    entry = LessonEntry(
        id=new_id(),
        session_id=session.id,
        topic=lesson.topic,
        materials=lesson.materials,
        homework=lesson.homework,
        written_at=min(written_at or now, now),
        written_by_id=actor.user_id,
        device_id=actor.device_id,
        created_at=now,
    )
    shown = await current_lesson(db, session.id)
    db.add(entry)
    await audit_by(
        db, actor, "lesson.update", entity_type="session", entity_id=str(session.id)
    )  # the texts may name people: not copied
    return entry, shown is None or shown.written_at <= entry.written_at


async def lesson_log(db: AsyncSession, activity_id: uuid.UUID) -> list[LessonLogLine]:
    """Every session of the course in order, with what it covered (if written down)."""
    sessions = (
        await db.exec(
            select(ActivitySession)
            .where(ActivitySession.activity_id == activity_id)
            .order_by(col(ActivitySession.date), col(ActivitySession.start_time))
        )
    ).all()
    entries = (
        await db.exec(
            _newest(
                select(LessonEntry)
                .join(ActivitySession, col(ActivitySession.id) == LessonEntry.session_id)
                .where(ActivitySession.activity_id == activity_id)
            )
        )
    ).all()
    shown: dict[uuid.UUID, LessonEntry] = {}
    for entry in entries:
        shown.setdefault(entry.session_id, entry)
    return [LessonLogLine(session, shown.get(session.id)) for session in sessions]
