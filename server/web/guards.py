"""Route guards: signed in, and the roles a page is for."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.auth.models import Role, StaffUser

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException()


def roles(*allowed: Role) -> Guard:
    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user: StaffUser | None = connection.scope.get("user")
        if user is None:
            raise NotAuthorizedException()
        if user.role not in allowed:
            raise PermissionDeniedException()

    return guard
