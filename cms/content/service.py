"""The engine's entry points: what handlers, imports and other packages call for any content type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cms.content import repository as repo
from cms.content.actions import (
    AttachFile,
    CreateItem,
    EditorialAction,
    Publish,
    Reject,
    Rollback,
    SaveDraft,
    Schedule,
    Submit,
    Unpublish,
)
from cms.content.caller import Caller
from cms.content.diff import Change, diff
from cms.content.errors import ContentNotFound, RevisionNotFound, StaleRevision
from cms.content.models import Item, Revision
from cms.content.spec import ContentType
from cms.content.states import State
from server.deps import Deps

# Actions without a client-given base version are retried on a lost race (they re-check everything).
_ATTEMPTS_WITHOUT_BASE = 3
# Revision references that name a pointer instead of an id.
DRAFT_REF = "draft"
LIVE_REF = "live"


@dataclass(frozen=True)
class ItemView:
    item: Item
    draft: Revision
    live: Revision | None


@dataclass(frozen=True)
class RevisionDiff:
    before: Revision
    after: Revision
    changes: list[Change]


async def load(deps: Deps, spec: ContentType, item_id: str) -> Item:
    item = await repo.find_item(deps.db, spec.kind, item_id)
    if item is None:
        raise ContentNotFound()
    return item


async def view(deps: Deps, spec: ContentType, item: Item) -> ItemView:
    draft = await repo.find_revision(deps.db, item.id, item.draft_revision)
    if draft is None:
        raise RevisionNotFound()
    live = None
    if item.live_revision is not None:
        live = draft if item.live_revision == draft.id else await repo.find_revision(deps.db, item.id,
                                                                                      item.live_revision)
    return ItemView(item, draft, live)


async def get(deps: Deps, spec: ContentType, item_id: str) -> ItemView:
    return await view(deps, spec, await load(deps, spec, item_id))


async def list_items(deps: Deps, spec: ContentType, *, title_contains: str | None = None,
                     state: State | None = None, key: str | None = None, is_live: bool | None = None,
                     filters: Mapping[str, Any] | None = None, offset: int = 0,
                     limit: int = 20) -> tuple[list[Item], int]:
    """``filters``: values by name of the type's ``list_filters`` (None or absent: not filtered)."""
    facets = {name: value for name, value in (filters or {}).items() if value is not None}
    return await repo.list_items(deps.db, spec.kind, title_contains=title_contains, state=state, key=key,
                                 is_live=is_live, facets=facets, offset=offset, limit=limit)


async def find_by_key(deps: Deps, spec: ContentType, key: str) -> Item | None:
    return await repo.find_item_by_key(deps.db, spec.kind, key)


# ------------------------------------------------------------------------------------ changes
async def create(deps: Deps, spec: ContentType, caller: Caller, content: dict[str, Any], *, note: str = "",
                 origin: str = "create") -> ItemView:
    item = await CreateItem(deps, spec, caller, content, note=note, origin=origin).execute()
    return await view(deps, spec, item)


async def save_draft(deps: Deps, spec: ContentType, caller: Caller, item_id: str, content: dict[str, Any], *,
                     base_version: int, note: str = "", origin: str = "save") -> ItemView:
    item = await load(deps, spec, item_id)
    saved = await SaveDraft(deps, spec, caller, item, content, base_version=base_version, note=note,
                            origin=origin).execute()
    return await view(deps, spec, saved)


async def rollback(deps: Deps, spec: ContentType, caller: Caller, item_id: str, revision_id: str, *,
                   base_version: int, note: str = "") -> ItemView:
    item = await load(deps, spec, item_id)
    source = await revision(deps, spec, item_id, revision_id)
    saved = await Rollback(deps, spec, caller, item, source.content, base_version=base_version,
                           note=note or f"回滚到第 {source.number} 版", origin="rollback",
                           rolled_back_from=source.id).execute()
    return await view(deps, spec, saved)


async def submit(deps: Deps, spec: ContentType, caller: Caller, item_id: str, *, base_version: int | None = None,
                 comment: str = "") -> ItemView:
    return await _run(deps, spec, item_id, base_version,
                      lambda item: Submit(deps, spec, caller, item, base_version=base_version, comment=comment))


async def publish(deps: Deps, spec: ContentType, caller: Caller, item_id: str, *,
                  base_version: int | None = None, comment: str = "") -> ItemView:
    """Publish the draft of ``base_version``. The staff API always passes the version the reviewer saw;
    only in-process callers that approve whatever the draft is (tests, fixtures) leave it out."""
    return await _run(deps, spec, item_id, base_version,
                      lambda item: Publish(deps, spec, caller, item, base_version=base_version, comment=comment))


async def reject(deps: Deps, spec: ContentType, caller: Caller, item_id: str, *, comment: str,
                 base_version: int | None = None) -> ItemView:
    return await _run(deps, spec, item_id, base_version,
                      lambda item: Reject(deps, spec, caller, item, base_version=base_version, comment=comment))


async def unpublish(deps: Deps, spec: ContentType, caller: Caller, item_id: str, *,
                    base_version: int | None = None, comment: str = "") -> ItemView:
    return await _run(deps, spec, item_id, base_version,
                      lambda item: Unpublish(deps, spec, caller, item, base_version=base_version, comment=comment))


async def schedule(deps: Deps, spec: ContentType, caller: Caller, item_id: str, *, publish_at: datetime | None,
                   unpublish_at: datetime | None, base_version: int | None = None, comment: str = "") -> ItemView:
    """Replace the item's schedule; ``base_version`` as for ``publish``."""
    return await _run(deps, spec, item_id, base_version,
                      lambda item: Schedule(deps, spec, caller, item, publish_at=publish_at,
                                            unpublish_at=unpublish_at, base_version=base_version,
                                            comment=comment))


async def attach_file(deps: Deps, spec: ContentType, caller: Caller, item_id: str, path: Path,
                      filename: str) -> dict[str, Any]:
    """Store a spooled upload as a file of the item; returns the reference a draft can use."""
    action = AttachFile(deps, spec, caller, await load(deps, spec, item_id), path=path, filename=filename)
    await action.execute()
    return action.file_ref


async def _run(deps: Deps, spec: ContentType, item_id: str, base_version: int | None,
               build: Callable[[Item], EditorialAction]) -> ItemView:
    attempts = 1 if base_version is not None else _ATTEMPTS_WITHOUT_BASE
    for attempt in range(1, attempts + 1):
        item = await load(deps, spec, item_id)
        try:
            return await view(deps, spec, await build(item).execute())
        except StaleRevision:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------- revisions
async def revisions(deps: Deps, spec: ContentType, item_id: str) -> list[Revision]:
    return await repo.list_revisions(deps.db, await load(deps, spec, item_id))


async def revision(deps: Deps, spec: ContentType, item_id: str, revision_ref: str) -> Revision:
    """A revision by id, or the item's current ``draft`` / ``live`` one."""
    item = await load(deps, spec, item_id)
    revision_id: str | None = revision_ref
    if revision_ref == DRAFT_REF:
        revision_id = item.draft_revision
    elif revision_ref == LIVE_REF:
        revision_id = item.live_revision
    found = await repo.find_revision(deps.db, item.id, revision_id) if revision_id else None
    if found is None or not (found.adopted or found.id in (item.draft_revision, item.live_revision)):
        raise RevisionNotFound()
    return found


async def diff_revisions(deps: Deps, spec: ContentType, item_id: str, from_ref: str, to_ref: str) -> RevisionDiff:
    before = await revision(deps, spec, item_id, from_ref)
    after = await revision(deps, spec, item_id, to_ref)
    return RevisionDiff(before, after, diff(before.content, after.content))
