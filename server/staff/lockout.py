"""Locking an account after consecutive failed password checks (login and password change).

A login counts its attempt as failed *before* the password is checked (``reserve_attempt``) and a right
password clears the count afterwards. Checking first and counting after let every request that had read
the account before the lock engaged be checked: a burst of 41 logins tested 13 passwords with a limit of 5.
"""

from __future__ import annotations

import math
from datetime import timedelta

from server.deps import Deps
from server.staff import repository as repo
from server.staff.errors import AccountLocked, LoginFailed
from server.staff.models import StaffUser


def ensure_not_locked(deps: Deps, user: StaffUser) -> None:
    """Refuse while locked, before the password is even checked, so a lock cannot be guessed through."""
    now = deps.clock.now()
    if user.is_locked(now) and user.locked_until is not None:
        retry_after = max(1, math.ceil((user.locked_until - now).total_seconds()))
        raise AccountLocked(retry_after=retry_after, locked_until=user.locked_until.isoformat())


async def reserve_attempt(deps: Deps, user_id: str) -> None:
    """Count this attempt as a failure until its password proves right, or refuse it (429 account_locked)."""
    settings = deps.settings
    if await repo.reserve_password_check(deps.db, user_id, deps.clock.now(),
                                         max_failures=settings.staff_login_max_failures):
        return
    user = await repo.find_user(deps.db, user_id)
    if user is None:
        raise LoginFailed()
    ensure_not_locked(deps, user)
    # Not locked yet: the last attempts allowed are still being checked. Unless one of them is right, the
    # lock engages when they end, for the full time.
    raise AccountLocked(retry_after=settings.staff_lockout_seconds)


async def attempt_failed(deps: Deps, user_id: str) -> None:
    """A reserved attempt's password was wrong: it stays counted, and the last one allowed locks."""
    settings = deps.settings
    until = deps.clock.now() + timedelta(seconds=settings.staff_lockout_seconds)
    await repo.lock_user(deps.db, user_id, until, min_failures=settings.staff_login_max_failures)


async def forget_failures(deps: Deps, user_id: str) -> None:
    """A reserved attempt's password was right without a sign-in clearing the count (a disabled account,
    a password change)."""
    await repo.clear_login_failures(deps.db, user_id)
