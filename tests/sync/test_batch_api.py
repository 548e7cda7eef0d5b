"""The batch endpoint through the real app: results per write, exactly once, order, clock
correction, refusals with reasons, other users' writes, old formats, device reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivitySession
from server.attendance.models import AttendanceMark, MarkHistory
from server.auth.models import Role
from server.people.models import Person
from server.sync.models import Device
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
class Setup:
    session_id: uuid.UUID
    people: list[uuid.UUID]
    user_id: uuid.UUID


def _setup(database_url: str) -> Setup:
    async def build(db: AsyncSession) -> Setup:
        me = await make_user(db, Role.FACILITATOR, "me@example.org")
        activity = await make_activity(db, staff=[me])
        people = [await make_person(db, f"P{i}", "Test") for i in range(3)]
        for person in people:
            await enroll(db, activity, person)
        session = await make_session(db, activity, date.today())
        return Setup(session.id, [p.id for p in people], me.id)

    return run_in_db(database_url, build)


def _mark(
    setup: Setup, i: int, status: str, at: datetime | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "key": str(uuid.uuid4()),
        "kind": "attendance.mark",
        "payload": {
            "session_id": str(setup.session_id),
            "person_id": str(setup.people[i]),
            "status": status,
        },
        "device_time": (at or datetime.now(UTC)).isoformat(),
        "user_id": str(setup.user_id),
        **extra,
    }


def _send(client: Client, device: uuid.UUID, writes: list[dict[str, Any]], **extra: Any) -> Any:
    body = {
        "device_id": str(device),
        "sent_at": datetime.now(UTC).isoformat(),
        "writes": writes,
        **extra,
    }
    return client.post("/api/sync/batch", json=body, headers={"X-Razem-Device": str(device)})


def test_a_batch_applies_each_write_once_and_says_so(client: Client, database_url: str) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    device = uuid.uuid4()
    writes = [_mark(setup, 0, "present"), _mark(setup, 1, "late"), _mark(setup, 2, "absent")]
    first = _send(client, device, writes, pending_count=3, app_version="0.1.0")
    assert first.status_code == 200, first.text
    assert [r["outcome"] for r in first.json()["results"]] == ["applied"] * 3
    again = _send(client, device, writes)  # the same batch replayed (lost response, crash…)
    assert [r["outcome"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert [r["original_outcome"] for r in again.json()["results"]] == ["applied"] * 3
    assert marks_by_person(database_url) == dict(
        zip(setup.people, ["present", "late", "absent"], strict=True)
    )

    async def device_row(db: AsyncSession) -> Device:
        return (await db.exec(select(Device))).one()

    row = run_in_db(database_url, device_row)
    assert row.id == device and row.last_sync_at is not None and row.app_version == "0.1.0"


def test_writes_apply_in_the_order_sent(client: Client, database_url: str) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    now = datetime.now(UTC)
    writes = [
        _mark(setup, 0, "present", now - timedelta(minutes=3)),
        _mark(setup, 0, "absent", now - timedelta(minutes=2)),
        _mark(setup, 0, "late", now - timedelta(minutes=1)),
    ]
    results = _send(client, uuid.uuid4(), writes).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied", "applied"]
    assert marks_by_person(database_url)[setup.people[0]] == "late"


def test_refusals_carry_a_translated_reason_and_change_nothing(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    stranger = run_in_db(database_url, lambda db: make_person(db, "Nie", "Zapisany"))
    bad = _mark(setup, 0, "present")
    bad["payload"]["person_id"] = str(stranger.id)
    wrong_status = _mark(setup, 1, "sleeping")
    response = _send(client, uuid.uuid4(), [bad, wrong_status, _mark(setup, 2, "present")])
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["refused", "refused", "applied"]
    assert results[0]["errors"] == {"person_id": "This person is not enrolled here."}
    assert results[1]["errors"] == {"status": "Choose one of the options."}
    polish = client.post(
        "/api/sync/batch",
        json={"device_id": str(d := uuid.uuid4()), "writes": [_mark(setup, 1, "sleeping")]},
        headers={"X-Razem-Device": str(d), "Accept-Language": "pl"},
    ).json()["results"][0]["errors"]["status"]
    assert polish != "Choose one of the options." and polish
    assert marks_by_person(database_url) == {setup.people[2]: "present"}


def test_writes_of_another_user_and_old_formats_are_refused_not_lost(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    someone_else = _mark(setup, 0, "present", user_id=str(uuid.uuid4()))
    old = _mark(setup, 1, "present", format=0)
    results = _send(client, uuid.uuid4(), [someone_else, old]).json()["results"]
    assert [r["outcome"] for r in results] == ["refused", "refused"]
    assert "another person" in results[0]["errors"][""]
    assert "old version" in results[1]["errors"][""]
    assert marks_by_person(database_url) == {}


def test_clock_skew_is_corrected_and_the_later_tap_wins_with_history(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    now = datetime.now(UTC)
    # Phone A's clock runs an hour fast; it marked "present" 10 minutes ago by its own clock.
    fast, slow = uuid.uuid4(), uuid.uuid4()
    fast_now = now + timedelta(hours=1)
    _send(client, fast, [_mark(setup, 0, "present", fast_now - timedelta(minutes=10))],
          sent_at=fast_now.isoformat())  # fmt: skip
    # Phone B (correct clock) marked "absent" 5 minutes ago: later in real time, so it wins.
    result = _send(client, slow, [_mark(setup, 0, "absent", now - timedelta(minutes=5))])
    assert result.json()["results"][0]["outcome"] == "applied"
    assert marks_by_person(database_url)[setup.people[0]] == "absent"

    async def details(db: AsyncSession) -> tuple[AttendanceMark, list[MarkHistory]]:
        mark = (await db.exec(select(AttendanceMark))).one()
        return mark, list((await db.exec(select(MarkHistory))).all())

    mark, history = run_in_db(database_url, details)
    assert mark.disagreement is True
    assert [(h.status.value, h.device_id) for h in history] == [("present", fast)]


def test_bad_batches_are_refused_whole(client: Client, database_url: str) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    device = uuid.uuid4()
    missing_header = client.post("/api/sync/batch", json={"device_id": str(device), "writes": []})
    assert missing_header.status_code == 400
    too_many = [_mark(setup, 0, "present") for _ in range(1001)]
    assert _send(client, device, too_many).status_code == 400
    not_json = client.post(
        "/api/sync/batch", content=b"\xff\xfe", headers={"X-Razem-Device": str(device),
                                                       "Content-Type": "application/json"}
    )  # fmt: skip
    assert not_json.status_code == 400
    assert marks_by_person(database_url) == {}


def test_signed_out_devices_get_401_and_nothing_is_applied(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    response = _send(client, uuid.uuid4(), [_mark(setup, 0, "present")])
    assert response.status_code == 401
    assert marks_by_person(database_url) == {}


def test_a_newcomer_made_offline_keeps_the_id_the_device_gave(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    person_id = uuid.uuid4()
    write = {
        "key": str(uuid.uuid4()),
        "kind": "people.register_newcomer",
        "payload": {"person_id": str(person_id), "session_id": str(setup.session_id),
                    "given_name": "Ніна", "family_name": "Новак", "consent_shown_in": "uk",
                    "consent_purposes": ["attendance"], "confirm_new": True},
        "user_id": str(setup.user_id),
    }  # fmt: skip
    results = _send(client, uuid.uuid4(), [write, write]).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "duplicate"]

    async def person(db: AsyncSession) -> Person | None:
        return await db.get(Person, person_id)

    assert run_in_db(database_url, person) is not None
    assert marks_by_person(database_url)[person_id] == "present"


def test_the_offline_pack_lists_a_persons_pages_with_versions(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    pack = client.get("/api/sync/pack").json()
    urls = {p["url"]: p["version"] for p in pack["pages"]}
    roster = f"/sessions/{setup.session_id}"
    assert {"/sessions", roster, f"{roster}/newcomer"} <= set(urls)
    _send(client, uuid.uuid4(), [_mark(setup, 0, "present")])
    after = {p["url"]: p["version"] for p in client.get("/api/sync/pack").json()["pages"]}
    assert after[roster] != urls[roster]  # a mark changes the roster's version…
    assert after[f"{roster}/newcomer"] == urls[f"{roster}/newcomer"]  # …not the form's

    async def far_session(db: AsyncSession) -> None:
        session = await db.get(ActivitySession, setup.session_id)
        assert session is not None
        session.date = date.today() + timedelta(days=30)
        db.add(session)

    run_in_db(database_url, far_session)
    assert roster not in {p["url"] for p in client.get("/api/sync/pack").json()["pages"]}


def test_the_batch_endpoint_is_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/schema/openapi.json").json()
    assert "/api/sync/batch" in schema["paths"]
    assert "/api/sync/pack" in schema["paths"]


def test_within_one_batch_a_newcomer_can_be_marked_and_a_repeat_is_a_duplicate(
    client: Client, database_url: str
) -> None:
    setup = _setup(database_url)
    sign_in(client, "me@example.org")
    person_id = str(uuid.uuid4())
    newcomer = {
        "key": str(uuid.uuid4()),
        "kind": "people.register_newcomer",
        "payload": {"person_id": person_id, "session_id": str(setup.session_id),
                    "given_name": "Olha", "family_name": "Batch", "consent_shown_in": "uk",
                    "consent_purposes": ["attendance"], "confirm_new": True},
        "user_id": str(setup.user_id),
    }  # fmt: skip
    later = datetime.now(UTC) + timedelta(seconds=1)
    late = _mark(setup, 0, "late", later)
    late["payload"]["person_id"] = person_id
    repeat = dict(late)
    results = _send(client, uuid.uuid4(), [newcomer, late, repeat]).json()["results"]
    assert [r["outcome"] for r in results] == ["applied", "applied", "duplicate"]
    assert marks_by_person(database_url)[uuid.UUID(person_id)] == "late"
