"""Audit entries. Append-only; they name people by id, never by name."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.common.models import UTCDateTime, new_id, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entries"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id", index=True)
    device_id: uuid.UUID | None = Field(default=None)
    ip_address: str = Field(default="", max_length=64)
    action: str = Field(max_length=60, index=True)
    entity_type: str = Field(default="", max_length=40)
    entity_id: str = Field(default="", max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
