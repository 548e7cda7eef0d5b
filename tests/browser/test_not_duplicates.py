"""A coordinator in real Chromium marks the demo's likely duplicates as not the same person,
then undoes it; axe and 360 px on the page in each state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_offline import db_rows
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser


def test_a_coordinator_dismisses_a_pair_and_undoes_it(
    browser: Browser, server: ServerProcess
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email").fill("coordinator@example.org")
    page.get_by_label("Password").fill("razem-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/activities$"))
    pair = db_rows(
        server,
        "SELECT p.code FROM people p WHERE p.birth_year = 1987 "
        "AND p.search_name = 'olena kovalenko' ORDER BY p.id",
    )
    assert len(pair) == 2
    first, second = pair[0][0], pair[1][0]
    page.goto(f"{server.url}/people/duplicates")
    assert_accessible(page)
    merge_link = page.get_by_role("link", name=f"Keep {first}, merge {second} into it")
    expect(merge_link).to_be_visible()

    page.get_by_role("button", name=f"{first} and {second}: not the same person").click()
    expect(page.get_by_role("status").filter(has_text="not the same person")).to_be_visible()
    expect(merge_link).to_have_count(0)
    undo = page.get_by_role("button", name=f"Undo for {first} and {second}")
    expect(undo).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert db_rows(server, "SELECT count(*) FROM duplicate_dismissals") == [(1,)]

    undo.click()
    expect(page.get_by_role("status").filter(has_text="listed again")).to_be_visible()
    expect(merge_link).to_be_visible()
    expect(undo).to_have_count(0)
    assert_accessible(page)
    assert db_rows(server, "SELECT count(*) FROM duplicate_dismissals") == [(0,)]
    assert db_rows(
        server,
        "SELECT action FROM audit_entries WHERE action LIKE 'people.not_duplicate%' ORDER BY at",
    ) == [("people.not_duplicate",), ("people.not_duplicate_undo",)]
    context.close()
