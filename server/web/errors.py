"""Error pages in the person's language; JSON for API clients; sign-in for the signed out."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.types import ExceptionHandlersMap

from server.common.errors import Forbidden, NotFound
from server.web.middleware import ensure_translator

logger = logging.getLogger("razem.web")


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
    if not _wants_html(request):
        return Response(
            {"status_code": exc.status_code, "detail": exc.detail},
            status_code=exc.status_code,
            media_type=MediaType.JSON,
        )
    ensure_translator(request.scope)
    return Template(
        template_name="errors/400.html",
        context={"status": exc.status_code},
        status_code=exc.status_code,
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
