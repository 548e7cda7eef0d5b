"""Changing passwords: a person's own (the current password required) and an admin's reset of
someone else's. Either ends every session of the account (`resolve_session` also refuses
sessions older than `password_changed_at`); the browser that changed its own password is
given a new session by the caller."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import record_audit
from server.auth.hashing import hashed
from server.auth.lockout import SignInLimit, lock_remaining, record_attempt, wait_message
from server.auth.models import StaffUser
from server.auth.passwords import hash_password, password_weakness, verify_password
from server.auth.schemas import PasswordChangeForm
from server.auth.service import get_user, revoke_user_sessions
from server.common.errors import Message, ValidationFailed
from server.common.models import utcnow
from server.i18n.catalogs import N_


async def _set_password(db: AsyncSession, user: StaffUser, password: str, now: datetime) -> None:
    user.password_hash = await hashed(hash_password, password)
    user.password_changed_at = now
    await revoke_user_sessions(db, user.id)


def _weakness(user: StaffUser, password: str) -> Message | None:
    return password_weakness(password, user_inputs=(user.email, user.display_name))


async def change_own_password(
    db: AsyncSession,
    user_id: uuid.UUID,
    form: PasswordChangeForm,
    *,
    ip_address: str,
    limit: SignInLimit,
    now: datetime | None = None,
) -> StaffUser:
    """Check the current password (a wrong one counts as a failed sign-in, so the lockout
    covers guessing here too), check the new one, and store it."""
    now = now or utcnow()
    user = await get_user(db, user_id)
    remaining = await lock_remaining(
        db, email=user.email, ip_address=ip_address, limit=limit, now=now
    )
    if remaining > timedelta(0):
        await record_audit(
            db, action="auth.password_throttled", actor_id=user.id, ip_address=ip_address
        )
        raise ValidationFailed({"": wait_message(remaining)})
    # As at sign-in (service.authenticate): argon2 holds neither SQLite's write lock (the
    # transaction only read so far, so it is ended) nor the event loop (decision 28).
    await db.commit()
    if not await hashed(verify_password, user.password_hash, form.current_password):
        record_attempt(db, email=user.email, ip_address=ip_address, now=now, succeeded=False)
        await record_audit(
            db, action="auth.password_wrong", actor_id=user.id, ip_address=ip_address
        )
        raise ValidationFailed(
            {"current_password": Message(N_("This is not your current password."))}
        )
    errors: dict[str, Message] = {}
    if form.new_password == form.current_password:
        errors["new_password"] = Message(N_("Choose a new password, not the current one."))
    elif (weakness := _weakness(user, form.new_password)) is not None:
        errors["new_password"] = weakness
    if form.new_password_again != form.new_password:
        errors["new_password_again"] = Message(N_("The two new passwords are not the same."))
    if errors:
        raise ValidationFailed(errors)
    await _set_password(db, user, form.new_password, now)
    await record_audit(
        db,
        action="staff.password",
        actor_id=user.id,
        ip_address=ip_address,
        entity_type="staff_user",
        entity_id=str(user.id),
    )
    return user


async def set_user_password(
    db: AsyncSession,
    user_id: uuid.UUID,
    password: str,
    *,
    actor_id: uuid.UUID,
    ip_address: str = "",
    now: datetime | None = None,
) -> StaffUser:
    """An admin sets a new password for someone else: every session of theirs ends."""
    user = await get_user(db, user_id)
    if user.id == actor_id:
        raise ValidationFailed(
            {"": Message(N_("Change your own password on the “Change my password” page."))}
        )
    weakness = _weakness(user, password)
    if weakness is not None:
        raise ValidationFailed({"password": weakness})
    await db.commit()  # only read so far: the hash below holds no write lock
    await _set_password(db, user, password, now or utcnow())
    await record_audit(
        db,
        action="staff.password_reset",
        actor_id=actor_id,
        ip_address=ip_address,
        entity_type="staff_user",
        entity_id=str(user.id),
    )
    return user
