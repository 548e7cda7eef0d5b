"""Coordinators set up the term: activities of every kind with a weekly schedule, skipped
dates, capacity, ages and staff. Reading and checking what a form sent lives here too, so the
page and any future API share one set of rules and messages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.generation import reconcile_sessions
from server.activities.models import (
    Activity,
    ActivityKind,
    ActivityStaff,
    Location,
    WeeklySlot,
)
from server.activities.service import get_activity
from server.audit.service import audit_by
from server.auth.actor import Actor
from server.auth.models import Role, StaffUser
from server.common.errors import Forbidden, Message, ValidationFailed
from server.common.models import new_id
from server.common.validation import multi_line, single_line
from server.common.vocab import CefrLevel
from server.i18n.catalogs import N_

SLOT_ROWS = 4  # weekly times offered on the form
COURSE_LANGUAGES = ("pl", "en", "uk")
STAFF_ROLES = (Role.FACILITATOR, Role.TEACHER)

REQUIRED = N_("This field is required.")
NOT_VALID = N_("This value is not valid.")
CHOOSE = N_("Choose one of the options.")
WHOLE_NUMBER = N_("Enter a whole number.")
ENTER_DATE = N_("Enter a date.")
ENTER_TIME = N_("Enter a time.")
END_BEFORE_START = N_("The end date cannot be before the start date.")
SLOT_END = N_("The end time must be after the start time.")
NO_SLOT = N_("Add at least one weekly time.")
AGES_ORDER = N_("The lowest age cannot be above the highest.")
SKIPPED_OUTSIDE = N_("Skipped dates must fall between the start and end date.")
TOO_LONG = N_("Too long: at most %(max_length)s characters.")
BETWEEN = N_("Enter a number from %(low)s to %(high)s.")


@dataclass(frozen=True)
class SlotInput:
    weekday: int
    start_time: time
    end_time: time


@dataclass(frozen=True)
class ActivityInput:
    kind: ActivityKind
    title: str
    start_date: date
    slots: list[SlotInput]
    description: str = ""
    location_id: uuid.UUID | None = None
    course_language: str | None = None
    cefr_level: CefrLevel | None = None
    end_date: date | None = None
    capacity: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    item_label: str | None = None
    tracks_quantity: bool = False
    skipped_dates: list[date] = field(default_factory=list)
    staff_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass
class _Reader:
    """Reads one form, collecting a message per field instead of stopping at the first."""

    data: dict[str, Any]
    errors: dict[str, Message] = field(default_factory=dict)

    def text(self, name: str, limit: int, *, required: bool = False, lines: bool = False) -> str:
        value = str(self.data.get(name) or "").strip()
        if required and not value:
            self.errors[name] = Message(REQUIRED)
        elif len(value) > limit:
            self.errors[name] = Message(TOO_LONG, {"max_length": limit})
        else:
            try:
                (multi_line if lines else single_line)(value)
            except ValueError as exc:
                self.errors[name] = Message(str(exc))
        return value

    def number(self, name: str, low: int, high: int) -> int | None:
        raw = str(self.data.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            self.errors[name] = Message(WHOLE_NUMBER)
            return None
        if not low <= value <= high:
            self.errors[name] = Message(BETWEEN, {"low": low, "high": high})
            return None
        return value

    def day(self, name: str, *, required: bool = False) -> date | None:
        raw = str(self.data.get(name) or "").strip()
        if not raw:
            if required:
                self.errors[name] = Message(REQUIRED)
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = Message(ENTER_DATE)
            return None

    def clock(self, name: str) -> time | None:
        raw = str(self.data.get(name) or "").strip()
        try:
            return time.fromisoformat(raw)
        except ValueError:
            self.errors[name] = Message(ENTER_TIME if raw else REQUIRED)
            return None

    def choice(self, name: str, options: tuple[str, ...], *, required: bool = False) -> str | None:
        raw = str(self.data.get(name) or "").strip()
        if not raw:
            if required:
                self.errors[name] = Message(REQUIRED)
            return None
        if raw not in options:
            self.errors[name] = Message(CHOOSE)
            return None
        return raw

    def ids(self, name: str) -> list[uuid.UUID]:
        raw = self.data.get(name) or []
        values = raw if isinstance(raw, list) else [raw]
        found = []
        for value in values:
            try:
                found.append(uuid.UUID(str(value)))
            except ValueError:
                self.errors[name] = Message(NOT_VALID)
        return found


def _slots(reader: _Reader) -> list[SlotInput]:
    slots = []
    for row in range(SLOT_ROWS):
        names = (f"slot-{row}-weekday", f"slot-{row}-start", f"slot-{row}-end")
        if not any(str(reader.data.get(n) or "").strip() for n in names):
            continue
        weekday = reader.choice(names[0], tuple(str(d) for d in range(7)), required=True)
        start, end = reader.clock(names[1]), reader.clock(names[2])
        if start and end and end <= start:
            reader.errors[names[2]] = Message(SLOT_END)
        elif weekday is not None and start and end:
            slots.append(SlotInput(int(weekday), start, end))
    if not slots and not any(n.startswith("slot-") for n in reader.errors):
        reader.errors["slot-0-weekday"] = Message(NO_SLOT)
    return slots


def _skipped(reader: _Reader) -> list[date]:
    raw = str(reader.data.get("skipped_dates") or "")
    days = []
    for piece in raw.replace(",", "\n").split():
        try:
            days.append(date.fromisoformat(piece.strip()))
        except ValueError:
            reader.errors["skipped_dates"] = Message(ENTER_DATE)
    return sorted(set(days))


def read_activity_form(data: dict[str, Any]) -> ActivityInput:
    """The activity a coordinator described, or ValidationFailed with a message per field."""
    r = _Reader(data)
    kind = r.choice("kind", tuple(k.value for k in ActivityKind), required=True)
    title = r.text("title", 200, required=True)
    description = r.text("description", 2000, lines=True)
    location = r.ids("location_id")
    start, end = r.day("start_date", required=True), r.day("end_date")
    if start and end and end < start:
        r.errors["end_date"] = Message(END_BEFORE_START)
    capacity = r.number("capacity", 1, 5000)
    min_age, max_age = r.number("min_age", 0, 120), r.number("max_age", 0, 120)
    if min_age is not None and max_age is not None and min_age > max_age:
        r.errors["max_age"] = Message(AGES_ORDER)
    is_course = kind == ActivityKind.LANGUAGE_COURSE
    language = r.choice("course_language", COURSE_LANGUAGES) if is_course else None
    level = r.choice("cefr_level", tuple(c.value for c in CefrLevel)) if is_course else None
    is_distribution = kind == ActivityKind.DISTRIBUTION
    item_label = r.text("item_label", 100) if is_distribution else ""
    skipped = _skipped(r)
    if start and any(d < start or (end and d > end) for d in skipped):
        r.errors["skipped_dates"] = Message(SKIPPED_OUTSIDE)
    slots = _slots(r)
    staff = r.ids("staff")
    if r.errors:
        raise ValidationFailed(r.errors)
    assert kind is not None and start is not None
    return ActivityInput(
        kind=ActivityKind(kind),
        title=title,
        description=description,
        location_id=location[0] if location else None,
        course_language=language,
        cefr_level=CefrLevel(level) if level else None,
        start_date=start,
        end_date=end,
        capacity=capacity,
        min_age=min_age,
        max_age=max_age,
        item_label=item_label or None,
        tracks_quantity=is_distribution and bool(data.get("tracks_quantity")),
        skipped_dates=skipped,
        slots=slots,
        staff_ids=staff,
    )


@dataclass(frozen=True)
class Saved:
    activity: Activity
    added: int
    removed: int
    kept: int  # sessions the new schedule no longer has, kept because they hold marks


def _as_slots(data: ActivityInput) -> list[tuple[int, time, time]]:
    return [(s.weekday, s.start_time, s.end_time) for s in data.slots]


def _require_coordinator(actor: Actor) -> None:
    if not actor.sees_all_activities:
        raise Forbidden


async def _check_references(db: AsyncSession, data: ActivityInput) -> None:
    errors: dict[str, Message] = {}
    if data.location_id and await db.get(Location, data.location_id) is None:
        errors["location_id"] = Message(CHOOSE)
    if data.staff_ids:
        found = await db.exec(
            select(StaffUser.id)
            .where(col(StaffUser.id).in_(data.staff_ids))
            .where(col(StaffUser.role).in_(STAFF_ROLES))
            .where(col(StaffUser.is_active).is_(True))
        )
        if set(found.all()) != set(data.staff_ids):
            errors["staff"] = Message(CHOOSE)
    if errors:
        raise ValidationFailed(errors)


def _apply(activity: Activity, data: ActivityInput) -> list[str]:
    """Copy the form onto the activity; the names of the fields that changed."""
    values = {
        "kind": data.kind,
        "title": data.title,
        "description": data.description,
        "location_id": data.location_id,
        "course_language": data.course_language,
        "cefr_level": data.cefr_level,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "capacity": data.capacity,
        "min_age": data.min_age,
        "max_age": data.max_age,
        "item_label": data.item_label,
        "tracks_quantity": data.tracks_quantity,
        "skipped_dates": [d.isoformat() for d in data.skipped_dates],
    }
    changed = [name for name, value in values.items() if getattr(activity, name) != value]
    for name, value in values.items():
        setattr(activity, name, value)
    return changed


async def _replace_schedule_and_staff(
    db: AsyncSession, activity: Activity, data: ActivityInput
) -> None:
    await db.exec(delete(WeeklySlot).where(col(WeeklySlot.activity_id) == activity.id))
    await db.exec(delete(ActivityStaff).where(col(ActivityStaff.activity_id) == activity.id))
    for slot in data.slots:
        db.add(
            WeeklySlot(
                id=new_id(),
                activity_id=activity.id,
                weekday=slot.weekday,
                start_time=slot.start_time,
                end_time=slot.end_time,
            )
        )
    for user_id in dict.fromkeys(data.staff_ids):
        db.add(ActivityStaff(activity_id=activity.id, user_id=user_id))
    await db.flush()


async def create_activity(
    db: AsyncSession, actor: Actor, data: ActivityInput, *, today: date, ahead_days: int
) -> Saved:
    _require_coordinator(actor)
    await _check_references(db, data)
    activity = Activity(id=new_id(), kind=data.kind, title=data.title, start_date=data.start_date)
    _apply(activity, data)
    db.add(activity)
    await db.flush()
    await _replace_schedule_and_staff(db, activity, data)
    # A new activity gets its sessions from its start, also past ones (a course entered late).
    outcome = await reconcile_sessions(
        db, activity, _as_slots(data), today=today, ahead_days=ahead_days, from_date=data.start_date
    )
    await audit_by(
        db,
        actor,
        "activity.create",
        entity_type="activity",
        entity_id=str(activity.id),
        details={"kind": data.kind.value, "sessions_added": outcome.added},
    )
    return Saved(activity, outcome.added, outcome.removed, outcome.kept)


async def update_activity(
    db: AsyncSession,
    actor: Actor,
    activity_id: uuid.UUID,
    data: ActivityInput,
    *,
    today: date,
    ahead_days: int,
) -> Saved:
    """Change an activity; from today on, its sessions follow the new schedule (past sessions
    are records and stay as they are)."""
    _require_coordinator(actor)
    activity = await get_activity(db, actor, activity_id)
    await _check_references(db, data)
    changed = _apply(activity, data)
    db.add(activity)
    await _replace_schedule_and_staff(db, activity, data)
    outcome = await reconcile_sessions(
        db, activity, _as_slots(data), today=today, ahead_days=ahead_days, from_date=today
    )
    await audit_by(
        db,
        actor,
        "activity.update",
        entity_type="activity",
        entity_id=str(activity.id),
        details={
            "changed": changed,
            "sessions_added": outcome.added,
            "sessions_removed": outcome.removed,
        },
    )
    return Saved(activity, outcome.added, outcome.removed, outcome.kept)


def form_values(
    activity: Activity, slots: list[WeeklySlot], staff: list[StaffUser]
) -> dict[str, Any]:
    """An activity as the form shows it (the same names the form posts)."""
    values: dict[str, Any] = {
        "kind": activity.kind.value,
        "title": activity.title,
        "description": activity.description,
        "location_id": str(activity.location_id or ""),
        "course_language": activity.course_language or "",
        "cefr_level": activity.cefr_level.value if activity.cefr_level else "",
        "start_date": activity.start_date.isoformat(),
        "end_date": activity.end_date.isoformat() if activity.end_date else "",
        "capacity": activity.capacity or "",
        "min_age": "" if activity.min_age is None else activity.min_age,
        "max_age": "" if activity.max_age is None else activity.max_age,
        "item_label": activity.item_label or "",
        "tracks_quantity": activity.tracks_quantity,
        "skipped_dates": "\n".join(activity.skipped_dates),
        "staff": [str(user.id) for user in staff],
    }
    for row, slot in enumerate(slots[:SLOT_ROWS]):
        values[f"slot-{row}-weekday"] = str(slot.weekday)
        values[f"slot-{row}-start"] = slot.start_time.strftime("%H:%M")
        values[f"slot-{row}-end"] = slot.end_time.strftime("%H:%M")
    return values
