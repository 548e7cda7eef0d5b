"""Synced rosters through the real app: who marked each person, when and from which device;
sessions that ended with people unmarked are listed, marked and cancelled ones are not."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from tests.coordination.setup import (
    COORDINATOR,
    FACILITATOR,
    IPHONE_SAFARI,
    make_centre,
    mark_write,
    send_batch,
)
from tests.helpers import Client, sign_in


def _section(page: str, element_id: str) -> str:
    found = re.search(rf'<ul class="cards" id="{element_id}">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def test_the_synced_roster_shows_who_marked_when_and_from_which_device(
    client: Client, database_url: str
) -> None:
    centre = make_centre(database_url)
    sign_in(client, FACILITATOR)
    device = uuid.uuid4()
    send_batch(
        client, device, [mark_write(centre, centre.ended_unmarked, 0, "late")],
        user_agent=IPHONE_SAFARI,
    )  # fmt: skip
    client.cookies.clear()
    sign_in(client, COORDINATOR)
    page = client.get(f"/coordination/sessions/{centre.ended_unmarked}")
    assert page.status_code == 200
    row = re.search(rf'<tr id="synced-row-{centre.people[0]}">(.*?)</tr>', page.text, re.S)
    assert row is not None
    cells = " ".join(row.group(1).split())
    assert "Late" in cells
    assert "Olena Facilitator" in cells
    assert f"Safari on iOS <code>{str(device)[:8]}</code>" in cells
    assert cells.count(str(date.today().year)) >= 2  # device time and received time
    unmarked = re.search(rf'<tr id="synced-row-{centre.people[1]}">(.*?)</tr>', page.text, re.S)
    assert unmarked is not None and "Not marked" in unmarked.group(1)
    assert "1 of 3 marked" in page.text


def test_sessions_that_ended_unmarked_are_listed_and_marked_ones_are_not(
    client: Client, database_url: str
) -> None:
    centre = make_centre(database_url)
    sign_in(client, FACILITATOR)
    writes = [mark_write(centre, centre.ended_marked, i, "present") for i in range(3)]
    writes.append(mark_write(centre, centre.ended_unmarked, 0, "present"))
    send_batch(client, uuid.uuid4(), writes)
    client.cookies.clear()
    sign_in(client, COORDINATOR)
    page = client.get("/coordination/sessions")
    assert page.status_code == 200
    unmarked = _section(page.text, "unmarked-sessions")
    assert f"/coordination/sessions/{centre.ended_unmarked}" in unmarked
    assert "1 of 3 marked" in unmarked
    assert str(centre.ended_marked) not in unmarked
    assert str(centre.cancelled) not in unmarked  # cancelled: nothing to mark
    assert str(centre.upcoming) not in unmarked  # not ended yet
    listed = _section(page.text, "all-sessions")
    assert str(centre.ended_marked) in listed and "3 of 3 marked" in listed
    # Newest first: yesterday's before the day before's.
    assert listed.index(str(centre.ended_unmarked)) < listed.index(str(centre.ended_marked))


def test_filters_by_period_and_activity(client: Client, database_url: str) -> None:
    centre = make_centre(database_url)
    sign_in(client, COORDINATOR)
    two_days_ago = (date.today() - timedelta(days=2)).isoformat()
    page = client.get(
        "/coordination/sessions",
        params={"from_date": two_days_ago, "to_date": two_days_ago},
    )
    listed = _section(page.text, "all-sessions")
    assert str(centre.ended_marked) in listed
    assert str(centre.ended_unmarked) not in listed
    other = client.get("/coordination/sessions", params={"activity": str(uuid.uuid4())})
    assert other.status_code == 200 and "No sessions in this period." in other.text
    mine = client.get("/coordination/sessions", params={"activity": str(centre.activity_id)})
    assert str(centre.ended_unmarked) in _section(mine.text, "all-sessions")


@pytest.mark.parametrize(
    ("params", "field", "error"),
    [
        ({"from_date": "2026-13-40"}, "from_date", "Enter a date."),
        ({"from_date": "2026-05-10", "to_date": "2026-05-01"}, "to_date",
         "The end date is before the start date."),
        ({"activity": "choir"}, "activity", "Unknown item."),
    ],
)  # fmt: skip
def test_bad_filters_are_shown_next_to_their_field(
    client: Client, database_url: str, params: dict[str, str], field: str, error: str
) -> None:
    make_centre(database_url)
    sign_in(client, COORDINATOR)
    page = client.get("/coordination/sessions", params=params)
    assert page.status_code == 400
    assert f'<p class="field-error" id="error-{field}">{error}</p>' in page.text
    assert 'role="alert"' in page.text
