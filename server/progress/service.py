"""What the teacher's pages show: a class at a glance, one learner in depth, a certificate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import Activity, ActivityStaff, Location
from server.auth.actor import Actor
from server.auth.models import StaffUser
from server.common.errors import Forbidden
from server.people.models import Person
from server.progress.assessments import SKILLS, latest_levels, skill_history
from server.progress.attendance import AttendanceStats, attendance_stats, learner_stats
from server.progress.chart import SkillChart, skill_chart
from server.progress.courses import course_learners, get_course, get_learner, teaches
from server.progress.models import ProgressAssessment, Skill


@dataclass(frozen=True)
class LearnerRow:
    person: Person
    latest: dict[Skill, ProgressAssessment]
    stats: AttendanceStats
    below_threshold: bool


@dataclass(frozen=True)
class ClassProgress:
    course: Activity
    rows: list[LearnerRow]
    may_record: bool

    @property
    def below(self) -> int:
        return sum(1 for row in self.rows if row.below_threshold)


@dataclass(frozen=True)
class SkillHistory:
    skill: Skill
    assessments: list[ProgressAssessment]
    chart: SkillChart


@dataclass(frozen=True)
class LearnerProgress:
    course: Activity
    person: Person
    stats: AttendanceStats
    latest: dict[Skill, ProgressAssessment]
    history: list[SkillHistory]
    may_record: bool
    assessors: dict[uuid.UUID, str] = field(default_factory=dict)

    @property
    def below_threshold(self) -> bool:
        return _below(self.stats, self.course)

    @property
    def certificate_available(self) -> bool:
        return self.stats.meets(self.course.attendance_threshold)


@dataclass(frozen=True)
class Certificate:
    course: Activity
    person: Person
    stats: AttendanceStats
    latest: dict[Skill, ProgressAssessment]
    location: Location | None
    teachers: list[str]


def _below(stats: AttendanceStats, course: Activity) -> bool:
    """Highlighted: some attendance counted, and under the course's threshold."""
    return stats.rate is not None and not stats.meets(course.attendance_threshold)


async def class_progress(db: AsyncSession, actor: Actor, activity_id: uuid.UUID) -> ClassProgress:
    course = await get_course(db, actor, activity_id)
    learners = await course_learners(db, course.id)
    ids = [p.id for p in learners]
    latest = await latest_levels(db, course.id, ids)
    stats = await attendance_stats(db, course.id, ids)
    rows = []
    for person in learners:
        person_stats = stats.get(person.id, AttendanceStats())
        rows.append(
            LearnerRow(
                person, latest.get(person.id, {}), person_stats, _below(person_stats, course)
            )
        )
    return ClassProgress(course, rows, await teaches(db, actor, course.id))


async def _names(db: AsyncSession, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not user_ids:
        return {}
    rows = await db.exec(
        select(StaffUser.id, StaffUser.display_name).where(col(StaffUser.id).in_(user_ids))
    )
    return dict(rows.all())


async def learner_progress(
    db: AsyncSession, actor: Actor, activity_id: uuid.UUID, person_id: uuid.UUID
) -> LearnerProgress:
    course = await get_course(db, actor, activity_id)
    person = await get_learner(db, course.id, person_id)
    history = await skill_history(db, course.id, person.id)
    latest = {skill: rows[-1] for skill, rows in history.items() if rows}
    assessors = {a.assessed_by_id for rows in history.values() for a in rows if a.assessed_by_id}
    return LearnerProgress(
        course=course,
        person=person,
        stats=await learner_stats(db, course.id, person.id),
        latest=latest,
        history=[SkillHistory(s, history[s], skill_chart(history[s])) for s in SKILLS],
        may_record=await teaches(db, actor, course.id),
        assessors=await _names(db, assessors),
    )


async def certificate(
    db: AsyncSession, actor: Actor, activity_id: uuid.UUID, person_id: uuid.UUID
) -> Certificate:
    """The certificate's facts, only for a learner who meets the attendance threshold."""
    progress = await learner_progress(db, actor, activity_id, person_id)
    if not progress.certificate_available:
        raise Forbidden
    course = progress.course
    location = await db.get(Location, course.location_id) if course.location_id else None
    teachers = await db.exec(
        select(StaffUser.display_name)
        .join(ActivityStaff, col(ActivityStaff.user_id) == StaffUser.id)
        .where(ActivityStaff.activity_id == course.id)
        .order_by(col(StaffUser.display_name))
    )
    return Certificate(
        course=course,
        person=progress.person,
        stats=progress.stats,
        latest=progress.latest,
        location=location,
        teachers=list(teachers.all()),
    )
