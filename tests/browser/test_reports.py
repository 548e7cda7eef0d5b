"""A coordinator in real Chromium opens the report for the current quarter, sees its numbers,
downloads the attendance marks as XLSX and the file holds exactly the database's marks. axe
finds no violation on the report page, which fits a 360 px phone."""

from __future__ import annotations

from collections import Counter
from datetime import date

import openpyxl
import pytest
from playwright.sync_api import Playwright, expect

from server.reports.filters import current_quarter
from tests.browser.servers import ServerProcess
from tests.browser.test_offline import db_rows, launch, sign_in
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser
STATUSES = {"Present": "present", "Absent": "absent", "Late": "late", "Excused": "excused",
            "Received": "received"}  # fmt: skip


def marks_in_quarter(server: ServerProcess) -> Counter[tuple[str, str, str]]:
    start, end = current_quarter(date.today())
    rows = db_rows(
        server,
        "SELECT s.date, p.code, m.status FROM attendance_marks m "
        "JOIN sessions s ON s.id = m.session_id JOIN people p ON p.id = m.person_id "
        "WHERE s.date BETWEEN ? AND ? AND s.status != 'cancelled'",
        start.isoformat(),
        end.isoformat(),
    )
    return Counter((str(on), str(code), str(status)) for on, code, status in rows)


def people_reached(server: ServerProcess) -> int:
    start, end = current_quarter(date.today())
    rows = db_rows(
        server,
        "SELECT COUNT(DISTINCT m.person_id) FROM attendance_marks m "
        "JOIN sessions s ON s.id = m.session_id WHERE s.date BETWEEN ? AND ? "
        "AND s.status != 'cancelled' AND m.status IN ('present', 'late', 'received')",
        start.isoformat(),
        end.isoformat(),
    )
    return int(rows[0][0])  # type: ignore[call-overload]


def test_a_coordinator_reads_the_report_and_downloads_the_attendance_xlsx(
    playwright: Playwright, server: ServerProcess, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    context = launch(playwright, tmp_path / "profile")
    page = context.new_page()
    sign_in(page, server, "coordinator@example.org")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    reached = people_reached(server)
    assert reached > 20, "the demo has attendance this quarter"
    expect(page.locator("#figure-people")).to_have_text(f"{reached:,}")
    expect(page.get_by_role("table").first).to_be_visible()
    expect(page.locator("#report-sex tbody tr")).to_have_count(4)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Attendance marks (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("razem-attendance-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("Session date", "Session time", "Activity", "Person code", "Given name",
                       "Family name", "Status", "Marked by", "Marked at")  # fmt: skip
    exported = Counter(
        (row[0].date().isoformat(), str(row[3]), STATUSES[str(row[6])]) for row in rows[1:]
    )
    assert exported == marks_in_quarter(server)
    assert all(row[2] and row[4] and row[8] for row in rows[1:])
    audited = db_rows(
        server, "SELECT COUNT(*) FROM audit_entries WHERE action = 'export.attendance'"
    )
    assert audited[0][0] == 1

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    expect(page.locator("#figure-people")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    context.close()
