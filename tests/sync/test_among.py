"""A batch's reads look its many ids up with one parameter (`among`, server/common/bulk.py:
`json_each` on SQLite, `= ANY` on PostgreSQL): the rows found must be exactly those a plain
`IN` finds, whatever mix of known, unknown and repeated ids is asked for."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role
from server.common.bulk import AMONG_FROM, among, in_one_parameter, insert_rows
from server.sync.writes import APPLIED_TABLE
from tests.factories import make_user

pytestmark = pytest.mark.anyio


async def test_among_finds_what_in_finds(db: AsyncSession) -> None:
    user = await make_user(db, Role.FACILITATOR)
    await db.flush()
    known = [uuid.uuid4() for _ in range(250)]
    now = datetime.now(UTC)
    await insert_rows(
        db,
        APPLIED_TABLE,
        [
            {
                "idempotency_key": key,
                "user_id": user.id,
                "device_id": None,
                "kind": "attendance.mark",
                "payload_hash": "0" * 64,
                "outcome": "applied",
                "result": {"result": {"n": n}},
                "applied_at": now,
            }
            for n, key in enumerate(known)
        ],
    )
    dialect = (await db.connection()).dialect
    column = APPLIED_TABLE.c.idempotency_key
    asked_for: list[list[uuid.UUID]] = [
        [],
        known[:1],
        [uuid.uuid4()],
        known[::3] + [uuid.uuid4() for _ in range(5)] + known[:2],  # repeats and unknowns
        known[:20] + [uuid.uuid4() for _ in range(5)],  # few: a plain IN
        known,
        known + [uuid.uuid4() for _ in range(60)],
    ]
    assert any(len(keys) < AMONG_FROM for keys in asked_for)
    assert any(len(keys) >= AMONG_FROM for keys in asked_for)
    for keys in asked_for:
        one = (
            await db.exec(
                select(column, APPLIED_TABLE.c.result).where(
                    in_one_parameter(column, keys, dialect)
                )
            )
        ).all()
        found = (
            await db.exec(
                select(column, APPLIED_TABLE.c.result).where(among(column, keys, dialect))
            )
        ).all()
        expected = (
            await db.exec(select(column, APPLIED_TABLE.c.result).where(column.in_(keys)))
        ).all()
        assert sorted(found) == sorted(expected) == sorted(one)
        assert {key for key, _ in found} == set(keys) & set(known)
        # read back as the column's type, as through IN
        assert all(isinstance(key, uuid.UUID) and isinstance(r, dict) for key, r in found)
