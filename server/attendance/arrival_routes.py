"""People arriving at a session: a newcomer registered on the spot, an existing person added
from the search, and check-in at events by search or by a card's QR code."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.scope import people_visible_to
from server.activities.sessions import SessionContext, get_session
from server.attendance.roster import list_roster
from server.attendance.routes import back_to_roster
from server.auth.actor import Actor
from server.common.errors import Message, ValidationFailed
from server.common.validation import parse_form
from server.i18n.catalogs import N_
from server.people.models import WG_DOMAINS, Person
from server.people.schemas import NewPerson
from server.people.service import find_similar, get_person, search_people
from server.sync.writes import was_applied
from server.web.deps import QUICK_READS, provide_actor
from server.web.forms import form_data, is_htmx
from server.web.guards import signed_in
from server.web.writes import form_payload, parse_uuid, submit_write

NEWCOMER_FIELDS = (
    "person_id",
    "given_name",
    "family_name",
    "sex",
    "birth_year",
    "nationality",
    "phone",
    "population_group",
    *(f"wg_{domain}" for domain in WG_DOMAINS),
    "consent_purposes",
    "consent_shown_in",
)


def _newcomer_page(
    context: SessionContext,
    values: dict[str, Any],
    *,
    errors: dict[str, Message] | None = None,
    similar: list[Person] | None = None,
    status: int = 200,
) -> Template:
    return Template(
        template_name="attendance/newcomer.html",
        context={
            "context": context,
            "values": values,
            "errors": errors or {},
            "similar": similar or [],
            "wg_domains": WG_DOMAINS,
        },
        status_code=status,
    )


class ArrivalPages(Controller):
    opt = {QUICK_READS: True}  # a page's few indexed reads (decision 27)
    path = "/sessions/{session_id:uuid}"
    guards = [signed_in]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/newcomer", name="newcomer")
    async def show_newcomer(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Template:
        context = await get_session(db, actor, session_id)
        values: dict[str, Any] = dict.fromkeys(NEWCOMER_FIELDS, "")
        values.update(person_id=str(uuid.uuid4()), consent_purposes=["attendance"])
        return _newcomer_page(context, values)

    @post("/newcomer")
    async def register_newcomer(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Response:
        context = await get_session(db, actor, session_id)
        form = await form_data(request, lists=("consent_purposes",))
        values = {name: form.get(name, "") for name in NEWCOMER_FIELDS}
        try:
            data = parse_form(NewPerson, values)
        except ValidationFailed as exc:
            return _newcomer_page(context, values, errors=exc.errors, status=400)
        repeat = await was_applied(db, parse_uuid(form.get("key")))
        if not form.get("confirm_new") and not repeat:
            similar = await find_similar(db, data.given_name, data.family_name, data.birth_year)
            if similar:
                return _newcomer_page(context, values, similar=similar, status=409)
        payload = {**values, "session_id": str(session_id), "confirm_new": True}
        result = await submit_write(request, db, actor, form, "people.register_newcomer", payload)
        if result.refused:
            return _newcomer_page(context, values, errors=result.errors, status=400)
        person_id = result.result.get("person_id", values["person_id"])
        return back_to_roster(session_id, f"roster-row-{person_id}", f"added={person_id}")

    @get("/add", name="add_person")
    async def show_add(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
        q: FromQuery[str] = "",
    ) -> Template:
        roster = await list_roster(db, actor, session_id)
        found = await search_people(db, q[:100], scope=people_visible_to(actor)) if q else []
        on_list = {row.person.id for row in roster.rows}
        return Template(
            template_name="attendance/add_person.html",
            context={"roster": roster, "q": q[:100], "found": found, "on_list": on_list},
        )

    @post("/add")
    async def add_person(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Response:
        await get_session(db, actor, session_id)
        form = await form_data(request)
        payload: dict[str, Any] = {
            "session_id": str(session_id),
            "person_id": str(form.get("person_id") or ""),
        }
        for name in ("given_name", "family_name", "birth_year"):
            if form.get(name):
                payload[name] = form[name]
        result = await submit_write(request, db, actor, form, "activities.enroll", payload)
        if result.refused:
            return Redirect(f"/sessions/{session_id}/add", status_code=HTTP_303_SEE_OTHER)
        person_id = payload["person_id"]
        return back_to_roster(session_id, f"roster-row-{person_id}", f"added={person_id}")

    @get("/check-in", name="check_in")
    async def show_check_in(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
        q: FromQuery[str] = "",
    ) -> Template:
        roster = await list_roster(db, actor, session_id)
        found = await search_people(db, q[:100], scope=people_visible_to(actor)) if q else []
        checked = {row.person.id for row in roster.rows if row.mark is not None}
        template = (
            "attendance/_check_in_results.html" if is_htmx(request) else "attendance/check_in.html"
        )
        return Template(
            template_name=template,
            context={
                "roster": roster,
                "q": q[:100],
                "found": found,
                "checked": checked,
                "outcome": None,
            },
        )

    @post("/check-in")
    async def check_in(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Response:
        await get_session(db, actor, session_id)
        form = await form_data(request)
        # The same payload the service worker queues when the post cannot reach the server:
        # the card code (looked up by the write's handler) or the person found on the phone.
        payload = form_payload(
            {name: form.get(name, "") for name in ("code", "person_id")},
            session_id=str(session_id),
        )
        result = await submit_write(request, db, actor, form, "attendance.check_in", payload)
        outcome: dict[str, Any] = {"error": next(iter(result.errors.values()), None)}
        person_id = parse_uuid(result.result.get("person_id"))
        if not result.refused and person_id is not None:
            person = await get_person(db, person_id, scope=people_visible_to(actor))
            outcome.update(person=person, already=bool(result.result.get("already")))
        elif outcome["error"] is None:
            outcome["error"] = Message(N_("No one with this card code is on your lists."))
        roster = await list_roster(db, actor, session_id)
        context = {"roster": roster, "q": "", "found": [], "checked": set(), "outcome": outcome}
        if is_htmx(request):
            return Template(template_name="attendance/_check_in_response.html", context=context)
        return Template(template_name="attendance/check_in.html", context=context)
