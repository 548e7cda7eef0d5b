"""Admin pages for staff accounts: list, create, disable and enable, set a new password."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.credentials import set_user_password
from server.auth.models import Role, StaffUser
from server.auth.schemas import PasswordSetForm, StaffUserCreate
from server.auth.service import create_user, get_user, list_users, set_user_active
from server.common.errors import Message, ValidationFailed
from server.common.validation import parse_form
from server.web.deps import client_ip, provide_actor
from server.web.forms import form_data
from server.web.guards import roles


async def _staff_page(
    db: NamedDependency[AsyncSession],
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, Message] | None = None,
    status: int = 200,
    password_set: uuid.UUID | None = None,
) -> Template:
    users = await list_users(db)
    return Template(
        template_name="auth/staff.html",
        context={
            "users": users,
            "roles": list(Role),
            "values": values or {},
            "errors": errors or {},
            "password_set": next((u for u in users if u.id == password_set), None),
        },
        status_code=status,
    )


class StaffAdmin(Controller):
    path = "/admin/staff"
    guards = [roles(Role.ADMIN)]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/", name="staff")
    async def show_staff(
        self, db: NamedDependency[AsyncSession], password_set: FromQuery[uuid.UUID | None] = None
    ) -> Template:
        return await _staff_page(db, password_set=password_set)

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

    @get("/{user_id:uuid}/password", name="staff_password")
    async def show_set_password(
        self, db: NamedDependency[AsyncSession], user_id: FromPath[uuid.UUID]
    ) -> Template:
        return _password_page(await get_user(db, user_id), {}, 200)

    @post("/{user_id:uuid}/password")
    async def set_password(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        user_id: FromPath[uuid.UUID],
    ) -> Response:
        target = await get_user(db, user_id)
        try:
            form = parse_form(PasswordSetForm, await form_data(request))
            await set_user_password(
                db, target.id, form.password, actor_id=actor.user_id, ip_address=client_ip(request)
            )
        except ValidationFailed as exc:
            return _password_page(target, exc.errors, 400)
        return Redirect(f"/admin/staff?password_set={target.id}", status_code=HTTP_303_SEE_OTHER)


def _password_page(target: StaffUser, errors: dict[str, Message], status: int) -> Template:
    return Template(
        template_name="auth/staff_password.html",
        context={"target": target, "errors": errors},
        status_code=status,
    )
