"""Citizen session tokens: ``c1.<session id>.<expiry>.<signature>``, HMAC-SHA256 signed.

The signature is checked before anything else, so a forged or garbled token never reaches the
database. The token carries its own expiry; whether the session was revoked is the session store's
business (see ``server.identity.sessions``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from server.errors import Unauthorized

_PREFIX = "c1"
_TOKEN = re.compile(r"c1\.([A-Za-z0-9_-]{22})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")


class TokenMissing(Unauthorized):
    code = "token_missing"
    default_message = "请先登录"


class TokenInvalid(Unauthorized):
    code = "token_invalid"
    default_message = "登录凭证无效，请重新登录"


class TokenExpired(Unauthorized):
    code = "token_expired"
    default_message = "登录已过期，请重新登录"


class TokenRevoked(Unauthorized):
    code = "token_revoked"
    default_message = "登录已失效，请重新登录"


@dataclass(frozen=True)
class TokenClaims:
    session_id: str
    expires_at: int  # Unix seconds


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


class TokenSigner:
    def __init__(self, secret_key: bytes) -> None:
        # A key of its own, so a token can never be confused with another HMAC the server makes.
        self._key = hmac.new(secret_key, b"citizen-session-token v1", hashlib.sha256).digest()

    def _signature(self, session_id: str, expiry_text: str) -> str:
        mac = hmac.new(self._key, f"{_PREFIX}.{session_id}.{expiry_text}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def issue(self, session_id: str, expires_at: int) -> str:
        return f"{_PREFIX}.{session_id}.{expires_at}.{self._signature(session_id, str(expires_at))}"

    def verify(self, token: str, now: float) -> TokenClaims:
        """Claims of an authentic, unexpired token; ``TokenInvalid`` or ``TokenExpired`` otherwise."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise TokenInvalid()
        session_id, expiry_text, signature = match.groups()
        # Signed over the text as sent, so "0123" and "123" are different tokens, not one malleable one.
        if not hmac.compare_digest(signature, self._signature(session_id, expiry_text)):
            raise TokenInvalid()
        expires_at = int(expiry_text)
        if expires_at <= now:
            raise TokenExpired()
        return TokenClaims(session_id=session_id, expires_at=expires_at)
