"""Subscribe consents: what the mini-program's ``requestSubscribeMessage`` answered, per identity (one
provider account: a WeChat openid, an Alipay user) and template. One-time consents are counted and spent one
per message; a long-term one is never spent.

A consent belongs to the account that gave it and only ever sends to that account: a citizen may have
several accounts on one channel (after a merge), and one account's consents must not carry messages to
another. Merges move the consents' citizen link with their identities (``server.identity.citizens``).

Which account a message about a case goes to (``identity_for_message``): the identity that made the case
if the case records one (``identity_id``), else the citizen's identity on the case's channel that logged
in last. The relay fixes that choice on the message, so every attempt at it spends from the same account.

Consents stored before they were per identity (``citizen_id:channel:template_id``, one recipient, counts of
all the citizen's accounts) are adopted by the identity they went to the first time its consents are read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.errors import NotFound, Unprocessable
from server.identity import repository as identities
from server.identity.citizens import find_citizen
from server.identity.models import CitizenIdentity
from server.identity.sessions import CitizenPrincipal
from server.messages import repository
from server.messages.templates import progress_templates

if TYPE_CHECKING:
    from server.deps import Deps

ACCEPT = "accept"
# "reject": this time only; "ban": the user switched the app's messages off entirely.
RESULTS = (ACCEPT, "reject", "ban", "filter")


class UnknownTemplate(Unprocessable):
    code = "unknown_template"
    default_message = "不是本应用的消息模板"


class IdentityGone(NotFound):
    code = "identity_not_found"


def consent_id(identity_id: str, template_id: str) -> str:
    return repository.consent_key(identity_id, template_id)


async def _caller_identity(deps: Deps, principal: CitizenPrincipal) -> CitizenIdentity:
    identity = await identities.get_identity(deps.db, principal.identity_id)
    if identity is None:
        raise IdentityGone()
    await repository.adopt_legacy_consents(deps.db, identity)
    return identity


async def record_consents(deps: Deps, principal: CitizenPrincipal, results: dict[str, str]) -> list[dict[str, Any]]:
    """Store what the caller's account answered for each template of its channel."""
    channel = principal.channel.value
    known = {t.template_id: t for t in progress_templates(deps.settings).values() if t.channel == channel}
    unknown = sorted(set(results) - set(known))
    if unknown:
        raise UnknownTemplate(template_ids=unknown)
    identity = await _caller_identity(deps, principal)
    for template_id, result in results.items():
        key = consent_id(identity.id, template_id)
        fields = {"identity_id": identity.id, "citizen_id": principal.citizen_id, "channel": channel,
                  "template_id": template_id, "recipient": identity.subject, "updated_at": deps.clock.now()}
        if known[template_id].long_term:
            await repository.set_long_term_consent(deps.db, key, fields, "accepted" if result == ACCEPT else "refused")
        elif result == ACCEPT:
            await repository.add_one_time_consents(deps.db, key, fields, 1)
        elif result == "ban":
            await repository.set_long_term_consent(deps.db, key, {**fields, "remaining": 0}, "refused")
    return await _view(deps, identity)


async def consents_view(deps: Deps, principal: CitizenPrincipal) -> list[dict[str, Any]]:
    """The consents of the caller's own account: the ones that can bring messages to this mini-program.
    Other accounts of the citizen on the same channel are left out; their consents never send here."""
    return await _view(deps, await _caller_identity(deps, principal))


async def _view(deps: Deps, identity: CitizenIdentity) -> list[dict[str, Any]]:
    return [{"channel": c["channel"], "template_id": c["template_id"], "remaining": int(c.get("remaining", 0)),
             "long_term": c.get("long_term") == "accepted"}
            for c in await repository.consents_of_identity(deps.db, identity.id)]


async def identity_for_message(deps: Deps, citizen_id: str | None, channel: str,
                               identity_id: str | None = None) -> CitizenIdentity | None:
    """The account a message to ``citizen_id`` on ``channel`` goes to (see the module's docstring): the
    identity ``identity_id`` while it is still that citizen's on that channel, else the last one used."""
    if not citizen_id:
        return None
    identity = await identities.get_identity(deps.db, identity_id) if identity_id else None
    if identity is not None and identity.channel.value == channel and identity.citizen_id == citizen_id:
        return identity  # the common case, one read per message
    citizen = await find_citizen(deps.db, citizen_id)
    if citizen is None:
        return None
    if identity is not None and identity.channel.value == channel and identity.citizen_id == citizen.id:
        return identity
    return await repository.last_used_identity(deps.db, citizen.id, channel)


async def take_consent(deps: Deps, identity: CitizenIdentity, template_id: str, message_id: str) -> str | None:
    """The recipient (the identity's account) if one of its consents allows this message, spending a
    one-time consent; else None. Only this identity's consents count.

    A message takes at most one one-time consent, however often it is tried: the consent notes the
    message in the same write that spends it, until ``consent_reserved`` (a worker that died in between
    leaves the note, and the next attempt finds it)."""
    await repository.adopt_legacy_consents(deps.db, identity)
    key = consent_id(identity.id, template_id)
    if await repository.spend_one_time_consent(deps.db, key, message_id) is not None:
        return identity.subject
    consent = await repository.get_consent(deps.db, key)
    if consent is None:
        return None
    if consent.get("long_term") == "accepted" or repository.consent_spent_for(consent, message_id):
        return identity.subject
    return None


async def consent_reserved(deps: Deps, identity_id: str, template_id: str, message_id: str) -> None:
    """The message now records its consent itself: drop the consent's note of it."""
    await repository.forget_consent_spending(deps.db, consent_id(identity_id, template_id), message_id)
