"""A coordinator in real Chromium creates a weekly course that generates its sessions, then
enrols a learner; axe and 360 px on the activities pages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_offline import db_rows
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser


def test_a_coordinator_creates_a_weekly_course_that_generates_its_sessions(
    browser: Browser, server: ServerProcess
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email").fill("coordinator@example.org")
    page.get_by_label("Password").fill("razem-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/activities$"))
    assert_accessible(page)
    page.get_by_role("link", name="New activity").click()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    start = date.today() + timedelta(days=1)
    end = start + timedelta(weeks=6) - timedelta(days=1)
    holiday = next(
        start + timedelta(days=n)
        for n in range(7, 14)
        if (start + timedelta(days=n)).weekday() == 1
    )
    page.get_by_label("Kind").select_option(label="Language course")
    page.get_by_label("Title").fill("Polish for parents (Tuesday)")
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day (optional)").fill(end.isoformat())
    page.get_by_label("Dates without meetings (optional)").fill(holiday.isoformat())
    page.get_by_label("Day 1").select_option(label="Tuesday")
    page.locator("#field-slot-0-start").fill("10:00")
    page.locator("#field-slot-0-end").fill("11:30")
    page.get_by_label("Course language").select_option("pl")
    page.get_by_label("Places (optional)").fill("12")
    page.get_by_label(re.compile("Agnieszka Lewandowska")).check()
    # A mistake first: the end before the start. Explained next to the field; nothing written.
    page.get_by_label("Last day (optional)").fill((start - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Create the activity").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The end date cannot be before the start date."
    )
    expect(page.get_by_label("Title")).to_have_value("Polish for parents (Tuesday)")
    assert db_rows(
        server, "SELECT count(*) FROM activities WHERE title LIKE 'Polish for parents%'"
    ) == [(0,)]
    assert_accessible(page)
    page.get_by_label("Last day (optional)").fill(end.isoformat())
    page.get_by_role("button", name="Create the activity").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Polish for parents (Tuesday)")
    expect(
        page.get_by_role("status").filter(has_text="Activity created with 5 sessions.")
    ).to_be_visible()
    activity = db_rows(
        server, "SELECT id FROM activities WHERE title = 'Polish for parents (Tuesday)'"
    )
    rows = db_rows(
        server, "SELECT date FROM sessions WHERE activity_id = ? ORDER BY date", activity[0][0]
    )
    days = [date.fromisoformat(str(d)) for (d,) in rows]
    assert len(days) == 5 and holiday not in days and all(d.weekday() == 1 for d in days)
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Enrol a learner found by name.
    page.get_by_label("Name or card code").fill("Gupta")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name=re.compile("^Enrol ")).first.click()
    expect(page.get_by_role("status").filter(has_text="Enrolled.")).to_be_visible()
    expect(page.locator("#enrolled summary")).to_have_text("1 person enrolled")
    assert_accessible(page)
    context.close()


def test_a_coordinator_merges_the_demo_duplicates(browser: Browser, server: ServerProcess) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email").fill("coordinator@example.org")
    page.get_by_label("Password").fill("razem-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/activities$"))
    before = db_rows(
        server,
        "SELECT p.id, p.code, count(e.id) FROM people p LEFT JOIN enrollments e "
        "ON e.person_id = p.id WHERE p.birth_year = 1987 AND p.search_name = 'olena kovalenko' "
        "GROUP BY p.id, p.code ORDER BY p.created_at",
    )
    assert len(before) == 2
    (kept_id, kept_code, _), (merged_id, merged_code, _) = before
    page.goto(f"{server.url}/people")
    page.get_by_role("link", name="Likely duplicates").click()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name=f"Keep {kept_code}, merge {merged_code} into it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge two records")
    assert_accessible(page)
    page.get_by_role("button", name=f"Merge {merged_code} into {kept_code}").click()
    expect(page.get_by_role("status").filter(has_text=f"the record {merged_code}")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Job counselling"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Hygiene kits"))).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert db_rows(server, "SELECT count(*) FROM people WHERE id = ?", merged_id) == [(0,)]
    assert db_rows(server, "SELECT count(*) FROM enrollments WHERE person_id = ?", kept_id) == [
        (2,)
    ]
    assert db_rows(server, "SELECT kept_id FROM person_merges WHERE merged_id = ?", merged_id) == [
        (kept_id,)
    ]
    context.close()
