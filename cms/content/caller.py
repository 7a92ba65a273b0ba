"""Who asks for an editorial action and with which roles: a staff member, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from server.actor import Actor
from server.staff.principal import StaffPrincipal
from server.staff.roles import Role


@dataclass(frozen=True)
class Caller:
    actor: Actor
    roles: frozenset[str]

    @classmethod
    def staff(cls, principal: StaffPrincipal) -> Caller:
        return cls(Actor("staff", principal.user_id, principal.display_name),
                   frozenset(role.value if isinstance(role, Role) else str(role) for role in principal.roles))

    @classmethod
    def system(cls, job: str) -> Caller:
        """Scheduled publishing and imports: the action was authorised when it was scheduled or ordered."""
        return cls(Actor.system(job), frozenset({Role.EDITOR.value, Role.REVIEWER.value}))

    @classmethod
    def trusted(cls, actor: Actor) -> Caller:
        """An operator-run import acting as ``actor`` with editing and publishing rights."""
        return cls(actor, frozenset({Role.EDITOR.value, Role.REVIEWER.value}))

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)
