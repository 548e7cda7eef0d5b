"""Per request: who is signed in (a database-backed session) and which language to speak."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server.auth.service import ResolvedSession, resolve_session, touch_session
from server.db import session_scope
from server.i18n.catalogs import SUPPORTED_LANGUAGES, get_translator, negotiate_language

if TYPE_CHECKING:
    from server.web.appstate import AppState

SESSION_COOKIE = "razem_session"
LANGUAGE_COOKIE = "razem_lang"
_SKIP_AUTH_PREFIXES = (
    "/static/",
    "/sw.js",
    "/sw/",
    "/healthz",
    "/metrics",
    "/manifest.webmanifest",
    "/favicon",
)


def _cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(v for k, v in scope.get("headers", []) if k == b"cookie").decode("latin-1")
    jar: dict[str, str] = {}
    for part in raw.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name not in jar:
            jar[name] = value
    return jar


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def is_local_host(scope: Scope) -> bool:
    host = (_header(scope, b"host") or "").rsplit(":", 1)[0].strip("[]")
    return host in ("localhost", "127.0.0.1", "::1")


def session_cookie(app_state: AppState, scope: Scope, token: str, *, max_age: int) -> Cookie:
    secure = app_state.settings.secure_cookies
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=(not is_local_host(scope)) if secure is None else secure,
        path="/",
    )


class SessionAuthMiddleware(ASGIMiddleware):
    """Puts `user` (a StaffUser or None) and `auth` into the scope, and a translator into state.

    Sessions slide: a session used after `SESSION_TOUCH_INTERVAL` is extended to last the full
    lifetime from now, and its cookie is sent again with the new Max-Age.
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        app_state: AppState = scope["litestar_app"].state.razem
        resolved: ResolvedSession | None = None
        cookies = _cookies(scope)
        path = scope.get("path", "")
        token = cookies.get(SESSION_COOKIE, "")
        if token and not path.startswith(_SKIP_AUTH_PREFIXES):
            async with app_state.quick_read_sessions() as db:  # one indexed row (decision 27)
                resolved = await resolve_session(db, token)
        scope["user"] = resolved.user if resolved else None
        scope["auth"] = resolved
        state: dict[str, Any] = scope.setdefault("state", {})
        state["translator"] = get_translator(self._language(scope, cookies, resolved, app_state))
        if resolved is not None and resolved.needs_touch:
            lifetime = app_state.session_lifetime
            async with session_scope(app_state.write_sessions) as db:
                await touch_session(db, resolved.session.id, lifetime=lifetime)
            cookie = session_cookie(app_state, scope, token, max_age=int(lifetime.total_seconds()))
            send = _with_cookie(send, cookie)
        await next_app(scope, receive, send)

    @staticmethod
    def _language(
        scope: Scope,
        cookies: dict[str, str],
        resolved: ResolvedSession | None,
        app_state: AppState,
    ) -> str:
        if resolved is not None and resolved.user.language is not None:
            return resolved.user.language.value
        chosen = cookies.get(LANGUAGE_COOKIE)
        if chosen in SUPPORTED_LANGUAGES:
            return str(chosen)
        return negotiate_language(
            _header(scope, b"accept-language"), app_state.settings.default_language
        )


def ensure_translator(scope: Scope) -> None:
    """Errors raised before any route matched (404, 405) skip the middleware: pick a language
    for their page from the cookie and Accept-Language."""
    state: dict[str, Any] = scope.setdefault("state", {})
    if "translator" in state:
        return
    app_state: AppState = scope["litestar_app"].state.razem
    cookies = _cookies(scope)
    language = SessionAuthMiddleware._language(scope, cookies, None, app_state)
    state["translator"] = get_translator(language)
    scope.setdefault("user", None)


def _with_cookie(send: Send, cookie: Cookie) -> Send:
    """Re-send the session cookie, unless the handler set or deleted it (a new session after a
    password change, sign-out): the handler's cookie must win."""
    own = f"{cookie.key}=".encode("latin-1")

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(k.lower() == b"set-cookie" and v.startswith(own) for k, v in headers):
                name, value = cookie.to_encoded_header()
                headers.append((name, value))
                message = {**message, "headers": headers}
        await send(message)

    return wrapped
