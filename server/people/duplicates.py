"""Likely duplicates: the same name (in any script or spelling, as name search compares them)
and birth year (or one of them unknown), or the same phone number; minus the pairs a
coordinator marked as not the same person (which can be undone)."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, delete, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import audit_by
from server.auth.actor import Actor
from server.common.errors import Forbidden, Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_
from server.people.models import DuplicateDismissal, Person

LIMIT = 200


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-9:]  # the national number, with or without +48


async def likely_duplicates(db: AsyncSession) -> list[tuple[Person, Person, str]]:
    """Pairs of people that may be one person, with why ("name" or "phone"), oldest first."""
    a, b = aliased(Person), aliased(Person)
    dismissed = exists().where(
        and_(col(DuplicateDismissal.first_id) == a.id, col(DuplicateDismissal.second_id) == b.id)
    )
    same_name = await db.exec(
        select(a, b)
        .join(b, (col(b.search_name) == col(a.search_name)) & (col(a.id) < col(b.id)))
        .where(col(a.search_name) != "")
        .where(~dismissed)
        .where(
            or_(
                col(a.birth_year).is_(None),
                col(b.birth_year).is_(None),
                col(a.birth_year) == col(b.birth_year),
            )
        )
        .limit(LIMIT)
    )
    not_same = {
        (first_id, second_id)
        for first_id, second_id in await db.exec(
            select(col(DuplicateDismissal.first_id), col(DuplicateDismissal.second_id))
        )
    }
    pairs: dict[tuple[uuid.UUID, uuid.UUID], tuple[Person, Person, str]] = {}
    for first, second in same_name.all():
        pairs[(first.id, second.id)] = (first, second, "name")
    with_phone = await db.exec(select(Person).where(col(Person.phone).is_not(None)))
    by_phone: dict[str, list[Person]] = defaultdict(list)
    for person in with_phone.all():
        if len(_digits(person.phone or "")) >= 7:
            by_phone[_digits(person.phone or "")].append(person)
    for group in by_phone.values():
        group.sort(key=lambda p: str(p.id))
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                if (first.id, second.id) not in not_same:
                    pairs.setdefault((first.id, second.id), (first, second, "phone"))
    ordered = sorted(pairs.values(), key=lambda pair: min(pair[0].created_at, pair[1].created_at))
    return ordered[:LIMIT]


def _pair(one: uuid.UUID, other: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """A pair's stored order (the lower id first), whichever order it is given in."""
    first, second = sorted((one, other))
    return first, second


async def _two_people(
    db: AsyncSession, actor: Actor, one: uuid.UUID, other: uuid.UUID
) -> tuple[Person, Person]:
    if not actor.sees_all_activities:
        raise Forbidden
    if one == other:
        raise ValidationFailed({"": Message(N_("Choose two different people."))})
    first_id, second_id = _pair(one, other)
    first, second = await db.get(Person, first_id), await db.get(Person, second_id)
    if first is None or second is None:
        raise NotFound
    return first, second


async def dismiss_pair(db: AsyncSession, actor: Actor, one: uuid.UUID, other: uuid.UUID) -> bool:
    """Record that two people are not the same person (either order); False if it already was.
    Audited with both codes."""
    first, second = await _two_people(db, actor, one, other)
    found = await db.exec(
        select(DuplicateDismissal.id).where(
            col(DuplicateDismissal.first_id) == first.id,
            col(DuplicateDismissal.second_id) == second.id,
        )
    )
    if found.first() is not None:
        return False
    db.add(
        DuplicateDismissal(
            first_id=first.id,
            second_id=second.id,
            dismissed_at=utcnow(),
            dismissed_by_id=actor.user_id,
        )
    )
    await audit_by(
        db,
        actor,
        "people.not_duplicate",
        entity_type="person",
        entity_id=str(first.id),
        details={"other_id": str(second.id), "codes": [first.code, second.code]},
    )
    return True


async def undo_dismissal(db: AsyncSession, actor: Actor, one: uuid.UUID, other: uuid.UUID) -> bool:
    """List the pair again (either order); False if it was not dismissed. Audited."""
    first, second = await _two_people(db, actor, one, other)
    removed = await db.exec(
        delete(DuplicateDismissal).where(
            col(DuplicateDismissal.first_id) == first.id,
            col(DuplicateDismissal.second_id) == second.id,
        )
    )
    if not removed.rowcount:
        return False
    await audit_by(
        db,
        actor,
        "people.not_duplicate_undo",
        entity_type="person",
        entity_id=str(first.id),
        details={"other_id": str(second.id), "codes": [first.code, second.code]},
    )
    return True


async def dismissed_pairs(db: AsyncSession) -> list[tuple[Person, Person]]:
    """The pairs marked as not the same person, latest first."""
    a, b = aliased(Person), aliased(Person)
    found = await db.exec(
        select(a, b)
        .select_from(DuplicateDismissal)
        .join(a, col(a.id) == DuplicateDismissal.first_id)
        .join(b, col(b.id) == DuplicateDismissal.second_id)
        .order_by(col(DuplicateDismissal.dismissed_at).desc(), col(DuplicateDismissal.id))
        .limit(LIMIT)
    )
    return [(first, second) for first, second in found.all()]
