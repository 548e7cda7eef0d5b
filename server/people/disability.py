"""A person's Washington Group answers (decision 16), recorded or changed by a coordinator on
the person's page after registration. The audit trail says which questions changed, never the
answers: they are health data."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.scope import people_visible_to
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_
from server.people.models import WG_DOMAINS, Person
from server.people.schemas import DisabilityAnswers


async def person_for_disability(db: AsyncSession, actor: Actor, person_id: uuid.UUID) -> Person:
    """The person, erased or not, if the actor may see them."""
    statement = select(Person).where(Person.id == person_id)
    scope = people_visible_to(actor)
    if scope is not None:
        statement = statement.where(col(Person.id).in_(scope))
    person = (await db.exec(statement)).first()
    if person is None:
        raise NotFound
    return person


def answers_of(person: Person) -> dict[str, str]:
    """The form's values: each `wg_<domain>` as stored, "" for not asked."""
    return {
        f"wg_{domain}": "" if (value := getattr(person, f"wg_{domain}")) is None else str(value)
        for domain in WG_DOMAINS
    }


async def set_disability(
    db: AsyncSession, actor: Actor, person_id: uuid.UUID, answers: DisabilityAnswers
) -> list[str]:
    """Store the answers; return the domains whose answer changed (nothing is written or
    audited when none did). An erased person's answers stay as erasure left them."""
    person = await person_for_disability(db, actor, person_id)
    if person.erased_at is not None:
        raise ValidationFailed(
            {
                "": Message(
                    N_("This person's data was erased: their answers can no longer be changed.")
                )
            }
        )
    changed = [
        domain
        for domain in WG_DOMAINS
        if getattr(person, f"wg_{domain}") != getattr(answers, f"wg_{domain}")
    ]
    if not changed:
        return []
    for domain in changed:
        setattr(person, f"wg_{domain}", getattr(answers, f"wg_{domain}"))
    person.updated_at = utcnow()
    db.add(person)
    await audit_by(
        db,
        actor,
        "person.disability",
        entity_type="person",
        entity_id=str(person.id),
        details={"changed": changed},
    )
    return changed
