"""Health, the service worker script, the manifest, static files, OpenAPI."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import TestClient

from server.app import create_app
from server.settings import HTMX_SRI, Settings
from tests.helpers import Client


def test_health_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql://postgres@127.0.0.1:1/nothing-listens-here",
        secret_key="k" * 40,
        data_dir=tmp_path,
    )
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1") as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_service_worker_is_served_from_the_root_without_sign_in(client: Client) -> None:
    response = client.get("/sw.js", follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert "addEventListener" in response.text


def test_manifest_lists_installable_icons(client: Client) -> None:
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_pages_load_htmx_with_an_exact_version_and_sri(client: Client) -> None:
    page = client.get("/sign-in").text
    assert "htmx.org@2.0.11/dist/htmx.min.js" in page
    assert f'integrity="{HTMX_SRI}"' in page
    assert 'crossorigin="anonymous"' in page


def test_htmx_url_setting_points_at_a_self_hosted_copy(tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key="k" * 40,
        data_dir=tmp_path,
        htmx_url="/static/vendor/htmx-2.0.11.min.js",
    )
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1") as client:
        page = client.get("/sign-in").text
    assert 'src="/static/vendor/htmx-2.0.11.min.js"' in page
    assert f'integrity="{HTMX_SRI}"' in page


def test_openapi_schema_is_published(client: Client) -> None:
    schema = client.get("/api/schema/openapi.json").json()
    assert "/healthz" in schema["paths"]


def test_unknown_page_is_a_translated_404(client: Client) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Not found" in response.text
