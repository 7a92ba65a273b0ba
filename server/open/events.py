"""Case events for apps: an outbox entry of a case submitted through an app becomes a webhook delivery."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from server.jsonutil import iso
from server.open import repository

if TYPE_CHECKING:
    from server.deps import Deps


def delivery_from_outbox(case: dict[str, Any], entry: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"_id": entry["id"], "app_id": entry["app_id"], "case_id": case["_id"], "event": entry["kind"],
            "payload": {"event": entry["kind"], "case_number": case["number"], **entry.get("data", {}),
                        "at": iso(entry.get("queued_at") or now)},
            "status": "pending", "attempts": 0, "next_attempt_at": now, "lease_until": repository.FREE,
            "lease_holder": None, "attempt_log": [], "created_at": now, "delivered_at": None}


async def relay_app_event(deps: Deps, case: dict[str, Any], entry: dict[str, Any]) -> bool:
    return await repository.insert_delivery_once(deps.db, delivery_from_outbox(case, entry, deps.clock.now()))
