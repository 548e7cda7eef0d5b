"""The paper sign-in sheet: everyone enrolled with their card code, boxes to tick, blank
lines for newcomers; only for those who may see the session; kept offline with the roster."""

from __future__ import annotations

from server.attendance.routes import SHEET_BLANK_ROWS
from tests.attendance.test_roster_pages import _roster
from tests.helpers import Client, sign_in


def test_the_sheet_lists_everyone_with_a_box_and_blank_lines(
    client: Client, database_url: str
) -> None:
    roster = _roster(database_url, n=5)
    sign_in(client, "me@example.org")
    page = client.get(f"/sessions/{roster.session_id}/sheet")
    assert page.status_code == 200
    assert page.text.count('class="box"') == 5 + SHEET_BLANK_ROWS
    assert page.text.count('<tr class="sheet-blank">') == SHEET_BLANK_ROWS
    assert "Оксана Шевченко (Oksana Shevchenko)" in page.text and "Łukasz Wójcik" in page.text
    assert (
        f'href="/sessions/{roster.session_id}/sheet"'
        in client.get(f"/sessions/{roster.session_id}").text
    )
    pack = [p["url"] for p in client.get("/api/sync/pack").json()["pages"]]
    assert f"/sessions/{roster.session_id}/sheet" in pack
    # Another facilitator's session: as if it did not exist.
    assert client.get(f"/sessions/{roster.other_session_id}/sheet").status_code == 404
