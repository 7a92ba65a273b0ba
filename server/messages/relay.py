"""The relay: copies each case's outbox entries into ``messages`` (or, for an app's case events, into the
webhook deliveries), then removes them from the case.

Idempotent and safe to run on several workers at once: a message's id is fixed in the outbox, so a second
copy is a DuplicateKey and changes nothing, and the removal only happens while the case is unchanged.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from server.identity.models import CitizenIdentity
from server.messages import repository
from server.messages.consents import identity_for_message
from server.messages.outbox import outbox_of
from server.open.events import relay_app_event
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

_BATCH = 200
_BUDGET_SECONDS = 20.0


def message_from_outbox(case: dict[str, Any], entry: dict[str, Any], now: Any,
                        identity_id: str | None = None) -> dict[str, Any]:
    """``identity_id``: the account the message goes to, whose consents it spends (``identity_for_message``);
    None leaves the choice to delivery."""
    return {
        "_id": entry["id"], "case_id": case["_id"], "case_number": case["number"],
        "guide_name": case["guide"]["name"], "citizen_id": case["applicant"].get("citizen_id"),
        "channel": case["channel"], "identity_id": identity_id, "kind": entry["kind"], "data": entry.get("data") or {},
        "history_seq": entry.get("history_seq"), "queued_at": entry.get("queued_at") or now,
        "created_at": now, "status": "pending", "attempts": 0, "next_attempt_at": now,
        "lease_until": repository.FREE, "lease_holder": None, "consent": "none", "recipient": None,
        "sent_at": None, "finished_at": None, "error": None,
    }


async def relay_outboxes(deps: Deps) -> dict[str, Any]:
    """Relay every pending outbox; returns how many messages were new and how many cases were emptied."""
    relayed = emptied = 0
    started = time.monotonic()
    while time.monotonic() - started < _BUDGET_SECONDS:
        cases = await repository.cases_with_outbox(deps.db, _BATCH)
        if not cases:
            break
        progressed = False
        for case in cases:
            ids = set()
            identity: CitizenIdentity | None = None
            for entry in outbox_of(case):
                if entry.get("target") == "app":
                    stored = await relay_app_event(deps, case, entry)
                else:
                    # Chosen once here, so that every attempt at the message spends from the same account.
                    identity = identity or await identity_for_message(
                        deps, case["applicant"].get("citizen_id"), case["channel"], case.get("identity_id"))
                    message = message_from_outbox(case, entry, deps.clock.now(), identity.id if identity else None)
                    stored = await repository.insert_message_once(deps.db, message)
                relayed += int(stored)
                ids.add(entry["id"])
            if await repository.drop_relayed_outbox(deps.db, case["_id"], case["version"], ids):
                emptied += 1
                progressed = True
        if not progressed:
            break  # every case changed under us; the next run picks them up with their new version
    return {"relayed": relayed, "cases": emptied}


@job("relay_case_outbox", every_seconds=1, timeout_seconds=60)
async def relay_case_outbox(deps: Deps) -> dict[str, Any]:
    """Move progress messages from case outboxes to the delivery queue."""
    return await relay_outboxes(deps)
