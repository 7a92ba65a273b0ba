"""Sandbox login codes: ``sandbox-<user>`` or ``sandbox-<user>.<nonce>``, each usable once.

The user part decides who logs in, so tests and the demo get stable accounts (the same openid or
Alipay user id every time for ``alice``); the nonce lets the same user log in again, because a real
code, and therefore a sandbox code, works only once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.sandbox import repository

_CODE = re.compile(r"sandbox-([A-Za-z0-9_-]{1,64})(?:\.[A-Za-z0-9_-]{1,64})?")
USER_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def mint_code(user: str) -> str:
    return f"sandbox-{user}.{secrets.token_urlsafe(9)}"


def user_of(code: str) -> str | None:
    match = _CODE.fullmatch(code)
    return match.group(1) if match else None


async def redeem(db: AsyncDatabase[dict[str, Any]], channel: str, app_id: str, code: str,
                 now: datetime) -> str | None:
    """The user a fresh code logs in; None for a malformed or already used code."""
    user = user_of(code)
    if user is None or not await repository.use_code_once(db, f"{channel}:{app_id}:{code}", now):
        return None
    return user


def stable_id(key: bytes, *parts: str) -> bytes:
    """Deterministic pseudo-random bytes for ids the simulated provider would assign."""
    return hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).digest()
