"""Security headers on every kind of response: pages, errors before routing, static files, the
service worker, JSON; HSTS outside loopback; a CSP that names only the pinned htmx URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.settings import HTMX_CDN_URL, HTMX_LOCAL_URL, Settings
from server.web.security_headers import content_security_policy
from tests.helpers import Client

PATHS = [
    "/sign-in",  # a page
    "/no-such-page",  # 404 before any route matched
    "/static/css/app.css",  # a static file
    "/sw.js",  # the service worker (its CSP governs what the worker may fetch)
    "/healthz",  # JSON
    "/api/sync/pack",  # JSON API, signed out
]


def _directives(header: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client: Client, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    headers = response.headers
    csp = _directives(headers["content-security-policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].startswith("'self'")
    assert csp["style-src"] == "'self'"  # no 'unsafe-inline'
    assert csp["img-src"] == "'self'"
    assert csp["worker-src"] == "'self'"
    assert csp["manifest-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert "unsafe" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    permissions = headers["permissions-policy"]
    assert "camera=(self)" in permissions  # QR check-in
    assert "microphone=()" in permissions and "geolocation=()" in permissions
    assert "strict-transport-security" not in headers  # loopback: no HSTS


def test_the_cdn_htmx_url_is_the_only_other_source(client: Client) -> None:
    """The test settings use the default: htmx from its pinned CDN URL."""
    csp = _directives(client.get("/sign-in").headers["content-security-policy"])
    assert csp["script-src"] == f"'self' {HTMX_CDN_URL}"
    assert csp["connect-src"] == f"'self' {HTMX_CDN_URL}"  # the worker keeps a copy offline


def test_a_self_hosted_htmx_copy_leaves_only_self(tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key="k" * 40,
        data_dir=tmp_path,
        htmx_url=HTMX_LOCAL_URL,
        run_jobs=False,
    )
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1") as local:
        csp = _directives(local.get("/sign-in").headers["content-security-policy"])
    assert csp["script-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    # Another host is named by its exact file, never by the whole host.
    other = _directives(content_security_policy("https://cdn.example.org/htmx/2.0.11/htmx.js?x=1"))
    assert other["script-src"] == "'self' https://cdn.example.org/htmx/2.0.11/htmx.js"


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page", "/static/css/app.css"])
def test_hsts_outside_loopback(app: object, path: str) -> None:
    with TestClient(app=app, base_url="https://razem.example.org") as remote:  # type: ignore[arg-type]
        response = remote.get(path, follow_redirects=False)
    max_age = response.headers["strict-transport-security"].split(";")[0]
    assert int(max_age.removeprefix("max-age=")) >= 365 * 24 * 3600


@pytest.mark.parametrize("host", ["localhost:8000", "[::1]:8000", "127.0.0.1"])
def test_no_hsts_on_loopback_names(app: object, host: str) -> None:
    with TestClient(app=app, base_url="https://razem.example.org") as remote:  # type: ignore[arg-type]
        response = remote.get("/sign-in", headers={"host": host})
    assert "strict-transport-security" not in response.headers


def test_no_hsts_when_the_deployment_serves_plain_http(tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key="k" * 40,
        data_dir=tmp_path,
        secure_cookies=False,
        run_jobs=False,
    )
    with TestClient(app=create_app(settings), base_url="http://razem.lan") as lan:
        response = lan.get("/sign-in")
    assert "strict-transport-security" not in response.headers
    assert "content-security-policy" in response.headers


def test_pages_turn_off_htmx_inline_styles_and_eval(client: Client) -> None:
    page = client.get("/sign-in").text
    assert '"includeIndicatorStyles":false' in page
    assert '"allowEval":false' in page
    assert "<style" not in page and " style=" not in page
