"""Database-backed sessions: sliding 30-day expiry, revocation, password changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role, StaffSession
from server.auth.service import resolve_session, start_session, touch_session
from server.common.models import utcnow
from tests.factories import make_user

pytestmark = pytest.mark.anyio
LIFETIME = timedelta(days=30)


async def test_a_session_lasts_30_days_from_its_last_use(db: AsyncSession) -> None:
    user = await make_user(db, Role.FACILITATOR)
    token = await start_session(db, user, lifetime=LIFETIME)
    resolved = await resolve_session(db, token)
    assert resolved is not None and resolved.user.id == user.id
    session = resolved.session
    # Used 29 days later: extended, so it still works 29 days after that.
    session.last_seen_at = utcnow() - timedelta(days=29)
    session.expires_at = utcnow() + timedelta(days=1)
    await db.flush()
    resolved = await resolve_session(db, token)
    assert resolved is not None and resolved.needs_touch
    await touch_session(db, session.id, lifetime=LIFETIME)
    await db.refresh(session)
    assert session.expires_at > utcnow() + timedelta(days=29)


async def test_expired_revoked_and_unknown_tokens_resolve_to_nobody(db: AsyncSession) -> None:
    user = await make_user(db, Role.FACILITATOR)
    token = await start_session(db, user, lifetime=LIFETIME)
    assert await resolve_session(db, "made-up-token") is None
    assert await resolve_session(db, "x" * 5000) is None
    resolved = await resolve_session(db, token)
    assert resolved is not None
    session: StaffSession = resolved.session
    session.expires_at = utcnow() - timedelta(seconds=1)
    await db.flush()
    assert await resolve_session(db, token) is None
    session.expires_at = utcnow() + LIFETIME
    session.revoked_at = utcnow()
    await db.flush()
    assert await resolve_session(db, token) is None


async def test_changing_the_password_ends_older_sessions(db: AsyncSession) -> None:
    user = await make_user(db, Role.TEACHER)
    token = await start_session(db, user, lifetime=LIFETIME)
    user.password_changed_at = utcnow() + timedelta(seconds=1)
    await db.flush()
    assert await resolve_session(db, token) is None


async def test_only_a_hash_of_the_token_is_stored(db: AsyncSession) -> None:
    user = await make_user(db, Role.TEACHER)
    token = await start_session(db, user, lifetime=LIFETIME)
    resolved = await resolve_session(db, token)
    assert resolved is not None
    assert token not in resolved.session.token_hash
    assert len(resolved.session.token_hash) == 64
