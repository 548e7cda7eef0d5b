"""One session of an activity: reading it within the actor's scope, its status and note,
and enrolling people into its activity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

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
from server.common.errors import NotFound
from server.common.models import utcnow


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
    db: AsyncSession, actor: Actor, activity_id: uuid.UUID, person_id: uuid.UUID
) -> Enrollment:
    """Enrol a person (again) in an activity the actor may see; enrolling twice is harmless."""
    visible = (
        await db.exec(
            select(Activity.id)
            .where(Activity.id == activity_id)
            .where(col(Activity.id).in_(visible_activity_ids(actor)))
        )
    ).first()
    if visible is None:
        raise NotFound
    enrollment = (
        await db.exec(
            select(Enrollment)
            .where(Enrollment.activity_id == activity_id)
            .where(Enrollment.person_id == person_id)
        )
    ).first()
    if enrollment is not None and enrollment.status == EnrollmentStatus.ACTIVE:
        return enrollment
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
