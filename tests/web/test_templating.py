"""Template filters: dates and times are shown in the centre's time zone (RAZEM_TIMEZONE)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.settings import Settings
from server.web.templating import build_environment

MOMENT = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "hour"), [("Europe/Warsaw", "2:00"), ("America/New_York", "8:00"), ("UTC", "12:00")]
)
def test_datetime_filters_use_the_configured_time_zone(
    tmp_path: Path, zone: str, hour: str
) -> None:
    env = build_environment(Settings(data_dir=tmp_path, timezone=zone))
    shown = env.from_string("{{ moment | datetime }}").render(moment=MOMENT)
    from_text = env.from_string("{{ moment | iso_datetime }}").render(moment=MOMENT.isoformat())
    assert hour in shown, shown
    assert shown == from_text
