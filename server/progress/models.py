"""Progress assessments and the lesson log of a course.

Both are append-only: a new assessment never overwrites an older one, and every save of a
lesson's topic, materials and homework is a new entry (the newest by the teacher's corrected
clock is the one shown), so two teachers working offline never lose each other's work.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from server.common.models import UTCDateTime, enum_type, new_id, utcnow
from server.common.vocab import CefrLevel


class Skill(StrEnum):
    LISTENING = "listening"
    READING = "reading"
    SPEAKING = "speaking"
    WRITING = "writing"


class ProgressAssessment(SQLModel, table=True):
    __tablename__ = "progress_assessments"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True, ondelete="CASCADE")
    activity_id: uuid.UUID = Field(foreign_key="activities.id", index=True, ondelete="CASCADE")
    skill: Skill = Field(sa_type=enum_type(Skill))
    level: CefrLevel = Field(sa_type=enum_type(CefrLevel))
    assessed_on: date
    note: str = Field(default="", max_length=500)
    assessed_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")
    device_id: uuid.UUID | None = Field(default=None, foreign_key="devices.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LessonEntry(SQLModel, table=True):
    """One save of what a session of a course covered."""

    __tablename__ = "lesson_entries"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    session_id: uuid.UUID = Field(foreign_key="sessions.id", index=True, ondelete="CASCADE")
    topic: str = Field(max_length=200)
    materials: str = Field(default="", max_length=1000)
    homework: str = Field(default="", max_length=1000)
    # The teacher's clock when they saved, corrected for skew (see the sync batch).
    written_at: datetime = Field(sa_type=UTCDateTime)
    written_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")
    device_id: uuid.UUID | None = Field(default=None, foreign_key="devices.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
