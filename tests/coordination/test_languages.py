"""The sync overview speaks Polish and Ukrainian: no English source text is left on its
pages, their errors included."""

from __future__ import annotations

import uuid

import pytest

from tests.coordination.test_disagreements import _mark_ids, _two_phones_disagree
from tests.helpers import Client, csrf_token, sign_in
from tests.web.test_no_english_left import _english_sources, _visible_text

from .setup import COORDINATOR

REFUSED = {"pl": "Wybierz jedną z opcji.", "uk": "Виберіть один із варіантів."}


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_no_english_on_the_sync_overview(client: Client, database_url: str, language: str) -> None:
    centre, _, _ = _two_phones_disagree(client, database_url)
    mark_id = _mark_ids(database_url)[centre.people[0]]
    english = _english_sources(language)
    client.headers["Accept-Language"] = language
    sign_in(client, COORDINATOR)
    paths = [
        "/coordination/sessions",
        "/coordination/sessions?from_date=2026-05-10&to_date=2026-05-01",
        f"/coordination/sessions/{centre.ended_unmarked}",
        "/coordination/devices",
        "/coordination/disagreements",
        "/coordination/disagreements?resolved=1",
    ]
    pages = {path: client.get(path).text for path in paths}
    token = csrf_token(client, "/coordination/disagreements")
    refused = client.post(
        f"/coordination/disagreements/{mark_id}/resolve",
        data={"status": "maybe", "key": str(uuid.uuid4()), "_csrf_token": token},
    )
    assert refused.status_code == 400 and REFUSED[language] in refused.text
    pages["resolve error"] = refused.text
    pages["unknown mark"] = client.post(
        f"/coordination/disagreements/{uuid.uuid4()}/resolve",
        data={"status": "present", "key": str(uuid.uuid4()), "_csrf_token": token},
    ).text
    for name, page in pages.items():
        assert f'<html lang="{language}">' in page, name
        left = [source for source in english if source in _visible_text(page)]
        assert not left, f"English left on {name} in {language}: {left}"
