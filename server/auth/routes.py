"""Sign-in, sign-out and the language choice."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import StaffUser
from server.auth.schemas import LanguageChoice, SignInForm
from server.auth.service import (
    SignInRefused,
    authenticate,
    end_session,
    home_path,
    set_language,
    start_session,
)
from server.common.errors import ValidationFailed
from server.common.validation import parse_form
from server.web.appstate import AppState
from server.web.deps import QUICK_READS, client_ip
from server.web.forms import form_data, safe_next
from server.web.middleware import LANGUAGE_COOKIE, SESSION_COOKIE, session_cookie

ONE_YEAR = 365 * 24 * 3600


def _sign_in_page(values: dict[str, str], errors: dict[str, object], status: int) -> Template:
    return Template(
        template_name="auth/sign_in.html",
        context={"values": values, "errors": errors},
        status_code=status,
    )


class AuthController(Controller):
    opt = {QUICK_READS: True}  # a page's few indexed reads (decision 27)

    @get("/sign-in", name="sign_in")
    async def show_sign_in(self, request: Request, next: FromQuery[str] = "") -> Response:
        user: StaffUser | None = request.scope.get("user")
        if user is not None:
            return Redirect(safe_next(next, home_path(user.role)), status_code=HTTP_303_SEE_OTHER)
        return _sign_in_page({"email": "", "next": safe_next(next, "")}, {}, 200)

    @post("/sign-in")
    async def sign_in(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        app_state: NamedDependency[AppState],
    ) -> Response:
        raw = await form_data(request)
        values = {"email": str(raw.get("email") or "")[:254], "next": str(raw.get("next") or "")}
        try:
            form = parse_form(SignInForm, raw)
            user = await authenticate(
                db,
                form.email,
                form.password,
                ip_address=client_ip(request),
                limit=app_state.sign_in_limit,
            )
        except ValidationFailed as exc:
            return _sign_in_page(values, dict(exc.errors), 400)
        except SignInRefused as exc:
            return _sign_in_page(values, {"": exc.message}, 400)
        lifetime = app_state.session_lifetime
        token = await start_session(
            db,
            user,
            lifetime=lifetime,
            user_agent=request.headers.get("user-agent", ""),
            ip_address=client_ip(request),
        )
        response = Redirect(
            safe_next(form.next, home_path(user.role)), status_code=HTTP_303_SEE_OTHER
        )
        response.set_cookie(
            session_cookie(app_state, request.scope, token, max_age=int(lifetime.total_seconds()))
        )
        return response

    @post("/sign-out")
    async def sign_out(self, request: Request, db: NamedDependency[AsyncSession]) -> Response:
        user: StaffUser | None = request.scope.get("user")
        token = request.cookies.get(SESSION_COOKIE, "")
        if token:
            await end_session(db, token, actor_id=user.id if user else None)
        response = Redirect("/sign-in", status_code=HTTP_303_SEE_OTHER)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @post("/language")
    async def choose_language(
        self, request: Request, db: NamedDependency[AsyncSession]
    ) -> Response:
        raw = await form_data(request)
        try:
            choice = parse_form(LanguageChoice, raw)
        except ValidationFailed:
            return Redirect(safe_next(str(raw.get("next") or "")), status_code=HTTP_303_SEE_OTHER)
        user: StaffUser | None = request.scope.get("user")
        if user is not None:
            await set_language(db, user.id, choice.language)
        response = Redirect(safe_next(choice.next), status_code=HTTP_303_SEE_OTHER)
        response.set_cookie(
            Cookie(
                key=LANGUAGE_COOKIE,
                value=choice.language.value,
                max_age=ONE_YEAR,
                samesite="lax",
                path="/",
                httponly=True,
            )
        )
        return response
