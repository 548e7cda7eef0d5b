"""Our own scripts and styles, served without their comments and indentation.

The files in web/static and service_worker/ are written to be read, with comments that explain
them; a phone on a slow line pays for every byte (issue 9: the roster's own HTML, CSS and JS
under 15 KB compressed). At start-up each .js and .css file of ours is minified once per
process with rjsmin and rcssmin (comments and whitespace only: no renaming, so a stack trace
still names our functions) into a folder the static files router looks in before web/static.
Third-party files under vendor/ are served as they come. `RAZEM_MINIFY_ASSETS=false` serves
the sources as written (for debugging in a browser). Decision 23."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import rcssmin
import rjsmin


def minify(name: str, text: str) -> str:
    if name.endswith(".css"):
        return str(rcssmin.cssmin(text))
    if name.endswith(".js"):
        return str(rjsmin.jsmin(text))
    return text


@functools.cache
def minified_static(source: Path) -> Path:
    """A folder holding a minified copy of each of our scripts and styles under `source`,
    made once per process (every app built in the process shares it)."""
    target = Path(tempfile.mkdtemp(prefix="razem-static-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.suffix not in (".js", ".css") or relative.parts[0] == "vendor":
            continue
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(minify(path.name, path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


@functools.cache
def minified_file(path: Path) -> str:
    """One file's text, minified, read once per process (the worker's scripts)."""
    return minify(path.name, path.read_text(encoding="utf-8"))
