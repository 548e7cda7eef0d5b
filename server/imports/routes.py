"""The import pages: the template, an upload that is only checked (the preview), and the
confirmation that writes the previewed file (decision 0010)."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.models import Role
from server.common.errors import Message
from server.common.models import utcnow
from server.i18n.catalogs import N_
from server.imports.columns import COLUMNS
from server.imports.parsing import MAX_BYTES, MAX_ROWS, ImportFileError, parse_file
from server.imports.service import ImportPlan, ImportRefused, apply_import, plan_import
from server.imports.signing import SignedUpload, sign_upload, verify_upload
from server.imports.template import template_csv, template_xlsx
from server.web.appstate import AppState
from server.web.deps import provide_actor
from server.web.forms import form_data
from server.web.guards import roles

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The upload (a file of at most MAX_BYTES) and the confirmation, which carries the same file
# again in base64 (a third larger): above the app's 1 MB for forms, with room to spare.
MAX_UPLOAD_BODY = 2 * MAX_BYTES
# Demo mode may run without a secret key: a random one per process is enough there.
_PROCESS_SECRET = secrets.token_urlsafe(32)


def _secret(app_state: AppState) -> str:
    return app_state.settings.secret_key or _PROCESS_SECRET


def _import_page(
    *,
    errors: dict[str, Message] | None = None,
    done: dict[str, int] | None = None,
    refused: ImportRefused | None = None,
    status: int = 200,
) -> Template:
    return Template(
        template_name="imports/import.html",
        context={
            "errors": errors or {},
            "done": done,
            "refused": refused,
            "columns": COLUMNS,
            "max_mb": MAX_BYTES // (1024 * 1024),
            "max_rows": MAX_ROWS,
        },
        status_code=status,
    )


def _preview_page(plan: ImportPlan, filename: str, signed: SignedUpload | None) -> Template:
    return Template(
        template_name="imports/preview.html",
        context={
            "plan": plan,
            "filename": filename,
            "signed": signed,
            "labels": {column.name: column.label for column in COLUMNS},
            "max_mb": MAX_BYTES // (1024 * 1024),
            "max_rows": MAX_ROWS,
        },
    )


def _download(content: bytes, filename: str, media_type: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class ImportPages(Controller):
    path = "/people/import"
    guards = [roles(Role.COORDINATOR, Role.ADMIN)]
    request_max_body_size = MAX_UPLOAD_BODY
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/", name="people_import")
    async def show(
        self,
        rows: FromQuery[int | None] = None,
        created: FromQuery[int] = 0,
        matched: FromQuery[int] = 0,
        enrolled: FromQuery[int] = 0,
    ) -> Template:
        done = None
        if rows is not None:
            done = {"rows": rows, "created": created, "matched": matched, "enrolled": enrolled}
        return _import_page(done=done)

    @get("/template.csv", name="people_import_template_csv")
    async def template_as_csv(self) -> Response[bytes]:
        return _download(template_csv(), "razem-import.csv", "text/csv; charset=utf-8")

    @get("/template.xlsx", name="people_import_template_xlsx")
    async def template_as_xlsx(self) -> Response[bytes]:
        return _download(template_xlsx(), "razem-import.xlsx", XLSX_TYPE)

    @post("/preview")
    async def preview(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
    ) -> Template:
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _import_page(
                errors={"file": Message(N_("Choose a CSV or XLSX file to import."))}, status=400
            )
        content = await upload.read()
        filename = upload.filename[:200]
        try:
            plan = await plan_import(db, parse_file(content, filename))
        except ImportFileError as exc:
            return _import_page(errors={"file": exc.message}, status=400)
        signed = None
        if not plan.problems:
            signed = sign_upload(_secret(app_state), actor.user_id, filename, content, utcnow())
        return _preview_page(plan, filename, signed)

    @post("/confirm")
    async def confirm(
        self,
        request: Request,
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        app_state: NamedDependency[AppState],
    ) -> Response[Any]:
        form = await form_data(request)
        signed = SignedUpload(
            content=str(form.get("content") or ""),
            filename=str(form.get("filename") or ""),
            issued_at=str(form.get("issued_at") or ""),
            signature=str(form.get("signature") or ""),
        )
        content = verify_upload(_secret(app_state), actor.user_id, signed, utcnow())
        if content is None:
            message = Message(N_("The previewed file could not be verified. Upload it again."))
            return _import_page(errors={"file": message}, status=400)
        try:
            plan = await plan_import(db, parse_file(content, signed.filename))
        except ImportFileError as exc:
            return _import_page(errors={"file": exc.message}, status=400)
        if plan.problems:  # the activities or people changed since the preview
            return _preview_page(plan, signed.filename, None)
        try:
            result = await apply_import(db, actor, plan, today=app_state.settings.today())
        except ImportRefused as exc:
            return _import_page(refused=exc, status=400)
        query = "&".join(f"{k}={v}" for k, v in vars(result).items())
        return Redirect(f"/people/import?{query}", status_code=HTTP_303_SEE_OTHER)
