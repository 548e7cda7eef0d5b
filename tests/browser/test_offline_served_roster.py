"""A cached roster opened offline comes from the worker with the queued marks already written
into its HTML (service_worker/queued-page.js): the rows are pressed and pending before any of
the page's own scripts has run, so the first paint shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Playwright, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_offline import phone_at_todays_choir, row, tap
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser

# Recorded when the parser has finished and before the deferred scripts run (readyState
# "interactive" comes first): what the HTML itself says.
AS_PARSED = """
document.addEventListener('readystatechange', () => {
  if (document.readyState !== 'interactive' || window.__asParsed) return;
  window.__asParsed = {
    scriptsRan: !!(window.RazemOutbox || window.htmx),
    pending: [...document.querySelectorAll('#roster-list > li.roster-item.pending')].map(li => [
      li.getAttribute('data-person-id'),
      [...li.querySelectorAll('button.mark[aria-pressed="true"]')].map(b => b.value).join(','),
    ]),
  };
});
"""


def test_the_worker_serves_a_cached_roster_with_its_queued_marks_in_it(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    context, page, _session_id = phone_at_todays_choir(playwright, server, tmp_path / "phone")
    roster_url = page.url
    server.stop()
    first = tap(page, 0, "Late")
    tap(page, 0, "Excused")  # the last write for a person wins
    second = tap(page, 1, "Absent")
    expect(page.locator("#sync-status")).to_have_text("3 changes waiting to sync")

    page.add_init_script(AS_PARSED)
    page.goto(roster_url)
    parsed = page.evaluate("window.__asParsed")
    assert parsed["scriptsRan"] is False
    assert sorted(parsed["pending"]) == sorted([[first, "excused"], [second, "absent"]])
    # The page's own script agrees (it applies the same queue again) and the counts follow.
    expect(row(page, 0)).to_have_class("roster-item pending")
    expect(row(page, 2)).to_have_class("roster-item")
    expect(page.locator("#roster-counts")).to_contain_text("Marked: 2 of 40")
    assert_accessible(page)

    # Without the page's script, a tap is a plain form post the worker queues; the roster it
    # goes back to shows the new mark as pending, from the worker alone.
    scriptless = context.new_page()
    cdp = context.new_cdp_session(scriptless)
    cdp.send(
        "Emulation.setScriptExecutionDisabled", {"value": True}
    )  # the page's, not the worker's
    scriptless.goto(roster_url)
    assert scriptless.evaluate("typeof window.RazemOutbox") == "undefined"
    third_row = scriptless.locator("#roster-list > li.roster-item").nth(2)
    third = third_row.get_attribute("data-person-id")
    third_row.get_by_role("button", name="Present", exact=True).click()
    scriptless.wait_for_url("**/sessions/*?queued=*")
    served = scriptless.locator(f"#roster-row-{third}")
    expect(served).to_have_class("roster-item pending")
    expect(served.get_by_role("button", name="Present", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    context.close()
