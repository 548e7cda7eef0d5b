"""A coordinator's sync overview in real Chromium: two phones (an Android and an iPhone, each
its own browser with its own device id) disagree about one person's mark; the coordinator
sees both values and resolves it. axe and 360 px on every page of the overview."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_offline import db_rows, hex_id, open_todays_choir, sign_in
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
SEND_BATCH = """async ([device, body]) => {
  const response = await fetch("/api/sync/batch", {
    method: "POST", body: body,
    headers: {"Content-Type": "application/json", "X-Razem-Device": device},
  });
  return [response.status, await response.json()];
}"""


def phone_marks(
    browser: Browser, server: ServerProcess, user_agent: str, status: str, at: datetime
) -> tuple[str, str, str]:
    """A facilitator's phone sends, as its outbox would, one mark for the first person on
    today's choir roster. Returns the session, the person and the device id."""
    context = browser.new_context(user_agent=user_agent, locale="en-GB")
    page = context.new_page()
    sign_in(page, server)
    session_id = open_todays_choir(page)
    person_id = page.locator("#roster-list > li.roster-item").first.get_attribute("data-person-id")
    assert person_id
    user_id = page.locator('meta[name="razem-user"]').get_attribute("content")
    device = str(uuid.uuid4())
    write = {"key": str(uuid.uuid4()), "kind": "attendance.mark", "user_id": user_id,
             "payload": {"session_id": session_id, "person_id": person_id, "status": status},
             "device_time": at.isoformat()}  # fmt: skip
    body = {"device_id": device, "sent_at": datetime.now(UTC).isoformat(), "writes": [write],
            "pending_count": 1, "app_version": "test"}  # fmt: skip
    code, answer = page.evaluate(SEND_BATCH, [device, json.dumps(body)])
    assert code == 200 and answer["results"][0]["outcome"] == "applied", answer
    context.close()
    return session_id, person_id, device


def check_page(page: Page) -> None:
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_coordinator_sees_two_phones_disagree_and_resolves_it(
    browser: Browser, server: ServerProcess
) -> None:
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    session_id, person_id, android = phone_marks(browser, server, ANDROID, "present", earlier)
    _, _, iphone = phone_marks(browser, server, IPHONE, "absent", datetime.now(UTC))
    pair = (hex_id(session_id), hex_id(person_id))
    mark_query = "SELECT id, status, disagreement FROM attendance_marks "
    mark_query += "WHERE session_id = ? AND person_id = ?"
    (mark_id, status, flagged), = db_rows(server, mark_query, *pair)  # fmt: skip
    assert (status, flagged) == ("absent", 1)

    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 780})
    page = context.new_page()
    sign_in(page, server, "coordinator@example.org")
    page.get_by_role("link", name="Sync overview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Synced rosters")
    check_page(page)
    page.goto(f"{server.url}/coordination/sessions/{session_id}")
    row = page.locator(f"#synced-row-{person_id}")
    expect(row).to_contain_text("Absent")
    expect(row).to_contain_text(f"Safari on iOS {iphone[:8]}")
    expect(row.get_by_role("link", name="Devices disagreed")).to_be_visible()
    check_page(page)

    page.goto(f"{server.url}/coordination/devices")
    expect(page.locator(f"#device-{android}")).to_contain_text(f"Chrome on Android {android[:8]}")
    check_page(page)

    page.get_by_role("navigation", name="Sync overview").get_by_role(
        "link", name="Disagreements"
    ).click()
    item = page.locator(f"#disagreement-{uuid.UUID(hex=str(mark_id))}")
    shown = item.get_by_role("row", name=re.compile("^Shown now"))
    before = item.get_by_role("row", name=re.compile("^Earlier value"))
    expect(shown).to_contain_text("Absent")
    expect(shown).to_contain_text(iphone[:8])
    expect(before).to_contain_text("Present")
    expect(before).to_contain_text(android[:8])
    check_page(page)

    item.get_by_role("radio", name=re.compile("^Present")).check()
    item.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status").filter(has_text="Disagreement resolved.")).to_be_visible()
    expect(item).to_have_count(0)
    check_page(page)
    context.close()

    assert db_rows(server, mark_query, *pair) == [(mark_id, "present", 0)]
    history = db_rows(
        server,
        "SELECT status FROM attendance_mark_history WHERE session_id = ? AND person_id = ? "
        "ORDER BY superseded_at",
        *pair,
    )
    assert history == [("present",), ("absent",)]  # the Android's value, then the iPhone's
    audits = db_rows(
        server,
        "SELECT a.details FROM audit_entries a JOIN staff_users u ON u.id = a.actor_id "
        "WHERE a.action = 'attendance.resolve' AND u.email = 'coordinator@example.org'",
    )
    assert len(audits) == 1 and json.loads(str(audits[0][0]))["to"] == "present"
