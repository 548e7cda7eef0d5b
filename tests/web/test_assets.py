"""Our scripts and styles are served without comments and indentation (decision 23), still
valid JavaScript, and the third-party htmx copy exactly as it came (its SRI hash must hold)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from server.app import create_app
from server.settings import Settings
from server.system.routes import SERVICE_WORKER_DIR, SW_MODULES
from server.web.templating import STATIC_DIR

_STATIC = sorted([*STATIC_DIR.rglob("*.js"), *STATIC_DIR.rglob("*.css")])
OURS = [
    *(f"/static/{p.relative_to(STATIC_DIR)}" for p in _STATIC if "vendor" not in p.parts),
    *(f"/sw/{name}" for name in sorted(SW_MODULES)),
    "/sw.js",
]


def _source(url: str) -> str:
    if url.startswith("/static/"):
        return (STATIC_DIR / url.removeprefix("/static/")).read_text(encoding="utf-8")
    return (SERVICE_WORKER_DIR / url.removeprefix("/sw/").removeprefix("/")).read_text("utf-8")


def test_our_scripts_and_styles_are_served_smaller_and_still_parse(
    client: TestClient[Litestar], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed to check the minified scripts parse"
    assert len(OURS) > 10
    plain_total = served_total = 0
    for url in OURS:
        response = client.get(url)
        assert response.status_code == 200, url
        served, source = response.text, _source(url)
        assert "/*" not in served.replace("/*/", ""), url  # no block comments left
        plain_total += len(gzip.compress(source.encode()))
        served_total += len(gzip.compress(served.encode()))
        if url.endswith(".js"):
            script = tmp_path / Path(url).name
            script.write_text(served, encoding="utf-8")
            check = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
            assert check.returncode == 0, f"{url}: {check.stderr}"
    assert served_total < 0.85 * plain_total, (served_total, plain_total)


def test_htmx_and_icons_are_served_as_they_are(client: TestClient[Litestar]) -> None:
    for path in STATIC_DIR.rglob("*"):
        if path.is_file() and ("vendor" in path.parts or path.suffix == ".png"):
            url = f"/static/{path.relative_to(STATIC_DIR)}"
            assert client.get(url).content == path.read_bytes(), url


@pytest.mark.parametrize(
    "url", ["/static/js/roster.js", "/static/css/app.css", "/sw/outbox-sync.js"]
)
def test_the_sources_as_written_when_minifying_is_off(settings: Settings, url: str) -> None:
    app = create_app(settings.model_copy(update={"minify_assets": False}))
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        assert client.get(url).text == _source(url)
