"""Forgetting old idempotency keys. A key is kept so that a write sent again is answered as a
duplicate instead of being applied twice; after `idempotency_keys_days` it is deleted, and
the batch endpoint refuses queued writes old enough that their key may be gone (see
`server/sync/batch.py` and docs/security.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from server.db import SessionMaker, session_scope
from server.sync.models import AppliedWrite

CHUNK = 5000  # keys per transaction: phones' batches never wait long for the write lock


async def delete_keys_before(sessions: SessionMaker, before: datetime) -> int:
    """Delete the keys applied before `before`, a chunk per transaction; returns how many."""
    deleted = 0
    while True:
        async with session_scope(sessions) as db:
            keys = (
                await db.exec(
                    select(AppliedWrite.idempotency_key)
                    .where(col(AppliedWrite.applied_at) < before)
                    .limit(CHUNK)
                )
            ).all()
            if keys:
                await db.exec(
                    delete(AppliedWrite).where(col(AppliedWrite.idempotency_key).in_(keys))
                )
        deleted += len(keys)
        if len(keys) < CHUNK:
            return deleted
