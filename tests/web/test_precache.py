"""Every script and stylesheet a page loads is in the worker's precache list, so no page the
offline pack holds opens offline without its script (progress overlays, print buttons)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def precached() -> set[str]:
    source = (ROOT / "service_worker" / "precache.js").read_text(encoding="utf-8")
    block = source.split("SHELL_FILES = [", 1)[1].split("]", 1)[0]
    return set(re.findall(r'"([^"]+)"', block))


def loaded_by_templates() -> set[str]:
    found: set[str] = set()
    for template in (ROOT / "web" / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        found.update(re.findall(r'(?:src|href)="(/static/(?:js|css)/[^"?]+)', text))
    return found


def test_every_script_and_stylesheet_a_page_loads_is_precached() -> None:
    loaded = loaded_by_templates()
    assert "/static/js/progress.js" in loaded  # the scan finds what pages load
    assert loaded - precached() == set()


def test_every_precached_file_exists() -> None:
    for path in precached():
        if path.startswith("/static/"):
            assert (ROOT / "web" / path.removeprefix("/")).is_file(), path
