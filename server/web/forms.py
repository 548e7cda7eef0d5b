"""Small helpers for HTML form handlers."""

from __future__ import annotations

from typing import Any

from litestar import Request


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never `//host`, a scheme, or a backslash trick."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def form_data(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted form as a dict of single values (the last value of a repeated field),
    except the fields named in `lists` (checkbox groups), which keep every value."""
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form if key not in lists}
    for key in lists:
        data[key] = form.getall(key) if key in form else []
    return data


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
