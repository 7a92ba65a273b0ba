"""Citizen sessions: opened at login, checked on every request, revoked at logout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from server.identity import repository
from server.identity.citizens import find_citizen
from server.identity.models import CitizenIdentity, CitizenSession
from server.identity.tokens import TokenExpired, TokenRevoked, TokenSigner, new_session_id

if TYPE_CHECKING:
    from server.deps import Deps
    from server.identity.models import Channel


@dataclass(frozen=True)
class CitizenPrincipal:
    """Who is calling a citizen endpoint: ``handler.principal`` of every ``auth="citizen"`` operation.

    ``citizen_id`` is always the surviving citizen, so features may key their data by it.
    """

    citizen_id: str
    channel: Channel
    session_id: str
    identity_id: str


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def token_signer(deps: Deps) -> TokenSigner:
    return TokenSigner(deps.settings.secret_key_bytes)


async def open_session(deps: Deps, identity: CitizenIdentity, citizen_id: str) -> IssuedToken:
    now = deps.clock.now()
    # Whole seconds, because the token carries the expiry in seconds and must agree with the session.
    expires_at = datetime.fromtimestamp(int(now.timestamp()) + deps.settings.citizen_token_ttl_seconds, UTC)
    session = CitizenSession(id=new_session_id(), citizen_id=citizen_id, identity_id=identity.id,
                             channel=identity.channel, created_at=now, expires_at=expires_at, revoked_at=None)
    await repository.insert_session(deps.db, session)
    return IssuedToken(token=token_signer(deps).issue(session.id, int(expires_at.timestamp())),
                       expires_at=expires_at)


async def authenticate_token(deps: Deps, token: str) -> CitizenPrincipal:
    """Signature first (forged tokens never reach the database), then expiry, then revocation."""
    claims = token_signer(deps).verify(token, deps.clock.timestamp())
    session = await repository.get_session(deps.db, claims.session_id)
    if session is None or session.revoked_at is not None:
        raise TokenRevoked()
    if session.expires_at <= deps.clock.now():
        raise TokenExpired()
    citizen = await find_citizen(deps.db, session.citizen_id)
    if citizen is None:
        raise TokenRevoked()
    if citizen.id != session.citizen_id:
        await repository.set_session_citizen(deps.db, session.id, citizen.id)
    return CitizenPrincipal(citizen_id=citizen.id, channel=session.channel, session_id=session.id,
                            identity_id=session.identity_id)


async def close_session(deps: Deps, principal: CitizenPrincipal) -> None:
    await repository.revoke_session(deps.db, principal.session_id, deps.clock.now())
