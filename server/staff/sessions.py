"""Console login and sessions.

The session cookie holds an opaque random value; only its SHA-256 is stored, so a leaked database
cannot be replayed as cookies. A session ends after ``STAFF_SESSION_IDLE_SECONDS`` without a request
or ``STAFF_SESSION_MAX_SECONDS`` after login, whichever comes first. Activity is written at most once a
minute (a write per request would double the database load of the console), so the idle limit is
honoured to within that minute.

Login CSRF: the login endpoint only accepts a JSON body with ``Content-Type: application/json``
(BaseHandler enforces it for every endpoint with a request schema). A cross-site HTML form cannot send
that content type, and a cross-site script cannot without a CORS preflight, which this server never
grants; the cookie is also ``SameSite=Strict``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from server.deps import Deps
from server.settings import Settings
from server.staff import repository as repo
from server.staff.accounts import normalise_username
from server.staff.errors import AccountDisabled, CsrfFailed, LoginFailed, SessionExpired, SessionInvalid
from server.staff.lockout import attempt_failed, ensure_not_locked, forget_failures, reserve_attempt
from server.staff.models import StaffSession, StaffUser
from server.staff.passwords import Passwords

COOKIE_NAME = "yiwang_staff"
CSRF_HEADER = "X-CSRF-Token"
TOUCH_INTERVAL = timedelta(minutes=1)
# Ended sessions are kept this long so a returning browser hears "expired" rather than "invalid".
ENDED_SESSION_RETENTION = timedelta(days=1)
_MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True)
class OpenedSession:
    token: str  # the cookie value, shown once and never stored
    session: StaffSession
    user: StaffUser


def session_id_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_options(settings: Settings) -> dict[str, Any]:
    return {"path": "/", "httponly": True, "samesite": "Strict",
            "secure": settings.base_url.startswith("https://")}


def idle_timeout(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.staff_session_idle_seconds)


async def login(deps: Deps, username: str, password: str) -> OpenedSession:
    passwords = Passwords.from_settings(deps.settings)
    user = await repo.find_user_by_username(deps.db, normalise_username(username))
    if user is None:
        await passwords.burn(password)
        raise LoginFailed()
    # Also refused by the reservation; checked here first so a locked account never waits for a hashing slot.
    ensure_not_locked(deps, user)

    async def reserve() -> None:
        await reserve_attempt(deps, user.id)

    if not await passwords.verify(user.password_hash, password, reserve=reserve):
        await attempt_failed(deps, user.id)
        raise LoginFailed()
    # Checked only after the password, so a disabled account is not revealed to someone guessing.
    if user.disabled:
        await forget_failures(deps, user.id)
        raise AccountDisabled()
    now = deps.clock.now()
    await repo.record_login_success(deps.db, user.id, now)
    if passwords.needs_rehash(user.password_hash):
        await repo.upgrade_password_hash(deps.db, user.id, user.password_hash, await passwords.hash(password))
    await repo.delete_sessions_ended_before(
        deps.db, absolute_before=now - ENDED_SESSION_RETENTION,
        seen_before=now - idle_timeout(deps.settings) - ENDED_SESSION_RETENTION)
    token = secrets.token_urlsafe(32)
    session = await repo.insert_session(
        deps.db, session_id=session_id_of(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
        now=now, absolute_expires_at=now + timedelta(seconds=deps.settings.staff_session_max_seconds))
    return OpenedSession(token=token, session=session, user=user)


async def resolve_session(deps: Deps, token: str) -> tuple[StaffSession, StaffUser]:
    """The live session behind a cookie value and its account, sliding the idle expiry forward."""
    if len(token) > _MAX_TOKEN_LENGTH:
        raise SessionInvalid()
    session = await repo.find_session(deps.db, session_id_of(token))
    if session is None:
        raise SessionInvalid()
    now = deps.clock.now()
    if session.has_ended(now, idle_timeout(deps.settings)):
        raise SessionExpired()
    user = await repo.find_user(deps.db, session.user_id)
    if user is None or user.disabled:
        await repo.delete_user_sessions(deps.db, session.user_id)
        raise SessionInvalid()
    if now - session.last_seen_at >= TOUCH_INTERVAL:
        await repo.touch_session(deps.db, session.id, now)
        session = replace(session, last_seen_at=now)
    return session, user


async def current_session(deps: Deps, session_id: str) -> tuple[StaffSession, StaffUser]:
    """The caller's session and account, already authenticated (for the session endpoint)."""
    session = await repo.find_session(deps.db, session_id)
    user = await repo.find_user(deps.db, session.user_id) if session else None
    if session is None or user is None:
        raise SessionInvalid()
    return session, user


def check_csrf(session: StaffSession, presented: str | None) -> None:
    if not presented or not hmac.compare_digest(presented.encode(), session.csrf_token.encode()):
        raise CsrfFailed()


async def logout(deps: Deps, session_id: str) -> None:
    await repo.delete_session(deps.db, session_id)
