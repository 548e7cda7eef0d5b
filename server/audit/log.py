"""Reading the audit trail: filtered, newest first, a page at a time. There is no way to change
an entry here or anywhere else (the database refuses UPDATE and DELETE on the table)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.auth.models import StaffUser
from server.common.errors import Message, ValidationFailed
from server.i18n.catalogs import N_
from server.people.models import Person

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_id: uuid.UUID | None = None
    from_date: date | None = None
    to_date: date | None = None
    entity: str = ""  # an entity id, or a person's code
    page: int = 1


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: StaffUser | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    has_more: bool
    actions: list[str]
    staff: list[StaffUser]


def _date(raw: str, field: str, errors: dict[str, Message]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = Message(N_("Enter a date like 2026-03-31."))
        return None


def parse_audit_filters(values: Mapping[str, str]) -> AuditFilters:
    """Filters from the query string; raises ValidationFailed naming the fields that are wrong."""
    errors: dict[str, Message] = {}
    actor_id = None
    if values.get("actor"):
        try:
            actor_id = uuid.UUID(values["actor"])
        except ValueError:
            errors["actor"] = Message(N_("Choose a staff member from the list."))
    from_date = _date(values.get("from_date", ""), "from_date", errors)
    to_date = _date(values.get("to_date", ""), "to_date", errors)
    if from_date and to_date and from_date > to_date:
        errors["to_date"] = Message(N_("The end date is before the start date."))
    page = values.get("page", "") or "1"
    if not page.isdigit() or not 1 <= int(page) <= 100_000:
        errors["page"] = Message(N_("Choose a page from the list."))
    if errors:
        raise ValidationFailed(errors)
    return AuditFilters(
        action=values.get("action", "")[:60],
        actor_id=actor_id,
        from_date=from_date,
        to_date=to_date,
        entity=values.get("entity", "").strip()[:64],
        page=int(page),
    )


async def _entity_ids(db: AsyncSession, entity: str) -> list[str]:
    """What an entity filter matches: the id itself, and a person found by their code."""
    ids = [entity]
    person = (await db.exec(select(Person.id).where(Person.code == entity.upper()))).first()
    if person is not None:
        ids.append(str(person))
    with suppress(ValueError):
        ids.append(str(uuid.UUID(entity)))  # however the id was written
    return ids


async def list_audit(db: AsyncSession, filters: AuditFilters, *, timezone: str) -> AuditPage:
    zone = ZoneInfo(timezone)
    query = select(AuditEntry, StaffUser).join(
        StaffUser, col(StaffUser.id) == AuditEntry.actor_id, isouter=True
    )
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.from_date:
        start = datetime.combine(filters.from_date, time(), zone)
        query = query.where(col(AuditEntry.at) >= start)
    if filters.to_date:
        end = datetime.combine(filters.to_date + timedelta(days=1), time(), zone)
        query = query.where(col(AuditEntry.at) < end)
    if filters.entity:
        query = query.where(col(AuditEntry.entity_id).in_(await _entity_ids(db, filters.entity)))
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    offset = (filters.page - 1) * PAGE_SIZE
    found = (await db.exec(query.offset(offset).limit(PAGE_SIZE + 1))).all()
    rows = [AuditRow(entry, actor) for entry, actor in found[:PAGE_SIZE]]
    actions = (await db.exec(select(AuditEntry.action).distinct())).all()
    staff = (await db.exec(select(StaffUser).order_by(col(StaffUser.display_name)))).all()
    return AuditPage(rows, len(found) > PAGE_SIZE, sorted(actions), list(staff))
