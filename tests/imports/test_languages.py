"""The import pages speak Polish and Ukrainian: no English source text is left on them."""

from __future__ import annotations

import pytest

from tests.helpers import Client, sign_in
from tests.imports.import_setup import (
    COORDINATOR,
    GOOD_ROWS,
    confirm,
    confirm_fields,
    csv_file,
    setup,
    upload,
)
from tests.web.test_no_english_left import _english_sources, _visible_text


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_no_english_on_the_import_pages(client: Client, database_url: str, language: str) -> None:
    setup(database_url)
    english = _english_sources(language)
    client.headers["Accept-Language"] = language
    sign_in(client, COORDINATOR)
    pages = {path: client.get(path).text for path in ("/people", "/people/import")}
    pages["problems"] = upload(client, csv_file(GOOD_ROWS[0], "Anna;;x;2990;POL;1;xx;No;")).text
    pages["file refused"] = upload(client, b"name;surname\nJan;Kowalski\n").text
    preview = upload(client, csv_file(*GOOD_ROWS)).text
    pages["preview"] = preview
    pages["tampered"] = confirm(client, {**confirm_fields(preview), "signature": "0"}).text
    done = confirm(client, confirm_fields(preview))
    pages["done"] = client.get(done.headers["location"]).text
    pages["again"] = upload(client, csv_file(*GOOD_ROWS)).text
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        left = [source for source in english if source in _visible_text(page)]
        assert not left, f"English left on {name} in {language}: {left}"
