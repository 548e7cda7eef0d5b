"""Coordinators' pages for setting up activities: create, edit (schedule, skipped dates,
capacity, ages, staff) and enrol people."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.editing import (
    COURSE_LANGUAGES,
    SLOT_ROWS,
    STAFF_ROLES,
    create_activity,
    form_values,
    read_activity_form,
    update_activity,
)
from server.activities.models import ActivityKind, Location
from server.activities.routes import activity_page
from server.activities.service import show_activity
from server.activities.sessions import enroll
from server.auth.actor import Actor
from server.auth.models import Role, StaffUser
from server.common.errors import Message, ValidationFailed
from server.common.vocab import CefrLevel
from server.i18n.catalogs import N_
from server.web.appstate import AppState
from server.web.deps import provide_actor
from server.web.forms import form_data
from server.web.guards import roles, signed_in
from server.web.writes import parse_uuid

FORM_LISTS = ("staff",)


async def _choices(db: AsyncSession) -> dict[str, Any]:
    locations = (await db.exec(select(Location).order_by(col(Location.name)))).all()
    staff = (
        await db.exec(
            select(StaffUser)
            .where(col(StaffUser.role).in_(STAFF_ROLES))
            .where(col(StaffUser.is_active).is_(True))
            .order_by(col(StaffUser.display_name))
        )
    ).all()
    return {
        "kinds": [k.value for k in ActivityKind],
        "locations": locations,
        "staff_users": staff,
        "course_languages": COURSE_LANGUAGES,
        "cefr_levels": [c.value for c in CefrLevel],
        "slot_rows": range(SLOT_ROWS),
    }


async def _form_page(
    db: AsyncSession,
    values: dict[str, Any],
    *,
    activity_id: uuid.UUID | None = None,
    errors: dict[str, Message] | None = None,
) -> Template:
    return Template(
        template_name="activities/form.html",
        context={
            **(await _choices(db)),
            "values": values,
            "errors": errors or {},
            "activity_id": activity_id,
        },
        status_code=400 if errors else 200,
    )


class ActivityAdmin(Controller):
    path = "/activities"
    guards = [signed_in, roles(Role.COORDINATOR, Role.ADMIN)]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/new", name="activity_new")
    async def new(
        self, db: NamedDependency[AsyncSession], app_state: NamedDependency[AppState]
    ) -> Template:
        values = {"kind": "", "start_date": app_state.settings.today().isoformat(), "staff": []}
        return await _form_page(db, values)

    @post("/new")
    async def create(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
    ) -> Response:
        form = await form_data(request, lists=FORM_LISTS)
        try:
            data = read_activity_form(form)
            saved = await create_activity(
                db,
                actor,
                data,
                today=app_state.settings.today(),
                ahead_days=app_state.settings.sessions_ahead_days,
            )
        except ValidationFailed as exc:
            return await _form_page(db, form, errors=exc.errors)
        target = f"/activities/{saved.activity.id}?created={saved.added}"
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)

    @get("/{activity_id:uuid}/edit", name="activity_edit")
    async def edit(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
    ) -> Template:
        detail = await show_activity(db, actor, activity_id)
        values = form_values(detail.activity, detail.slots, detail.staff)
        return await _form_page(db, values, activity_id=activity_id)

    @post("/{activity_id:uuid}/edit")
    async def update(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
    ) -> Response:
        await show_activity(db, actor, activity_id)  # 404 before reading the form
        form = await form_data(request, lists=FORM_LISTS)
        try:
            data = read_activity_form(form)
            saved = await update_activity(
                db,
                actor,
                activity_id,
                data,
                today=app_state.settings.today(),
                ahead_days=app_state.settings.sessions_ahead_days,
            )
        except ValidationFailed as exc:
            await db.rollback()
            return await _form_page(db, form, activity_id=activity_id, errors=exc.errors)
        query = f"added={saved.added}&removed={saved.removed}&kept={saved.kept}"
        return Redirect(f"/activities/{activity_id}?{query}", status_code=HTTP_303_SEE_OTHER)

    @post("/{activity_id:uuid}/enrol", name="activity_enrol")
    async def enrol(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        activity_id: FromPath[uuid.UUID],
        app_state: NamedDependency[AppState],
        q: FromQuery[str] = "",
    ) -> Response:
        form = await form_data(request)
        person_id = parse_uuid(form.get("person_id"))
        try:
            if person_id is None:
                raise ValidationFailed({"": Message(N_("Unknown item."))})
            await enroll(db, actor, activity_id, person_id, on=app_state.settings.today())
        except ValidationFailed as exc:
            await db.rollback()
            reason = next(iter(exc.errors.values()))
            return await activity_page(
                db, actor, activity_id, app_state, q=q[:100], enrol_error=reason
            )
        return Redirect(
            f"/activities/{activity_id}?enrolled={person_id}#enrolled",
            status_code=HTTP_303_SEE_OTHER,
        )
