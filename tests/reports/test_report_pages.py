"""The reports page and its exports through HTTP: who may see them, refused filters, the
numbers shown, the CSV and XLSX files, and the audit entry each export writes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re

import openpyxl
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEntry
from server.auth.models import Role
from tests.factories import make_user, run_in_db
from tests.helpers import Client, sign_in
from tests.reports.fixture import COORDINATOR, END, FACILITATOR, START, TEACHER, build_centre

PERIOD = f"from={START.isoformat()}&to={END.isoformat()}"
MARKS_IN_PERIOD = 14  # the fixture's marks in uncancelled sessions of the period


def audit_entries(database_url: str) -> list[AuditEntry]:
    async def load(db: AsyncSession) -> list[AuditEntry]:
        query = select(AuditEntry).where(col(AuditEntry.action).startswith("export."))
        return list((await db.exec(query)).all())

    return run_in_db(database_url, load)


@pytest.fixture
def centre(database_url: str):  # type: ignore[no-untyped-def]
    return run_in_db(database_url, build_centre)


@pytest.mark.parametrize(
    "path", ["/reports", f"/reports/export/attendance/csv?{PERIOD}", "/reports/export/report/xlsx"]
)
def test_only_coordinators_and_admins(client: Client, database_url: str, centre, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path, follow_redirects=False).status_code == 303  # signed out: sign in
    run_in_db(database_url, lambda db: make_user(db, Role.ADMIN, "admin@example.org"))
    for email in (FACILITATOR, TEACHER):
        client.cookies.clear()
        sign_in(client, email)
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 403, (email, path)
        assert "Olena" not in response.text and "Коваль" not in response.text
        assert "Reports" not in client.get("/sessions").text  # not in their menu
    for email in (COORDINATOR, "admin@example.org"):
        client.cookies.clear()
        sign_in(client, email)
        assert client.get(path).status_code == 200, (email, path)
    assert not [e for e in audit_entries(database_url) if e.actor_id is None]


def test_the_page_shows_the_numbers(client: Client, centre) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, COORDINATOR)
    page = client.get(f"/reports?{PERIOD}")
    assert page.status_code == 200
    figures = dict(re.findall(r'<dd id="figure-(\w+)">([^<]+)</dd>', page.text))
    assert figures == {
        "people": "7", "new": "6", "returning": "1", "participations": "10", "sessions": "7",
        "rate": "77%",
    }  # fmt: skip
    assert '<a href="/reports" aria-current="page">Reports</a>' in page.text
    assert "Multicultural Choir" in page.text and "Syria" in page.text
    assert "16–19 (youth programme)" in page.text
    # Exact numbers on screen (only exports hide small ones), and the bars are drawn.
    assert "&lt;5" not in page.text.split("Download", 1)[1].split("</section>", 1)[1]
    assert page.text.count('<svg class="bar"') >= 4 + 5 + 5 + 4 + 3
    assert "People reached by disability (Washington Group short set)" in page.text
    # The export links carry the same filters.
    query = PERIOD.replace("&", "&amp;")
    assert f"/reports/export/attendance/xlsx?{query}&amp;activity=&amp;kind=" in page.text


def test_default_period_is_the_current_quarter(client: Client, centre) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, COORDINATOR)
    page = client.get("/reports").text
    assert re.search(
        r'id="field-from" name="from" type="date" value="\d{4}-(01|04|07|10)-01"', page
    )


@pytest.mark.parametrize(
    ("query", "field", "english", "polish"),
    [
        ("from=2026-12-01&to=2026-11-01", "to",
         "The end date must be on or after the start date.",
         "Data końcowa nie może być wcześniejsza niż data początkowa."),
        ("from=2026-13-45&to=2026-12-31", "from",
         "Enter a date as YYYY-MM-DD.", "Wpisz datę w formacie RRRR-MM-DD."),
        ("from=yesterday&to=2026-12-31&kind=party", "from",
         "Enter a date as YYYY-MM-DD.", "Wpisz datę w formacie RRRR-MM-DD."),
        ("activity=not-a-uuid", "activity",
         "Choose one of the options.", "Wybierz jedną z opcji."),
    ],
)  # fmt: skip
def test_bad_filters_are_refused_next_to_the_field(  # type: ignore[no-untyped-def]
    client: Client, database_url: str, centre, query: str, field: str, english: str, polish: str
) -> None:
    sign_in(client, COORDINATOR)
    for language, text in (("en", english), ("pl", polish)):
        client.headers["Accept-Language"] = language
        client.cookies.pop("razem_lang", None)
        for path in ("/reports", "/reports/export/attendance/csv", "/reports/export/report/xlsx"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, response.text[:300])
            assert response.headers["content-type"].startswith("text/html")
            assert f'<p class="field-error" id="error-{field}">{text}</p>' in response.text
            assert f'aria-describedby="error-{field}"' in response.text
            assert 'role="alert"' in response.text
    assert audit_entries(database_url) == []  # refused exports are not exports


def test_an_activity_of_another_kind_or_unknown_is_refused(client: Client, centre) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, COORDINATOR)
    unknown = client.get("/reports?activity=00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 400
    assert 'id="error-activity"' in unknown.text
    assert client.get("/reports/export/everything/csv").status_code == 404


def test_attendance_csv_holds_every_mark_and_is_audited(  # type: ignore[no-untyped-def]
    client: Client, database_url: str, centre
) -> None:
    sign_in(client, COORDINATOR)
    response = client.get(f"/reports/export/attendance/csv?{PERIOD}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="razem-attendance-2026-10-01-2026-12-31.csv"'
    )
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Session date", "Session time", "Activity", "Person code", "Given name", "Family name",
        "Status", "Marked by", "Marked at",
    ]  # fmt: skip
    body = rows[1:]
    assert len(body) == MARKS_IN_PERIOD
    olena = centre.people["olena"]
    assert [
        "2026-10-06", "17:00:00", "Multicultural Choir", olena.code, "Олена", "Коваль",
        "Present", "Ola Facil", "2026-10-01 17:00:00",  # 15:00 UTC is 17:00 in Warsaw
    ] in body  # fmt: skip
    assert [row[0] for row in body] == sorted(row[0] for row in body)
    if database_url.startswith("sqlite"):  # binary collation, as Python compares text
        # By session (date, time, activity), then family name, given name and code.
        assert body == sorted(
            body, key=lambda row: (row[0], row[1], row[2], row[5], row[4], row[3])
        )
    assert body[-1][:3] == ["2026-10-15", "17:00:00", "Skills for Youth"]
    assert {row[6] for row in body} == {"Present", "Late", "Absent", "Excused", "Received"}
    assert not [row for row in body if row[5] in ("Мельник", "Wiśniewska")]  # out of period

    entries = audit_entries(database_url)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.entity_type) == ("export.attendance", "attendance_marks")
    assert entry.details == {
        "filters": {"from": "2026-10-01", "to": "2026-12-31"}, "format": "csv",
        "rows": MARKS_IN_PERIOD,
    }  # fmt: skip
    details = json.dumps(entry.details, ensure_ascii=False)
    assert not any(p.code in details or p.family_name in details for p in centre.people.values())


def test_polish_csv_uses_semicolons_and_polish_labels(client: Client, centre) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "pl"
    sign_in(client, COORDINATOR)
    kind = "kind=distribution"
    text = client.get(f"/reports/export/attendance/csv?{PERIOD}&{kind}").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2
    assert rows[0][0] == "Data zajęć"
    assert rows[1][2:7] == [
        "Hygiene kits",
        centre.people["kasia"].code,
        "Kasia",
        "Nowak",
        "Odebrano",
    ]


def test_report_exports_show_small_numbers_as_below_five(  # type: ignore[no-untyped-def]
    client: Client, database_url: str, centre
) -> None:
    sign_in(client, COORDINATOR)
    text = client.get(f"/reports/export/report/csv?{PERIOD}").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Unique people reached", "7"] in rows
    assert ["New people", "6"] in rows
    assert ["Returning people", "<5"] in rows
    assert ["Sessions held", "7"] in rows  # sessions are not people: never hidden
    assert ["Female", "<5", "<5", "<5"] in rows
    assert ["Other", "<5", "<5", "0"] in rows
    assert ["Multicultural Choir", "Choir", "3", "5", "<5", "71"] in rows

    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/reports/export/report/xlsx?{PERIOD}").content)
    )
    assert workbook.sheetnames == [
        "Summary", "Activities", "Sex", "Age group", "Nationality", "Population group",
        "Disability",
    ]  # fmt: skip
    disability = list(workbook["Disability"].iter_rows(values_only=True))
    assert disability == [
        ("Disability", "People reached", "New", "Returning"),
        ("With disability", "<5", "<5", 0),
        ("Without disability", "<5", "<5", "<5"),
        ("Not asked or declined", "<5", "<5", 0),
    ]
    ages = list(workbook["Age group"].iter_rows(values_only=True))
    assert ages[0] == ("Age group", "People reached", "New", "Returning")
    assert ("18–59", "<5", "<5", "<5") in ages
    assert ("16–19 (youth programme)", "<5", "<5", 0) in ages
    entries = audit_entries(database_url)
    assert [(e.entity_type, e.details["format"]) for e in entries] == [
        ("attendance_report", "csv"), ("attendance_report", "xlsx"),
    ] or sorted((e.entity_type, e.details["format"]) for e in entries) == [
        ("attendance_report", "csv"), ("attendance_report", "xlsx"),
    ]  # fmt: skip


def test_attendance_xlsx_reads_back(client: Client, centre) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, COORDINATOR)
    course = centre.activities["course"].id
    response = client.get(
        f"/reports/export/attendance/xlsx?{PERIOD}&activity={course}",
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "content-encoding" not in response.headers  # a zip already: not compressed again
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert {row[4] for row in rows[1:]} == {"Олена", "Alex"}
    assert rows[1][0].date().isoformat() == "2026-10-07"
    assert rows[1][1].strftime("%H:%M") == "17:00"


def test_attendance_csv_is_streamed_and_compressed_once(  # type: ignore[no-untyped-def]
    client: Client, database_url: str, centre
) -> None:
    """Gzipped by its handler (at a fast level) when the client accepts it, never again by the
    middleware; plain otherwise. Both are the same file."""
    sign_in(client, COORDINATOR)
    path = f"/reports/export/attendance/csv?{PERIOD}"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content.startswith(b"\xef\xbb\xbf")
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as packed:
        assert packed.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["vary"]
        raw = b"".join(packed.iter_raw())
    assert gzip.decompress(raw) == plain.content


def test_many_people_are_looked_up_by_the_period_instead(  # type: ignore[no-untyped-def]
    client: Client, database_url: str, centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the ids a query may list, the people are found by the period's marks: the same
    file."""
    sign_in(client, COORDINATOR)
    path = f"/reports/export/attendance/csv?{PERIOD}"
    by_ids = client.get(path).content
    monkeypatch.setattr("server.reports.exports.MAX_IDS", 1)
    assert client.get(path).content == by_ids
