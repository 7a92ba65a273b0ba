"""Locking an account after consecutive failed password checks (login and password change)."""

from __future__ import annotations

import math
from datetime import timedelta

from server.deps import Deps
from server.staff import repository as repo
from server.staff.errors import AccountLocked
from server.staff.models import StaffUser


def ensure_not_locked(deps: Deps, user: StaffUser) -> None:
    """Refuse while locked, before the password is even checked, so a lock cannot be guessed through."""
    now = deps.clock.now()
    if user.is_locked(now) and user.locked_until is not None:
        retry_after = max(1, math.ceil((user.locked_until - now).total_seconds()))
        raise AccountLocked(retry_after=retry_after, locked_until=user.locked_until.isoformat())


async def count_failure(deps: Deps, user_id: str) -> None:
    settings, now = deps.settings, deps.clock.now()
    failures = await repo.record_login_failure(deps.db, user_id, now)
    if failures >= settings.staff_login_max_failures:
        until = now + timedelta(seconds=settings.staff_lockout_seconds)
        await repo.lock_user(deps.db, user_id, until, min_failures=settings.staff_login_max_failures)
