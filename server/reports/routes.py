"""Coordinators' reports page and its exports (attendance marks, report tables)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Stream, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind
from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import ValidationFailed
from server.db import session_scope
from server.i18n.catalogs import Translator
from server.i18n.labels import label_msgid
from server.reports.exports import (
    ExportFile,
    Format,
    export_attendance,
    export_report,
    gzipped,
    record_export,
)
from server.reports.filters import ReportFilter, current_quarter, parse_filter
from server.reports.service import activity_choices, build_report
from server.reports.tables import report_tables
from server.web.appstate import AppState
from server.web.deps import provide_actor
from server.web.guards import roles, signed_in


def _download(export: ExportFile, request: Request) -> Response[bytes] | Stream:
    headers = {
        "Content-Disposition": f'attachment; filename="{export.filename}"',
        "Cache-Control": "no-store",  # personal data: never kept by a cache
    }
    if not export.streamed:
        return Response(export.content, media_type=export.media_type, headers=headers)
    # Sent as it is written; compressed here, at a faster level than the middleware's (which
    # skips this path: server/app.py).
    chunks: Iterable[bytes] = export.chunks
    if "gzip" in request.headers.get("accept-encoding", ""):
        chunks = gzipped(chunks)
        headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return Stream(_async(chunks), media_type=export.media_type, headers=headers)


async def _async(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    """Each chunk made on the event loop (a block of 10,000 rows: about 20 ms), not in a
    thread: the work is Python, which a thread would not run any sooner."""
    for chunk in chunks:
        yield chunk


class ReportPages(Controller):
    path = "/reports"
    guards = [signed_in, roles(Role.COORDINATOR, Role.ADMIN)]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    async def _page(
        self, db: AsyncSession, actor: Actor, request: Request, translator: Translator, today: date
    ) -> Template:
        context: dict[str, Any] = {
            "errors": {},
            "report": None,
            "tables": [],
            "values": {key: request.query_params.get(key, "") for key in ("from", "to")},
            "kind_choices": [
                (kind.value, translator.gettext(label_msgid("kind", kind))) for kind in ActivityKind
            ],
            "activities": await activity_choices(db, actor),
        }
        try:
            wanted = parse_filter(request.query_params, today)
            report = await build_report(db, actor, wanted)
            context["report"] = report
            context["tables"] = report_tables(report, translator, mask=False)[1:]
        except ValidationFailed as exc:
            context["errors"] = exc.errors
            start, end = current_quarter(today)
            wanted = ReportFilter(start, end)
        context["filter"] = wanted
        context["query"] = urlencode(wanted.as_query())
        status = 400 if context["errors"] else 200
        return Template(template_name="reports/page.html", context=context, status_code=status)

    @get("/", name="reports")
    async def show(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
        translator: NamedDependency[Translator],
    ) -> Template:
        return await self._page(db, actor, request, translator, app_state.settings.today())

    @get("/export/{what:str}/{form:str}", name="report_export")
    async def export(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
        translator: NamedDependency[Translator],
        what: FromPath[str],
        form: FromPath[str],
    ) -> Response[bytes] | Stream | Template:
        if what not in ("attendance", "report") or form not in ("csv", "xlsx"):
            raise NotFoundException()
        today = app_state.settings.today()
        try:
            wanted = parse_filter(request.query_params, today)
            file_form: Format = "csv" if form == "csv" else "xlsx"
            if what == "attendance":
                timezone = app_state.settings.timezone
                made = await export_attendance(db, actor, wanted, file_form, translator, timezone)
            else:
                made = await export_report(db, actor, wanted, file_form, translator)
        except ValidationFailed:
            return await self._page(db, actor, request, translator, today)
        async with session_scope(app_state.write_sessions) as written:
            await record_export(written, actor, made)
        return _download(made, request)
