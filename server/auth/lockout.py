"""Sign-in lockout with back-off, computed from `sign_in_attempts` so that it holds across
several app instances.

After `max_failures` failed sign-ins for one email (since its last success, and within a day)
the email is locked for `first_lock`; each further failure after a lock doubles it (1, 2, 4 …
minutes), up to `max_lock`. A successful sign-in starts the count again. One address is
treated the same way across all emails, with `address_factor` times the failures allowed, over
the last hour only, and a success does not reset it (else one valid account would unlock an
attacker's address).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import SignInAttempt
from server.common.errors import Message
from server.i18n.catalogs import N_

_NO_LOCK = timedelta(0)


@dataclass(frozen=True)
class SignInLimit:
    max_failures: int = 5
    first_lock: timedelta = timedelta(minutes=1)
    max_lock: timedelta = timedelta(hours=1)
    memory: timedelta = timedelta(hours=24)  # failures older than this are forgotten
    address_factor: int = 4
    address_memory: timedelta = timedelta(hours=1)

    def lock_after(self, failures: int, *, allowed: int) -> timedelta:
        """How long `failures` recent failures lock out, when `allowed` come free."""
        if failures < allowed:
            return _NO_LOCK
        doublings = failures - allowed
        if doublings >= 32:
            return self.max_lock
        return min(self.first_lock * 2**doublings, self.max_lock)


async def _failures(
    db: AsyncSession, *, after: datetime, email: str | None = None, ip_address: str | None = None
) -> tuple[int, datetime | None]:
    """How many failed attempts there were after `after`, and when the last one was."""
    query = select(func.count(), func.max(SignInAttempt.attempted_at)).where(
        col(SignInAttempt.succeeded).is_(False), SignInAttempt.attempted_at > after
    )
    if email is not None:
        query = query.where(SignInAttempt.email == email)
    if ip_address is not None:
        query = query.where(SignInAttempt.ip_address == ip_address)
    count, last = (await db.exec(query)).one()
    return int(count), last


async def _last_success(db: AsyncSession, email: str) -> datetime | None:
    query = select(func.max(SignInAttempt.attempted_at)).where(
        SignInAttempt.email == email, col(SignInAttempt.succeeded).is_(True)
    )
    last: datetime | None = (await db.exec(query)).one()
    return last


async def lock_remaining(
    db: AsyncSession, *, email: str, ip_address: str, limit: SignInLimit, now: datetime
) -> timedelta:
    """How long sign-ins for this email, or from this address, must wait (zero: not locked)."""
    after = now - limit.memory
    last_success = await _last_success(db, email)
    if last_success is not None and last_success > after:
        after = last_success
    remaining = _NO_LOCK
    failures, last = await _failures(db, after=after, email=email)
    if last is not None:
        lock = limit.lock_after(failures, allowed=limit.max_failures)
        remaining = max(remaining, last + lock - now)
    failures, last = await _failures(db, after=now - limit.address_memory, ip_address=ip_address)
    if last is not None:
        lock = limit.lock_after(failures, allowed=limit.max_failures * limit.address_factor)
        remaining = max(remaining, last + lock - now)
    return remaining


def wait_message(remaining: timedelta) -> Message:
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return Message(
        N_("Too many sign-in attempts. Try again in %(minutes)s min."), {"minutes": minutes}
    )


def record_attempt(
    db: AsyncSession, *, email: str, ip_address: str, now: datetime, succeeded: bool
) -> None:
    db.add(
        SignInAttempt(
            email=email, ip_address=ip_address[:64], attempted_at=now, succeeded=succeeded
        )
    )
