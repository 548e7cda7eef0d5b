"""Devices and applied idempotency keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.common.models import UTCDateTime, utcnow


class Device(SQLModel, table=True):
    """A browser on a phone or laptop. Its id is made on the device and kept in IndexedDB."""

    __tablename__ = "devices"

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id", index=True)
    user_agent: str = Field(default="", max_length=300)
    app_version: str = Field(default="", max_length=40)
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_sync_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pending_count: int = Field(default=0)
    clock_offset_ms: int | None = Field(default=None)


class AppliedWrite(SQLModel, table=True):
    """An idempotency key and the result it produced, stored in the write's own transaction.

    A repeat of the same key returns `result` instead of applying the write again.
    """

    __tablename__ = "applied_writes"

    idempotency_key: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")
    device_id: uuid.UUID | None = Field(default=None)
    kind: str = Field(max_length=40)
    payload_hash: str = Field(max_length=64)
    outcome: str = Field(max_length=20)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    applied_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
