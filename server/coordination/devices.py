"""Devices as a coordinator sees them: whose, which browser, when they last synced and how
many changes they said were still waiting. A phone silent for days with changes waiting is
where attendance is being lost, so it is flagged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import StaffUser
from server.sync.models import Device

SILENT_AFTER = timedelta(days=2)

# (marker in the user agent, name shown); the first match wins, so the more specific first.
_BROWSERS = (
    ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("Edg/", "Edge"),
    ("SamsungBrowser/", "Samsung Internet"), ("OPR/", "Opera"), ("Opera", "Opera"),
    ("FxiOS/", "Firefox"), ("Firefox/", "Firefox"), ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Version/", "Safari"),
)  # fmt: skip
_SYSTEMS = (
    ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("iPod", "iOS"),
    ("CrOS", "ChromeOS"), ("Windows", "Windows"), ("Macintosh", "macOS"), ("Linux", "Linux"),
)  # fmt: skip


@dataclass(frozen=True)
class DeviceLabel:
    """A short name for a device: its browser and system (proper names, not translated) and
    the first 8 characters of its id, enough to tell two phones of one person apart."""

    browser: str | None
    system: str | None
    short_id: str


def _first_match(user_agent: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in table if marker in user_agent), None)


def device_label(device_id: uuid.UUID, user_agent: str) -> DeviceLabel:
    browser = _first_match(user_agent, _BROWSERS)
    if browser == "Safari" and "Safari/" not in user_agent:
        browser = None  # "Version/" alone is not enough to say Safari
    return DeviceLabel(browser, _first_match(user_agent, _SYSTEMS), str(device_id)[:8])


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    owner: StaffUser | None
    label: DeviceLabel
    silent_days: int | None  # whole days since it last synced (or was last seen)
    needs_attention: bool  # silent for more than two days with changes waiting

    @property
    def last_contact(self) -> datetime:
        return self.device.last_sync_at or self.device.last_seen_at


def _row(device: Device, owner: StaffUser | None, now: datetime) -> DeviceRow:
    last = device.last_sync_at or device.last_seen_at
    silent = now - last
    return DeviceRow(
        device=device,
        owner=owner,
        label=device_label(device.id, device.user_agent),
        silent_days=max(0, silent.days),
        needs_attention=silent > SILENT_AFTER and device.pending_count > 0,
    )


async def list_devices(db: AsyncSession, now: datetime) -> list[DeviceRow]:
    """Every device, those needing attention first, then by person and latest contact."""
    result = await db.exec(
        select(Device, StaffUser).outerjoin(StaffUser, col(StaffUser.id) == Device.user_id)
    )
    rows = [_row(device, owner, now) for device, owner in result.all()]
    rows.sort(key=lambda r: -r.last_contact.timestamp())
    rows.sort(key=lambda r: (not r.needs_attention, r.owner.display_name if r.owner else "~"))
    return rows


async def count_silent(db: AsyncSession, now: datetime) -> int:
    """How many devices need attention (silent for more than two days with changes waiting),
    counted in SQL: the daily check's figure, the same rule as the devices page."""
    last_contact = func.coalesce(col(Device.last_sync_at), col(Device.last_seen_at))
    found = await db.exec(
        select(func.count())
        .select_from(Device)
        .where(col(Device.pending_count) > 0)
        .where(last_contact < now - SILENT_AFTER)
    )
    return int(found.one())


async def device_labels(
    db: AsyncSession, ids: set[uuid.UUID | None]
) -> dict[uuid.UUID, DeviceLabel]:
    """Labels of the devices named by marks (the ones still known)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = await db.exec(select(Device).where(col(Device.id).in_(wanted)))
    return {d.id: device_label(d.id, d.user_agent) for d in found.all()}


async def staff_by_id(db: AsyncSession, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, StaffUser]:
    """The staff members who recorded marks."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = await db.exec(select(StaffUser).where(col(StaffUser.id).in_(wanted)))
    return {u.id: u for u in found.all()}
