"""Activities, locations, weekly schedules, staff assignments, enrolments and sessions."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime, time
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.common.models import UTCDateTime, enum_type, new_id, utcnow
from server.common.vocab import CefrLevel


class ActivityKind(StrEnum):
    LANGUAGE_COURSE = "language_course"
    CHOIR = "choir"
    WORKSHOP = "workshop"
    YOUTH_PROGRAMME = "youth_programme"
    COUNSELLING = "counselling"
    EVENT = "event"
    DISTRIBUTION = "distribution"
    TRAINING = "training"


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    WAITLISTED = "waitlisted"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class SessionStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Location(SQLModel, table=True):
    __tablename__ = "locations"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=150, unique=True)
    address: str = Field(default="", max_length=250)


class Activity(SQLModel, table=True):
    __tablename__ = "activities"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    kind: ActivityKind = Field(sa_type=enum_type(ActivityKind), index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    location_id: uuid.UUID | None = Field(default=None, foreign_key="locations.id")
    course_language: str | None = Field(default=None, max_length=2)  # ISO 639-1, courses only
    cefr_level: CefrLevel | None = Field(default=None, sa_type=enum_type(CefrLevel))
    start_date: date
    end_date: date | None = Field(default=None)
    capacity: int | None = Field(default=None)
    min_age: int | None = Field(default=None)
    max_age: int | None = Field(default=None)
    # For distributions: what is handed out ("hygiene kit") and whether a count is recorded.
    item_label: str | None = Field(default=None, max_length=100)
    tracks_quantity: bool = Field(default=False)
    # Courses: the attendance rate (percent) a learner needs; lower rates are highlighted and
    # no certificate is offered. Set by coordinators.
    attendance_threshold: int = Field(default=70, sa_column_kwargs={"server_default": "70"})
    # Dates the schedule skips (public holidays, a closed week), as ISO dates.
    skipped_dates: list[str] = Field(
        default_factory=list, sa_type=sa.JSON, sa_column_kwargs={"server_default": "[]"}
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WeeklySlot(SQLModel, table=True):
    """One weekly meeting time of an activity (weekday 0 = Monday)."""

    __tablename__ = "weekly_slots"
    __table_args__ = (sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    activity_id: uuid.UUID = Field(foreign_key="activities.id", index=True, ondelete="CASCADE")
    weekday: int
    start_time: time
    end_time: time


class ActivityStaff(SQLModel, table=True):
    """A facilitator or teacher assigned to an activity."""

    __tablename__ = "activity_staff"

    activity_id: uuid.UUID = Field(
        foreign_key="activities.id", primary_key=True, ondelete="CASCADE"
    )
    user_id: uuid.UUID = Field(
        foreign_key="staff_users.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Enrollment(SQLModel, table=True):
    __tablename__ = "enrollments"
    __table_args__ = (sa.UniqueConstraint("activity_id", "person_id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    activity_id: uuid.UUID = Field(foreign_key="activities.id", index=True, ondelete="CASCADE")
    person_id: uuid.UUID = Field(foreign_key="people.id", index=True, ondelete="CASCADE")
    status: EnrollmentStatus = Field(
        default=EnrollmentStatus.ACTIVE, sa_type=enum_type(EnrollmentStatus)
    )
    enrolled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    enrolled_by_id: uuid.UUID | None = Field(default=None, foreign_key="staff_users.id")


class ActivitySession(SQLModel, table=True):
    """One meeting of an activity, on a local date and time (the centre's time zone)."""

    __tablename__ = "sessions"
    __table_args__ = (sa.UniqueConstraint("activity_id", "date", "start_time"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    activity_id: uuid.UUID = Field(foreign_key="activities.id", index=True, ondelete="CASCADE")
    date: dt.date = Field(index=True)
    start_time: time
    end_time: time
    status: SessionStatus = Field(default=SessionStatus.PLANNED, sa_type=enum_type(SessionStatus))
    note: str = Field(default="", max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
