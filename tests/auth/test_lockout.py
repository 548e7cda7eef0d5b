"""Sign-in lockout with back-off, on a clock the test controls: 5 failures lock for a minute,
each failure after a lock doubles it up to an hour, a success starts again, an address is
locked across emails, and all of it comes from the database (so several app instances agree)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.auth.lockout import SignInLimit
from server.auth.models import Role
from server.auth.service import SignInRefused, authenticate
from server.db import create_engine, create_session_maker
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.anyio
LIMIT = SignInLimit()  # the defaults: 5 failures, then 1 minute, doubling up to 1 hour
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
EMAIL = "ola@example.org"
IP = "203.0.113.7"


async def _try(
    db: AsyncSession,
    at: datetime,
    password: str = "wrong-password",  # noqa: S107
    *,
    email: str = EMAIL,
    ip: str = IP,
) -> str:
    """"ok", "wrong" or the wait message's minutes ("wait 2")."""  # fmt: skip
    try:
        await authenticate(db, email, password, ip_address=ip, limit=LIMIT, now=at)
    except SignInRefused as refused:
        if "minutes" in refused.message.params:
            return f"wait {refused.message.params['minutes']}"
        return "wrong"
    return "ok"


async def test_the_lock_doubles_with_each_failure_after_the_limit_up_to_an_hour(
    db: AsyncSession,
) -> None:
    await make_user(db, Role.TEACHER, EMAIL)
    now = T0
    for _ in range(5):
        assert await _try(db, now) == "wrong"
        now += timedelta(seconds=2)
    last_failure = now - timedelta(seconds=2)
    # Locked for a minute after the 5th failure, even for the right password.
    assert await _try(db, now, PASSWORD) == "wait 1"
    expected = [2, 4, 8, 16, 32, 60, 60]
    lock = timedelta(minutes=1)
    for minutes in expected:
        now = last_failure + lock - timedelta(seconds=1)
        assert await _try(db, now, PASSWORD) == "wait 1"  # one second left
        now = last_failure + lock  # the lock is over: one more try…
        assert await _try(db, now) == "wrong"  # …fails, and the next lock is twice as long
        last_failure = now
        lock = timedelta(minutes=minutes)
        assert await _try(db, now + timedelta(seconds=1), PASSWORD) == f"wait {minutes}"
    # After the last lock, the right password gets in and the count starts again.
    assert await _try(db, last_failure + lock, PASSWORD) == "ok"
    now = last_failure + lock + timedelta(seconds=1)
    for _ in range(4):
        assert await _try(db, now) == "wrong"
    assert await _try(db, now, PASSWORD) == "ok"


async def test_a_success_resets_and_old_failures_are_forgotten(db: AsyncSession) -> None:
    await make_user(db, Role.TEACHER, EMAIL)
    for i in range(4):
        assert await _try(db, T0 + timedelta(seconds=i)) == "wrong"
    assert await _try(db, T0 + timedelta(seconds=5), PASSWORD) == "ok"
    for i in range(4):  # four more: not five in a row since the success
        assert await _try(db, T0 + timedelta(seconds=10 + i)) == "wrong"
    assert await _try(db, T0 + timedelta(seconds=20), PASSWORD) == "ok"
    # Five failures a day and more ago lock nothing today.
    later = T0 + timedelta(days=2)
    for i in range(5):
        assert await _try(db, later + timedelta(seconds=i)) == "wrong"
    assert await _try(db, later + timedelta(hours=24, seconds=5), PASSWORD) == "ok"


async def test_an_address_is_locked_across_emails_and_a_success_does_not_unlock_it(
    db: AsyncSession,
) -> None:
    await make_user(db, Role.TEACHER, EMAIL)
    for i in range(20):  # 20 emails tried once each from one address: 4 x 5
        assert await _try(db, T0 + timedelta(seconds=i), email=f"guess{i}@example.org") == "wrong"
    now = T0 + timedelta(seconds=30)
    assert await _try(db, now, PASSWORD) == "wait 1"
    assert await _try(db, now, PASSWORD, ip="198.51.100.1") == "ok"  # another address
    # The address's lock doubles too; a success of a valid account there does not reset it.
    now = T0 + timedelta(seconds=19, minutes=1)
    assert await _try(db, now, PASSWORD) == "ok"
    assert await _try(db, now, email="guess-again@example.org") == "wrong"
    assert await _try(db, now + timedelta(seconds=1), PASSWORD) == "wait 2"


async def test_failures_elsewhere_do_not_lock_the_person_out_at_a_known_address(
    db: AsyncSession,
) -> None:
    """Someone failing on purpose from other addresses locks the email there, but not at the
    address the person signed in from lately; failures at that address still count."""
    await make_user(db, Role.TEACHER, EMAIL)
    assert await _try(db, T0, PASSWORD) == "ok"  # the centre's Wi-Fi becomes known
    now = T0 + timedelta(days=3)
    for i in range(5):  # an attacker, from five addresses
        assert await _try(db, now + timedelta(seconds=i), ip=f"198.51.100.{i}") == "wrong"
    now += timedelta(seconds=10)
    assert await _try(db, now, PASSWORD, ip="192.0.2.99") == "wait 1"  # a new address: locked
    assert await _try(db, now, PASSWORD) == "ok"  # the known one: not
    for i in range(5):  # at the known address its own failures still lock it
        assert await _try(db, now + timedelta(seconds=1 + i)) == "wrong"
    assert await _try(db, now + timedelta(seconds=7), PASSWORD) == "wait 1"
    # A success 31 days ago no longer makes the address known.
    later = T0 + timedelta(days=40)
    for i in range(5):
        assert await _try(db, later + timedelta(seconds=i), ip=f"198.51.100.{i}") == "wrong"
    assert await _try(db, later + timedelta(seconds=10), PASSWORD) == "wait 1"


async def test_the_lock_holds_for_another_app_instance(db: AsyncSession, database_url: str) -> None:
    """Failures committed by one instance lock the email for another: the count lives in the
    database, not in a process."""
    await make_user(db, Role.TEACHER, EMAIL)
    for i in range(5):
        assert await _try(db, T0 + timedelta(seconds=i)) == "wrong"
    await db.commit()
    other = create_engine(database_url)
    try:
        async with create_session_maker(other, write=True)() as elsewhere:
            assert await _try(elsewhere, T0 + timedelta(seconds=10), PASSWORD) == "wait 1"
            await elsewhere.commit()
    finally:
        await other.dispose()


async def test_failed_and_throttled_sign_ins_are_audited_with_the_address(
    db: AsyncSession,
) -> None:
    await make_user(db, Role.TEACHER, EMAIL)
    for i in range(5):
        await _try(db, T0 + timedelta(seconds=i))
    assert await _try(db, T0 + timedelta(seconds=6), PASSWORD) == "wait 1"
    entries = (await db.exec(select(AuditEntry).order_by(AuditEntry.at))).all()
    actions = [entry.action for entry in entries]
    assert actions == ["auth.sign_in_failed"] * 5 + ["auth.sign_in_throttled"]
    assert {entry.ip_address for entry in entries} == {IP}
    assert all(entry.details["email"] == EMAIL for entry in entries)
    assert entries[-1].details["wait_seconds"] == 58


async def test_a_hash_made_with_the_old_parameters_is_remade_at_sign_in(db: AsyncSession) -> None:
    """Hashes from argon2-cffi's heavier default (before decision 19) still verify, and the
    next sign-in stores one with the current parameters."""
    from argon2 import PasswordHasher

    user = await make_user(db, Role.TEACHER, EMAIL)
    user.password_hash = PasswordHasher().hash(PASSWORD)  # 64 MiB, 3 passes, 4 lanes
    db.add(user)
    await db.commit()
    assert await _try(db, T0, PASSWORD) == "ok"
    await db.commit()
    await db.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await _try(db, T0 + timedelta(seconds=1), PASSWORD) == "ok"
