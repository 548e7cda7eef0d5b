"""Pages about sync itself: the sync status page (pending and refused writes live on the
device, so the page script fills it from IndexedDB), the offline page, and how to install."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from server.web.guards import signed_in


@get("/sync", name="sync_status", guards=[signed_in])
async def sync_status() -> Template:
    return Template(template_name="sync/status.html")


@get("/offline", name="offline")
async def offline_page() -> Template:
    """Shown by the service worker for a page that is not available offline."""
    return Template(template_name="sync/offline.html")


@get("/help/install", name="install_help")
async def install_help() -> Template:
    return Template(template_name="sync/install.html")
