"""Dependencies handlers declare: the database session, the actor, the app state."""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar import Request
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.models import StaffUser
from server.i18n.catalogs import Translator, get_translator
from server.web.appstate import AppState
from server.web.writes import device_id_of

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A controller's or handler's `opt` key: its reads are a few short indexed statements (pages
# people open all day: rosters, the offline pack), read on the event loop on SQLite (decision
# 27). Pages that may read much (reports, exports, the audit log) leave it out.
QUICK_READS = "razem_quick_reads"


def provide_app_state(state: State) -> AppState:
    app_state: AppState = state.razem
    return app_state


async def provide_db(state: State, request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed after the handler, rolled back on error.

    Reads use deferred transactions; writes begin immediately (see server.db)."""
    app_state: AppState = state.razem
    if request.method not in _READ_METHODS:
        maker = app_state.write_sessions
    elif request.route_handler.opt.get(QUICK_READS):
        maker = app_state.quick_read_sessions
    else:
        maker = app_state.read_sessions
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def provide_actor(request: Request) -> Actor:
    user: StaffUser | None = request.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    return Actor(
        user_id=user.id,
        role=user.role,
        display_name=user.display_name,
        device_id=device_id_of(request),
        ip_address=client_ip(request),
    )


def provide_translator(request: Request) -> Translator:
    found = request.scope.get("state", {}).get("translator")
    return found if isinstance(found, Translator) else get_translator("en")
