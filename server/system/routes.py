"""Health, metrics, home redirect, `/sw.js` (outside auth) and the web app manifest."""

from __future__ import annotations

import hmac
import json
from importlib.resources import files
from pathlib import Path
from typing import Literal

import msgspec
from litestar import MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.types import Scope
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from server import __version__
from server.auth.models import StaffUser
from server.auth.service import home_path
from server.db import database_is_reachable
from server.i18n.catalogs import Translator
from server.settings import HTMX_SRI
from server.web.appstate import AppState
from server.web.assets import minified_file

SERVICE_WORKER_DIR = Path(str(files("service_worker")))


@get("/", name="home", include_in_schema=False)
async def home(request: Request) -> Response:
    user: StaffUser | None = request.scope.get("user")
    target = home_path(user.role) if user else "/sign-in"
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


class HealthOut(msgspec.Struct):
    status: Literal["ok", "error"]
    database: Literal["ok", "unreachable"]


@get(
    "/healthz",
    name="health",
    cache=False,
    include_in_schema=True,
    summary="Whether the app and its database answer",
    responses={
        503: ResponseSpec(
            HealthOut, generate_examples=False, description="The database does not answer"
        )
    },
)
async def health(app_state: NamedDependency[AppState]) -> Response[HealthOut]:
    """200 when the app and its database answer, 503 when the database does not."""
    if await database_is_reachable(app_state.engine):
        return Response(HealthOut(status="ok", database="ok"), media_type=MediaType.JSON)
    return Response(
        HealthOut(status="error", database="unreachable"),
        status_code=503,
        media_type=MediaType.JSON,
    )


SW_MODULES = frozenset(
    {
        "outbox-store.js",
        "outbox-sync.js",
        "precache.js",
        "strategies.js",
        "offline-pack.js",
        "queued-page.js",
    }
)


def _worker_script(app_state: AppState, name: str) -> str:
    path = SERVICE_WORKER_DIR / name
    return minified_file(path) if app_state.settings.minify_assets else path.read_text()


def _worker_config(app_state: AppState) -> str:
    """The worker learns the app version and the htmx URL from its own script, so a new
    release (or another htmx URL) is a new worker script, which the browser installs."""
    config = {
        "version": f"{__version__}-{app_state.settings.build}"
        if app_state.settings.build
        else __version__,
        "htmxUrl": app_state.settings.htmx_url,
        "htmxIntegrity": HTMX_SRI,
    }
    return f"self.RAZEM_CONFIG = {json.dumps(config)};\n"


@get("/sw.js", name="service_worker", include_in_schema=False)
async def service_worker(app_state: NamedDependency[AppState]) -> Response:
    # Served from the site root so its scope is the whole app, and never behind sign-in:
    # a worker script answered with a redirect fails to install or update.
    body = _worker_config(app_state) + _worker_script(app_state, "sw.js")
    return Response(
        body,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@get("/sw/{name:str}", name="service_worker_module", include_in_schema=False)
async def service_worker_module(
    name: FromPath[str], app_state: NamedDependency[AppState]
) -> Response:
    """The worker's modules (importScripts); also loaded by pages that read the outbox."""
    if name not in SW_MODULES:
        raise NotFoundException()
    return Response(
        _worker_script(app_state, name),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


@get("/manifest.webmanifest", name="manifest", include_in_schema=False)
async def manifest(translator: NamedDependency[Translator]) -> Response:
    _ = translator.gettext
    icons = [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {
            "src": "/static/icons/icon-maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "name": "Razem",
        "short_name": "Razem",
        "description": _("Attendance and progress for integration activities"),
        "lang": translator.language,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5c4c",
        "icons": icons,
    }
    return Response(body, media_type="application/manifest+json")


_FORWARDED = frozenset({b"x-forwarded-for", b"forwarded", b"x-real-ip"})
_LOOPBACK = frozenset({"127.0.0.1", "::1"})


def may_read_metrics(scope: Scope, token: str) -> bool:
    """With RAZEM_METRICS_TOKEN set: a request bearing it. Without: a request made directly on
    the loopback interface, not forwarded by a proxy (decision 0018)."""
    headers = scope.get("headers", ())
    if token:
        expected = f"Bearer {token}".encode()
        given = next((v for k, v in headers if k == b"authorization"), b"")
        return hmac.compare_digest(given, expected)
    client = scope.get("client")
    direct = not any(k in _FORWARDED for k, _ in headers)
    return direct and client is not None and client[0] in _LOOPBACK


@get("/metrics", name="metrics", cache=False, include_in_schema=False)
async def metrics(request: Request, app_state: NamedDependency[AppState]) -> Response:
    """Prometheus text format: request latency, sync batches and writes. Anyone else is
    answered as if there were nothing here."""
    if not may_read_metrics(request.scope, app_state.settings.metrics_token):
        raise NotFoundException()
    return Response(
        generate_latest(REGISTRY),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
