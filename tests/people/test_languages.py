"""The people pages for coordinators speak Polish and Ukrainian: no English left."""

from __future__ import annotations

import pytest

from tests.helpers import Client, sign_in
from tests.people.test_merge import _twice
from tests.web.test_no_english_left import _english_sources, _visible_text


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_no_english_on_the_people_pages(client: Client, database_url: str, language: str) -> None:
    ids = _twice(database_url)
    english = _english_sources(language)
    client.headers["Accept-Language"] = language
    sign_in(client, "c@example.org")
    pages = {
        "search": client.get("/people?q=olena").text,
        "person": client.get(f"/people/{ids['kept']}?merged=ABC123").text,
        "duplicates": client.get("/people/duplicates").text,
        "merge": client.get(f"/people/merge?keep={ids['kept']}&merge={ids['other']}").text,
    }
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        left = [source for source in english if source in _visible_text(page)]
        assert not left, f"English left on {name} in {language}: {left}"
