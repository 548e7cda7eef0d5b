"""The reports page and the exports speak Polish and Ukrainian: no English source text is left
on the page, in its refused-filter form, or in the exported headings."""

from __future__ import annotations

import pytest

from tests.factories import run_in_db
from tests.helpers import Client, sign_in
from tests.reports.fixture import COORDINATOR, END, START, build_centre
from tests.web.test_no_english_left import _english_sources, _visible_text

PERIOD = f"from={START.isoformat()}&to={END.isoformat()}"


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_no_english_on_the_reports(client: Client, database_url: str, language: str) -> None:
    run_in_db(database_url, build_centre)
    english = [*_english_sources(language), "youth programme", "Not stated", "People reached"]
    client.headers["Accept-Language"] = language
    sign_in(client, COORDINATOR)
    pages = {
        "report": client.get(f"/reports?{PERIOD}").text,
        "refused": client.get("/reports?from=2026-12-01&to=2026-01-01").text,
        "empty": client.get("/reports?from=2020-01-01&to=2020-03-31").text,
    }
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        left = [source for source in english if source in _visible_text(page)]
        assert not left, f"English left on {name} in {language}: {left}"
    for what in ("attendance", "report"):
        text = client.get(f"/reports/export/{what}/csv?{PERIOD}").content.decode("utf-8-sig")
        headings = text.replace("Multicultural Choir", "").replace("Skills for Youth", "")
        left = [source for source in english if source in headings]
        assert not left, f"English left in the {what} export in {language}: {left}"
        for word in ("Present", "Female", "Sessions held", "Choir", "Summary", "Activity"):
            assert word not in headings, (what, word)
