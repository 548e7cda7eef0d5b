"""Finding people, and printing a person's QR check-in card."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from markupsafe import Markup
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.scope import people_visible_to
from server.auth.actor import Actor
from server.auth.models import Role
from server.people.cards import qr_svg
from server.people.service import get_person, search_people
from server.web.deps import provide_actor
from server.web.guards import roles, signed_in


class PeoplePages(Controller):
    path = "/people"
    guards = [signed_in]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/", name="people")
    async def search(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        q: FromQuery[str] = "",
    ) -> Template:
        found = await search_people(db, q[:100], scope=people_visible_to(actor)) if q else []
        return Template(template_name="people/search.html", context={"q": q[:100], "found": found})

    @get("/{person_id:uuid}/card", name="person_card", guards=[roles(Role.COORDINATOR, Role.ADMIN)])
    async def card(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        person_id: FromPath[uuid.UUID],
    ) -> Template:
        person = await get_person(db, person_id, scope=people_visible_to(actor))
        return Template(
            template_name="people/card.html",
            context={"person": person, "qr": Markup(qr_svg(person.code))},  # noqa: S704 (segno output)
        )
