"""What an actor may see: every activity for coordinators and admins; for facilitators and
teachers, the activities assigned to them and the people enrolled there or registered by
them."""

from __future__ import annotations

import uuid

from sqlalchemy import union
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from server.activities.models import Activity, ActivityStaff, Enrollment
from server.auth.actor import Actor
from server.people.models import Person


def visible_activity_ids(actor: Actor) -> SelectOfScalar[uuid.UUID]:
    if actor.sees_all_activities:
        return select(Activity.id)
    return select(ActivityStaff.activity_id).where(ActivityStaff.user_id == actor.user_id)


def people_visible_to(actor: Actor) -> SelectOfScalar[uuid.UUID] | None:
    """A select of the person ids the actor may see, or None for "everyone"."""
    if actor.sees_all_activities:
        return None
    enrolled = select(Enrollment.person_id).where(
        col(Enrollment.activity_id).in_(visible_activity_ids(actor))
    )
    registered = select(Person.id).where(Person.created_by_id == actor.user_id)
    ids: SelectOfScalar[uuid.UUID] = select(union(enrolled, registered).subquery().c[0])
    return ids
