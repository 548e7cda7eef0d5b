"""Helpers for tests that go through the HTTP interface."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from tests.factories import PASSWORD

Client = TestClient[Litestar]


def csrf_token(client: Client, path: str = "/sign-in") -> str:
    """Load a page to get the CSRF cookie and the token baked into its forms."""
    page = client.get(path)
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def post_form(client: Client, path: str, data: dict[str, str], *, from_page: str = "") -> object:
    token = csrf_token(client, from_page or path)
    return client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


def sign_in(client: Client, email: str, password: str = PASSWORD) -> None:
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "_csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
