"""Admins' pages for data-protection requests about one person: see and download everything
held about them, and erase them."""

from __future__ import annotations

import json
import uuid

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import ValidationFailed
from server.records.erasure import MAX_REASON, erase_person
from server.records.mentions import find_mentions
from server.records.profile import person_record
from server.records.purge import purge_old_versions
from server.records.subject import export_person
from server.web.appstate import AppState
from server.web.deps import provide_actor
from server.web.forms import form_data
from server.web.guards import roles

PRIVATE = {"Cache-Control": "no-store"}  # personal data: never kept by a cache


class DataRequests(Controller):
    path = "/people/{person_id:uuid}"
    guards = [roles(Role.ADMIN)]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/data", name="person_data")
    async def data_page(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        person_id: FromPath[uuid.UUID],
    ) -> Template:
        data = await export_person(db, actor, person_id)
        return Template(
            template_name="people/data.html",
            context={"data": data, "person_id": person_id},
            headers=PRIVATE,
        )

    @get("/data.json", name="person_data_json")
    async def data_file(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        person_id: FromPath[uuid.UUID],
    ) -> Response[bytes]:
        data = await export_person(db, actor, person_id)
        name = f"razem-person-{data['person']['code']}.json"
        return Response(
            json.dumps(data, ensure_ascii=False, indent=2).encode(),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"', **PRIVATE},
        )

    @get("/erase", name="person_erase_confirm")
    async def confirm_erase(
        self,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        person_id: FromPath[uuid.UUID],
    ) -> Template:
        return await _erase_page(db, actor, person_id)

    @post("/erase", name="person_erase")
    async def erase(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
        person_id: FromPath[uuid.UUID],
    ) -> Response:
        form = await form_data(request)
        reason = str(form.get("reason") or "")
        try:
            await erase_person(db, actor, person_id, reason=reason)
        except ValidationFailed as exc:
            return await _erase_page(db, actor, person_id, reason, exc)
        # Run once the response is sent, so after the request's transaction is committed.
        return Redirect(
            f"/people/{person_id}",
            status_code=HTTP_303_SEE_OTHER,
            background=BackgroundTask(purge_old_versions, app_state.engine),
        )


async def _erase_page(
    db: AsyncSession,
    actor: Actor,
    person_id: uuid.UUID,
    reason: str = "",
    error: ValidationFailed | None = None,
) -> Template:
    record = await person_record(db, actor, person_id)
    return Template(
        template_name="people/erase.html",
        context={
            "record": record,
            "mentions": [] if record.person.erased_at else await find_mentions(db, record.person),
            "reason": reason[:MAX_REASON],
            "errors": error.errors if error else {},
            "max_reason": MAX_REASON,
        },
        status_code=400 if error else 200,
    )
