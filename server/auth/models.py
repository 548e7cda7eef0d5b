"""Staff users and their sign-in sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from server.common.models import UTCDateTime, enum_type, new_id, utcnow
from server.common.vocab import Language


class Role(StrEnum):
    FACILITATOR = "facilitator"
    TEACHER = "teacher"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


# The roles with personal lists: "My sessions" and "My courses" (their guards, and the offline
# pack, which lists them only for these roles).
OWN_SESSIONS_ROLES = (Role.FACILITATOR, Role.TEACHER)
OWN_COURSES_ROLES = (Role.TEACHER,)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_users"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    role: Role = Field(sa_type=enum_type(Role))
    password_hash: str = Field(max_length=255)
    language: Language | None = Field(default=None, sa_type=enum_type(Language))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    password_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "staff_sessions"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: uuid.UUID = Field(foreign_key="staff_users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=300)
    ip_address: str = Field(default="", max_length=64)


class SignInAttempt(SQLModel, table=True):
    """Kept in the database so rate limits hold across several app instances."""

    __tablename__ = "sign_in_attempts"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip_address: str = Field(max_length=64, index=True)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    succeeded: bool = Field(default=False)
