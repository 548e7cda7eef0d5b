"""Language courses as teachers see them: which courses, whose learners, who may record."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    Enrollment,
    EnrollmentStatus,
)
from server.activities.service import get_activity
from server.auth.actor import Actor
from server.common.errors import Forbidden, NotFound
from server.people.models import Person

# Learners who left the course keep their history, but are not listed in the class any more.
LEARNER_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


async def get_course(db: AsyncSession, actor: Actor, activity_id: uuid.UUID) -> Activity:
    """A language course the actor may see, or NotFound."""
    activity = await get_activity(db, actor, activity_id)
    if activity.kind != ActivityKind.LANGUAGE_COURSE:
        raise NotFound
    return activity


async def teaches(db: AsyncSession, actor: Actor, activity_id: uuid.UUID) -> bool:
    """Whether the actor is one of the course's teachers (only they record in it)."""
    found = await db.exec(
        select(ActivityStaff.user_id)
        .where(ActivityStaff.activity_id == activity_id)
        .where(ActivityStaff.user_id == actor.user_id)
    )
    return found.first() is not None


async def get_course_to_teach(db: AsyncSession, actor: Actor, activity_id: uuid.UUID) -> Activity:
    """The course, if the actor teaches it: NotFound if they may not see it, Forbidden if they
    may see it (a coordinator) but do not teach it."""
    course = await get_course(db, actor, activity_id)
    if not await teaches(db, actor, activity_id):
        raise Forbidden
    return course


async def course_of_session(
    db: AsyncSession, actor: Actor, session_id: uuid.UUID
) -> tuple[ActivitySession, Activity]:
    session = await db.get(ActivitySession, session_id)
    if session is None:
        raise NotFound
    return session, await get_course(db, actor, session.activity_id)


async def course_learners(db: AsyncSession, activity_id: uuid.UUID) -> list[Person]:
    query = (
        select(Person)
        .join(Enrollment, col(Enrollment.person_id) == Person.id)
        .where(Enrollment.activity_id == activity_id)
        .where(col(Enrollment.status).in_(LEARNER_STATUSES))
        .order_by(col(Person.family_name), col(Person.given_name))
    )
    return list((await db.exec(query)).all())


async def get_learner(db: AsyncSession, activity_id: uuid.UUID, person_id: uuid.UUID) -> Person:
    """A person enrolled in the course at some time (their history stays readable)."""
    query = (
        select(Person)
        .join(Enrollment, col(Enrollment.person_id) == Person.id)
        .where(Enrollment.activity_id == activity_id)
        .where(Person.id == person_id)
    )
    person = (await db.exec(query)).first()
    if person is None:
        raise NotFound
    return person


async def learner_ids(db: AsyncSession, activity_id: uuid.UUID) -> set[uuid.UUID]:
    query = (
        select(Enrollment.person_id)
        .join(Person, col(Person.id) == Enrollment.person_id)
        .where(Enrollment.activity_id == activity_id)
        .where(col(Enrollment.status).in_(LEARNER_STATUSES))
        .where(col(Person.erased_at).is_(None))
    )
    return set((await db.exec(query)).all())
