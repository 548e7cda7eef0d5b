"""Finding and registering people. Who may see whom is decided by the caller's `scope`
(built by the activities domain), so this module does not depend on activities."""

from __future__ import annotations

import uuid

from sqlalchemy import and_
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_
from server.people.codes import CODE_LENGTH, make_person_code
from server.people.consent import CONSENT_VERSION
from server.people.models import WG_DOMAINS, Consent, Person
from server.people.names import search_key, search_terms
from server.people.schemas import NewPerson

SEARCH_LIMIT = 25


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_people(
    db: AsyncSession,
    query: str,
    *,
    scope: SelectOfScalar[uuid.UUID] | None,
    limit: int = SEARCH_LIMIT,
) -> list[Person]:
    """People whose name matches every word of `query` in any script, or whose code is it.

    `scope` is a select of the person ids the actor may see (None: everyone)."""
    terms = search_terms(query)
    if not terms:
        return []
    matches = and_(*(col(Person.search_name).like(_like(t), escape="\\") for t in terms))
    code = query.strip().upper()
    if len(code) == CODE_LENGTH and code.isalnum():
        matches = or_(matches, Person.code == code)
    statement = select(Person).where(matches, col(Person.erased_at).is_(None))
    if scope is not None:
        statement = statement.where(col(Person.id).in_(scope))
    statement = statement.order_by(col(Person.family_name), col(Person.given_name)).limit(limit)
    return list((await db.exec(statement)).all())


async def get_person(
    db: AsyncSession, person_id: uuid.UUID, *, scope: SelectOfScalar[uuid.UUID] | None
) -> Person:
    statement = select(Person).where(Person.id == person_id, col(Person.erased_at).is_(None))
    if scope is not None:
        statement = statement.where(col(Person.id).in_(scope))
    person = (await db.exec(statement)).first()
    if person is None:
        raise NotFound
    return person


async def find_by_code(
    db: AsyncSession, code: str, *, scope: SelectOfScalar[uuid.UUID] | None
) -> Person | None:
    statement = select(Person).where(
        Person.code == code.strip().upper()[:12], col(Person.erased_at).is_(None)
    )
    if scope is not None:
        statement = statement.where(col(Person.id).in_(scope))
    return (await db.exec(statement)).first()


async def find_similar(
    db: AsyncSession, given_name: str, family_name: str, birth_year: int | None
) -> list[Person]:
    """People with the same name (in any script or spelling) and birth year: likely the same
    person registered before. Any birth year matches an unknown one."""
    statement = select(Person).where(Person.search_name == search_key(given_name, family_name))
    if birth_year is not None:
        statement = statement.where(
            or_(col(Person.birth_year).is_(None), Person.birth_year == birth_year)
        )
    return list((await db.exec(statement.limit(5))).all())


async def _unique_code(db: AsyncSession) -> str:
    for _ in range(20):
        code = make_person_code()
        if (await db.exec(select(Person.id).where(Person.code == code))).first() is None:
            return code
    raise RuntimeError("could not find a free person code")  # 31^6 codes: practically never


async def register_person(db: AsyncSession, actor: Actor, data: NewPerson) -> Person:
    """Create a person with their consent. The id may come from the device (offline)."""
    if await db.get(Person, data.person_id) is not None:
        raise ValidationFailed({"": Message(N_("This person is registered already."))})
    now = utcnow()
    person = Person(
        id=data.person_id,
        code=await _unique_code(db),
        given_name=data.given_name,
        family_name=data.family_name,
        search_name=search_key(data.given_name, data.family_name),
        sex=data.sex,
        birth_year=data.birth_year,
        nationality=data.nationality,
        phone=data.phone,
        population_group=data.population_group,
        **{f"wg_{domain}": getattr(data, f"wg_{domain}") for domain in WG_DOMAINS},
        created_by_id=actor.user_id,
        created_on_device_id=actor.device_id,
        created_at=now,
        updated_at=now,
    )
    db.add(person)
    await db.flush()  # the person before their consent: no relationships order the inserts
    db.add(
        Consent(
            person_id=person.id,
            given_at=now,
            recorded_by_id=actor.user_id,
            purposes=[p.value for p in data.consent_purposes],
            text_version=CONSENT_VERSION,
            shown_in=data.consent_shown_in,
        )
    )
    await audit_by(
        db,
        actor,
        "person.register",
        entity_type="person",
        entity_id=str(person.id),
        details={"consent": [p.value for p in data.consent_purposes]},
    )
    return person
