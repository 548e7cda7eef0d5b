"""Sign-in lockout with back-off, computed from `sign_in_attempts` so that it holds across
several app instances.

After `max_failures` failed sign-ins for one email (since its last success, and within a day)
the email is locked for `first_lock`; each further failure after a lock doubles it (1, 2, 4 …
minutes), up to `max_lock`. A successful sign-in starts the count again. One address is
treated the same way across all emails, with `address_factor` times the failures allowed, over
the last hour only, and a success does not reset it (else one valid account would unlock an
attacker's address).

An address from which the email signed in successfully in the last `known_address` days (the
centre's Wi-Fi, the person's home) counts only its own failures towards the email's lock:
someone failing on purpose elsewhere, to keep a colleague locked out, does not lock them out
there (OWASP's "known device" idea, by address rather than by cookie).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
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
    known_address: timedelta = timedelta(days=30)

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


async def _known_address(db: AsyncSession, email: str, ip_address: str, *, after: datetime) -> bool:
    query = select(SignInAttempt.id).where(
        SignInAttempt.email == email,
        SignInAttempt.ip_address == ip_address,
        col(SignInAttempt.succeeded).is_(True),
        SignInAttempt.attempted_at > after,
    )
    return (await db.exec(query.limit(1))).first() is not None


async def lock_remaining(
    db: AsyncSession, *, email: str, ip_address: str, limit: SignInLimit, now: datetime
) -> timedelta:
    """How long sign-ins for this email, or from this address, must wait (zero: not locked)."""
    after = now - limit.memory
    last_success = await _last_success(db, email)
    if last_success is not None and last_success > after:
        after = last_success
    remaining = _NO_LOCK
    known = await _known_address(db, email, ip_address, after=now - limit.known_address)
    failures, last = await _failures(
        db, after=after, email=email, ip_address=ip_address if known else None
    )
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


# Attempts are kept only as long as the lockout reads them, with a margin: they hold staff
# emails and addresses (failed sign-ins are also in the audit trail, which is kept). Successes
# are kept as long as they make an address known (SignInLimit.known_address).
KEEP_ATTEMPTS = timedelta(days=7)
KEEP_SUCCESSES = SignInLimit().known_address


async def delete_attempts_before(
    db: AsyncSession, failed_before: datetime, succeeded_before: datetime
) -> int:
    """Delete failed attempts made before `failed_before` and successful ones made before
    `succeeded_before`; returns how many."""
    failed = await db.exec(
        delete(SignInAttempt).where(
            col(SignInAttempt.succeeded).is_(False), col(SignInAttempt.attempted_at) < failed_before
        )
    )
    succeeded = await db.exec(
        delete(SignInAttempt).where(
            col(SignInAttempt.succeeded).is_(True),
            col(SignInAttempt.attempted_at) < succeeded_before,
        )
    )
    return int(failed.rowcount or 0) + int(succeeded.rowcount or 0)
