"""Staff accounts and console sessions as the rest of the package sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.staff.roles import Role


@dataclass(frozen=True)
class StaffUser:
    id: str
    username: str
    display_name: str
    roles: tuple[Role, ...]
    departments: tuple[str, ...]
    password_hash: str = field(repr=False)
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None
    domains: tuple[str, ...] = ()

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class StaffSession:
    id: str  # SHA-256 of the cookie value; the value itself is never stored
    user_id: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    absolute_expires_at: datetime

    def idle_expires_at(self, idle: timedelta) -> datetime:
        return min(self.last_seen_at + idle, self.absolute_expires_at)

    def has_ended(self, now: datetime, idle: timedelta) -> bool:
        return now >= self.idle_expires_at(idle)
