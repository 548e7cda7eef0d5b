"""No personal data in the server's logs: a real server process logs at INFO with its access
log on while, in real Chromium, a facilitator marks a roster, searches at a check-in and
registers a newcomer, a coordinator searches people (the query is in the URL), opens a person's
page and exports a report, and a teacher records progress. Then the whole log output must not
hold any person's given or family name, or phone number, in plain or URL-encoded form."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_offline import db_rows, open_todays_choir, sign_in
from tests.browser.test_teacher_course import as_uuid, polish_a1

pytestmark = pytest.mark.browser
NEWCOMER = ("Zuzanna", "Przybylska-Logowa", "+48 601 234 567")


def _forms(text: str) -> set[str]:
    """How a name or number can appear in a log line: as typed, or URL-encoded in a path or a
    query string (as a browser's form sends it)."""
    return {text, quote(text), quote_plus(text), quote(text, safe="").lower()}


def leaks(log: str, people: list[tuple[str, str, str | None]]) -> list[str]:
    found = []
    for given, family, phone in people:
        for name in (given, family):
            for form in _forms(name):
                if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", log):
                    found.append(f"{name!r} as {form!r}")
        if phone:
            digits = re.sub(r"\D", "", phone)[-9:]
            for form in (*_forms(phone), digits):
                if re.search(rf"(?<!\d){re.escape(form)}(?!\d)", log):
                    found.append(f"phone {phone!r} as {form!r}")
    return found


def facilitator(page: Page, server: ServerProcess) -> None:
    sign_in(page, server)
    open_todays_choir(page)
    for i, status in enumerate(("Present", "Late", "Absent")):
        row = page.locator("#roster-list > li.roster-item").nth(i)
        button = row.get_by_role("button", name=status, exact=True)
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(row).not_to_have_class(re.compile("pending"))
    page.get_by_label("Find on this list").fill("a")
    page.get_by_label("Find on this list").fill("")
    page.get_by_role("link", name="Register a newcomer").click()
    given, family, phone = NEWCOMER
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Female").check()
    page.get_by_label("Birth year").fill("1993")
    page.get_by_label("Phone (optional)").fill(phone)
    page.get_by_label("Anonymous totals in reports").check()
    page.get_by_role("button", name="Register and mark present").click()
    expect(page.locator("li.roster-item", has_text=f"{given} {family}")).to_be_visible()
    # A check-in search sends the typed name in the query string (htmx GET).
    [(event,)] = db_rows(
        server,
        "SELECT s.id FROM sessions s JOIN activities a ON a.id = s.activity_id "
        "JOIN activity_staff st ON st.activity_id = a.id JOIN staff_users u ON u.id = st.user_id "
        "WHERE a.kind IN ('event', 'distribution') AND u.email = 'facilitator@example.org' "
        "LIMIT 1",
    )
    page.goto(f"{server.url}/sessions/{as_uuid(event)}/check-in")
    [(given_name,)] = db_rows(server, "SELECT given_name FROM people WHERE phone IS NULL LIMIT 1")
    with page.expect_response(re.compile(r"/check-in\?")):
        page.get_by_label("Name or card code").fill(str(given_name))


def coordinator(page: Page, server: ServerProcess, tmp_path: Path) -> None:
    sign_in(page, server, "coordinator@example.org")
    [(cyrillic, latin)] = db_rows(
        server,
        "SELECT (SELECT family_name FROM people WHERE nationality = 'UA' AND phone IS NOT NULL "
        "LIMIT 1), (SELECT given_name || ' ' || family_name FROM people "
        "WHERE nationality IN ('CO', 'VE') LIMIT 1)",
    )
    for query in (str(cyrillic), str(latin), NEWCOMER[2]):
        page.goto(f"{server.url}/people")
        page.get_by_label("Name or card code").fill(query)
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_url(re.compile(r"/people\?q="))
    page.goto(f"{server.url}/people")
    page.get_by_label("Name or card code").fill(str(cyrillic))
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("main").get_by_role("link", name=re.compile(str(cyrillic))).first.click()
    page.wait_for_url(re.compile(r"/people/[0-9a-f-]{36}$"))
    page.goto(f"{server.url}/reports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Attendance marks (XLSX)").click()
    download.value.save_as(tmp_path / "export.xlsx")
    assert (tmp_path / "export.xlsx").stat().st_size > 0


def teacher(page: Page, server: ServerProcess) -> None:
    sign_in(page, server, "teacher@example.org")
    course, _session = polish_a1(server)
    page.goto(f"{server.url}/courses/{course}/assess")
    first = page.locator("select[name^='level.']").first
    first.select_option("A2")
    person = (first.get_attribute("name") or "").split(".")[1]
    page.locator(f'input[name="note.{person}"]').fill("Reads short texts")
    page.get_by_role("button", name="Save assessments").click()
    page.wait_for_url(re.compile(rf"/courses/{course}/progress"))


def test_a_full_day_leaves_no_personal_data_in_the_server_log(
    browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    for role in (facilitator, coordinator, teacher):
        context = browser.new_context(locale="en-GB", accept_downloads=True)
        page = context.new_page()
        if role is coordinator:
            coordinator(page, server, tmp_path)
        else:
            role(page, server)  # type: ignore[operator]
        context.close()
    server.stop()  # everything flushed

    log = server.log.read_text(encoding="utf-8", errors="replace")
    # The server logs JSON lines (production's format); its access log was on and saw the
    # searches (so the check below had something to see).
    access = [
        (entry["method"], entry["path"], entry["status"], entry.get("request_id"))
        for line in log.splitlines()
        if line.startswith("{") and (entry := json.loads(line))["logger"] == "razem.access"
    ]
    assert ("GET", "/people", 200) in {a[:3] for a in access}, log[-2000:]
    assert any(path.startswith("/reports/export/attendance/xlsx") for _, path, *_ in access)
    assert any(m == "POST" and path.startswith("/sessions/") for m, path, *_ in access)
    assert all(request_id for *_, request_id in access)
    people = [
        (str(given), str(family), str(phone) if phone else None)
        for given, family, phone in db_rows(
            server, "SELECT given_name, family_name, phone FROM people"
        )
    ]
    assert (*NEWCOMER[:2], NEWCOMER[2]) in people, "the newcomer was registered"
    assert len(people) > 150
    assert db_rows(server, "SELECT count(*) FROM progress_assessments WHERE note = ?",
                   "Reads short texts") == [(1,)]  # fmt: skip
    found = leaks(log, people)
    assert not found, f"personal data in the log: {found[:20]}"
