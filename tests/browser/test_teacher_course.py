"""A language teacher in real Chromium: records a lesson topic and a class's assessments with
the server stopped, the server comes back, the learner's page shows the new levels and the
history chart, and a certificate prints with the hours from the session records. axe and
360 px on every course page."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Page, Playwright, expect
from pypdf import PdfReader

from tests.browser.servers import ServerProcess, centre_today
from tests.browser.test_offline import (
    SYNCED,
    db_rows,
    hex_id,
    launch,
    sign_in,
    wait_until_offline_ready,
)
from tests.browser.test_sign_in_roles import assert_accessible

pytestmark = pytest.mark.browser
TEACHER = "teacher@example.org"


def as_uuid(value: object) -> str:
    text = str(value)
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def polish_a1(server: ServerProcess) -> tuple[str, str]:
    """The teacher's Polish A1 course and its session today (the demo always has one)."""
    rows = db_rows(
        server,
        "SELECT a.id, s.id FROM activities a JOIN sessions s ON s.activity_id = a.id "
        "WHERE a.title LIKE 'Polish A1%' AND s.date = ?",
        centre_today().isoformat(),
    )
    assert rows, "the demo's Polish A1 course meets today"
    return as_uuid(rows[0][0]), as_uuid(rows[0][1])


def learners(page: Page) -> list[str]:
    ids = page.locator("#class-progress tbody tr").evaluate_all("rows => rows.map(r => r.id)")
    return [i.removeprefix("learner-") for i in ids]


def hours_attended(server: ServerProcess, course: str, person: str) -> float:
    rows = db_rows(
        server,
        "SELECT s.start_time, s.end_time FROM attendance_marks m "
        "JOIN sessions s ON s.id = m.session_id "
        "WHERE s.activity_id = ? AND m.person_id = ? AND s.status != 'cancelled' "
        "AND m.status IN ('present', 'late')",
        hex_id(course),
        hex_id(person),
    )

    def minutes(clock: object) -> int:
        hours, mins = str(clock).split(":")[:2]
        return int(hours) * 60 + int(mins)

    return sum(minutes(end) - minutes(start) for start, end in rows) / 60


def check_page(page: Page) -> None:
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_teacher_works_offline_then_sees_levels_chart_and_prints_a_certificate(
    playwright: Playwright,
    server: ServerProcess,
    tmp_path: Path,
) -> None:
    context = launch(playwright, tmp_path / "phone")
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, server, TEACHER)
    wait_until_offline_ready(page)
    course, today_session = polish_a1(server)
    page.goto(f"{server.url}/courses/{course}/progress")
    first, second = learners(page)[:2]
    before = db_rows(server, "SELECT count(*) FROM progress_assessments")[0][0]

    server.stop()  # the classroom's Wi-Fi is down
    page.goto(f"{server.url}/sessions/{today_session}/lesson")
    page.get_by_label("Topic").fill("Ordering food in a café")
    page.get_by_label("Homework (optional)").fill("Write a dialogue.")
    page.get_by_role("button", name="Save the lesson log").click()
    expect(page.locator("#queued-notice")).to_be_visible()
    expect(page.get_by_label("Topic")).to_have_value("Ordering food in a café")
    expect(page.locator("#sync-status")).to_have_text("1 change waiting to sync")

    page.goto(f"{server.url}/courses/{course}/assess")
    page.locator(f'select[name="level.{first}.speaking"]').select_option("B2")
    page.locator(f'select[name="level.{first}.listening"]').select_option("B1+")
    page.locator(f'input[name="note.{first}"]').fill("Orders confidently")
    page.locator(f'select[name="level.{second}.reading"]').select_option("A2+")
    page.get_by_role("button", name="Save assessments").click()
    page.wait_for_url(re.compile(rf"/courses/{course}/progress\?queued="))
    expect(page.locator("#sync-status")).to_have_text("2 changes waiting to sync")
    speaking = page.locator(f"#level-{first}-speaking")
    expect(speaking).to_contain_text("B2")
    expect(speaking).to_have_class(re.compile("pending-value"))
    page.reload()  # still offline: the cached page with the queued assessments on top
    expect(page.locator(f"#level-{second}-reading")).to_contain_text("A2+")

    server.start()
    expect(page.locator("#sync-status")).to_have_text(SYNCED, timeout=45000)
    expect(page.locator(".pending-value")).to_have_count(0)
    topics = db_rows(
        server, "SELECT count(*) FROM lesson_entries WHERE topic = ?", "Ordering food in a café"
    )
    assert topics == [(1,)]
    assert db_rows(server, "SELECT count(*) FROM progress_assessments")[0][0] == before + 3
    assert db_rows(
        server,
        "SELECT level, note FROM progress_assessments WHERE person_id = ? AND skill = 'speaking' "
        "ORDER BY created_at DESC LIMIT 1",
        hex_id(first),
    ) == [("B2", "Orders confidently")]

    # Online again: the learner's page shows the new level and the history chart.
    page.goto(f"{server.url}/courses/{course}/learners/{first}")
    expect(page.locator(f"#level-{first}-speaking")).to_have_text("B2")
    history = db_rows(
        server,
        "SELECT count(*) FROM progress_assessments WHERE person_id = ? AND activity_id = ? "
        "AND skill = 'speaking'",
        hex_id(first),
        hex_id(course),
    )[0][0]
    chart = page.locator("figure", has=page.get_by_role("heading", name="Speaking")).locator("svg")
    expect(chart).to_have_attribute("aria-label", re.compile(r"to B2 on"))
    expect(chart.locator("circle")).to_have_count(int(str(history)))
    table = page.get_by_role("table", name="Speaking: every assessment")
    expect(table.locator("tbody tr").first).to_contain_text("B2")
    check_page(page)
    page.goto(f"{server.url}/activities/{course}")
    expect(page.locator(f"#lesson-topic-{today_session}")).to_have_text("Ordering food in a café")
    check_page(page)
    for path in (
        "/courses",
        f"/courses/{course}/progress",
        f"/courses/{course}/assess",
        f"/sessions/{today_session}/lesson",
    ):
        page.goto(server.url + path)
        check_page(page)

    # A learner who meets the threshold gets a certificate stating the hours attended.
    page.goto(f"{server.url}/courses/{course}/progress")
    eligible = [p for p in learners(page) if not page.locator(f"#learner-{p}.below").count()]
    for person in eligible:
        page.goto(f"{server.url}/courses/{course}/learners/{person}")
        link = page.get_by_role("link", name="Certificate in Polish and English")
        if link.count():
            break
    else:
        pytest.fail("no learner of the demo course meets the attendance threshold")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate")
    check_page(page)
    hours = hours_attended(server, course, person)
    assert hours > 0
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    text = unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in pdf.pages))  # "ﬁ"
    polish = f"{hours:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    english = f"{hours:.1f}".rstrip("0").rstrip(".")
    assert f"{polish} godz." in text, text
    assert f"{english} hours" in text, text
    assert "Zaświadczenie o uczestnictwie" in text and "Certificate of attendance" in text, text
    assert len(pdf.pages) == 2  # one A4 page per language
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
    context.close()
