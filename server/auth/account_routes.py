"""The signed-in person's own account: changing their password."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.credentials import change_own_password
from server.auth.models import StaffUser
from server.auth.schemas import PasswordChangeForm
from server.auth.service import start_session
from server.common.errors import Message, ValidationFailed
from server.common.validation import parse_form
from server.web.appstate import AppState
from server.web.deps import client_ip
from server.web.forms import form_data
from server.web.guards import signed_in
from server.web.middleware import session_cookie


def _password_page(errors: dict[str, Message], status: int, *, changed: bool = False) -> Template:
    return Template(
        template_name="auth/password.html",
        context={"errors": errors, "changed": changed},
        status_code=status,
    )


class AccountPages(Controller):
    path = "/account"
    guards = [signed_in]

    @get("/password", name="change_password")
    async def show_change_password(self, changed: FromQuery[bool] = False) -> Template:
        return _password_page({}, 200, changed=changed)

    @post("/password")
    async def change_password(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        app_state: NamedDependency[AppState],
    ) -> Response:
        user: StaffUser = request.scope["user"]
        try:
            form = parse_form(PasswordChangeForm, await form_data(request))
            await change_own_password(
                db, user.id, form, ip_address=client_ip(request), limit=app_state.sign_in_limit
            )
        except ValidationFailed as exc:
            return _password_page(exc.errors, 400)
        # Every session of the account has ended; this browser gets a new one.
        lifetime = app_state.session_lifetime
        token = await start_session(
            db,
            user,
            lifetime=lifetime,
            user_agent=request.headers.get("user-agent", ""),
            ip_address=client_ip(request),
        )
        response = Redirect("/account/password?changed=true", status_code=HTTP_303_SEE_OTHER)
        response.set_cookie(
            session_cookie(app_state, request.scope, token, max_age=int(lifetime.total_seconds()))
        )
        return response
