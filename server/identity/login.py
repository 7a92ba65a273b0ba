"""Logging in from a mini-program: provider code -> channel identity -> citizen -> session token.

Order of writes on a first login: the identity (pointing at a fresh citizen id) first, then the citizen.
A crash in between leaves an identity whose citizen is missing, which the next login creates; a race of
two first logins ends with one identity, because the identity is unique per channel, app and account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.identity import repository
from server.identity.citizens import CitizenProfile, find_citizen, get_profile, resolve_citizen
from server.identity.models import Channel, CitizenIdentity
from server.identity.sessions import IssuedToken, open_session

if TYPE_CHECKING:
    from server.deps import Deps


@dataclass(frozen=True)
class LoginResult:
    token: IssuedToken
    profile: CitizenProfile
    channel: Channel


async def login_with_wechat(deps: Deps, js_code: str) -> LoginResult:
    login = await deps.wechat.code_to_session(js_code)
    return await _login(deps, Channel.WECHAT, login.app_id, login.openid, login.unionid)


async def login_with_alipay(deps: Deps, auth_code: str) -> LoginResult:
    login = await deps.alipay.exchange_auth_code(auth_code)
    return await _login(deps, Channel.ALIPAY, login.app_id, login.subject, None)


async def _login(deps: Deps, channel: Channel, app_id: str, subject: str, union_id: str | None) -> LoginResult:
    now = deps.clock.now()
    identity = await repository.find_identity(deps.db, channel, app_id, subject)
    if identity is None:
        identity = await repository.insert_identity_or_get_existing(deps.db, CitizenIdentity(
            id=repository.new_id(), channel=channel, app_id=app_id, subject=subject, union_id=union_id,
            citizen_id=repository.new_id(), created_at=now))
    else:
        await repository.record_login(deps.db, identity.id, union_id, now)
    citizen = await find_citizen(deps.db, identity.citizen_id)
    if citizen is None:
        await repository.ensure_citizen(deps.db, identity.citizen_id, now)
        citizen = await resolve_citizen(deps.db, identity.citizen_id)
    token = await open_session(deps, identity, citizen.id)
    return LoginResult(token=token, profile=await get_profile(deps, citizen.id), channel=channel)
