"""The case outbox: messages written into the case document in the same write as the change they report.

A message is queued by adding it to ``case["outbox"]`` before the case is replaced under its version, so
either both the change and the message are stored or neither is. The relay later copies each entry into
the ``messages`` collection under its id and removes it from the case; the id is fixed when queued
(case id, the case's own message counter, kind), so relaying twice can never make two messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from server.messages.kinds import MessageKind

APP_EVENT = "case.status_changed"


def queue_message(case: dict[str, Any], kind: MessageKind | str, data: Mapping[str, Any], *,
                  at: datetime | None = None) -> dict[str, Any]:
    """Add a message to ``case`` (a dict about to be written under its version); returns the entry."""
    number = int(case.get("message_seq", 0)) + 1
    entry = {
        "id": f"{case['_id']}:{number}:{MessageKind(kind).value}",
        "kind": MessageKind(kind).value,
        "target": "citizen",
        "data": dict(data),
        "history_seq": len(case.get("history", [])),
        "queued_at": at or case.get("updated_at"),
    }
    case["message_seq"] = number
    case["outbox"] = [*case.get("outbox", []), entry]
    case["outbox_pending"] = len(case["outbox"])
    return entry


def queue_app_event(case: dict[str, Any], data: Mapping[str, Any], *, at: datetime) -> dict[str, Any]:
    """A status change of a case submitted through an open-API app, for the app's webhook."""
    number = int(case.get("message_seq", 0)) + 1
    entry = {"id": f"{case['_id']}:{number}:{APP_EVENT}", "kind": APP_EVENT, "target": "app",
             "app_id": case["open_app_id"], "data": dict(data), "history_seq": len(case.get("history", [])),
             "queued_at": at}
    case["message_seq"] = number
    case["outbox"] = [*case.get("outbox", []), entry]
    case["outbox_pending"] = len(case["outbox"])
    return entry


def outbox_of(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(case.get("outbox") or [])


def citizen_entries(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [entry for entry in outbox_of(case) if entry.get("target", "citizen") == "citizen"]
