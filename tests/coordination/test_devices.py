"""Devices through the real app: what each phone reported with its last batch, and phones
silent for more than two days with changes waiting are highlighted, in words too."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from server.common.models import utcnow
from server.sync.models import Device
from tests.coordination.setup import COORDINATOR, FACILITATOR, make_centre, mark_write, send_batch
from tests.factories import run_in_db
from tests.helpers import Client, sign_in


def _silent_for(database_url: str, device: uuid.UUID, days: int) -> None:
    """The phone's last batch arrived `days` ago (tests cannot wait two days)."""

    async def backdate(db: AsyncSession) -> None:
        row = await db.get(Device, device)
        assert row is not None
        row.last_sync_at = row.last_seen_at = utcnow() - timedelta(days=days, minutes=5)
        db.add(row)

    run_in_db(database_url, backdate)


def _row(page: str, device: uuid.UUID) -> str:
    found = re.search(rf'<tr id="device-{device}"( class="silent")?>(.*?)</tr>', page, re.S)
    assert found is not None, f"device {device} not listed"
    return found.group(0)


def test_a_phone_silent_three_days_with_writes_waiting_is_highlighted(
    client: Client, database_url: str
) -> None:
    centre = make_centre(database_url)
    sign_in(client, FACILITATOR)
    quiet, recent, idle = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for device in (quiet, recent):
        # Five waiting; one sent in this batch, so four still waiting on the phone.
        send_batch(
            client, device, [mark_write(centre, centre.ended_unmarked, 0, "present")],
            pending_count=5, app_version="0.9.1",
        )  # fmt: skip
    send_batch(client, idle, [mark_write(centre, centre.ended_unmarked, 1, "present")])
    _silent_for(database_url, quiet, 3)
    _silent_for(database_url, recent, 1)
    _silent_for(database_url, idle, 3)  # silent, but nothing waits on it
    client.cookies.clear()
    sign_in(client, COORDINATOR)
    page = client.get("/coordination/devices")
    assert page.status_code == 200
    quiet_row, recent_row, idle_row = (_row(page.text, d) for d in (quiet, recent, idle))
    assert 'class="silent"' in quiet_row and "Silent for 3 days" in quiet_row
    assert "<td>4</td>" in quiet_row and "0.9.1" in quiet_row
    assert "Chrome on Android" in quiet_row and str(quiet)[:8] in quiet_row
    assert "Olena Facilitator" in quiet_row
    for calm in (recent_row, idle_row):
        assert 'class="silent"' not in calm and "Silent for" not in calm
    assert "1 device has changes waiting" in page.text
    # The one needing attention comes first.
    assert page.text.index(str(quiet)) < page.text.index(str(recent))
