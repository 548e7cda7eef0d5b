"""An admin in real Chromium opens the scheduled jobs page from the menu, runs the database
backup now and sees it done with its file; the page is translated, axe finds no violation
and it fits a 360 px phone."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_sign_in_roles import _sign_in, assert_accessible, translate

pytestmark = pytest.mark.browser


def _check(page: Page) -> None:
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_admin_runs_the_backup_now_and_sees_it_done(
    browser: Browser, demo_server: str, demo_db: Path
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 780})
    page = context.new_page()
    _sign_in(page, demo_server, "en", "admin@example.org")
    page.wait_for_url(f"{demo_server}/admin/staff")
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Scheduled jobs"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled jobs")
    for title in ("Generate sessions", "Database backup", "Forget old idempotency keys",
                  "Silent devices"):  # fmt: skip
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    section = page.locator("#job-sqlite_backup")
    expect(section).to_contain_text("Every day at 02:30")
    _check(page)

    section.get_by_role("button", name="Run now: Database backup").click()
    page.wait_for_url(f"{demo_server}/admin/jobs#job-sqlite_backup")
    last_run = page.locator("#job-sqlite_backup .last-run")
    deadline = time.monotonic() + 30
    while "Done" not in last_run.inner_text() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    expect(last_run).to_contain_text("Run now")
    expect(last_run).to_contain_text("Done")
    expect(page.locator("#job-sqlite_backup")).to_contain_text("Backup file")
    _check(page)

    with sqlite3.connect(demo_db) as conn:
        slot, status, details = conn.execute(
            "SELECT slot, status, details FROM job_runs WHERE job = 'sqlite_backup' "
            "ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
        audited = conn.execute(
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'job.run' "
            "AND entity_id = 'sqlite_backup'"
        ).fetchone()[0]
    assert slot.startswith("manual-") and status == "ok" and audited >= 1
    backup_file = demo_db.parent / "backups" / json.loads(details)["file"]
    assert backup_file.is_file()

    context.close()


@pytest.mark.parametrize(("language", "locale"), [("pl", "pl-PL"), ("uk", "uk-UA")])
def test_the_jobs_page_is_translated(
    browser: Browser, demo_server: str, language: str, locale: str
) -> None:
    context = browser.new_context(locale=locale, viewport={"width": 360, "height": 780})
    page = context.new_page()
    _sign_in(page, demo_server, language, "admin@example.org")
    page.wait_for_url(f"{demo_server}/admin/staff")
    page.goto(f"{demo_server}/admin/jobs")
    expect(page.get_by_role("heading", level=1)).to_have_text(translate(language, "Scheduled jobs"))
    backup = page.get_by_role("heading", level=2, name=translate(language, "Database backup"))
    expect(backup).to_be_visible()
    _check(page)
    context.close()
