"""How a declared ``auth`` kind becomes a principal on the handler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from server.http.api import Operation
    from server.http.base import BaseHandler


class Authenticator(Protocol):
    # Signature schemes over the body (open API, provider callbacks) run after the body arrives;
    # token and cookie schemes run before it, so an anonymous upload is refused before it is read.
    needs_body: bool

    async def authenticate(self, handler: BaseHandler, op: Operation) -> Any:
        """Return the principal, or raise an AppError (401/403)."""
        ...
