"""Managing staff accounts: create, list, change roles and departments, disable, passwords, unlock."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from server.deps import Deps
from server.errors import Unprocessable
from server.staff import repository as repo
from server.staff.errors import (
    CannotChangeOwnAdminAccess,
    CurrentPasswordWrong,
    InvalidUsername,
    StaffUserNotFound,
    UsernameTaken,
)
from server.staff.lockout import attempt_failed, ensure_not_locked, forget_failures, reserve_attempt
from server.staff.models import StaffUser
from server.staff.passwords import Passwords, check_password_policy
from server.staff.principal import StaffPrincipal
from server.staff.roles import Role, check_assignment, check_domains

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,31}$"
_USERNAME = re.compile(USERNAME_PATTERN)
MAX_DISPLAY_NAME_LENGTH = 64


class InvalidDisplayName(Unprocessable):
    code = "invalid_display_name"
    default_message = f"姓名不能为空，且不超过 {MAX_DISPLAY_NAME_LENGTH} 个字符"


def normalise_username(raw: str) -> str:
    """Usernames are case-insensitive and typed on Chinese keyboards: fold width and case."""
    return unicodedata.normalize("NFKC", raw).strip().lower()


def check_username(raw: str) -> str:
    username = normalise_username(raw)
    if not _USERNAME.fullmatch(username):
        raise InvalidUsername()
    return username


def _check_display_name(raw: str) -> str:
    name = raw.strip()
    if not name or len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidDisplayName()
    return name


async def create_user(deps: Deps, *, username: str, password: str, roles: Sequence[str],
                      departments: Sequence[str] = (), display_name: str | None = None,
                      domains: Sequence[str] = ()) -> StaffUser:
    name = check_username(username)
    chosen_roles, codes = check_assignment(roles, departments)
    domain_codes = check_domains(chosen_roles, domains)
    shown = _check_display_name(display_name if display_name is not None else name)
    check_password_policy(password, name)
    password_hash = await Passwords.from_settings(deps.settings).hash(password)
    created = await repo.insert_user(deps.db, repo.NewUser(
        username=name, display_name=shown, roles=chosen_roles, departments=codes,
        password_hash=password_hash, domains=domain_codes), deps.clock.now())
    if created is None:
        raise UsernameTaken(username=name)
    return created


async def list_users(deps: Deps, *, offset: int = 0, limit: int = 100) -> tuple[list[StaffUser], int]:
    return await repo.list_users(deps.db, offset=offset, limit=limit)


async def get_user(deps: Deps, user_id: str) -> StaffUser:
    user = await repo.find_user(deps.db, user_id)
    if user is None:
        raise StaffUserNotFound()
    return user


async def get_user_by_username(deps: Deps, username: str) -> StaffUser:
    user = await repo.find_user_by_username(deps.db, normalise_username(username))
    if user is None:
        raise StaffUserNotFound(username=normalise_username(username))
    return user


async def update_user(deps: Deps, user_id: str, *, actor: StaffPrincipal | None = None,
                      display_name: str | None = None, roles: Sequence[str] | None = None,
                      departments: Sequence[str] | None = None, disabled: bool | None = None,
                      domains: Sequence[str] | None = None) -> StaffUser:
    """Change an account. ``actor`` is the administrator doing it (None from the command line)."""
    user = await get_user(deps, user_id)
    new_roles, new_codes = check_assignment(
        roles if roles is not None else user.roles,
        departments if departments is not None else user.departments)
    new_domains = check_domains(new_roles, domains if domains is not None else user.domains)
    if actor is not None and actor.user_id == user.id and (disabled or Role.ADMIN not in new_roles):
        raise CannotChangeOwnAdminAccess()
    updated = await repo.update_profile(
        deps.db, user.id, deps.clock.now(),
        display_name=_check_display_name(display_name) if display_name is not None else None,
        roles=new_roles if roles is not None else None,
        departments=new_codes if roles is not None or departments is not None else None,
        domains=new_domains if roles is not None or domains is not None else None,
        disabled=disabled)
    if updated is None:
        raise StaffUserNotFound()
    if updated.disabled:
        await repo.delete_user_sessions(deps.db, user.id)
    return updated


async def reset_password(deps: Deps, user_id: str, new_password: str) -> None:
    """An administrator sets a new password; every session of the account ends."""
    user = await get_user(deps, user_id)
    await _store_password(deps, user, new_password)
    await repo.delete_user_sessions(deps.db, user.id)


async def change_own_password(deps: Deps, principal: StaffPrincipal, current_password: str,
                              new_password: str) -> None:
    """The user's own change: the current password is checked like a login, lockout included.

    Other sessions of the account end; the one making the change stays.
    """
    user = await get_user(deps, principal.user_id)
    ensure_not_locked(deps, user)

    async def reserve() -> None:
        await reserve_attempt(deps, user.id)

    # Counted before the check, like a login: parallel guesses from a stolen session stop at the limit.
    if not await Passwords.from_settings(deps.settings).verify(user.password_hash, current_password,
                                                               reserve=reserve):
        await attempt_failed(deps, user.id)
        raise CurrentPasswordWrong()
    await forget_failures(deps, user.id)
    await _store_password(deps, user, new_password)
    await repo.delete_user_sessions(deps.db, user.id, keep=principal.session_id)


async def unlock_user(deps: Deps, user_id: str) -> StaffUser:
    unlocked = await repo.unlock_user(deps.db, user_id, deps.clock.now())
    if unlocked is None:
        raise StaffUserNotFound()
    return unlocked


async def _store_password(deps: Deps, user: StaffUser, new_password: str) -> None:
    check_password_policy(new_password, user.username)
    password_hash = await Passwords.from_settings(deps.settings).hash(new_password)
    if not await repo.set_password_hash(deps.db, user.id, password_hash, deps.clock.now()):
        raise StaffUserNotFound()
