"""The staff API's JSON for items, revisions and diffs, and the schemas that document it."""

from __future__ import annotations

from typing import Any

from cms.content.audit import ACTOR_SCHEMA
from cms.content.models import Item, Revision
from cms.content.service import ItemView, RevisionDiff
from cms.content.states import State
from server.actor import Actor
from server.http.api import DATETIME, Schema, array, boolean, integer, nullable, obj, string
from server.jsonutil import iso

REVISION_SUMMARY: Schema = obj({
    "id": string(), "number": integer(minimum=1), "created_at": DATETIME, "created_by": ACTOR_SCHEMA,
    "origin": string(enum=["create", "save", "rollback", "import"]), "note": string(),
    "rolled_back_from": nullable(string()),
}, required=["id", "number", "created_at", "created_by", "origin", "note", "rolled_back_from"])

REVIEW: Schema = obj({"action": string(enum=["submit", "reject", "publish"]), "by": ACTOR_SCHEMA,
                      "at": DATETIME, "comment": string()}, required=["action", "by", "at", "comment"])

SCHEDULE: Schema = obj({"publish_at": nullable(DATETIME), "publish_revision_id": nullable(string()),
                        "unpublish_at": nullable(DATETIME)},
                       required=["publish_at", "publish_revision_id", "unpublish_at"])

ITEM_SUMMARY: Schema = obj({
    "id": string(), "key": string(), "title": string(), "version": integer(minimum=1),
    "state": string(enum=[s.value for s in State]), "is_live": boolean(), "has_unpublished_changes": boolean(),
    "draft_number": integer(minimum=1), "live_number": nullable(integer(minimum=1)),
    "published_at": nullable(DATETIME), "updated_at": DATETIME, "updated_by": ACTOR_SCHEMA,
    "schedule": SCHEDULE,
}, required=["id", "key", "title", "version", "state", "is_live", "has_unpublished_changes", "draft_number",
             "live_number", "published_at", "updated_at", "updated_by", "schedule"])

CHANGE: Schema = obj({"path": string(), "field": string(),
                      "change": string(enum=["added", "removed", "changed", "reordered"]),
                      "before": {}, "after": {}}, required=["path", "field", "change", "before", "after"])

DIFF: Schema = obj({"from": REVISION_SUMMARY, "to": REVISION_SUMMARY, "changes": array(CHANGE)},
                   required=["from", "to", "changes"])


def revision_schema(content: Schema) -> Schema:
    return obj({**REVISION_SUMMARY["properties"], "content": content},
               required=[*REVISION_SUMMARY["required"], "content"])


def item_schema(content: Schema) -> Schema:
    return obj({
        **ITEM_SUMMARY["properties"],
        "kind": string(),
        "draft": revision_schema(content),
        "live": nullable(obj({"revision": revision_schema(content), "published_at": DATETIME,
                              "published_by": nullable(ACTOR_SCHEMA)},
                             required=["revision", "published_at", "published_by"])),
        "review": nullable(REVIEW),
        "created_at": DATETIME, "created_by": ACTOR_SCHEMA,
    }, required=[*ITEM_SUMMARY["required"], "kind", "draft", "live", "review", "created_at", "created_by"])


def actor_json(actor: Actor | None) -> dict[str, Any] | None:
    return actor.to_doc() if actor else None


def revision_summary_json(revision: Revision) -> dict[str, Any]:
    return {"id": revision.id, "number": revision.number, "created_at": revision.created_at.isoformat(),
            "created_by": revision.created_by.to_doc(), "origin": revision.origin, "note": revision.note,
            "rolled_back_from": revision.rolled_back_from}


def revision_json(revision: Revision) -> dict[str, Any]:
    return {**revision_summary_json(revision), "content": revision.content}


def item_summary_json(item: Item) -> dict[str, Any]:
    return {
        "id": item.id, "key": item.key, "title": item.title, "version": item.version, "state": item.state.value,
        "is_live": item.is_live, "has_unpublished_changes": item.has_unpublished_changes,
        "draft_number": item.draft_number, "live_number": item.live_number,
        "published_at": iso(item.published_at) if item.is_live else None,
        "updated_at": item.updated_at.isoformat(), "updated_by": item.updated_by.to_doc(),
        "schedule": {"publish_at": iso(item.publish_at), "publish_revision_id": item.publish_revision,
                     "unpublish_at": iso(item.unpublish_at)},
    }


def item_json(found: ItemView) -> dict[str, Any]:
    item = found.item
    live = None
    if found.live is not None and item.published_at is not None:
        live = {"revision": revision_json(found.live), "published_at": item.published_at.isoformat(),
                "published_by": actor_json(item.published_by)}
    review = None
    if item.review:
        review = {"action": item.review["action"], "by": item.review["by"], "at": item.review["at"].isoformat(),
                  "comment": item.review.get("comment", "")}
    return {**item_summary_json(item), "kind": item.kind, "draft": revision_json(found.draft), "live": live,
            "review": review, "created_at": item.created_at.isoformat(), "created_by": item.created_by.to_doc()}


def diff_json(result: RevisionDiff) -> dict[str, Any]:
    return {"from": revision_summary_json(result.before), "to": revision_summary_json(result.after),
            "changes": [change.to_dict() for change in result.changes]}
