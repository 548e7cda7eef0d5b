"""The session page a facilitator uses on a phone: the roster, marking, closing, notes."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.sessions import get_session
from server.attendance.roster import Roster, list_roster, roster_row
from server.auth.actor import Actor
from server.common.errors import Message
from server.sync.writes import WriteResult, refusal_of
from server.web.deps import QUICK_READS, provide_actor
from server.web.forms import form_data, is_htmx
from server.web.guards import signed_in
from server.web.writes import parse_uuid, submit_write

SHEET_BLANK_ROWS = 8  # for newcomers, written in by hand


def first_error(result: WriteResult) -> Message | None:
    return next(iter(result.errors.values()), None) if result.refused else None


def roster_page(roster: Roster, *, status: int = 200, **context: Any) -> Template:
    defaults: dict[str, Any] = {
        "q": "",
        "errors": {},
        "saved": False,
        "added": None,
        "queued": False,
    }
    return Template(
        template_name="attendance/roster.html",
        context={**defaults, **context, "roster": roster},
        status_code=status,
    )


def back_to_roster(session_id: uuid.UUID, anchor: str = "", query: str = "") -> Redirect:
    target = (
        f"/sessions/{session_id}"
        + (f"?{query}" if query else "")
        + (f"#{anchor}" if anchor else "")
    )
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


class RosterPages(Controller):
    opt = {QUICK_READS: True}  # a page's few indexed reads (decision 27)
    path = "/sessions/{session_id:uuid}"
    guards = [signed_in]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/", name="roster")
    async def show_roster(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
        q: FromQuery[str] = "",
        saved: FromQuery[str] = "",
        added: FromQuery[str] = "",
        queued: FromQuery[str] = "",
    ) -> Template:
        roster = await list_roster(db, actor, session_id)
        return roster_page(
            roster, q=q[:100], saved=bool(saved), added=parse_uuid(added), queued=bool(queued)
        )

    @get("/sheet", name="sign_in_sheet")
    async def sign_in_sheet(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Template:
        """A paper sign-in sheet, for the day every phone is dead."""
        roster = await list_roster(db, actor, session_id)
        return Template(
            template_name="attendance/sheet.html",
            context={"roster": roster, "blank_rows": range(SHEET_BLANK_ROWS)},
        )

    @get("/rows/{person_id:uuid}", name="roster_row")
    async def show_row(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
        person_id: FromPath[uuid.UUID],
        refused: FromQuery[str] = "",
    ) -> Template:
        """One row and the counts, as after a tap: the service worker asks for it once a
        queued mark is confirmed (with `refused=<key>` when the server said no)."""
        roster, row = await roster_row(db, actor, session_id, person_id)
        error = await refusal_of(db, parse_uuid(refused), actor.user_id)
        return Template(
            template_name="attendance/_mark_response.html",
            context={"roster": roster, "row": row, "error": error},
        )

    @post("/marks")
    async def mark(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Response:
        await get_session(db, actor, session_id)
        form = await form_data(request)
        person_id = parse_uuid(form.get("person_id"))
        payload = {
            "session_id": str(session_id),
            "person_id": str(form.get("person_id") or ""),
            "status": str(form.get("status") or ""),
            "quantity": form.get("quantity") or None,
        }
        result = await submit_write(request, db, actor, form, "attendance.mark", payload)
        error = first_error(result)
        if is_htmx(request) and person_id is not None:
            roster, row = await roster_row(db, actor, session_id, person_id)
            return Template(
                template_name="attendance/_mark_response.html",
                context={"roster": roster, "row": row, "error": error},
                status_code=422 if error else 200,
            )
        if error is not None:
            roster = await list_roster(db, actor, session_id)
            errors = {str(person_id or ""): error}
            return roster_page(roster, status=400, errors=errors)
        return back_to_roster(session_id, f"roster-row-{person_id}")

    @post("/close")
    async def close(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Response:
        await get_session(db, actor, session_id)
        form = await form_data(request)
        await submit_write(
            request, db, actor, form, "session.close", {"session_id": str(session_id)}
        )
        if is_htmx(request):
            roster = await list_roster(db, actor, session_id)
            return Template(
                template_name="attendance/_close_response.html",
                context={"roster": roster, "errors": {}},
            )
        return back_to_roster(session_id, "roster")

    @post("/details")
    async def save_details(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        session_id: FromPath[uuid.UUID],
    ) -> Response:
        await get_session(db, actor, session_id)
        form = await form_data(request)
        payload = {
            "session_id": str(session_id),
            "status": str(form.get("status") or ""),
            "note": str(form.get("note") or ""),
        }
        result = await submit_write(request, db, actor, form, "session.update", payload)
        if result.refused:
            roster = await list_roster(db, actor, session_id)
            return roster_page(
                roster, status=400, detail_errors=result.errors, detail_values=payload
            )
        return back_to_roster(session_id, "session-details", "saved=1")
