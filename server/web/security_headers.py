"""Security headers on every response: the Content-Security-Policy and its companions.

Installed as Litestar's `before_send` hook rather than as a route middleware, so it also covers
answers given before any route matched (404, 405) and static files.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from server.settings import Settings
from server.web.middleware import is_local_host

ONE_YEAR = 365 * 24 * 3600

# Features the app uses: the camera, for scanning check-in cards. Everything else is denied.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "autoplay",
                "display-capture",
                "fullscreen",
                "geolocation",
                "gyroscope",
                "hid",
                "idle-detection",
                "magnetometer",
                "microphone",
                "midi",
                "payment",
                "picture-in-picture",
                "publickey-credentials-get",
                "screen-wake-lock",
                "serial",
                "usb",
                "xr-spatial-tracking",
            )
        ),
    ]
)


def htmx_source(htmx_url: str) -> str:
    """The CSP source for the htmx script: the exact CDN file, or nothing extra when htmx is
    served by the app itself (a path, or a URL on the app's own origin is 'self' anyway)."""
    parts = urlsplit(htmx_url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def content_security_policy(htmx_url: str) -> str:
    """Only the app's own origin, plus the one pinned htmx URL. No inline script or style.

    The htmx URL is in connect-src too: the service worker fetches it (CORS) to keep a copy
    for offline use, and the worker's requests follow connect-src."""
    htmx = htmx_source(htmx_url)
    extra = f" {htmx}" if htmx else ""
    directives = {
        "default-src": "'self'",
        "script-src": f"'self'{extra}",
        "style-src": "'self'",
        "img-src": "'self'",
        "connect-src": f"'self'{extra}",
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "frame-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    """A `before_send` hook that adds the security headers to every HTTP response.

    HSTS is sent except on loopback hosts (development, tests), and not when the deployment
    says it serves plain HTTP (`RAZEM_SECURE_COOKIES=false`)."""

    def __init__(self, settings: Settings) -> None:
        self.hsts = settings.secure_cookies is not False
        self.headers = {
            "Content-Security-Policy": content_security_policy(settings.htmx_url),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Permissions-Policy": PERMISSIONS_POLICY,
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in self.headers.items():
            headers[name] = value
        if self.hsts and not is_local_host(scope):
            headers["Strict-Transport-Security"] = f"max-age={2 * ONE_YEAR}; includeSubDomains"
