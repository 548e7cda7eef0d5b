"""The Washington Group questions in the newcomer form, in real Chromium: optional, collapsed,
accessible when open (axe, 360 px), and the answers given are stored; the others stay
"not asked"."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_facilitator_roster import _signed_in
from tests.browser.test_offline import db_rows
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser


def test_a_newcomer_answers_two_questions(browser: Browser, server: ServerProcess) -> None:
    context, page = _signed_in(browser, server.url, viewport={"width": 360, "height": 780})
    ((session_id,),) = db_rows(
        server,
        "SELECT s.id FROM sessions s JOIN activities a ON a.id = s.activity_id "
        "WHERE a.title = 'Multicultural Choir' "
        "ORDER BY abs(julianday(s.date) - julianday('now')) LIMIT 1",
    )
    page.goto(f"{server.url}/sessions/{uuid.UUID(session_id)}/newcomer")
    walking = page.get_by_label("Do you have difficulty walking or climbing steps?")
    expect(walking).to_be_hidden()  # collapsed until someone chooses to ask
    page.get_by_text("Disability questions (optional)").click()
    expect(walking).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Given name").fill("Wiktoria")
    page.get_by_label("Family name").fill("Pytań-Test")
    walking.select_option(label="Yes, a lot of difficulty")
    page.get_by_label("Do you have difficulty seeing, even if wearing glasses?").select_option(
        label="Prefer not to say"
    )
    page.get_by_role("button", name="Register and mark present").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Multicultural Choir")
    expect(page.locator("li.roster-item", has_text="Wiktoria Pytań-Test")).to_be_visible()
    assert db_rows(
        server,
        "SELECT wg_seeing, wg_hearing, wg_walking, wg_remembering, wg_self_care, "
        "wg_communicating FROM people WHERE family_name = ?",
        "Pytań-Test",
    ) == [("prefer_not_to_say", None, "a_lot_of_difficulty", None, None, None)]
    context.close()
