"""A coordinator in real Chromium imports people from a spreadsheet as Polish Excel saves it
(Windows-1250, semicolons): two bad rows are reported by row and column and nothing is
written; the fixed file imports every row once; importing it again registers no one. axe and
360 px on the import and preview pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.servers import ServerProcess
from tests.browser.test_offline import db_rows, sign_in
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser

HEADER = "given_name;family_name;sex;birth_year;nationality;phone;activity;consent"
FAMILY_NAMES = ("Łącka", "Żółkiewski", "Ślęzak", "Kędzierzawy", "Wąż")
GOOD = [
    "Bożena;Łącka;female;1961;PL;+48 601 222 333;Multicultural Choir;attendance reporting",
    "Grzegorz;Żółkiewski;male;1979;PL;;Multicultural Choir;attendance",
    "Jadwiga;Ślęzak;female;1990;PL;;;attendance photos",
    "Mściwój;Kędzierzawy;male;2001;PL;;Multicultural Choir;attendance",
    "Zofia;Wąż;female;;PL;;;attendance",
]


def polish_excel_csv(rows: list[str]) -> bytes:
    return "\r\n".join([HEADER, *rows, ""]).encode("cp1250")


def fits_a_phone(page: Page) -> None:
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def imported(server: ServerProcess) -> list[tuple[object, ...]]:
    marks = ",".join("?" * len(FAMILY_NAMES))
    return db_rows(
        server,
        f"SELECT family_name, count(*) FROM people WHERE family_name IN ({marks}) "
        "GROUP BY family_name ORDER BY family_name",
        *FAMILY_NAMES,
    )


def choir_enrolments(server: ServerProcess) -> int:
    marks = ",".join("?" * len(FAMILY_NAMES))
    rows = db_rows(
        server,
        "SELECT count(*) FROM enrollments e JOIN people p ON p.id = e.person_id "
        "JOIN activities a ON a.id = e.activity_id "
        f"WHERE a.title = 'Multicultural Choir' AND p.family_name IN ({marks})",
        *FAMILY_NAMES,
    )
    return int(str(rows[0][0]))


def upload(page: Page, content: bytes) -> None:
    page.get_by_label("Spreadsheet file").set_input_files(
        files=[{"name": "uczestnicy.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")


def test_a_coordinator_imports_a_polish_excel_file_fixes_it_and_imports_it_once(
    browser: Browser, server: ServerProcess
) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 780})
    page = context.new_page()
    sign_in(page, server, "coordinator@example.org")
    people_before = db_rows(server, "SELECT count(*) FROM people")[0][0]

    page.goto(f"{server.url}/people")
    page.get_by_role("link", name="Import people from a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people")
    fits_a_phone(page)

    bad = list(GOOD)
    bad[1] = "Grzegorz;Żółkiewski;male;19x9;PL;;Multicultural Choir;attendance"  # row 3
    bad[3] = "Mściwój;Kędzierzawy;male;2001;PL;;Multicultural Choir;"  # row 5
    upload(page, polish_excel_csv(bad))
    summary = page.get_by_role("alert").filter(has_text="Nothing was imported")
    expect(summary).to_contain_text("2 of 5 rows have problems")
    problems = page.locator(".import-problems li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_have_text(
        "Row 3 · birth_year (Birth year): Enter a whole number.", use_inner_text=True
    )
    expect(problems.nth(1)).to_contain_text("Row 5 · consent (Consent):")
    expect(problems.nth(1)).to_contain_text("must agree to their attendance being recorded")
    expect(page.get_by_role("button", name="Import 5 rows")).to_have_count(0)
    fits_a_phone(page)
    assert imported(server) == []
    assert db_rows(server, "SELECT count(*) FROM people")[0][0] == people_before

    fixed = polish_excel_csv(GOOD)
    upload(page, fixed)  # from the preview's own form
    expect(page.locator("#import-summary")).to_contain_text("New people5")
    expect(page.locator("#import-row-2")).to_contain_text("Bożena Łącka")
    expect(page.locator("#import-row-6")).to_contain_text("Zofia Wąż")
    fits_a_phone(page)
    assert imported(server) == []  # still nothing before the confirmation
    page.get_by_role("button", name="Import 5 rows").click()
    done = page.locator("#import-done")
    expect(done).to_have_text(
        "Imported 5 rows: 5 new people, 0 already registered, 3 new enrolments."
    )
    fits_a_phone(page)
    assert imported(server) == sorted((name, 1) for name in FAMILY_NAMES)
    assert choir_enrolments(server) == 3

    upload(page, fixed)
    expect(page.locator("#import-summary")).to_contain_text("New people0")
    expect(page.locator("#import-row-2")).to_contain_text("Already registered: Bożena Łącka")
    page.get_by_role("button", name="Import 5 rows").click()
    expect(done).to_have_text(
        "Imported 5 rows: 0 new people, 5 already registered, 0 new enrolments."
    )
    assert imported(server) == sorted((name, 1) for name in FAMILY_NAMES)
    assert choir_enrolments(server) == 3
    assert db_rows(server, "SELECT count(*) FROM people")[0][0] == people_before + 5
    audits = db_rows(server, "SELECT details FROM audit_entries WHERE action = 'people.import'")
    assert len(audits) == 2
    context.close()
