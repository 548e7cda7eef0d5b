"""Error pages in the person's language; JSON for API clients; sign-in for the signed out."""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_413_REQUEST_ENTITY_TOO_LARGE
from litestar.types import ExceptionHandlersMap

from server.common.errors import Forbidden, Message, NotFound
from server.i18n.catalogs import N_, Translator
from server.web.middleware import ensure_translator

logger = logging.getLogger("razem.web")

TOO_LARGE = N_("Too large: at most %(size)s MB can be sent at once. Nothing was changed.")
BAD_REQUEST = N_("The request could not be read. Nothing was changed.")


class RequestRefused(ClientException):
    """A request refused whole before anything was written, with a message for the person."""

    def __init__(
        self, message: Message, *, status_code: int = 400, detail: str = "", extra: Any = None
    ) -> None:
        super().__init__(
            detail=detail or message.msgid % message.params, status_code=status_code, extra=extra
        )
        self.message = message


class ErrorOut(msgspec.Struct, omit_defaults=True):
    """The JSON body of a refused API request."""

    status_code: int
    detail: Annotated[str, msgspec.Meta(description="What was wrong, for developers")] = ""
    message: Annotated[
        str, msgspec.Meta(description="What was wrong, in the person's language")
    ] = ""
    extra: Annotated[
        list[Any] | dict[str, Any] | None, msgspec.Meta(description="Details per field")
    ] = None


def _message_for(request: Request, exc: HTTPException) -> Message:
    if isinstance(exc, RequestRefused):
        return exc.message
    if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.route_handler.resolve_request_max_body_size() or 0
        return Message(TOO_LARGE, {"size": f"{limit / (1024 * 1024):g}"})
    return Message(BAD_REQUEST)


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "*/*" in accept or not accept


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _error_page(request: Request, status: int, template: str) -> Response:
    ensure_translator(request.scope)
    if not _wants_html(request):
        return Response({"status_code": status}, status_code=status, media_type=MediaType.JSON)
    return Template(template_name=template, context={"status": status}, status_code=status)


def not_signed_in(request: Request, _exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/sign-in?next={quote(target, safe='')}"
    if _is_htmx(request):
        return Response("", status_code=401, headers={"HX-Redirect": location})
    if not _wants_html(request) or request.method not in ("GET", "HEAD"):
        return Response({"status_code": 401}, status_code=401, media_type=MediaType.JSON)
    return Redirect(location, status_code=HTTP_303_SEE_OTHER)


def forbidden(request: Request, exc: Exception) -> Response:
    if "csrf" in str(getattr(exc, "detail", "")).lower():
        return _error_page(request, 403, "errors/csrf.html")
    return _error_page(request, 403, "errors/403.html")


def not_found(request: Request, _exc: Exception) -> Response:
    return _error_page(request, 404, "errors/404.html")


def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code >= 500:
        logger.exception("request failed", exc_info=exc)
        return _error_page(request, exc.status_code, "errors/500.html")
    ensure_translator(request.scope)
    reason = _message_for(request, exc)
    if not _wants_html(request):
        translator: Translator = request.scope["state"]["translator"]
        body = ErrorOut(
            status_code=exc.status_code,
            detail=exc.detail,
            message=translator.gettext(reason.msgid, **reason.params),
            extra=exc.extra or None,
        )
        return Response(
            body, status_code=exc.status_code, media_type=MediaType.JSON, headers=exc.headers
        )
    return Template(
        template_name="errors/400.html",
        context={"status": exc.status_code, "reason": reason},
        status_code=exc.status_code,
        headers=exc.headers,  # e.g. Allow on a 405
    )


def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error", exc_info=exc)
    return _error_page(request, 500, "errors/500.html")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotAuthorizedException: not_signed_in,
    PermissionDeniedException: forbidden,
    Forbidden: forbidden,
    NotFoundException: not_found,
    NotFound: not_found,
    HTTPException: http_error,
    Exception: server_error,
}
