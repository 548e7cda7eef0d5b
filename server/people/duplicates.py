"""Likely duplicates: the same name (in any script or spelling, as name search compares them)
and birth year (or one of them unknown), or the same phone number."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.people.models import Person

LIMIT = 200


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[-9:]  # the national number, with or without +48


async def likely_duplicates(db: AsyncSession) -> list[tuple[Person, Person, str]]:
    """Pairs of people that may be one person, with why ("name" or "phone"), oldest first."""
    a, b = aliased(Person), aliased(Person)
    same_name = await db.exec(
        select(a, b)
        .join(b, (col(b.search_name) == col(a.search_name)) & (col(a.id) < col(b.id)))
        .where(col(a.search_name) != "")
        .where(
            or_(
                col(a.birth_year).is_(None),
                col(b.birth_year).is_(None),
                col(a.birth_year) == col(b.birth_year),
            )
        )
        .limit(LIMIT)
    )
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
                pairs.setdefault((first.id, second.id), (first, second, "phone"))
    ordered = sorted(pairs.values(), key=lambda pair: min(pair[0].created_at, pair[1].created_at))
    return ordered[:LIMIT]
