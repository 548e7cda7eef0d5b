"""The session page through the real app: marking (htmx and plain form), closing, notes,
scope, and bad input that changes nothing."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.activities.models import ActivityKind, ActivitySession
from server.audit.models import AuditEntry
from server.auth.models import Role
from server.sync.models import Device
from tests.factories import (
    count_rows,
    enroll,
    make_activity,
    make_person,
    make_session,
    make_user,
    marks_by_person,
    run_in_db,
)
from tests.helpers import Client, csrf_token, sign_in

HTMX = {"HX-Request": "true"}


@dataclass
class Roster:
    session_id: uuid.UUID
    people: list[uuid.UUID]
    other_session_id: uuid.UUID


def _roster(database_url: str, kind: ActivityKind = ActivityKind.CHOIR, n: int = 3) -> Roster:
    async def build(db: AsyncSession) -> Roster:
        me = await make_user(db, Role.FACILITATOR, "me@example.org")
        other = await make_user(db, Role.FACILITATOR, "other@example.org")
        activity = await make_activity(db, staff=[me], kind=kind, tracks_quantity=True)
        names = [("Оксана", "Шевченко"), ("Łukasz", "Wójcik"), ("María", "Rodríguez")]
        people = []
        for i in range(n):
            given, family = names[i % 3]
            person = await make_person(db, given, f"{family}{'' if i < 3 else i}")
            await enroll(db, activity, person)
            people.append(person.id)
        session = await make_session(db, activity, date.today())
        theirs = await make_activity(db, staff=[other], title="Their workshop")
        other_session = await make_session(db, theirs, date.today())
        return Roster(session.id, people, other_session.id)

    return run_in_db(database_url, build)


def test_roster_lists_everyone_with_names_in_both_scripts(
    client: Client, database_url: str
) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    page = client.get(f"/sessions/{roster.session_id}").text
    assert "Оксана Шевченко (Oksana Shevchenko)" in page
    assert "Łukasz Wójcik" in page and "(Lukasz" not in page
    assert len(re.findall(r'class="mark mark-\w+"\s+aria-pressed="false"', page)) == 4 * 3
    assert "Present: 0 · Marked: 0 of 3" in page


def test_an_htmx_tap_marks_and_returns_only_that_row_and_the_counts(
    client: Client, database_url: str
) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    token = csrf_token(client, f"/sessions/{roster.session_id}")
    device = uuid.uuid4()
    person = roster.people[0]
    response = client.post(
        f"/sessions/{roster.session_id}/marks",
        data={"person_id": str(person), "status": "late", "key": str(uuid.uuid4()),
              "device_time": "2026-11-24T10:00:00+00:00", "_csrf_token": token},
        headers={**HTMX, "X-Razem-Device": str(device)},
    )  # fmt: skip
    assert response.status_code == 200
    body = response.text
    assert f'id="roster-row-{person}"' in body
    assert body.count('class="roster-item') == 1  # only this row
    assert re.search(r'value="late"[^>]*aria-pressed="true"', body)
    assert 'id="roster-counts"' in body and 'hx-swap-oob="true"' in body
    assert "Present: 1 · Marked: 1 of 3" in body
    assert marks_by_person(database_url) == {person: "late"}
    assert count_rows(database_url, Device) == 1

    async def audit(db: AsyncSession) -> AuditEntry:
        return (
            await db.exec(select(AuditEntry).where(AuditEntry.action == "attendance.mark"))
        ).one()

    entry = run_in_db(database_url, audit)
    assert entry.device_id == device and entry.actor_id is not None


def test_without_javascript_the_form_posts_and_redirects_back(
    client: Client, database_url: str
) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    token = csrf_token(client, f"/sessions/{roster.session_id}")
    key = str(uuid.uuid4())
    for _ in range(2):  # a double submit of the same rendered form is one write
        response = client.post(
            f"/sessions/{roster.session_id}/marks",
            data={"person_id": str(roster.people[1]), "status": "excused", "key": key,
                  "_csrf_token": token},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303
        assert response.headers["location"].endswith(f"#roster-row-{roster.people[1]}")
    assert marks_by_person(database_url) == {roster.people[1]: "excused"}

    async def audits(db: AsyncSession) -> int:
        query = (
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "attendance.mark")
        )
        return int((await db.exec(query)).one())

    assert run_in_db(database_url, audits) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"status": "present"},  # no person
        {"person_id": "not-a-uuid", "status": "present"},
        {"person_id": "PERSON", "status": "asleep"},
        {"person_id": "PERSON", "status": ""},
        {"person_id": str(uuid.uuid4()), "status": "present"},  # unknown person
        {"person_id": "PERSON", "status": "received"},  # not a distribution
    ],
)
def test_bad_marks_are_refused_with_a_message_and_change_nothing(
    client: Client, database_url: str, data: dict[str, str]
) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    token = csrf_token(client, f"/sessions/{roster.session_id}")
    data = {k: (str(roster.people[0]) if v == "PERSON" else v) for k, v in data.items()}
    response = client.post(
        f"/sessions/{roster.session_id}/marks", data={**data, "_csrf_token": token}
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert marks_by_person(database_url) == {}


def test_htmx_refusal_is_swapped_into_the_row(client: Client, database_url: str) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    token = csrf_token(client, f"/sessions/{roster.session_id}")
    response = client.post(
        f"/sessions/{roster.session_id}/marks",
        data={"person_id": str(roster.people[0]), "status": "asleep", "_csrf_token": token},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Choose one of the options." in response.text
    assert marks_by_person(database_url) == {}


def test_closing_marks_everyone_unmarked_absent_and_the_session_held(
    client: Client, database_url: str
) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    token = csrf_token(client, f"/sessions/{roster.session_id}")
    client.post(
        f"/sessions/{roster.session_id}/marks",
        data={"person_id": str(roster.people[0]), "status": "present", "_csrf_token": token},
    )
    response = client.post(
        f"/sessions/{roster.session_id}/close", data={"_csrf_token": token}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Present: 1 · Marked: 3 of 3" in response.text
    marks = marks_by_person(database_url)
    assert marks == {
        roster.people[0]: "present",
        roster.people[1]: "absent",
        roster.people[2]: "absent",
    }

    async def status(db: AsyncSession) -> str:
        return (await db.get(ActivitySession, roster.session_id)).status.value  # type: ignore[union-attr]

    assert run_in_db(database_url, status) == "held"


def test_session_status_and_note_are_saved_and_validated(client: Client, database_url: str) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    url = f"/sessions/{roster.session_id}"
    token = csrf_token(client, url)
    response = client.post(
        f"{url}/details", data={"status": "cancelled", "note": "x" * 2001, "_csrf_token": token}
    )
    assert response.status_code == 400
    assert "Too long: at most 2000 characters." in response.text
    response = client.post(
        f"{url}/details", data={"status": "sleeping", "note": "", "_csrf_token": token}
    )
    assert response.status_code == 400
    response = client.post(
        f"{url}/details",
        data={"status": "cancelled", "note": "Hall flooded", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(url).text
    assert "Hall flooded" in page and "Saved." not in page
    assert "Saved." in client.get(f"{url}?saved=1").text


def test_distribution_rows_offer_received_with_a_count(client: Client, database_url: str) -> None:
    roster = _roster(database_url, kind=ActivityKind.DISTRIBUTION)
    sign_in(client, "me@example.org")
    url = f"/sessions/{roster.session_id}"
    page = client.get(url).text
    assert 'name="status" value="received"' in page
    assert 'name="status" value="present"' not in page
    assert 'name="quantity"' in page
    response = client.post(
        f"{url}/marks",
        data={"person_id": str(roster.people[2]), "status": "received", "quantity": "3",
              "_csrf_token": csrf_token(client, url)},
        headers=HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    assert 'value="3"' in response.text
    assert "Received: 1 of 3" in response.text


def test_another_facilitators_session_is_not_found_for_every_action(
    client: Client, database_url: str
) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    token = csrf_token(client, f"/sessions/{roster.session_id}")
    theirs = f"/sessions/{roster.other_session_id}"
    missing = f"/sessions/{uuid.uuid4()}"
    for url in (theirs, missing):
        assert client.get(url).status_code == 404
        for action in ("/check-in", "/newcomer", "/add"):
            assert client.get(url + action).status_code == 404
        for action in ("/marks", "/close", "/details", "/check-in", "/newcomer", "/add"):
            response = client.post(
                url + action,
                data={
                    "person_id": str(roster.people[0]),
                    "status": "present",
                    "_csrf_token": token,
                },
            )
            assert response.status_code == 404, (url, action)
    assert marks_by_person(database_url) == {}


def test_a_refusal_is_shown_only_to_whoever_sent_the_write(
    client: Client, database_url: str
) -> None:
    """The worker asks for a row with `refused=<key>`; someone else's key shows nothing."""
    roster = _roster(database_url)
    theirs, mine = uuid.uuid4(), uuid.uuid4()
    sign_in(client, "other@example.org")
    token = csrf_token(client, f"/sessions/{roster.other_session_id}")
    refused = client.post(
        f"/sessions/{roster.other_session_id}/marks",
        data={"person_id": str(roster.people[0]), "status": "present", "key": str(theirs),
              "_csrf_token": token},
    )  # fmt: skip
    assert "This person is not enrolled here." in refused.text
    client.cookies.clear()
    sign_in(client, "me@example.org")
    token = csrf_token(client, f"/sessions/{roster.session_id}")
    client.post(
        f"/sessions/{roster.session_id}/marks",
        data={"person_id": str(roster.people[0]), "status": "asleep", "key": str(mine),
              "_csrf_token": token},
    )  # fmt: skip
    row = f"/sessions/{roster.session_id}/rows/{roster.people[0]}?refused="
    assert "Choose one of the options." in client.get(row + str(mine)).text
    shown = client.get(row + str(theirs))
    assert shown.status_code == 200
    assert "not enrolled" not in shown.text and 'role="alert"' not in shown.text


def test_filter_without_javascript_narrows_the_list(client: Client, database_url: str) -> None:
    roster = _roster(database_url)
    sign_in(client, "me@example.org")
    page = client.get(f"/sessions/{roster.session_id}?q=oksana").text
    assert "Оксана" in page and "Łukasz" not in page
    page = client.get(f"/sessions/{roster.session_id}?q=" + "лукаш").text
    assert "Łukasz" in page and "Оксана" not in page
