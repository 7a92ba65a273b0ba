"""The ``citizen`` authenticator: ``Authorization: Bearer <token>`` -> ``CitizenPrincipal``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.errors import Unauthorized
from server.identity.sessions import CitizenPrincipal, authenticate_token
from server.identity.tokens import TokenInvalid, TokenMissing

if TYPE_CHECKING:
    from server.http.api import Operation
    from server.http.base import BaseHandler


class CitizenAuthenticator:
    needs_body = False  # a token check costs nothing, so anonymous bodies are refused unread

    async def authenticate(self, handler: BaseHandler, op: Operation) -> CitizenPrincipal:
        try:
            return await authenticate_token(handler.deps, _bearer_token(handler))
        except Unauthorized as error:
            error.headers["WWW-Authenticate"] = 'Bearer realm="yiwang"'
            raise


def _bearer_token(handler: BaseHandler) -> str:
    header = handler.request.headers.get("Authorization", "").strip()
    if not header:
        raise TokenMissing()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenInvalid()
    return token.strip()
