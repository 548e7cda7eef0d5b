"""The activity set-up pages speak Polish and Ukrainian: no English source text left."""

from __future__ import annotations

import pytest

from tests.activities.test_activity_setup import (
    COORDINATOR,
    _course_form,
    _created_id,
    _monday,
    _people_and_staff,
    _post,
)
from tests.helpers import Client, sign_in
from tests.web.test_no_english_left import _english_sources, _visible_text


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_no_english_on_the_setup_pages(client: Client, database_url: str, language: str) -> None:
    _people_and_staff(database_url)
    english = _english_sources(language)
    client.headers["Accept-Language"] = language
    sign_in(client, COORDINATOR)
    activity_id = _created_id(_post(client, "/activities/new", _course_form(_monday())))
    pages = {
        "list": client.get("/activities").text,
        "new": client.get("/activities/new").text,
        "edit": client.get(f"/activities/{activity_id}/edit").text,
        "detail": client.get(f"/activities/{activity_id}?created=8&q=Nowak").text,
        "error": _post(client, "/activities/new", _course_form(_monday(), title="")).text,
    }
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        left = [source for source in english if source in _visible_text(page)]
        assert not left, f"English left on {name} in {language}: {left}"
