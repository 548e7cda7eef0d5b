"""In real Chromium: an admin erases a person who is on a facilitator's cached roster; at the
phone's next sync the person is gone from every cached page, also offline. The audit trail,
the person's data page and the erase page pass axe and fit a 360 px screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, Playwright, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_offline import db_rows, launch, phone_at_todays_choir, wait_for
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser


# The pages as the worker's cache holds them now (what the phone shows offline).
CACHED_TEXT = """Promise.all(%(urls)s.map(u => caches.open("%(cache)s")
  .then(c => c.match(u)).then(r => r ? r.text() : "(not cached)")))"""


def fits_phone(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 360, f"{page.url} is {wide}px wide at 360px"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_erased_person_leaves_the_phones_cached_pages_at_the_next_sync(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    phone, roster, session_id = phone_at_todays_choir(playwright, server, tmp_path / "phone")
    first = roster.locator("#roster-list > li.roster-item").first
    person_id = first.get_attribute("data-person-id")
    (given, family), = db_rows(
        server, "SELECT given_name, family_name FROM people WHERE id = ?",
        (person_id or "").replace("-", ""),
    )  # fmt: skip
    assert f"{given} {family}" in roster.content()
    refreshed = roster.evaluate("RazemStore.getMeta('packRefreshedAt')")

    office = launch(playwright, tmp_path / "office")
    admin = office.new_page()
    admin.goto(f"{server.url}/sign-in")
    admin.get_by_label("Email").fill("admin@example.org")
    admin.get_by_label("Password").fill("razem-demo")
    admin.get_by_role("button", name="Sign in", exact=True).click()
    admin.wait_for_url(re.compile("/admin/staff$"))
    admin.goto(f"{server.url}/people/{person_id}")
    admin.get_by_role("link", name="Everything held about this person").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Everything held about this person")
    expect(admin.locator("main")).to_contain_text(str(family))
    assert_accessible(admin)
    fits_phone(admin)
    admin.go_back()
    admin.get_by_role("link", name="Erase this person's data").click()
    assert_accessible(admin)
    fits_phone(admin)
    admin.get_by_label(re.compile("^Why")).fill("   ")  # blank: the server refuses it
    admin.get_by_role("button", name="Erase for good").click()
    expect(admin.locator("#error-reason")).to_have_text(
        "Say why, for example the date of the request."
    )
    admin.get_by_label(re.compile("^Why")).fill("Request received 2026-11-20 by email")
    admin.get_by_role("button", name="Erase for good").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Erased person")
    admin.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Audit trail"
    ).click()
    expect(admin.locator("#audit tbody tr").first).to_contain_text("Person erased")
    assert_accessible(admin)
    fits_phone(admin)
    office.close()

    roster.reload()  # online: the page says hello, the worker syncs and refreshes the pack
    pages = [f"/sessions/{session_id}", f"/sessions/{session_id}/sheet"]
    cached = CACHED_TEXT % {"urls": pages, "cache": "razem-pages"}
    wait_for(lambda: all(f"{given} {family}" not in text for text in roster.evaluate(cached)), 60)
    assert roster.evaluate("RazemStore.getMeta('packRefreshedAt')") != refreshed
    server.stop()
    for path in pages:
        roster.goto(f"{server.url}{path}")
        expect(roster.locator("main")).to_be_visible()
        assert f"{given} {family}" not in roster.content(), path
    phone.close()
