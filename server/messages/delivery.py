"""Delivering queued messages: lease one, spend a consent, send, record the outcome.

Statuses (after notifications-api): ``pending`` (waiting, possibly for a retry), ``sending`` (leased by a
worker), and the final ``sent``, ``no_consent`` (no consent left when it was due), ``refused`` (the
provider says the user refused), ``invalid_template``, ``rejected`` (another permanent refusal) and
``failed`` (temporary failures until the attempts ran out).

At-least-once, on purpose: neither provider takes an idempotency key, so a message is marked ``sending``
under a lease before the provider is called. A worker that dies after the provider accepted a message and
before the outcome is stored leaves it ``sending``; once the lease expires another worker sends it again.
The alternative (mark it sent before calling) would lose messages instead, which the citizen cannot notice.
A message spends at most one consent: the consent notes the message in the write that spends it, and the
message then records it as reserved (``consent: reserved``), so neither a retry nor a worker that died in
between spends a second one (server.messages.consents). Only consents of the account the message goes to
are spent: the identity the relay chose for it (``identity_id``; ``identity_for_message``).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from server.clock import CHINA_TIME
from server.messages import repository
from server.messages.backoff import retry_delay
from server.messages.consents import consent_reserved, identity_for_message, take_consent
from server.messages.kinds import MessageKind, template_fields
from server.messages.senders import Outcome, SendResult, sender_for
from server.messages.templates import progress_templates
from server.worker.registry import job
from server.worker.runner import worker_name

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.messages")

_PERMANENT = {Outcome.REFUSED: "refused", Outcome.INVALID_TEMPLATE: "invalid_template",
              Outcome.REJECTED: "rejected"}
# Each worker drains the queue for this long per run; lanes let several workers drain it at once (a job
# runs on one worker at a time, a lane is a job).
_BUDGET_SECONDS = 30.0
DELIVERY_LANES = 2


def _time_text(value: Any) -> str:
    return f"{value.astimezone(CHINA_TIME):%Y-%m-%d %H:%M}" if isinstance(value, datetime) else ""


async def deliver_message(deps: Deps, message: dict[str, Any], holder: str) -> str:
    """Send one leased message and record its outcome; returns the status it ends in."""
    template = progress_templates(deps.settings)[message["channel"]]
    recipient = message.get("recipient")
    if message.get("consent") != "reserved":
        recipient = None
        identity = await identity_for_message(deps, message.get("citizen_id"), message["channel"],
                                              message.get("identity_id"))
        if identity is not None:
            recipient = await take_consent(deps, identity, template.template_id, message["_id"])
        if identity is None or recipient is None:
            await _finish(deps, message, holder, "no_consent", "no consent left for this template")
            return "no_consent"
        # Lost the lease meanwhile: the note stays, so the worker that holds the message now spends nothing.
        if await repository.mark_consent_reserved(deps.db, message["_id"], holder, identity.id, recipient):
            await consent_reserved(deps, identity.id, template.template_id, message["_id"])
    kind = MessageKind(message["kind"])
    fields = template_fields(kind, {**message, "queued_at_text": _time_text(message.get("queued_at"))})
    try:
        # The message id in the page lets the phone (and the sandbox) tell a resent message from a new one.
        page = f"{template.page}?id={message['case_id']}&message={message['_id']}"
        result = await sender_for(deps, message["channel"]).send(str(recipient), template.template_id, fields, page)
    except Exception as exc:  # an unexpected failure is a temporary one: the message must not be lost
        log.exception("message %s: sending failed", message["_id"])
        result = SendResult(Outcome.TEMPORARY, type(exc).__name__)
    if result.outcome is Outcome.SENT:
        await _finish(deps, message, holder, "sent", None, sent_at=deps.clock.now())
        return "sent"
    if result.outcome is Outcome.TEMPORARY:
        if int(message["attempts"]) >= deps.settings.message_max_attempts:
            await _finish(deps, message, holder, "failed", result.detail)
            return "failed"
        retry_at = deps.clock.now() + retry_delay(deps.settings, int(message["attempts"]))
        await repository.finish_message(deps.db, message["_id"], holder, {
            "status": "pending", "next_attempt_at": retry_at, "error": result.detail})
        return "pending"
    status = _PERMANENT[result.outcome]
    await _finish(deps, message, holder, status, result.detail)
    return status


async def _finish(deps: Deps, message: dict[str, Any], holder: str, status: str, error: str | None,
                  **fields: Any) -> None:
    await repository.finish_message(deps.db, message["_id"], holder, {
        "status": status, "error": error, "finished_at": deps.clock.now(), **fields})


async def deliver_due_messages(deps: Deps, holder: str, *, budget_seconds: float = _BUDGET_SECONDS) -> dict[str, int]:
    """Deliver due messages one after another until none is due or the budget is spent."""
    counts: dict[str, int] = {}
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        now = deps.clock.now()
        lease_until = now + timedelta(seconds=deps.settings.message_lease_seconds)
        message = await repository.lease_next_message(deps.db, holder, now, lease_until)
        if message is None:
            break
        status = await deliver_message(deps, message, holder)
        counts[status] = counts.get(status, 0) + 1
    return counts


def _lane(number: int) -> None:
    @job(f"deliver_messages_{number}", every_seconds=1, timeout_seconds=_BUDGET_SECONDS + 30)
    async def deliver(deps: Deps) -> dict[str, Any]:
        """Deliver due progress messages through WeChat and Alipay."""
        return dict(await deliver_due_messages(deps, f"{worker_name()}/lane{number}"))


for _number in range(1, DELIVERY_LANES + 1):
    _lane(_number)
