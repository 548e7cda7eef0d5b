"""Coordinators' pages about what phones sent: synced rosters, devices, disagreements."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.service import list_activities
from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import Message, ValidationFailed
from server.common.models import utcnow
from server.coordination.devices import list_devices
from server.coordination.disagreements import list_disagreements
from server.coordination.rosters import list_session_marks, parse_filters, synced_roster
from server.web.appstate import AppState
from server.web.deps import provide_actor
from server.web.forms import form_data
from server.web.guards import roles
from server.web.writes import submit_write


def _now(app_state: AppState) -> datetime:
    return datetime.now(ZoneInfo(app_state.settings.timezone))


class CoordinationPages(Controller):
    path = "/coordination"
    guards = [roles(Role.COORDINATOR, Role.ADMIN)]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/sessions", name="synced_sessions")
    async def sessions(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
        from_date: FromQuery[str] = "",
        to_date: FromQuery[str] = "",
        activity: FromQuery[str] = "",
    ) -> Template:
        now = _now(app_state)
        values = {"from_date": from_date, "to_date": to_date, "activity": activity}
        errors: dict[str, Message] = {}
        try:
            filters = parse_filters(values, now.date())
        except ValidationFailed as exc:
            errors = exc.errors
            filters = parse_filters({}, now.date())
        sessions = await list_session_marks(db, actor, filters, now)
        return Template(
            template_name="coordination/sessions.html",
            context={
                "filters": filters,
                "values": values,
                "errors": errors,
                "sessions": sessions,
                "unmarked": [s for s in sessions if s.unmarked],
                "activities": await list_activities(db, actor),
            },
            status_code=400 if errors else 200,
        )

    @get("/sessions/{session_id:uuid}", name="synced_roster")
    async def roster(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Template:
        synced = await synced_roster(db, actor, session_id)
        return Template(template_name="coordination/roster.html", context={"synced": synced})

    @get("/devices", name="devices")
    async def devices(self, db: NamedDependency[AsyncSession]) -> Template:
        rows = await list_devices(db, utcnow())
        return Template(template_name="coordination/devices.html", context={"devices": rows})

    @get("/disagreements", name="disagreements")
    async def disagreements(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        resolved: FromQuery[str] = "",
    ) -> Template:
        return await _disagreements_page(db, actor, resolved=bool(resolved))

    @post("/disagreements/{mark_id:uuid}/resolve", name="resolve_disagreement")
    async def resolve(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        mark_id: FromPath[uuid.UUID],
    ) -> Response:
        form = await form_data(request)
        payload = {
            "mark_id": str(mark_id),
            "status": str(form.get("status") or ""),
            "quantity": form.get("quantity") or None,
        }
        result = await submit_write(request, db, actor, form, "attendance.resolve", payload)
        if result.refused:
            return await _disagreements_page(
                db, actor, errors=result.errors, error_mark=mark_id, values=payload
            )
        return Redirect("/coordination/disagreements?resolved=1", status_code=HTTP_303_SEE_OTHER)


async def _disagreements_page(db: AsyncSession, actor: Actor, **context: Any) -> Template:
    defaults: dict[str, Any] = {"errors": {}, "error_mark": None, "values": {}, "resolved": False}
    return Template(
        template_name="coordination/disagreements.html",
        context={**defaults, **context, "disagreements": await list_disagreements(db, actor)},
        status_code=400 if context.get("errors") else 200,
    )
