"""Who is calling a staff endpoint: what handlers and domain code receive as ``handler.principal``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from server.staff.errors import RoleRequired
from server.staff.roles import Role


@dataclass(frozen=True)
class StaffPrincipal:
    user_id: str
    username: str
    display_name: str
    roles: tuple[Role, ...]
    departments: tuple[str, ...]  # department codes, for department-scoped roles (officer)
    session_id: str  # SHA-256 of the session cookie: safe to log, useless as a credential
    domains: tuple[str, ...] = ()  # domain ids, for domain-scoped roles (comprehensive window)

    def has_any_role(self, roles: Iterable[str]) -> bool:
        return any(role in self.roles for role in roles)

    def require_any_role(self, roles: Iterable[str]) -> None:
        """Raise 403 ``role_required`` unless the user has at least one of ``roles``."""
        wanted = tuple(roles)
        if wanted and not self.has_any_role(wanted):
            raise RoleRequired(f"需要以下角色之一: {', '.join(wanted)}", roles=list(wanted))
