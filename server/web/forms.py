"""Small helpers for HTML form handlers."""

from __future__ import annotations

from typing import Any

from litestar import Request


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never `//host`, a scheme, or a backslash trick."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def form_data(request: Request) -> dict[str, Any]:
    """The posted form as a dict of single values (the last value of a repeated field)."""
    form = await request.form()
    return {key: form.get(key) for key in form}
