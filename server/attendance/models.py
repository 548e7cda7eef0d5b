"""Attendance marks."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.common.models import UTCDateTime, enum_type, new_id, utcnow


class MarkStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    LATE = "late"
    EXCUSED = "excused"
    RECEIVED = "received"  # distributions: the person received the item


class AttendanceMark(SQLModel, table=True):
    """The current mark of one person in one session.

    `marked_at` is the device's clock corrected for skew (never later than `recorded_at`, the
    server's receive time); the later `marked_at` wins, ties broken by `device_id`.
    """

    __tablename__ = "attendance_marks"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "person_id"),
        # Covering indexes for the reports (docs/performance.md): a period's marks are read
        # from sessions by date, then (session, status, person) from the index alone; "did
        # this person come before?" reads (person, status, session) from the index alone.
        # They also serve every lookup by session or by person (their first column).
        sa.Index("ix_attendance_marks_session_status_person", "session_id", "status", "person_id"),
        sa.Index("ix_attendance_marks_person_status_session", "person_id", "status", "session_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="sessions.id", ondelete="CASCADE")
    person_id: uuid.UUID = Field(foreign_key="people.id", ondelete="CASCADE")
    status: MarkStatus = Field(sa_type=enum_type(MarkStatus))
    quantity: int | None = Field(default=None)
    marked_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")
    marked_at: datetime = Field(sa_type=UTCDateTime)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="devices.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    idempotency_key: uuid.UUID | None = Field(default=None)
    # Two devices (or people) recorded different values for this person and session.
    disagreement: bool = Field(default=False)


class MarkHistory(SQLModel, table=True):
    """A value of a mark that lost to a later one: kept, never deleted, so a coordinator can
    see what each device recorded."""

    __tablename__ = "attendance_mark_history"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="sessions.id", index=True, ondelete="CASCADE")
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True, ondelete="CASCADE")
    status: MarkStatus = Field(sa_type=enum_type(MarkStatus))
    quantity: int | None = Field(default=None)
    marked_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")
    marked_at: datetime = Field(sa_type=UTCDateTime)
    device_id: uuid.UUID | None = Field(default=None, foreign_key="devices.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    idempotency_key: uuid.UUID | None = Field(default=None)
    superseded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
