"""Which connections a page reads through (decision 27): on a SQLite file the session lookup
and the pages people open all day (rosters, the offline pack) read on the event loop's own
connections; pages that may read much (reports) keep aiosqlite's threads."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role
from tests.factories import enroll, make_activity, make_person, make_session, make_user, run_in_db
from tests.helpers import Client, sign_in


class Reads:
    """The SELECTs each engine of the app ran, and the kinds of connection each engine opened
    (InlineSQLite runs a statement on the event loop's thread, aiosqlite in a thread of its
    own)."""

    def __init__(self, app: Litestar) -> None:
        self.state = app.state.razem
        self.counts: Counter[str] = Counter()
        self.kinds: dict[str, set[str]] = {}
        for name in ("engine", "quick_engine"):
            engine = getattr(self.state, name)
            if engine is not None:
                event.listen(engine.sync_engine, "before_cursor_execute", self._seen(name))
                event.listen(engine.sync_engine, "connect", self._opened(name))

    def _seen(self, name: str) -> Any:
        def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                self.counts[name] += 1

        return listener

    def _opened(self, name: str) -> Any:
        def listener(dbapi_connection: Any, _record: Any) -> None:
            kind = type(dbapi_connection.driver_connection).__name__
            self.kinds.setdefault(name, set()).add(kind)

        return listener

    def reset(self) -> None:
        self.counts.clear()


@pytest.fixture
def reads(app: Litestar) -> Iterator[Reads]:
    yield Reads(app)


def _facilitator_session(database_url: str) -> uuid.UUID:
    async def build(db: AsyncSession) -> uuid.UUID:
        me = await make_user(db, Role.FACILITATOR, "me@example.org")
        await make_user(db, Role.COORDINATOR, "coord@example.org")
        activity = await make_activity(db, staff=[me])
        await enroll(db, activity, await make_person(db, "Oksana", "Shevchenko"))
        return (await make_session(db, activity, date.today())).id

    return run_in_db(database_url, build)


def test_a_roster_reads_on_the_event_loop_and_a_report_in_threads(
    client: Client, reads: Reads, database_url: str
) -> None:
    session_id = _facilitator_session(database_url)
    sign_in(client, "me@example.org")
    reads.reset()
    assert client.get(f"/sessions/{session_id}").status_code == 200
    assert client.get("/api/sync/pack").status_code == 200
    if reads.state.quick_engine is None:  # PostgreSQL: one engine for every read
        assert reads.state.quick_read_sessions is reads.state.read_sessions
        assert reads.counts["engine"] > 0
        return
    assert reads.counts["quick_engine"] >= 3  # the sign-in lookup, the session, its rows…
    assert reads.counts["engine"] == 0

    client.post("/sign-out", data={"_csrf_token": client.cookies.get("razem_csrf", "")})
    sign_in(client, "coord@example.org")
    reads.reset()
    assert client.get("/reports?from=2026-01-01&to=2026-12-31").status_code == 200
    assert reads.counts["quick_engine"] >= 1  # who is signed in
    assert reads.counts["engine"] > 0  # the report's own queries, in aiosqlite's threads
    assert reads.kinds == {"quick_engine": {"InlineSQLite"}, "engine": {"Connection"}}
