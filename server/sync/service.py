"""Devices: registered on their first write, so marks can name the phone they came from."""

from __future__ import annotations

import importlib
import uuid
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from server.common.models import utcnow
from server.sync.models import Device


async def ensure_device(
    db: AsyncSession,
    device_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    user_agent: str = "",
    flush: bool = True,
) -> Device:
    """Record that `device_id` is in use by `user_id` now (a shared tablet changes hands).
    With `flush=False` the caller flushes (after recording more about the device)."""
    device = await db.get(Device, device_id)
    now = utcnow()
    if device is None:
        device = Device(id=device_id, user_id=user_id, user_agent=user_agent[:300])
    device.user_id = user_id
    device.last_seen_at = now
    if user_agent:
        device.user_agent = user_agent[:300]
    db.add(device)
    if flush:
        await db.flush()
    return device


DEVICES = Device.__table__  # type: ignore[attr-defined]


async def record_device_sync(
    db: AsyncSession,
    device_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    now: datetime,
    user_agent: str,
    app_version: str,
    pending_count: int,
    clock_offset_ms: int,
) -> None:
    """What `ensure_device` records, and the batch's sync state, in one statement (an upsert):
    the device row exists afterwards, in the session's transaction, for marks to name."""
    values: dict[str, Any] = {
        "user_id": user_id,
        "last_seen_at": now,
        "last_sync_at": now,
        "pending_count": pending_count,
        "clock_offset_ms": clock_offset_ms,
    }
    if user_agent:
        values["user_agent"] = user_agent[:300]
    if app_version:
        values["app_version"] = app_version[:40]
    connection = await db.connection()
    # the dialect module imported when first used: on SQLite, PostgreSQL's is never loaded
    dialect = importlib.import_module(f"sqlalchemy.dialects.{connection.dialect.name}")
    statement = dialect.insert(DEVICES).values(
        id=device_id,
        first_seen_at=now,
        user_agent=user_agent[:300],
        app_version=app_version[:40],
        **{k: v for k, v in values.items() if k not in ("user_agent", "app_version")},
    )
    await connection.execute(
        statement.on_conflict_do_update(index_elements=[DEVICES.c.id], set_=values)
    )
