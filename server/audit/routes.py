"""The audit trail page for coordinators and admins: read and filter, never edit."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.log import AuditFilters, list_audit, parse_audit_filters
from server.auth.models import Role
from server.common.errors import Message, ValidationFailed
from server.web.appstate import AppState
from server.web.guards import roles


class AuditPages(Controller):
    path = "/audit"
    guards = [roles(Role.COORDINATOR, Role.ADMIN)]

    @get("/", name="audit")
    async def audit(
        self,
        db: NamedDependency[AsyncSession],
        app_state: NamedDependency[AppState],
        action: FromQuery[str] = "",
        actor: FromQuery[str] = "",
        from_date: FromQuery[str] = "",
        to_date: FromQuery[str] = "",
        entity: FromQuery[str] = "",
        page: FromQuery[str] = "",
    ) -> Template:
        values = {"action": action, "actor": actor, "from_date": from_date,
                  "to_date": to_date, "entity": entity, "page": page}  # fmt: skip
        errors: dict[str, Message] = {}
        try:
            filters = parse_audit_filters(values)
        except ValidationFailed as exc:
            errors, filters = exc.errors, AuditFilters()
        found = await list_audit(db, filters, timezone=app_state.settings.timezone)
        return Template(
            template_name="audit/log.html",
            context={"found": found, "filters": filters, "values": values, "errors": errors},
            status_code=400 if errors else 200,
        )
