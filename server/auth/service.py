"""Staff accounts, sign-in with rate limits, and database-backed sessions.

Sessions live in the database (not in process memory) so that several app instances share
them, and so that disabling a user or changing a password ends them at once.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import record_audit
from server.auth.hashing import hashed
from server.auth.lockout import SignInLimit, lock_remaining, record_attempt, wait_message
from server.auth.models import Role, StaffSession, StaffUser
from server.auth.passwords import hash_password, needs_rehash, password_weakness, verify_password
from server.auth.schemas import StaffUserCreate
from server.common.errors import Message, NotFound, ValidationFailed
from server.common.models import utcnow
from server.common.vocab import Language
from server.i18n.catalogs import N_

T = TypeVar("T")

# A session's expiry moves forward on use, at most this often (saves a write per request).
SESSION_TOUCH_INTERVAL = timedelta(hours=1)


class SignInRefused(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.msgid)
        self.message = message


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    db: AsyncSession, data: StaffUserCreate, *, actor_id: uuid.UUID | None = None
) -> StaffUser:
    errors: dict[str, Message] = {}
    existing = await db.exec(select(StaffUser.id).where(StaffUser.email == data.email))
    if existing.first() is not None:
        errors["email"] = Message(N_("A staff account with this email exists."))
    weakness = password_weakness(data.password, user_inputs=(data.email, data.display_name))
    if weakness is not None:
        errors["password"] = weakness
    if errors:
        raise ValidationFailed(errors)
    user = StaffUser(
        email=data.email,
        display_name=data.display_name,
        role=data.role,
        password_hash=hash_password(data.password),
        language=data.language,
    )
    db.add(user)
    await db.flush()
    await record_audit(
        db,
        action="staff.create",
        actor_id=actor_id,
        entity_type="staff_user",
        entity_id=str(user.id),
        details={"role": user.role.value},
    )
    return user


async def list_users(db: AsyncSession) -> list[StaffUser]:
    result = await db.exec(select(StaffUser).order_by(col(StaffUser.role), StaffUser.email))
    return list(result.all())


async def get_user(db: AsyncSession, user_id: uuid.UUID) -> StaffUser:
    user = await db.get(StaffUser, user_id)
    if user is None:
        raise NotFound
    return user


async def authenticate(
    db: AsyncSession,
    email: str,
    password: str,
    *,
    ip_address: str,
    limit: SignInLimit,
    now: datetime | None = None,
) -> StaffUser:
    """Check a sign-in, recording the attempt. Raises `SignInRefused` with a reason.

    A locked email or address is refused before the password is checked, even a right one;
    refused-while-locked tries are audited but not counted (they do not lengthen the lock).
    Commits the session once, before checking the password (see below), so parallel tries
    for one email are each checked against the failures recorded before any of them."""
    email = email.strip().lower()
    now = now or utcnow()
    remaining = await lock_remaining(db, email=email, ip_address=ip_address, limit=limit, now=now)
    if remaining > timedelta(0):
        await record_audit(
            db,
            action="auth.sign_in_throttled",
            ip_address=ip_address,
            details={"email": email[:254], "wait_seconds": int(remaining.total_seconds())},
        )
        raise SignInRefused(wait_message(remaining))
    user = (await db.exec(select(StaffUser).where(StaffUser.email == email))).first()
    # argon2 takes tens of milliseconds of CPU on purpose: it must neither hold the
    # database's write lock meanwhile (SQLite: every other write would wait behind it) nor
    # block the event loop. So the transaction that only read so far is ended, and the hash
    # is checked in a thread; the attempt is recorded after, as before.
    await db.commit()
    ok = await hashed(verify_password, user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    record_attempt(db, email=email, ip_address=ip_address, now=now, succeeded=ok)
    if not ok or user is None:
        await record_audit(
            db, action="auth.sign_in_failed", ip_address=ip_address, details={"email": email[:254]}
        )
        raise SignInRefused(Message(N_("Wrong email or password.")))
    if needs_rehash(user.password_hash):
        user.password_hash = await hashed(hash_password, password)
    await record_audit(db, action="auth.sign_in", actor_id=user.id, ip_address=ip_address)
    return user


async def start_session(
    db: AsyncSession,
    user: StaffUser,
    *,
    lifetime: timedelta,
    user_agent: str = "",
    ip_address: str = "",
) -> str:
    """Open a session for `user` and return the token to put in the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(
        StaffSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            user_agent=user_agent[:300],
            ip_address=ip_address[:64],
        )
    )
    await db.flush()
    return token


@dataclass(frozen=True)
class ResolvedSession:
    user: StaffUser
    session: StaffSession

    @property
    def needs_touch(self) -> bool:
        return utcnow() - self.session.last_seen_at >= SESSION_TOUCH_INTERVAL


async def resolve_session(db: AsyncSession, token: str) -> ResolvedSession | None:
    """The active user behind a session token, or None if it is unknown, expired or revoked."""
    if not token or len(token) > 100:
        return None
    now = utcnow()
    query = (
        select(StaffSession, StaffUser)
        .join(StaffUser, col(StaffUser.id) == StaffSession.user_id)
        .where(StaffSession.token_hash == hash_token(token))
    )
    row = (await db.exec(query)).first()
    if row is None:
        return None
    session, user = row
    if session.revoked_at is not None or session.expires_at <= now or not user.is_active:
        return None
    if session.created_at < user.password_changed_at:
        return None
    return ResolvedSession(user=user, session=session)


async def touch_session(db: AsyncSession, session_id: uuid.UUID, *, lifetime: timedelta) -> None:
    """Slide a session's expiry: it lasts `lifetime` from its last use."""
    now = utcnow()
    await db.exec(
        update(StaffSession)
        .where(col(StaffSession.id) == session_id)
        .values(last_seen_at=now, expires_at=now + lifetime)
    )


async def end_session(db: AsyncSession, token: str, *, actor_id: uuid.UUID | None) -> None:
    await db.exec(
        update(StaffSession)
        .where(col(StaffSession.token_hash) == hash_token(token))
        .where(col(StaffSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    await record_audit(db, action="auth.sign_out", actor_id=actor_id)


async def revoke_user_sessions(db: AsyncSession, user_id: uuid.UUID) -> None:
    await db.exec(
        update(StaffSession)
        .where(col(StaffSession.user_id) == user_id)
        .where(col(StaffSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


async def set_user_active(
    db: AsyncSession, user_id: uuid.UUID, active: bool, *, actor_id: uuid.UUID
) -> StaffUser:
    """Enable or disable an account; disabling ends every session of it."""
    user = await get_user(db, user_id)
    if user.id == actor_id and not active:
        raise ValidationFailed({"": Message(N_("You cannot disable your own account."))})
    user.is_active = active
    if not active:
        await revoke_user_sessions(db, user.id)
    await record_audit(
        db,
        action="staff.enable" if active else "staff.disable",
        actor_id=actor_id,
        entity_type="staff_user",
        entity_id=str(user.id),
    )
    return user


async def set_language(db: AsyncSession, user_id: uuid.UUID, language: Language) -> None:
    await db.exec(update(StaffUser).where(col(StaffUser.id) == user_id).values(language=language))
    await record_audit(
        db, action="staff.language", actor_id=user_id, details={"language": language.value}
    )


def home_path(role: Role) -> str:
    return {
        Role.FACILITATOR: "/sessions",
        Role.TEACHER: "/courses",
        Role.COORDINATOR: "/activities",
        Role.ADMIN: "/admin/staff",
    }[role]
