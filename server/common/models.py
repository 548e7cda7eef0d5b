"""Column helpers shared by the domain models."""

from __future__ import annotations

import enum
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

import server.common.metadata  # noqa: F401  (the naming convention, before any table)


def new_id() -> uuid.UUID:
    """A new primary key. Devices make their own ids the same way (`crypto.randomUUID()`)."""
    return uuid.uuid4()


_VERSION_4 = 0x4 << 76 | 0x2 << 62  # what uuid.UUID(version=4) sets: version and variant
_KEEP = ~(0xF000 << 64 | 0xC000 << 48)
_SAFETY = uuid.SafeUUID.unknown


class IdSource:
    """New ids for many rows at once (a batch's marks and audit entries): the same version 4
    UUIDs as `new_id`, from one read of the system's random source per `chunk` ids, and made
    without `UUID.__init__`'s checks (a few times faster than `uuid4()` each)."""

    def __init__(self, chunk: int = 256) -> None:
        self._chunk = chunk
        self._ready: list[uuid.UUID] = []

    def __call__(self) -> uuid.UUID:
        if not self._ready:
            self._ready = _random_ids(self._chunk)
        return self._ready.pop()


def _random_ids(count: int) -> list[uuid.UUID]:
    raw = os.urandom(16 * count)
    ids = []
    make, assign = object.__new__, object.__setattr__
    for start in range(0, 16 * count, 16):
        made = make(uuid.UUID)
        assign(made, "int", int.from_bytes(raw[start : start + 16]) & _KEEP | _VERSION_4)
        assign(made, "is_safe", _SAFETY)
        ids.append(made)
    return ids


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite stores no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC datetime is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_type(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum's values as short strings with a CHECK constraint (no native PG enum)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=24,
        name=enum_cls.__name__.lower(),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def datetime_column(*, nullable: bool = False, index: bool = False) -> Any:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)
