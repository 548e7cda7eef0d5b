"""One session of an activity: reading it within the actor's scope, its status and note,
and enrolling people into its activity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import (
    Activity,
    ActivitySession,
    Enrollment,
    EnrollmentStatus,
    Location,
    SessionStatus,
)
from server.activities.scope import visible_activity_ids
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_
from server.people.models import Person


@dataclass(frozen=True)
class SessionContext:
    session: ActivitySession
    activity: Activity
    location: Location | None


async def get_session(db: AsyncSession, actor: Actor, session_id: uuid.UUID) -> SessionContext:
    """The session, or NotFound whether it is missing or not the actor's to see."""
    statement = (
        select(ActivitySession, Activity, Location)
        .join(Activity, col(Activity.id) == ActivitySession.activity_id)
        .outerjoin(Location, col(Location.id) == Activity.location_id)
        .where(ActivitySession.id == session_id)
        .where(col(Activity.id).in_(visible_activity_ids(actor)))
    )
    row = (await db.exec(statement)).first()
    if row is None:
        raise NotFound
    return SessionContext(*row)


async def update_session(
    db: AsyncSession, actor: Actor, session_id: uuid.UUID, status: SessionStatus, note: str
) -> ActivitySession:
    context = await get_session(db, actor, session_id)
    session = context.session
    changes = {
        name: value
        for name, value in (("status", status.value), ("note", note))
        if getattr(session, name) != value
    }
    session.status = status
    session.note = note
    session.updated_at = utcnow()
    db.add(session)
    await audit_by(
        db,
        actor,
        "session.update",
        entity_type="session",
        entity_id=str(session.id),
        details={"changed": sorted(changes)},  # the note itself may name people: not copied
    )
    return session


async def enroll(
    db: AsyncSession, actor: Actor, activity_id: uuid.UUID, person_id: uuid.UUID, *, on: date
) -> Enrollment:
    """Enrol a person (again) in an activity the actor may see; enrolling twice is harmless.
    Their age is checked for the year of `on`: the centre's today, or the session's date for an
    enrolment made at a session (never the server's clock, which may be in another zone)."""
    visible = (
        await db.exec(
            select(Activity.id)
            .where(Activity.id == activity_id)
            .where(col(Activity.id).in_(visible_activity_ids(actor)))
        )
    ).first()
    if visible is None:
        raise NotFound
    person = await db.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise NotFound  # not a 500 from the foreign key: an id from a stale page or a fuzzer
    enrollment = (
        await db.exec(
            select(Enrollment)
            .where(Enrollment.activity_id == activity_id)
            .where(Enrollment.person_id == person_id)
        )
    ).first()
    if enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE:
        return enrollment
    await check_eligible(db, activity_id, person_id, on=on)
    if enrollment is None:
        enrollment = Enrollment(
            activity_id=activity_id, person_id=person_id, enrolled_by_id=actor.user_id
        )
    enrollment.status = EnrollmentStatus.ACTIVE
    db.add(enrollment)
    await db.flush()
    await audit_by(
        db,
        actor,
        "enrollment.add",
        entity_type="activity",
        entity_id=str(activity_id),
        details={"person_id": str(person_id)},
    )
    return enrollment


FULL = N_("This activity is full: all %(capacity)s places are taken.")
AGES_OUTSIDE = N_("This activity is for ages %(ages)s; this person is %(age)s.")
AGES_UNKNOWN = N_("This activity is for ages %(ages)s; the person's birth year is not recorded.")


def _ages(activity: Activity) -> str:
    if activity.min_age is not None and activity.max_age is not None:
        return f"{activity.min_age}–{activity.max_age}"
    if activity.min_age is not None:
        return f"{activity.min_age}+"
    return f"0–{activity.max_age}"


async def check_eligible(
    db: AsyncSession, activity_id: uuid.UUID, person_id: uuid.UUID, *, on: date
) -> None:
    """A place is free and the person's age (in the year of `on`) fits the activity's ages."""
    activity = await db.get(Activity, activity_id)
    if activity is None:
        raise NotFound
    if activity.capacity is not None:
        taken = (
            await db.exec(
                select(func.count())
                .select_from(Enrollment)
                .where(Enrollment.activity_id == activity_id)
                .where(Enrollment.status == EnrollmentStatus.ACTIVE)
            )
        ).one()
        if taken >= activity.capacity:
            raise ValidationFailed({"": Message(FULL, {"capacity": activity.capacity})})
    if activity.min_age is None and activity.max_age is None:
        return
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound
    if person.birth_year is None:
        raise ValidationFailed({"": Message(AGES_UNKNOWN, {"ages": _ages(activity)})})
    age = on.year - person.birth_year
    too_young = activity.min_age is not None and age < activity.min_age
    too_old = activity.max_age is not None and age > activity.max_age
    if too_young or too_old:
        raise ValidationFailed({"": Message(AGES_OUTSIDE, {"ages": _ages(activity), "age": age})})


async def move_enrolments(db: AsyncSession, kept_id: uuid.UUID, merged_id: uuid.UUID) -> int:
    """The merged person's enrolments move to the kept person; where both were enrolled in one
    activity, one enrolment stays (active if either was)."""
    theirs = (await db.exec(select(Enrollment).where(Enrollment.person_id == merged_id))).all()
    ours = {
        e.activity_id: e
        for e in (await db.exec(select(Enrollment).where(Enrollment.person_id == kept_id))).all()
    }
    for enrollment in theirs:
        current = ours.get(enrollment.activity_id)
        if current is None:
            enrollment.person_id = kept_id
            db.add(enrollment)
            continue
        if enrollment.status == EnrollmentStatus.ACTIVE:
            current.status = EnrollmentStatus.ACTIVE
            db.add(current)
        await db.delete(enrollment)
    await db.flush()
    return len(theirs)
