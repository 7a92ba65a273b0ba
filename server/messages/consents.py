"""Subscribe consents: what the mini-program's ``requestSubscribeMessage`` answered, per citizen, channel
and template. One-time consents are counted and spent one per message; a long-term one is never spent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.errors import NotFound, Unprocessable
from server.identity import repository as identities
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


def consent_id(citizen_id: str, channel: str, template_id: str) -> str:
    return f"{citizen_id}:{channel}:{template_id}"


async def record_consents(deps: Deps, principal: CitizenPrincipal, results: dict[str, str]) -> list[dict[str, Any]]:
    """Store what the citizen answered for each template on the channel they are signed in with."""
    channel = principal.channel.value
    known = {t.template_id: t for t in progress_templates(deps.settings).values() if t.channel == channel}
    unknown = sorted(set(results) - set(known))
    if unknown:
        raise UnknownTemplate(template_ids=unknown)
    identity = await identities.get_identity(deps.db, principal.identity_id)
    if identity is None:
        raise IdentityGone()
    for template_id, result in results.items():
        key = consent_id(principal.citizen_id, channel, template_id)
        # The recipient is the identity that consented: a WeChat openid, an Alipay user id or open id.
        fields = {"citizen_id": principal.citizen_id, "channel": channel, "template_id": template_id,
                  "recipient": identity.subject, "updated_at": deps.clock.now()}
        if known[template_id].long_term:
            await repository.set_long_term_consent(deps.db, key, fields, "accepted" if result == ACCEPT else "refused")
        elif result == ACCEPT:
            await repository.add_one_time_consents(deps.db, key, fields, 1)
        elif result == "ban":
            await repository.set_long_term_consent(deps.db, key, {**fields, "remaining": 0}, "refused")
    return await consents_view(deps, principal.citizen_id)


async def consents_view(deps: Deps, citizen_id: str) -> list[dict[str, Any]]:
    return [{"channel": c["channel"], "template_id": c["template_id"], "remaining": int(c.get("remaining", 0)),
             "long_term": c.get("long_term") == "accepted"}
            for c in await repository.consents_of(deps.db, citizen_id)]


async def take_consent(deps: Deps, citizen_id: str, channel: str, template_id: str, message_id: str) -> str | None:
    """The recipient if a consent allows this message (spending a one-time consent), else None.

    A message takes at most one one-time consent, however often it is tried: the consent notes the
    message in the same write that spends it, until ``consent_reserved`` (a worker that died in between
    leaves the note, and the next attempt finds it)."""
    key = consent_id(citizen_id, channel, template_id)
    spent = await repository.spend_one_time_consent(deps.db, key, message_id)
    if spent is not None:
        return str(spent["recipient"])
    consent = await repository.get_consent(deps.db, key)
    if consent is None:
        return None
    if consent.get("long_term") == "accepted" or repository.consent_spent_for(consent, message_id):
        return str(consent["recipient"])
    return None


async def consent_reserved(deps: Deps, citizen_id: str, channel: str, template_id: str, message_id: str) -> None:
    """The message now records its consent itself: drop the consent's note of it."""
    await repository.forget_consent_spending(deps.db, consent_id(citizen_id, channel, template_id), message_id)
