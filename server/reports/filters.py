"""The filters a report or an export is for: a period (default: the current quarter) and,
optionally, one activity or one kind of activity."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from server.activities.models import ActivityKind
from server.common.errors import Message, ValidationFailed
from server.i18n.catalogs import N_


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date  # inclusive
    activity_id: uuid.UUID | None = None
    kind: ActivityKind | None = None

    def as_query(self) -> dict[str, str]:
        """The query parameters that give this filter back (links to exports)."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "activity": str(self.activity_id) if self.activity_id else "",
            "kind": self.kind.value if self.kind else "",
        }

    def described(self) -> dict[str, str]:
        """For audit details: the filters only, never anything about a person."""
        return {key: value for key, value in self.as_query().items() if value}


def current_quarter(today: date) -> tuple[date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + 1, 1, 1) if first_month == 10 else date(today.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def _date(raw: str, name: str, default: date, errors: dict[str, Message]) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = Message(N_("Enter a date as YYYY-MM-DD."))
        return default


def parse_filter(query: Mapping[str, Any], today: date) -> ReportFilter:
    """Read `from`, `to`, `activity` and `kind`; refuse what cannot be a report's filter."""
    raw = {name: str(query.get(name) or "").strip() for name in ("from", "to", "activity", "kind")}
    errors: dict[str, Message] = {}
    default_start, default_end = current_quarter(today)
    start = _date(raw["from"], "from", default_start, errors)
    end = _date(raw["to"], "to", default_end, errors)
    if not errors and start > end:
        errors["to"] = Message(N_("The end date must be on or after the start date."))
    activity_id = None
    if raw["activity"]:
        try:
            activity_id = uuid.UUID(raw["activity"])
        except ValueError:
            errors["activity"] = Message(N_("Choose one of the options."))
    kind = None
    if raw["kind"]:
        try:
            kind = ActivityKind(raw["kind"])
        except ValueError:
            errors["kind"] = Message(N_("Choose one of the options."))
    if errors:
        raise ValidationFailed(errors)
    return ReportFilter(start=start, end=end, activity_id=activity_id, kind=kind)
