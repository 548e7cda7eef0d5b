"""Refuse, before any handler runs, input that no browser or device of ours sends: text that
is not valid UTF-8, or that holds a NUL character, in the query string, a form body
(URL-encoded, or the text fields of a multipart one) or a JSON body. A replacement character
would silently change what a person typed, and PostgreSQL cannot store NUL at all (it would
fail the request with a 500 deep in a write)."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import SerializationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from server.common.errors import Message
from server.i18n.catalogs import N_
from server.web.errors import RequestRefused

UNREADABLE = N_(
    "The request holds characters that are not valid text (invalid UTF-8 or a NUL character). "
    "Nothing was changed."
)
UNREADABLE_JSON = N_("The request is not valid JSON. Nothing was changed.")
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def readable_form(raw: bytes) -> bool:
    """Whether every name and value of a query string or URL-encoded form decodes to text
    without NUL."""
    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            value = unquote_to_bytes(piece.replace(b"+", b" "))
            if b"\x00" in value:
                return False
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def holds_nul(document: Any) -> bool:
    """Whether any key or string in a decoded JSON document holds NUL (walked without
    recursion: the nesting depth is the sender's choice)."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


async def refuse_unreadable_input(request: Request) -> None:
    """The app's `before_request` hook: raise `RequestRefused` (400) for unreadable text."""
    if not readable_form(request.scope.get("query_string", b"")):
        raise RequestRefused(Message(UNREADABLE))
    if request.method in _SAFE_METHODS:
        return
    media_type = request.content_type[0]
    if media_type == RequestEncodingType.URL_ENCODED:
        if not readable_form(await request.body()):
            raise RequestRefused(Message(UNREADABLE))
    elif media_type == RequestEncodingType.JSON:
        body = await request.body()
        try:
            body.decode("utf-8")
            document = await request.json()  # decoded once: Litestar keeps it for the handler
        except UnicodeDecodeError:
            raise RequestRefused(Message(UNREADABLE)) from None
        except SerializationException as exc:
            raise RequestRefused(Message(UNREADABLE_JSON), detail=str(exc)) from None
        # A decoded string can hold NUL only where the body has one or the escape \u0000:
        # most bodies have neither, and need no walk through every string.
        if (b"\x00" in body or b"\\u0000" in body) and holds_nul(document):
            raise RequestRefused(Message(UNREADABLE))


def _is_multipart(scope: HTTPScope) -> bool:
    if scope["method"] in _SAFE_METHODS:
        return False
    for name, value in scope["headers"]:
        if name.lower() == b"content-type":
            return value.lstrip().lower().startswith(b"multipart/form-data")
    return False


class ReadableMultipart(ASGIMiddleware):
    """Multipart bodies (the import's upload) are parsed here, before the CSRF middleware reads
    the form, so that a text field that is not UTF-8 (or names a charset that does not exist)
    or holds NUL is a 400 with the message above rather than a 500. Litestar keeps the parsed
    form in the request's state, so it is parsed once. Files stay bytes: an import reads them
    in their own encoding (Windows-1250 too)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        # Every request passes here: only a multipart post is looked at further.
        if _is_multipart(cast("HTTPScope", scope)):
            request: Request[Any, Any, Any] = Request(scope, receive)
            try:
                form = await request.form()
            except (UnicodeDecodeError, LookupError):
                raise RequestRefused(Message(UNREADABLE)) from None
            if any(isinstance(value, str) and "\x00" in value for value in form.values()):
                raise RequestRefused(Message(UNREADABLE))
        await next_app(scope, receive, send)
