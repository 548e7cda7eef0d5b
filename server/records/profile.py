"""One person's page for coordinators: who they are, what they consented to, their activities
with attendance, their recent marks, and their levels in language courses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivitySession, Enrollment
from server.attendance.models import AttendanceMark
from server.auth.actor import Actor
from server.common.errors import Forbidden, NotFound
from server.people.models import Consent, Person
from server.progress.assessments import latest_levels
from server.progress.attendance import AttendanceStats, attendance_stats
from server.progress.models import ProgressAssessment, Skill

RECENT_MARKS = 20


@dataclass(frozen=True)
class Participation:
    activity: Activity
    enrollment: Enrollment
    stats: AttendanceStats
    levels: dict[Skill, ProgressAssessment]


@dataclass(frozen=True)
class RecentMark:
    session: ActivitySession
    activity: Activity
    mark: AttendanceMark


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    consents: list[Consent]
    participations: list[Participation]
    recent: list[RecentMark]


async def person_record(db: AsyncSession, actor: Actor, person_id: uuid.UUID) -> PersonRecord:
    if not actor.sees_all_activities:
        raise Forbidden
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound
    consents = (
        await db.exec(
            select(Consent).where(Consent.person_id == person.id).order_by(col(Consent.given_at))
        )
    ).all()
    enrolments = (
        await db.exec(
            select(Enrollment, Activity)
            .join(Activity, col(Activity.id) == Enrollment.activity_id)
            .where(Enrollment.person_id == person.id)
            .order_by(col(Activity.title))
        )
    ).all()
    participations = []
    for enrollment, activity in enrolments:
        stats = (await attendance_stats(db, activity.id, [person.id])).get(
            person.id, AttendanceStats()
        )
        levels = (await latest_levels(db, activity.id, [person.id])).get(person.id, {})
        participations.append(Participation(activity, enrollment, stats, levels))
    recent = (
        await db.exec(
            select(AttendanceMark, ActivitySession, Activity)
            .join(ActivitySession, col(ActivitySession.id) == AttendanceMark.session_id)
            .join(Activity, col(Activity.id) == ActivitySession.activity_id)
            .where(AttendanceMark.person_id == person.id)
            .order_by(col(ActivitySession.date).desc(), col(ActivitySession.start_time).desc())
            .limit(RECENT_MARKS)
        )
    ).all()
    return PersonRecord(
        person=person,
        consents=list(consents),
        participations=participations,
        recent=[RecentMark(session, activity, mark) for mark, session, activity in recent],
    )
