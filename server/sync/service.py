"""Devices: registered on their first write, so marks can name the phone they came from."""

from __future__ import annotations

import uuid

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
