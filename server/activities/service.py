"""Reading activities and sessions, always within what the actor may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from server.activities.models import (
    Activity,
    ActivityKind,
    ActivitySession,
    ActivityStaff,
    Enrollment,
    EnrollmentStatus,
    Location,
    WeeklySlot,
)
from server.attendance.models import AttendanceMark
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.auth.models import StaffUser
from server.common.errors import Forbidden, Message, NotFound, ValidationFailed
from server.i18n.catalogs import N_
from server.people.models import Person


@dataclass(frozen=True)
class SessionSummary:
    session: ActivitySession
    activity: Activity
    location: Location | None
    enrolled: int
    marked: int


@dataclass(frozen=True)
class ActivityDetail:
    activity: Activity
    location: Location | None
    slots: list[WeeklySlot]
    staff: list[StaffUser]
    enrolled: int
    sessions: list[ActivitySession]


def _visible(query: SelectOfScalar[Activity], actor: Actor) -> SelectOfScalar[Activity]:
    if actor.sees_all_activities:
        return query
    assigned = select(ActivityStaff.activity_id).where(ActivityStaff.user_id == actor.user_id)
    return query.where(col(Activity.id).in_(assigned))


async def list_activities(db: AsyncSession, actor: Actor) -> list[Activity]:
    query = _visible(select(Activity), actor).where(col(Activity.archived_at).is_(None))
    result = await db.exec(query.order_by(col(Activity.kind), col(Activity.title)))
    return list(result.all())


async def list_courses(db: AsyncSession, actor: Actor) -> list[Activity]:
    activities = await list_activities(db, actor)
    return [a for a in activities if a.kind == ActivityKind.LANGUAGE_COURSE]


async def get_activity(db: AsyncSession, actor: Actor, activity_id: uuid.UUID) -> Activity:
    """The activity, or NotFound whether it is missing or just not the actor's to see."""
    query = _visible(select(Activity), actor).where(Activity.id == activity_id)
    activity = (await db.exec(query)).first()
    if activity is None:
        raise NotFound
    return activity


async def _active_enrolled(db: AsyncSession, activity_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(Enrollment)
        .where(Enrollment.activity_id == activity_id)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE)
    )
    return int((await db.exec(query)).one())


async def show_activity(db: AsyncSession, actor: Actor, activity_id: uuid.UUID) -> ActivityDetail:
    activity = await get_activity(db, actor, activity_id)
    location = await db.get(Location, activity.location_id) if activity.location_id else None
    slots = await db.exec(
        select(WeeklySlot)
        .where(WeeklySlot.activity_id == activity.id)
        .order_by(col(WeeklySlot.weekday), col(WeeklySlot.start_time))
    )
    staff = await db.exec(
        select(StaffUser)
        .join(ActivityStaff, col(ActivityStaff.user_id) == StaffUser.id)
        .where(ActivityStaff.activity_id == activity.id)
        .order_by(col(StaffUser.display_name))
    )
    sessions = await db.exec(
        select(ActivitySession)
        .where(ActivitySession.activity_id == activity.id)
        .order_by(col(ActivitySession.date), col(ActivitySession.start_time))
    )
    return ActivityDetail(
        activity=activity,
        location=location,
        slots=list(slots.all()),
        staff=list(staff.all()),
        enrolled=await _active_enrolled(db, activity.id),
        sessions=list(sessions.all()),
    )


async def list_sessions_between(
    db: AsyncSession, actor: Actor, start: date, end: date
) -> list[SessionSummary]:
    """Sessions of the actor's activities from `start` to `end` inclusive, with counts."""
    enrolled = (
        select(Enrollment.activity_id, func.count().label("n"))
        .where(Enrollment.status == EnrollmentStatus.ACTIVE)
        .group_by(col(Enrollment.activity_id))
        .subquery()
    )
    marked = (
        select(AttendanceMark.session_id, func.count().label("n"))
        .group_by(col(AttendanceMark.session_id))
        .subquery()
    )
    visible_ids = _visible(select(Activity.id), actor)  # type: ignore[arg-type]
    query = (
        select(  # type: ignore[call-overload]
            ActivitySession, Activity, Location, enrolled.c.n, marked.c.n
        )
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .outerjoin(Location, col(Location.id) == Activity.location_id)
        .outerjoin(enrolled, enrolled.c.activity_id == Activity.id)
        .outerjoin(marked, marked.c.session_id == ActivitySession.id)
        .where(and_(col(ActivitySession.date) >= start, col(ActivitySession.date) <= end))
        .where(col(Activity.id).in_(visible_ids))
        .order_by(col(ActivitySession.date), col(ActivitySession.start_time))
    )
    rows = (await db.exec(query)).all()
    return [
        SessionSummary(
            session=s, activity=a, location=loc, enrolled=int(n_enr or 0), marked=int(n_mk or 0)
        )
        for s, a, loc, n_enr, n_mk in rows
    ]


async def set_attendance_threshold(
    db: AsyncSession, actor: Actor, activity_id: uuid.UUID, value: object
) -> Activity:
    """The attendance rate (1–100 %) a course's learners need; coordinators set it."""
    activity = await get_activity(db, actor, activity_id)
    if not actor.sees_all_activities:
        raise Forbidden
    try:
        percent = int(str(value).strip())
    except ValueError:
        raise ValidationFailed({"threshold": Message(N_("Enter a whole number."))}) from None
    if not 1 <= percent <= 100:
        raise ValidationFailed({"threshold": Message(N_("Enter a percentage from 1 to 100."))})
    before = activity.attendance_threshold
    activity.attendance_threshold = percent
    db.add(activity)
    await audit_by(
        db,
        actor,
        "activity.threshold",
        entity_type="activity",
        entity_id=str(activity.id),
        details={"from": before, "to": percent},
    )
    return activity


async def enrolled_people(db: AsyncSession, activity_id: uuid.UUID) -> list[Person]:
    """The people actively enrolled, by family name."""
    query = (
        select(Person)
        .join(Enrollment, col(Enrollment.person_id) == Person.id)
        .where(Enrollment.activity_id == activity_id)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE)
        .order_by(col(Person.family_name), col(Person.given_name))
    )
    return list((await db.exec(query)).all())
