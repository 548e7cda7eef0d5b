"""Event check-in queued on a phone (`attendance.check_in`): by a card code the server looks up
when the write arrives, or by the person the phone found; once, with reasons for refusals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, Enrollment
from server.auth.models import Role
from tests.factories import (
    enroll,
    make_activity,
    make_person,
    make_session,
    make_user,
    marks_by_person,
    run_in_db,
)
from tests.helpers import Client, sign_in


@dataclass
class Event:
    session_id: uuid.UUID
    activity_id: uuid.UUID
    user_id: uuid.UUID
    on_list: tuple[uuid.UUID, str]  # (id, card code) enrolled in the event
    elsewhere: tuple[uuid.UUID, str]  # in another of the facilitator's activities
    stranger: tuple[uuid.UUID, str]  # nowhere the facilitator works


def _event(database_url: str) -> Event:
    async def build(db: AsyncSession) -> Event:
        me = await make_user(db, Role.FACILITATOR, "me@example.org")
        event = await make_activity(db, staff=[me], kind=ActivityKind.EVENT, title="Picnic")
        choir = await make_activity(db, staff=[me])
        on_list = await make_person(db, "Ola", "Lista")
        elsewhere = await make_person(db, "Ewa", "Chór")
        stranger = await make_person(db, "Obcy", "Ktoś")
        await enroll(db, event, on_list)
        await enroll(db, choir, elsewhere)
        session = await make_session(db, event, date.today())
        return Event(
            session.id, event.id, me.id, (on_list.id, on_list.code),
            (elsewhere.id, elsewhere.code), (stranger.id, stranger.code),
        )  # fmt: skip

    return run_in_db(database_url, build)


def _check_in(event: Event, **payload: str) -> dict[str, Any]:
    return {
        "key": str(uuid.uuid4()),
        "kind": "attendance.check_in",
        "payload": {"session_id": str(event.session_id), **payload},
        "device_time": datetime.now(UTC).isoformat(),
        "user_id": str(event.user_id),
    }


def _send(client: Client, writes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    device = str(uuid.uuid4())
    response = client.post(
        "/api/sync/batch",
        json={"device_id": device, "sent_at": datetime.now(UTC).isoformat(), "writes": writes},
        headers={"X-Razem-Device": device},
    )
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def test_queued_check_ins_by_code_and_by_person_apply_once(
    client: Client, database_url: str
) -> None:
    event = _event(database_url)
    sign_in(client, "me@example.org")
    writes = [
        # Scanned on the phone, which found the person in its list: the code decides.
        _check_in(event, code=event.on_list[1].lower(), person_id=str(event.on_list[0])),
        # A code the phone did not know: someone from the facilitator's choir.
        _check_in(event, code=event.elsewhere[1]),
        _check_in(event, person_id=str(event.on_list[0])),  # found by name: already in
        _check_in(event, code="ZZZZZZ"),
        _check_in(event, code=event.stranger[1]),  # a real card, outside the lists
        _check_in(event),
    ]
    results = _send(client, writes)
    assert [r["outcome"] for r in results] == ["applied"] * 3 + ["refused"] * 3
    assert results[2]["result"]["already"] is True
    unknown = "No one with this card code is on your lists."
    assert [r["errors"] for r in results[3:]] == [{"code": unknown}] * 3
    assert marks_by_person(database_url) == {
        event.on_list[0]: "present",
        event.elsewhere[0]: "present",
    }
    replay = _send(client, writes)  # the phone never heard the answer: nothing twice
    assert [r["outcome"] for r in replay] == ["duplicate"] * 6

    async def enrolled(db: AsyncSession) -> set[uuid.UUID]:
        rows = await db.exec(
            select(Enrollment.person_id).where(Enrollment.activity_id == event.activity_id)
        )
        return set(rows.all())

    assert run_in_db(database_url, enrolled) == {event.on_list[0], event.elsewhere[0]}


def test_the_server_not_the_phone_decides_whose_card_it_is(
    client: Client, database_url: str
) -> None:
    """A phone's cached list may be older than the cards: the code is looked up again."""
    event = _event(database_url)
    sign_in(client, "me@example.org")
    stale = _check_in(event, code=event.elsewhere[1], person_id=str(event.on_list[0]))
    assert [r["outcome"] for r in _send(client, [stale])] == ["applied"]
    assert marks_by_person(database_url) == {event.elsewhere[0]: "present"}
