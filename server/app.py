"""Wiring only: build the Litestar app from settings."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from os import PathLike
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

import server.coordination.handlers
import server.progress.handlers
import server.sync.handlers  # noqa: F401  (registers the write kinds)
from server import __version__
from server.activities.admin_routes import ActivityAdmin
from server.activities.routes import ActivityPages
from server.attendance.arrival_routes import ArrivalPages
from server.attendance.routes import RosterPages
from server.audit.routes import AuditPages
from server.auth.account_routes import AccountPages
from server.auth.routes import AuthController
from server.auth.staff_routes import StaffAdmin
from server.common.memory import settle_after_startup, tune_malloc
from server.coordination.routes import CoordinationPages
from server.imports.routes import ImportPages
from server.jobs import start_scheduler
from server.jobs.routes import JobsAdmin
from server.people.routes import PeoplePages
from server.progress.routes import LessonPages, ProgressPages
from server.records.routes import PeopleRecords
from server.records.subject_routes import DataRequests
from server.reports.routes import ReportPages
from server.settings import Settings, get_settings
from server.sync.pages import install_help, offline_page, sync_status
from server.sync.routes import SyncApi
from server.system.routes import (
    health,
    home,
    manifest,
    metrics,
    service_worker,
    service_worker_module,
)
from server.web.access_log import keep_queries_out_of_the_access_log
from server.web.appstate import AppState
from server.web.assets import minified_static
from server.web.deps import provide_app_state, provide_db, provide_translator
from server.web.errors import EXCEPTION_HANDLERS
from server.web.faults import FaultInjectionMiddleware
from server.web.input import ReadableMultipart, refuse_unreadable_input
from server.web.middleware import SessionAuthMiddleware
from server.web.observe import ObserveRequests
from server.web.openapi import StrictStructSchemaPlugin
from server.web.request_encoding import GzipRequestBody
from server.web.security_headers import SecurityHeaders
from server.web.templating import STATIC_DIR, build_template_engine

CSRF_COOKIE = "razem_csrf"
API_DESCRIPTION = (
    "The sync API of Razem's service worker. Text anywhere in a request (query string or "
    "body) must be valid UTF-8 without NUL characters: such a request is refused whole (400)."
)
# Forms are a few kilobytes: a larger body is refused (413) before it is read in full. The
# routes that need more set their own limit (the sync batch, the spreadsheet import).
MAX_BODY_BYTES = 1024 * 1024
CSRF_HEADER = "x-csrftoken"


def _static_directories(settings: Settings) -> list[Path | PathLike[Any] | str]:
    """Minified copies of our scripts and styles first, when asked for (decision 23)."""
    return [minified_static(STATIC_DIR), STATIC_DIR] if settings.minify_assets else [STATIC_DIR]


def _middleware(settings: Settings) -> list[Any]:
    # The last one wraps the CSRF middleware directly (Litestar puts it inside these).
    middleware: list[Any] = [SessionAuthMiddleware(), ReadableMultipart(), GzipRequestBody()]
    if settings.faults_file is not None:
        middleware.insert(0, FaultInjectionMiddleware(settings.faults_file))
    return middleware


def create_served_app() -> Litestar:
    """The app as `razem serve` runs it (uvicorn's factory): garbage collection settled for
    the process's life once it has started, glibc's malloc told to give memory back
    (server/common/memory.py)."""
    tune_malloc()
    app = create_app()
    app.on_startup.append(settle_after_startup)
    return app


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    settings.require_safe_secret()
    keep_queries_out_of_the_access_log()
    app_state = AppState.from_settings(settings)
    engine = build_template_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        scheduler = start_scheduler(app_state) if settings.run_jobs else None
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            await app_state.dispose()

    app = Litestar(
        route_handlers=[
            home,
            health,
            metrics,
            service_worker,
            service_worker_module,
            manifest,
            sync_status,
            offline_page,
            install_help,
            AuthController,
            AccountPages,
            ActivityAdmin,
            ActivityPages,
            LessonPages,
            ProgressPages,
            RosterPages,
            ArrivalPages,
            PeopleRecords,
            DataRequests,
            PeoplePages,
            ReportPages,
            ImportPages,
            SyncApi,
            StaffAdmin,
            JobsAdmin,
            CoordinationPages,
            AuditPages,
            create_static_files_router(
                path="/static", directories=_static_directories(settings), name="static"
            ),
        ],
        dependencies={
            "db": Provide(provide_db),
            "app_state": Provide(provide_app_state, sync_to_thread=False),
            "translator": Provide(provide_translator, sync_to_thread=False),
        },
        middleware=_middleware(settings),
        before_send=[SecurityHeaders(settings)],
        csrf_config=CSRFConfig(
            # Demo mode may run without a key: a random one per process is enough there.
            secret=settings.secret_key or secrets.token_urlsafe(32),
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_samesite="lax",
            cookie_secure=bool(settings.secure_cookies),
            cookie_httponly=False,  # page script reads it to send queued writes (offline issue)
            # The sync API is protected by its required X-Razem-Device header instead: a queued
            # write may be sent days later, after the CSRF cookie is gone (decision 7).
            exclude=["/healthz", "/sw.js", "/sw/", "/static", "/api/sync"],
        ),
        template_config=TemplateConfig(instance=engine),
        compression_config=CompressionConfig(
            backend="gzip",
            gzip_compress_level=6,
            minimum_size=500,
            # An XLSX file is a zip already: compressing it again costs time and saves nothing.
            # The attendance CSV is streamed and compressed by its handler (decision 22).
            exclude=[r"^/reports/export/(\w+/xlsx|attendance/csv)$"],
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=refuse_unreadable_input,
        request_max_body_size=MAX_BODY_BYTES,
        plugins=[HTMXPlugin(), StrictStructSchemaPlugin()],
        openapi_config=OpenAPIConfig(
            title="Razem",
            version=__version__,
            path="/api/schema",
            description=API_DESCRIPTION,
            # The schema as JSON (also at /api/schema) and YAML only: the interactive viewers
            # (Swagger UI, ReDoc…) load scripts from CDNs, which the CSP refuses and which
            # would be third-party code run on the app's origin.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        ),
        # The schema describes the JSON API only (the sync API, /healthz): pages opt out.
        include_in_schema=False,
        state=State({"razem": app_state}),
        lifespan=[lifespan],
        debug=False,
    )
    # Outside routing and the exception handlers: every request gets an id, a log line and a
    # latency observation, a 404 too (server/web/observe.py).
    app.asgi_handler = ObserveRequests(app.asgi_handler, trust_request_id=settings.trust_request_id)
    return app
