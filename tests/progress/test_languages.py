"""The course pages speak Polish and Ukrainian: no English source text is left on them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import Client, csrf_token, sign_in
from tests.progress.course_setup import COORDINATOR, TEACHER, make_course
from tests.web.test_no_english_left import _english_sources, _visible_text


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_no_english_on_the_course_pages(client: Client, database_url: str, language: str) -> None:
    course = make_course(database_url)
    first, second = course.learners[:2]
    english = _english_sources(language)
    client.headers["Accept-Language"] = language
    sign_in(client, TEACHER)
    base = f"/courses/{course.id}"
    paths = [
        f"/activities/{course.id}",
        f"/sessions/{course.sessions[0]}/lesson",
        f"{base}/progress",
        f"{base}/assess",
        f"{base}/learners/{first}",
        f"{base}/learners/{first}/certificate?lang=uk",
        f"{base}/learners/{second}/certificate",
        "/sync",
    ]
    pages = {path: client.get(path).text for path in paths}
    token = csrf_token(client, f"{base}/assess")
    pages["assess error"] = client.post(
        f"{base}/assess", data={"assessed_on": date.today().isoformat(), "_csrf_token": token}
    ).text
    client.cookies.clear()
    sign_in(client, COORDINATOR)
    pages["coordinator course"] = client.get(f"/activities/{course.id}").text
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        left = [source for source in english if source in _visible_text(page)]
        assert not left, f"English left on {name} in {language}: {left}"
