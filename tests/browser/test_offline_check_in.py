"""Check-in at events while the server is really stopped: by a card's code (typed, as the QR
scanner does) and by name search, queued in the outbox and applied once when the server is
back; a code the phone cannot resolve waits for the server (docs/offline.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_offline import (
    SYNCED,
    db_rows,
    launch,
    session_marks,
    sign_in,
    wait_until_offline_ready,
)
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser
FACILITATOR_EVENTS = (
    "SELECT s.id FROM sessions s JOIN activities a ON a.id = s.activity_id "
    "JOIN activity_staff st ON st.activity_id = a.id JOIN staff_users u ON u.id = st.user_id "
    "WHERE a.kind = 'event' AND u.email = 'facilitator@example.org' "
    "AND s.date BETWEEN date('now', '-6 day') AND date('now', '+13 day') ORDER BY s.date LIMIT 1"
)


def as_uuid(value: object) -> str:
    h = str(value)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def people_of(server: ServerProcess, session_hex: str, *, enrolled: bool) -> list[tuple[str, ...]]:
    """(id, code, given, family) of people on the session's activity, or of people the
    facilitator sees through another activity but who are not on this one."""
    on_activity = (
        "SELECT e.person_id FROM enrollments e JOIN sessions s ON s.activity_id = e.activity_id "
        "WHERE s.id = ?"
    )
    where = (
        f"p.id IN ({on_activity})"
        if enrolled
        else (
            f"p.id NOT IN ({on_activity}) AND p.id IN (SELECT e.person_id FROM enrollments e "
            "JOIN activity_staff st ON st.activity_id = e.activity_id JOIN staff_users u "
            "ON u.id = st.user_id WHERE u.email = 'facilitator@example.org')"
        )
    )
    rows = db_rows(
        server,
        f"SELECT p.id, p.code, p.given_name, p.family_name FROM people p WHERE {where} "
        "AND p.erased_at IS NULL ORDER BY p.family_name, p.given_name LIMIT 3",
        session_hex,
    )
    return [tuple(str(v) for v in row) for row in rows]


def test_check_in_by_card_code_and_search_offline_is_queued_and_synced_once(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    session_hex = str(db_rows(server, FACILITATOR_EVENTS)[0][0])
    session_id = as_uuid(session_hex)
    (a_id, a_code, a_given, a_family), (b_id, _, b_given, b_family) = people_of(
        server, session_hex, enrolled=True
    )[:2]
    c_id, c_code, _, _ = people_of(server, session_hex, enrolled=False)[0]
    unknown = "ZZZZ99"
    assert db_rows(server, "SELECT count(*) FROM people WHERE code = ?", unknown) == [(0,)]

    context = launch(playwright, tmp_path / "phone")
    page = context.new_page()
    sign_in(page, server)
    wait_until_offline_ready(page)

    server.stop()  # no connection at all: the check-in page comes from the offline pack
    page.goto(f"{server.url}/sessions/{session_id}/check-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in")
    result = page.locator("#check-in-result")
    pending = page.locator("#check-in-pending li")

    # A card on this event's list, typed as the scanner sends it: resolved on the phone.
    page.get_by_label("Card code", exact=True).fill(f" razem:{a_code.lower()} ")
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(result).to_contain_text(f"Checked in on this phone: {a_given} {a_family}.")
    expect(result).to_contain_text("Waiting to sync.")
    # Search by name works from the list the phone has.
    page.get_by_label("Name or card code").fill(f"{b_given} {b_family}")
    expect(page.locator("#check-in-results")).to_contain_text(
        "No connection: only the people on this list are searched."
    )
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(f"^Check in {b_given} {b_family}")).first.click()
    expect(result).to_contain_text(f"Checked in on this phone: {b_given} {b_family}.")
    # A card the phone does not know (someone from another of the facilitator's activities,
    # and a code nobody has): kept for the server to look up.
    for code in (c_code, unknown):
        page.get_by_label("Card code", exact=True).fill(code)
        page.get_by_role("button", name="Check in", exact=True).click()
        expect(result).to_contain_text(f"Card code {code} is saved on this phone")
    expect(page.locator("#sync-status")).to_have_text("4 changes waiting to sync")
    expect(pending).to_have_count(4)
    expect(pending.nth(0)).to_contain_text(f"{a_given} {a_family}")
    expect(pending.nth(3)).to_contain_text(unknown)
    assert_accessible(page)

    page.reload()  # still offline: the queued check-ins are still shown as waiting
    expect(pending).to_have_count(4)
    expect(page.locator("#sync-status")).to_have_text("4 changes waiting to sync")
    assert db_rows(server, "SELECT count(*) FROM applied_writes") == [(0,)]
    # The cached roster of the event shows the people checked in on the phone as pending.
    page.get_by_role("link", name=re.compile("^←")).click()
    for person in (a_id, b_id):
        queued_row = page.locator(f"#roster-row-{as_uuid(person)}.pending")
        expect(queued_row.get_by_role("button", name="Present", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
    page.go_back()

    server.start()
    expect(page.locator("#sync-status")).to_have_text(
        f"{SYNCED} Needs attention: 1.", timeout=45000
    )
    expect(pending).to_have_count(0)
    marks = session_marks(server, session_id)
    assert marks == {a_id: "present", b_id: "present", c_id: "present"}
    assert db_rows(server, "SELECT count(*) FROM applied_writes") == [(4,)]
    assert db_rows(
        server, "SELECT outcome, count(*) FROM applied_writes GROUP BY outcome ORDER BY outcome"
    ) == [("applied", 3), ("refused", 1)]
    # The person from another activity is now on this event's list too.
    assert db_rows(
        server,
        "SELECT count(*) FROM enrollments e JOIN sessions s ON s.activity_id = e.activity_id "
        "WHERE s.id = ? AND e.person_id = ?",
        session_hex,
        c_id,
    ) == [(1,)]

    page.goto(f"{server.url}/sync")
    attention = page.locator("#attention-list")
    expect(attention).to_contain_text("No one with this card code is on your lists.")
    expect(attention).to_contain_text(unknown)
    context.close()
