"""The stored shapes of the engine: a content item (pointers, state, live copy) and a revision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cms.content.states import State
from server.actor import Actor

# "Not scheduled": a far-future moment instead of None, so due items are one range query (no $or).
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
# live_seq of an item whose publish/unpublish is written but whose sequence number is not yet assigned.
# Larger than any real number, so "changed since N" always includes it (see repository.py).
PENDING_SEQ = 2**62


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    key: str
    version: int
    title: str
    state: State
    draft_revision: str
    draft_number: int
    revision_count: int
    live_revision: str | None
    live_number: int | None
    live: dict[str, Any] | None  # delivery form of the live revision (text rendered and sanitised)
    live_summary: dict[str, Any] | None
    is_live: bool
    published_at: datetime | None
    published_by: Actor | None
    live_seq: int
    live_change: str | None
    review: dict[str, Any] | None
    publish_at: datetime | None
    publish_revision: str | None
    unpublish_at: datetime | None
    type_state: dict[str, Any]
    created_at: datetime
    created_by: Actor
    updated_at: datetime
    updated_by: Actor

    @property
    def has_unpublished_changes(self) -> bool:
        return self.draft_revision != self.live_revision

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Item:
        return cls(
            id=doc["_id"], kind=doc["kind"], key=doc["key"], version=int(doc["version"]), title=doc["title"],
            state=State(doc["state"]), draft_revision=doc["draft_revision"], draft_number=int(doc["draft_number"]),
            revision_count=int(doc["revision_count"]), live_revision=doc.get("live_revision"),
            live_number=doc.get("live_number"), live=doc.get("live"), live_summary=doc.get("live_summary"),
            # The embedded MongoDB stores a boolean written by $set as 1.
            is_live=bool(doc.get("is_live")), published_at=doc.get("published_at"),
            published_by=Actor.from_doc(doc["published_by"]) if doc.get("published_by") else None,
            live_seq=int(doc.get("live_seq", 0)), live_change=doc.get("live_change"), review=doc.get("review"),
            publish_at=_scheduled(doc.get("publish_at")), publish_revision=doc.get("publish_revision"),
            unpublish_at=_scheduled(doc.get("unpublish_at")), type_state=doc.get("type_state") or {},
            created_at=doc["created_at"], created_by=Actor.from_doc(doc["created_by"]),
            updated_at=doc["updated_at"], updated_by=Actor.from_doc(doc["updated_by"]))


@dataclass(frozen=True)
class Revision:
    id: str
    item_id: str
    kind: str
    number: int
    content: dict[str, Any]  # empty when listed without content
    created_at: datetime
    created_by: Actor
    origin: str
    note: str
    based_on_version: int
    rolled_back_from: str | None
    adopted: bool  # False: written by a save that lost its race (or has not finished); never listed

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Revision:
        return cls(id=doc["_id"], item_id=doc["item_id"], kind=doc["kind"], number=int(doc["number"]),
                   content=doc.get("content") or {}, created_at=doc["created_at"],
                   created_by=Actor.from_doc(doc["created_by"]), origin=doc["origin"], note=doc.get("note", ""),
                   based_on_version=int(doc.get("based_on_version", 0)),
                   rolled_back_from=doc.get("rolled_back_from"), adopted=doc.get("status") == "adopted")


def _scheduled(value: datetime | None) -> datetime | None:
    return None if value is None or value >= NEVER else value
