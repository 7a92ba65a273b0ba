"""The audit log of editorial actions: written by every action, queried by object, user and time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cms.content import audit_repo
from cms.content.caller import Caller
from cms.content.repository import new_id
from server.deps import Deps
from server.http.api import DATETIME, Schema, nullable, obj, string

ACTOR_SCHEMA: Schema = obj({"kind": string(), "id": string(), "name": string()}, required=["kind", "id", "name"])

ENTRY_SCHEMA: Schema = obj({
    "id": string(),
    "at": DATETIME,
    "actor": ACTOR_SCHEMA,
    "action": string(),
    "object_kind": string(),
    "object_id": string(),
    "object_title": string(),
    "revision_id": nullable(string()),
    "from_state": nullable(string()),
    "to_state": nullable(string()),
    "comment": string(),
    "details": obj({}, additional=True),
}, required=["id", "at", "actor", "action", "object_kind", "object_id", "object_title", "revision_id",
             "from_state", "to_state", "comment", "details"])


@dataclass(frozen=True)
class AuditQuery:
    object_id: str | None = None
    actor_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    offset: int = 0
    limit: int = 50


async def record(deps: Deps, caller: Caller, action: str, *, object_kind: str, object_id: str, object_title: str,
                 revision_id: str | None = None, from_state: str | None = None, to_state: str | None = None,
                 comment: str = "", details: dict[str, Any] | None = None) -> None:
    await audit_repo.insert_entry(deps.db, {
        "_id": new_id(), "at": deps.clock.now(), "actor": caller.actor.to_doc(), "actor_id": caller.actor.id,
        "action": action, "object_kind": object_kind, "object_id": object_id, "object_title": object_title,
        "revision_id": revision_id, "from_state": from_state, "to_state": to_state, "comment": comment,
        "details": details or {},
    })


async def find(deps: Deps, query: AuditQuery) -> tuple[list[dict[str, Any]], int]:
    entries, total = await audit_repo.find_entries(
        deps.db, object_id=query.object_id, actor_id=query.actor_id, since=query.since, until=query.until,
        offset=query.offset, limit=query.limit)
    return [entry_json(entry) for entry in entries], total


def entry_json(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entry["_id"], "at": entry["at"].isoformat(), "actor": entry["actor"], "action": entry["action"],
        "object_kind": entry["object_kind"], "object_id": entry["object_id"],
        "object_title": entry.get("object_title", ""), "revision_id": entry.get("revision_id"),
        "from_state": entry.get("from_state"), "to_state": entry.get("to_state"),
        "comment": entry.get("comment", ""), "details": entry.get("details") or {},
    }
