"""Turning a form post into a `Write`: the idempotency key, the device and its clock."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from litestar import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.sync.service import ensure_device
from server.sync.writes import Write, WriteResult, apply_write

DEVICE_HEADER = "x-razem-device"
CONTROL_FIELDS = frozenset({"_csrf_token", "key", "device_time", "device_id"})


def form_payload(form: dict[str, Any], **base: str) -> dict[str, Any]:
    """A write's payload from a posted form, as the service worker builds it when it queues the
    same form: every field but the control fields, empty ones left out, then `base`."""
    payload = {k: v for k, v in form.items() if k not in CONTROL_FIELDS and v not in ("", None)}
    return {**payload, **base}


def parse_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _device_time(value: object) -> datetime | None:
    """The device's clock when the person acted (page script sends it); None if absent."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def device_id_of(request: Request, form: dict[str, Any] | None = None) -> uuid.UUID | None:
    return parse_uuid(request.headers.get(DEVICE_HEADER) or (form or {}).get("device_id"))


async def submit_write(
    request: Request,
    db: AsyncSession,
    actor: Actor,
    form: dict[str, Any],
    kind: str,
    payload: dict[str, Any],
) -> WriteResult:
    """Apply one write from a form post. The key comes from the form (made by the page script
    when the person acted, or rendered into the form); a form without one gets a fresh key."""
    device_id = device_id_of(request, form)
    if device_id is not None:
        await ensure_device(
            db, device_id, actor.user_id, user_agent=request.headers.get("user-agent", "")
        )
        actor = replace(actor, device_id=device_id)
    key = parse_uuid(form.get("key")) or uuid.uuid4()
    write = Write(
        key=key, kind=kind, payload=payload, device_time=_device_time(form.get("device_time"))
    )
    return await apply_write(db, actor, write)
