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


def test_a_coordinator_changes_a_persons_answers_on_their_page(
    browser: Browser, server: ServerProcess
) -> None:
    """On the person's page: the form opens from a link, passes axe (also with an error shown,
    at 360 px), and the answers chosen are stored and shown."""
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email").fill("coordinator@example.org")
    page.get_by_label("Password").fill("razem-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{server.url}/activities")
    ((person_id, family),) = db_rows(
        server,
        "SELECT id, family_name FROM people WHERE erased_at IS NULL "
        "AND wg_walking IS NULL ORDER BY code LIMIT 1",
    )
    person = uuid.UUID(person_id)
    page.goto(f"{server.url}/people/{person}")
    page.get_by_role("link", name="Record or change the answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disability questions")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_label("Do you have difficulty walking or climbing steps?").select_option(
        label="Yes, a lot of difficulty"
    )
    page.get_by_label("Do you have difficulty hearing, even if using a hearing aid?").select_option(
        label="No difficulty"
    )
    page.get_by_role("button", name="Save the answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(family))
    expect(page.get_by_role("status").filter(has_text="Disability answers saved.")).to_be_visible()
    assert_accessible(page)
    assert db_rows(server, "SELECT wg_hearing, wg_walking FROM people WHERE id = ?", person_id) == [
        ("no_difficulty", "a_lot_of_difficulty")
    ]

    # An answer off the scale (a tampered form): the error is shown next to its field.
    page.goto(f"{server.url}/people/{person}/disability")
    page.eval_on_selector("#field-wg_seeing option:last-child", "o => o.value = 'blind'")
    page.get_by_label("Do you have difficulty seeing, even if wearing glasses?").select_option(
        index=5
    )
    page.get_by_role("button", name="Save the answers").click()
    expect(page.locator("#error-wg_seeing")).to_have_text(
        "Choose one of the answers, or “Not asked”."
    )
    assert_accessible(page)
    context.close()
