"""The ``staff`` authenticator: console session cookie, CSRF header on unsafe methods, declared roles.

An endpoint declares ``auth="staff"`` and optionally ``roles=(...)``; with roles the user needs at least
one of them, without roles any signed-in staff member may call it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.staff.errors import SessionMissing
from server.staff.principal import StaffPrincipal
from server.staff.sessions import COOKIE_NAME, CSRF_HEADER, check_csrf, resolve_session

if TYPE_CHECKING:
    from server.http.api import Operation
    from server.http.base import BaseHandler

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class StaffAuthenticator:
    needs_body = False

    async def authenticate(self, handler: BaseHandler, op: Operation) -> StaffPrincipal:
        token = handler.get_cookie(COOKIE_NAME)
        if not token:
            raise SessionMissing()
        session, user = await resolve_session(handler.deps, token)
        if (handler.request.method or "GET").upper() not in SAFE_METHODS:
            check_csrf(session, handler.request.headers.get(CSRF_HEADER))
        principal = StaffPrincipal(user_id=user.id, username=user.username, display_name=user.display_name,
                                   roles=user.roles, departments=user.departments, session_id=session.id,
                                   domains=user.domains)
        principal.require_any_role(op.roles)
        return principal
