"""Markup typed as a name, in real Chromium: a facilitator registers a newcomer whose names
are a script tag and an image with an error handler; the roster, the people search and the
person's row show them as text, and nothing of them runs or becomes an element. (The other
hostile-input tests are in tests/security; this one needs the browser's own parser.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_facilitator_roster import _open_todays_choir, _signed_in
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser

GIVEN = "<script>window.razemInjected = 1</script>"
FAMILY = '<img src="x" onerror="window.razemInjected = 2">'


def test_markup_in_a_name_is_shown_as_text_and_never_runs(
    browser: Browser, server: ServerProcess
) -> None:
    context, page = _signed_in(browser, server.url, viewport={"width": 360, "height": 780})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open_todays_choir(page)
    page.get_by_role("link", name="Register a newcomer").click()
    page.get_by_label("Given name").fill(GIVEN)
    page.get_by_label("Family name").fill(FAMILY)
    page.get_by_role("button", name="Register and mark present").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Multicultural Choir")

    row = page.locator("li.roster-item", has_text=GIVEN)
    expect(row).to_have_count(1)
    expect(row.locator(".person-name")).to_have_text(f"{GIVEN} {FAMILY}")
    expect(row.get_by_role("button", name="Present", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.locator("#roster-list script, #roster-list img").count() == 0
    assert_accessible(page)

    page.goto(f"{server.url}/people?q=razemInjected")
    expect(page.get_by_text(GIVEN, exact=False).first).to_be_visible()
    assert page.locator("main script, main img").count() == 0

    page.reload()
    page.wait_for_load_state("load")
    assert page.evaluate("window.razemInjected") is None
    assert dialogs == []
    context.close()
