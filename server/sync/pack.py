"""The offline pack: every page a person needs for their sessions from 7 days back to 14 days
ahead, each with a version that changes when what the page shows changes, so the service
worker refreshes only what changed."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import __version__
from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    Enrollment,
    EnrollmentStatus,
)
from server.activities.scope import visible_activity_ids
from server.attendance.models import AttendanceMark
from server.auth.actor import Actor
from server.common.models import utcnow
from server.people.models import Person
from server.progress.courses import learner_ids
from server.progress.models import LessonEntry, ProgressAssessment

DAYS_BACK = 7
DAYS_AHEAD = 14


@dataclass(frozen=True)
class OfflinePack:
    generated_at: datetime
    pages: list[tuple[str, str]]  # (url, version)


def _version(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, (__version__, *parts))).encode()).hexdigest()[:16]


async def offline_pack(db: AsyncSession, actor: Actor, *, timezone: str) -> OfflinePack:
    today = datetime.now(ZoneInfo(timezone)).date()
    sessions = (
        await db.exec(
            select(ActivitySession, Activity)
            .join(Activity, col(Activity.id) == ActivitySession.activity_id)
            .where(col(ActivitySession.date) >= today - timedelta(days=DAYS_BACK))
            .where(col(ActivitySession.date) <= today + timedelta(days=DAYS_AHEAD))
            .where(col(Activity.id).in_(visible_activity_ids(actor)))
            .order_by(col(ActivitySession.date), col(ActivitySession.start_time))
        )
    ).all()
    session_ids = [s.id for s, _ in sessions]
    marks = await _mark_stamps(db, session_ids)
    enrolments = await _enrolment_stamps(db, {a.id for _, a in sessions})
    pages: list[tuple[str, str]] = []
    for session, activity in sessions:
        stamp = (session.status.value, session.note, session.updated_at, activity.title,
                 marks.get(session.id), enrolments.get(activity.id))  # fmt: skip
        base = f"/sessions/{session.id}"
        pages.append((base, _version(*stamp)))
        pages.append((f"{base}/newcomer", _version(activity.title, session.date)))
        pages.append((f"{base}/sheet", _version("sheet", *stamp)))
        if activity.kind in (ActivityKind.EVENT, ActivityKind.DISTRIBUTION):
            pages.append((f"{base}/check-in", _version(*stamp)))
    home = _version(
        today, *(v for url, v in pages if url.startswith("/sessions/") and url.count("/") == 2)
    )
    pages.insert(0, ("/sessions", home))
    courses = {a.id: a for _, a in sessions if a.kind == ActivityKind.LANGUAGE_COURSE}
    taught = await _taught(db, actor, list(courses))
    if taught:
        course_sessions = [(s, a) for s, a in sessions if a.id in taught]
        pages += await _course_pages(db, [courses[i] for i in sorted(taught)], course_sessions)
    return OfflinePack(generated_at=utcnow(), pages=pages)


async def _taught(db: AsyncSession, actor: Actor, course_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The courses the actor teaches: their progress pages go offline (a coordinator's don't)."""
    if not course_ids:
        return set()
    rows = await db.exec(
        select(ActivityStaff.activity_id)
        .where(ActivityStaff.user_id == actor.user_id)
        .where(col(ActivityStaff.activity_id).in_(course_ids))
    )
    return set(rows.all())


async def _course_pages(
    db: AsyncSession,
    courses: list[Activity],
    sessions: list[tuple[ActivitySession, Activity]],
) -> list[tuple[str, str]]:
    """A teacher's course pages: the course with its lesson log, the class's progress and
    assessment form, each learner's page, and each session's lesson form."""
    ids = [c.id for c in courses]
    lessons = await _lesson_stamps(db, ids)
    assessed = await _assessment_stamps(db, ids)
    attended = await _attendance_stamps(db, ids)
    enrolled = await _enrolment_stamps(db, set(ids))
    pages: list[tuple[str, str]] = []
    for session, _ in sessions:
        stamp = lessons.get(session.id, "")
        pages.append((f"/sessions/{session.id}/lesson", _version("lesson", session.id, stamp)))
    for course in courses:
        own_sessions = [s for s, c in sessions if c.id == course.id]
        learners = sorted(await learner_ids(db, course.id))
        per_learner = [
            (assessed.get((course.id, p)), attended.get((course.id, p))) for p in learners
        ]
        version = _version(
            "course", course.title, course.attendance_threshold, enrolled.get(course.id),
            per_learner, [(s.id, s.status.value, lessons.get(s.id)) for s in own_sessions],
        )  # fmt: skip
        base = f"/courses/{course.id}"
        pages += [(f"/activities/{course.id}", version), (f"{base}/progress", version),
                  (f"{base}/assess", version)]  # fmt: skip
        for person_id, learner_stamp in zip(learners, per_learner, strict=True):
            version = _version("learner", course.attendance_threshold, *learner_stamp)
            pages.append((f"{base}/learners/{person_id}", version))
    pages.append(("/courses", _version("courses", *sorted(f"{c.id}{c.title}" for c in courses))))
    return pages


async def _lesson_stamps(db: AsyncSession, course_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await db.exec(
        select(LessonEntry.session_id, func.count(), func.max(LessonEntry.created_at))
        .join(ActivitySession, col(ActivitySession.id) == LessonEntry.session_id)
        .where(col(ActivitySession.activity_id).in_(course_ids))
        .group_by(col(LessonEntry.session_id))
    )
    return {session_id: f"{n}:{latest}" for session_id, n, latest in rows.all()}


async def _assessment_stamps(
    db: AsyncSession, course_ids: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], str]:
    rows = await db.exec(
        select(
            ProgressAssessment.activity_id,
            ProgressAssessment.person_id,
            func.count(),
            func.max(ProgressAssessment.created_at),
        )
        .where(col(ProgressAssessment.activity_id).in_(course_ids))
        .group_by(col(ProgressAssessment.activity_id), col(ProgressAssessment.person_id))
    )
    return {(a, p): f"{n}:{latest}" for a, p, n, latest in rows.all()}


async def _attendance_stamps(
    db: AsyncSession, course_ids: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], str]:
    rows = await db.exec(
        select(
            ActivitySession.activity_id,
            AttendanceMark.person_id,
            func.count(),
            func.max(AttendanceMark.recorded_at),
        )
        .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
        .where(col(ActivitySession.activity_id).in_(course_ids))
        .group_by(col(ActivitySession.activity_id), col(AttendanceMark.person_id))
    )
    return {(a, p): f"{n}:{latest}" for a, p, n, latest in rows.all()}


async def _mark_stamps(db: AsyncSession, session_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not session_ids:
        return {}
    rows = await db.exec(
        select(
            AttendanceMark.session_id,
            func.count(),
            func.max(AttendanceMark.recorded_at),
            func.max(Person.updated_at),  # a name corrected, a person erased or merged
        )
        .join(Person, col(Person.id) == AttendanceMark.person_id)
        .where(col(AttendanceMark.session_id).in_(session_ids))
        .group_by(col(AttendanceMark.session_id))
    )
    return {session_id: f"{n}:{latest}:{person}" for session_id, n, latest, person in rows.all()}


async def _enrolment_stamps(db: AsyncSession, activity_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not activity_ids:
        return {}
    active = col(Enrollment.status) == EnrollmentStatus.ACTIVE
    rows = await db.exec(
        select(
            Enrollment.activity_id,
            func.sum(case((active, 1), else_=0)),
            func.max(Enrollment.enrolled_at),
            func.max(Person.updated_at),  # a name corrected, a person erased or merged
        )
        .join(Person, col(Person.id) == Enrollment.person_id)
        .where(col(Enrollment.activity_id).in_(activity_ids))
        .group_by(col(Enrollment.activity_id))
    )
    return {a: f"{n}:{latest}:{person}" for a, n, latest, person in rows.all()}
