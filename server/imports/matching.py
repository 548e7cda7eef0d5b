"""Who a row of an import file already is: a person registered before, or an earlier row."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.people.models import Person
from server.people.names import search_key
from server.people.schemas import NewPerson


def phone_key(phone: str | None) -> str:
    """The last nine digits: "+48 600 100 200" and "600100200" are the same number."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    return digits[-9:]


class KnownPeople:
    """Who is registered already (and who earlier rows will register): by name and birth
    year, and by phone. The first registered wins when several match.

    A phone matches only where the birth years do not differ: a family often shares one
    phone, and a mother and her son are not one person."""

    def __init__(self) -> None:
        self.by_name: dict[tuple[str, int | None], uuid.UUID | int] = {}
        self.by_phone: dict[str, list[tuple[int | None, uuid.UUID | int]]] = {}

    def add(
        self, name: str, birth_year: int | None, phone: str | None, who: uuid.UUID | int
    ) -> None:
        self.by_name.setdefault((name, birth_year), who)
        if key := phone_key(phone):
            self.by_phone.setdefault(key, []).append((birth_year, who))

    def find(self, person: NewPerson) -> tuple[uuid.UUID | int | None, str]:
        """Who this person is already, and by what ("name" or "phone")."""
        key = (search_key(person.given_name, person.family_name), person.birth_year)
        if (found := self.by_name.get(key)) is not None:
            return found, "name"
        for birth_year, who in self.by_phone.get(phone_key(person.phone), []):
            if None in (birth_year, person.birth_year) or birth_year == person.birth_year:
                return who, "phone"
        return None, ""


async def load_known_people(db: AsyncSession) -> KnownPeople:
    known = KnownPeople()
    statement = select(Person.id, Person.search_name, Person.birth_year, Person.phone).order_by(
        col(Person.created_at)
    )
    for person_id, name, birth_year, phone in (await db.exec(statement)).all():
        known.add(name, birth_year, phone, person_id)
    return known
