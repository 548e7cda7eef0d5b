"""Admin pages for staff accounts: list, create, disable and enable."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.models import Role
from server.auth.schemas import StaffUserCreate
from server.auth.service import create_user, list_users, set_user_active
from server.common.errors import Message, ValidationFailed
from server.common.validation import parse_form
from server.web.deps import provide_actor
from server.web.forms import form_data
from server.web.guards import roles


async def _staff_page(
    db: NamedDependency[AsyncSession],
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, Message] | None = None,
    status: int = 200,
) -> Template:
    return Template(
        template_name="auth/staff.html",
        context={
            "users": await list_users(db),
            "roles": list(Role),
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status,
    )


class StaffAdmin(Controller):
    path = "/admin/staff"
    guards = [roles(Role.ADMIN)]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/", name="staff")
    async def show_staff(self, db: NamedDependency[AsyncSession]) -> Template:
        return await _staff_page(db)

    @post("/")
    async def add_staff(
        self, request: Request, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> Response:
        raw = await form_data(request)
        values = {k: str(raw.get(k) or "")[:300] for k in ("email", "display_name", "role")}
        try:
            await create_user(db, parse_form(StaffUserCreate, raw), actor_id=actor.user_id)
        except ValidationFailed as exc:
            return await _staff_page(db, values=values, errors=exc.errors, status=400)
        return Redirect("/admin/staff", status_code=HTTP_303_SEE_OTHER)

    @post("/{user_id:uuid}/disable")
    async def disable(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        user_id: FromPath[uuid.UUID],
    ) -> Response:
        return await self._set_active(db, actor, user_id, False)

    @post("/{user_id:uuid}/enable")
    async def enable(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        user_id: FromPath[uuid.UUID],
    ) -> Response:
        return await self._set_active(db, actor, user_id, True)

    @staticmethod
    async def _set_active(
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        user_id: FromPath[uuid.UUID],
        active: bool,
    ) -> Response:
        try:
            await set_user_active(db, user_id, active, actor_id=actor.user_id)
        except ValidationFailed as exc:
            return await _staff_page(db, errors=exc.errors, status=400)
        return Redirect("/admin/staff", status_code=HTTP_303_SEE_OTHER)
