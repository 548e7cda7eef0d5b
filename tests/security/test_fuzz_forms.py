"""Fuzzing the HTML forms, as schemathesis fuzzes the JSON API (test_fuzz_api.py).

The forms have no schema, so it is read off the pages: every GET page a role may open is
fetched and its forms' fields collected (`<form action=…>` and htmx `hx-post`), matched to the
POST routes of docs/authorization.md. Hypothesis then posts each route, as each role, with those
fields given hostile values (any Unicode, control characters, very long text, numbers and dates
out of range, ids of nothing, markup and SQL), some fields left out and unknown ones added.
Every answer must be a page or a redirect, never a server error."""

from __future__ import annotations

import contextlib
import re
import uuid
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.app import CSRF_COOKIE
from tests.helpers import Client, sign_in
from tests.web.test_authorization import (
    EMAILS,
    QUERIES,
    UNSAFE,
    World,
    build_world,
    fill,
    path_values,
    read_table,
)

ROLES = ("facilitator", "teacher", "admin")
# Not fuzzed here: the JSON sync API (schemathesis does), sign-out (it ends the session the
# walk needs), the import's file upload (tests/imports and test_hostile_input.py send it
# broken files) and running a job (it is a button without fields).
SKIP = {"/api/sync/batch", "/sign-out", "/people/import/preview", "/admin/jobs/{name:str}/run"}
EXAMPLES = 12

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=300),
    st.sampled_from([
        "", " ", "0", "-1", "1e309", "NaN", "99999999999999999999", "2026-02-30", "1900-01-01",
        "9999-12-31", "25:61", "present", "late", "<script>alert(1)</script>",
        "' OR '1'='1' --", "\u202eevil", "a" * 5000, "Ж" * 3000, str(uuid.uuid4()), "true",
        "ON", "[]", "{}",
    ]),
)  # fmt: skip


class _Forms(HTMLParser):
    """The POST forms of a page: action (or hx-post) → field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: set[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            action = found.get("hx-post") or found.get("action") or ""
            if (found.get("method") or "").lower() == "post" or "hx-post" in found:
                self._current = set()
                self.forms.append((action.split("?")[0], self._current))
            else:
                self._current = None
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            name = found.get("name")
            if name and name != "_csrf_token":
                self._current.add(name)
        elif "hx-post" in found:  # a button posting on its own (hx-vals)
            self.forms.append((str(found["hx-post"]).split("?")[0], set()))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _pattern(path: str) -> re.Pattern[str]:
    pieces = re.split(r"\{[^}]+\}", path)
    return re.compile("^" + "[^/]+".join(re.escape(piece) for piece in pieces) + "/?$")


def _fields_by_route(client: Client, who: str, world: World) -> dict[str, set[str]]:
    """For each POST route this role may use, the fields its pages' forms send."""
    table = read_table()
    posts = {
        path
        for (method, path), cells in table.items()
        if method in UNSAFE and path not in SKIP and cells[who] in ("ok", "own/404", "own/403")
    }
    patterns = {path: _pattern(path) for path in posts}
    fields: dict[str, set[str]] = {path: set() for path in posts}
    reach = world.reach(who, "own")
    for (method, path), cells in table.items():
        if method != "GET" or cells[who] not in ("ok", "own/404", "own/403"):
            continue
        url = fill(path, path_values(path, reach, world))
        query = QUERIES[(method, path)](world) if (method, path) in QUERIES else {}
        page = client.get(url, params=query, follow_redirects=False)
        if "text/html" not in page.headers.get("content-type", ""):
            continue
        parser = _Forms()
        parser.feed(page.text)
        for action, names in parser.forms:
            for route, pattern in patterns.items():
                if pattern.match(action):
                    fields[route] |= names
    return fields


def _fuzzer(client: Client, url: str, known: list[str], failures: list[str]) -> Any:
    """Hypothesis posting `url` with hostile values for its fields and a few unknown ones."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        values=st.fixed_dictionaries({}, optional={name: HOSTILE for name in known}),
        extra=st.dictionaries(st.text(min_size=1, max_size=12), HOSTILE, max_size=2),
    )
    def post(values: dict[str, Any], extra: dict[str, Any]) -> None:
        form = {**extra, **values, "_csrf_token": client.cookies.get(CSRF_COOKIE) or ""}
        response = client.post(url, data=form, follow_redirects=False)
        failure = f"POST {url} {sorted(form)}: {response.status_code}"
        if response.status_code >= 500 and failure not in failures:
            failures.append(failure)
        assert response.status_code < 500

    return post


@pytest.mark.parametrize("who", ROLES)
def test_hostile_form_posts_never_cause_a_server_error(
    client: Client, database_url: str, who: str
) -> None:
    world = build_world(database_url)
    client.get("/sign-in")
    sign_in(client, EMAILS[who])
    fields = _fields_by_route(client, who, world)
    assert sum(bool(names) for names in fields.values()) >= 5, fields  # the pages were read
    reach = world.reach(who, "own")
    failures: list[str] = []

    for route, names in sorted(fields.items()):
        url = fill(route, path_values(route, reach, world))
        with contextlib.suppress(AssertionError):  # listed in failures, smallest example first
            _fuzzer(client, url, sorted(names), failures)()
        if "razem_session" not in client.cookies:
            sign_in(client, EMAILS[who])
    assert not failures, "\n".join(failures)
