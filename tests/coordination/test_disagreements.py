"""Disagreements through the real app: two phones disagree through /api/sync/batch; the
coordinator sees both values and resolves through the write path (once, audited); the
superseded values stay in history; bad input and other roles change nothing."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.attendance.models import AttendanceMark, MarkHistory
from server.audit.models import AuditEntry
from server.auth.models import Role, StaffUser
from server.sync.models import AppliedWrite
from tests.coordination.setup import (
    ANDROID_CHROME,
    COORDINATOR,
    FACILITATOR,
    IPHONE_SAFARI,
    Centre,
    make_centre,
    mark_write,
    send_batch,
)
from tests.factories import make_user, run_in_db
from tests.helpers import Client, csrf_token, sign_in

PAGE = "/coordination/disagreements"


@dataclass
class State:
    marks: dict[uuid.UUID, tuple[str, bool]]  # person → (status, disagreement)
    history: list[tuple[uuid.UUID, str]]  # (person, status), in insertion order
    resolve_audits: list[AuditEntry]
    resolve_writes: int
    coordinator_id: uuid.UUID


def _state(database_url: str) -> State:
    async def load(db: AsyncSession) -> State:
        marks = (await db.exec(select(AttendanceMark))).all()
        history = (
            await db.exec(select(MarkHistory).order_by(col(MarkHistory.superseded_at)))
        ).all()
        audits = (
            await db.exec(select(AuditEntry).where(AuditEntry.action == "attendance.resolve"))
        ).all()
        writes = (
            await db.exec(select(AppliedWrite).where(AppliedWrite.kind == "attendance.resolve"))
        ).all()
        coordinator = (await db.exec(select(StaffUser).where(StaffUser.email == COORDINATOR))).one()
        return State(
            marks={m.person_id: (m.status.value, m.disagreement) for m in marks},
            history=[(h.person_id, h.status.value) for h in history],
            resolve_audits=list(audits),
            resolve_writes=len(writes),
            coordinator_id=coordinator.id,
        )

    return run_in_db(database_url, load)


def _mark_ids(database_url: str) -> dict[uuid.UUID, uuid.UUID]:
    async def load(db: AsyncSession) -> dict[uuid.UUID, uuid.UUID]:
        return {m.person_id: m.id for m in (await db.exec(select(AttendanceMark))).all()}

    return run_in_db(database_url, load)


def _two_phones_disagree(client: Client, database_url: str) -> tuple[Centre, uuid.UUID, uuid.UUID]:
    """Phone A (Android) marks persons 0 and 1 present; phone B (iPhone), later, marks person 0
    absent and person 1 late. B's later taps win; A's values lose and are flagged."""
    centre = make_centre(database_url)
    sign_in(client, FACILITATOR)
    phone_a, phone_b = uuid.uuid4(), uuid.uuid4()
    earlier = datetime.now(UTC) - timedelta(minutes=10)
    session = centre.ended_unmarked
    send_batch(client, phone_a, [mark_write(centre, session, 0, "present", earlier),
                                 mark_write(centre, session, 1, "present", earlier)],
               user_agent=ANDROID_CHROME)  # fmt: skip
    send_batch(client, phone_b, [mark_write(centre, session, 0, "absent"),
                                 mark_write(centre, session, 1, "late")],
               user_agent=IPHONE_SAFARI)  # fmt: skip
    client.cookies.clear()
    return centre, phone_a, phone_b


def _section(page: str, mark_id: uuid.UUID) -> str:
    found = re.search(rf'<section class="disagreement" id="disagreement-{mark_id}".*?</section>',
                      page, re.S)  # fmt: skip
    assert found is not None, f"mark {mark_id} not listed"
    return " ".join(found.group(0).split())


def _resolve(client: Client, mark_id: uuid.UUID | str, status: str, key: str | None = None) -> Any:
    data = {
        "status": status,
        "key": key or str(uuid.uuid4()),
        "_csrf_token": csrf_token(client, PAGE),
    }
    return client.post(f"{PAGE}/{mark_id}/resolve", data=data, follow_redirects=False)


def test_two_phones_disagree_and_the_coordinator_changes_the_mark_once(
    client: Client, database_url: str
) -> None:
    centre, phone_a, phone_b = _two_phones_disagree(client, database_url)
    first = centre.people[0]
    before = _state(database_url)
    assert before.marks[first] == ("absent", True)
    assert (first, "present") in before.history
    mark_id = _mark_ids(database_url)[first]

    sign_in(client, COORDINATOR)
    page = client.get(PAGE)
    assert page.status_code == 200
    listed = _section(page.text, mark_id)
    assert "Person0 Test" in listed
    shown = re.search(r"<th scope=\"row\">Shown now</th>(.*?)</tr>", listed)
    earlier = re.search(r"<th scope=\"row\">Earlier value</th>(.*?)</tr>", listed)
    assert shown and "Absent" in shown.group(1) and str(phone_b)[:8] in shown.group(1)
    assert "Safari on iOS" in shown.group(1) and "Olena Facilitator" in shown.group(1)
    assert earlier and "Present" in earlier.group(1) and str(phone_a)[:8] in earlier.group(1)
    assert "Chrome on Android" in earlier.group(1)

    key = str(uuid.uuid4())
    answer = _resolve(client, mark_id, "present", key)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{PAGE}?resolved=1"
    again = _resolve(client, mark_id, "present", key)  # a double submit, or a retry
    assert again.status_code == 303

    after = _state(database_url)
    assert after.marks[first] == ("present", False)
    # Both phones' values are kept: A's present (lost to B) and B's absent (replaced now).
    assert [s for p, s in after.history if p == first] == ["present", "absent"]
    assert after.resolve_writes == 1
    assert len(after.resolve_audits) == 1
    audit = after.resolve_audits[0]
    assert audit.actor_id == after.coordinator_id
    assert audit.entity_id == str(mark_id)
    assert audit.details["from"] == "absent" and audit.details["to"] == "present"
    # The other person's disagreement is still open; this one is gone from the list.
    page = client.get(f"{PAGE}?resolved=1")
    assert "Disagreement resolved." in page.text
    assert f'id="disagreement-{mark_id}"' not in page.text
    assert f'id="disagreement-{_mark_ids(database_url)[centre.people[1]]}"' in page.text
    roster = client.get(f"/coordination/sessions/{centre.ended_unmarked}").text
    row = re.search(rf'<tr id="synced-row-{first}">(.*?)</tr>', roster, re.S)
    assert row and "Kasia Coordinator" in row.group(1) and "2 earlier values kept" in row.group(1)


def test_confirming_the_current_value_clears_the_flag_and_keeps_it(
    client: Client, database_url: str
) -> None:
    centre, _, _ = _two_phones_disagree(client, database_url)
    second = centre.people[1]
    history_before = _state(database_url).history
    sign_in(client, COORDINATOR)
    assert _resolve(client, _mark_ids(database_url)[second], "late").status_code == 303
    after = _state(database_url)
    assert after.marks[second] == ("late", False)
    assert after.history == history_before  # nothing replaced, nothing lost
    assert after.resolve_audits[0].details["changed"] is False
    # Resolved already: a second decision (a new key) is refused and changes nothing.
    again = _resolve(client, _mark_ids(database_url)[second], "excused")
    assert again.status_code == 400
    assert "This disagreement has been resolved already." in again.text
    assert _state(database_url).marks[second] == ("late", False)


@pytest.mark.parametrize(
    ("target", "status", "message"),
    [
        ("flagged", "maybe", "Choose one of the options."),
        ("flagged", "", "Choose one of the options."),
        ("flagged", "received", "This mark does not fit this activity."),
        ("unknown", "present", "This mark does not exist (any more)."),
    ],
)
def test_bad_input_gives_a_clear_error_and_writes_nothing(
    client: Client, database_url: str, target: str, status: str, message: str
) -> None:
    centre, _, _ = _two_phones_disagree(client, database_url)
    before = _state(database_url)
    mark_id = _mark_ids(database_url)[centre.people[0]] if target == "flagged" else uuid.uuid4()
    sign_in(client, COORDINATOR)
    answer = _resolve(client, mark_id, status)
    assert answer.status_code == 400
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', answer.text, re.S)
    assert summary and message in summary.group(0)
    if target == "flagged":  # and next to the mark's choices
        assert f'<p class="field-error" id="error-{mark_id}">{message}' in answer.text
    after = _state(database_url)
    assert (after.marks, after.history) == (before.marks, before.history)
    assert after.resolve_audits == []


def test_only_coordinators_and_admins_may_see_or_resolve(client: Client, database_url: str) -> None:
    centre, _, _ = _two_phones_disagree(client, database_url)
    mark_id = _mark_ids(database_url)[centre.people[0]]
    run_in_db(database_url, lambda db: make_user(db, Role.TEACHER, "teacher@example.org"))
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    pages = ["/coordination/sessions", f"/coordination/sessions/{centre.ended_unmarked}",
             "/coordination/devices", PAGE]  # fmt: skip
    for path in pages:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    for email, allowed in ((FACILITATOR, False), ("teacher@example.org", False),
                           ("admin@example.org", True)):  # fmt: skip
        client.cookies.clear()
        sign_in(client, email)
        for path in pages:
            assert client.get(path).status_code == (200 if allowed else 403), (email, path)
        nav = client.get("/people").text
        assert ('href="/coordination/sessions"' in nav) is allowed
        if not allowed:
            token = csrf_token(client, "/people")
            refused = client.post(
                f"{PAGE}/{mark_id}/resolve",
                data={"status": "present", "key": str(uuid.uuid4()), "_csrf_token": token},
            )
            assert refused.status_code == 403
    # A facilitator's phone cannot resolve through the batch endpoint either.
    client.cookies.clear()
    sign_in(client, FACILITATOR)
    write = {"key": str(uuid.uuid4()), "kind": "attendance.resolve",
             "payload": {"mark_id": str(mark_id), "status": "present"}}  # fmt: skip
    result = send_batch(client, uuid.uuid4(), [write])["results"][0]
    assert result["outcome"] == "refused"
    assert "You may not make this change." in result["errors"][""]
    state = _state(database_url)
    assert state.marks[centre.people[0]] == ("absent", True)
    assert state.resolve_audits == []
