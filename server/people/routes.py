"""Finding people, printing a person's QR check-in card, and recording their answers to the
Washington Group questions after registration."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from markupsafe import Markup
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.scope import people_visible_to
from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import Message, ValidationFailed
from server.common.validation import parse_form
from server.people.cards import qr_svg
from server.people.disability import answers_of, person_for_disability, set_disability
from server.people.models import WG_DOMAINS, Person
from server.people.schemas import DisabilityAnswers
from server.people.service import get_person, search_people
from server.web.deps import provide_actor
from server.web.forms import form_data
from server.web.guards import roles, signed_in

COORDINATING = roles(Role.COORDINATOR, Role.ADMIN)


def _disability_page(
    person: Person, values: dict[str, str], errors: dict[str, Message] | None = None
) -> Template:
    return Template(
        template_name="people/disability.html",
        context={
            "person": person,
            "values": values,
            "errors": errors or {},
            "wg_domains": WG_DOMAINS,
        },
        status_code=400 if errors else 200,
    )


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

    @get("/{person_id:uuid}/card", name="person_card", guards=[COORDINATING])
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

    @get("/{person_id:uuid}/disability", name="person_disability", guards=[COORDINATING])
    async def show_disability(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        person_id: FromPath[uuid.UUID],
    ) -> Template:
        person = await person_for_disability(db, actor, person_id)
        return _disability_page(person, answers_of(person))

    @post("/{person_id:uuid}/disability", guards=[COORDINATING])
    async def save_disability(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        person_id: FromPath[uuid.UUID],
    ) -> Response:
        form = await form_data(request)
        values = {f"wg_{domain}": str(form.get(f"wg_{domain}") or "") for domain in WG_DOMAINS}
        try:
            await set_disability(db, actor, person_id, parse_form(DisabilityAnswers, values))
        except ValidationFailed as exc:
            person = await person_for_disability(db, actor, person_id)
            return _disability_page(person, values, exc.errors)
        return Redirect(f"/people/{person_id}?saved=disability", status_code=HTTP_303_SEE_OTHER)
