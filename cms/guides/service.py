"""What other packages call about guides: the import, live guides for cases, changes for search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from cms.content import delivery
from cms.content import service as content
from cms.content.actions import Publish, prepare_content
from cms.content.caller import Caller
from cms.content.errors import NotLive
from cms.content.models import Item
from cms.content.validation import raise_if_any, schema_problems
from cms.guides.errors import GuideNotLive
from cms.guides.model import GUIDE_SCHEMA
from cms.guides.spec import SPEC
from server.actor import Actor
from server.deps import Deps

ImportStatus = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class ImportOutcome:
    status: ImportStatus  # the draft: new guide, new revision, or nothing to save
    guide_id: str
    version: int
    published: bool  # this import published a revision
    is_live: bool


async def import_guide(deps: Deps, actor: Actor, data: dict[str, Any], *, publish: bool) -> ImportOutcome:
    """Create or update the guide with ``data["implementation_code"]``; publish it if asked.

    A new revision is saved only if the content differs from the current draft. Materials without an
    ``id`` keep the slot id of the draft's material with the same name, so re-importing the same data
    changes nothing and applications keep pointing at the same slots. Raises ContentInvalid (422, with
    every problem's path) for invalid data and the engine's errors otherwise.
    """
    raise_if_any(schema_problems(GUIDE_SCHEMA, data))
    caller = Caller.trusted(actor)
    existing = await content.find_by_key(deps, SPEC, data["implementation_code"])
    status: ImportStatus
    if existing is None:
        created = await content.create(deps, SPEC, caller, data, note="导入", origin="import")
        item, status = created.item, "created"
    else:
        item, status = await _update(deps, caller, existing, data)
    published = False
    if publish and item.has_unpublished_changes:
        item = await Publish(deps, SPEC, caller, item, comment="导入时发布").execute()
        published = True
    return ImportOutcome(status=status, guide_id=item.id, version=item.version, published=published,
                         is_live=item.is_live)


async def _update(deps: Deps, caller: Caller, item: Item, data: dict[str, Any]) -> tuple[Item, ImportStatus]:
    draft = (await content.view(deps, SPEC, item)).draft.content
    candidate = reuse_material_ids(data, draft)
    prepared = await prepare_content(deps, SPEC, item.id, candidate, item.type_state)
    if prepared.content == draft:
        return item, "unchanged"
    saved = await content.save_draft(deps, SPEC, caller, item.id, candidate, base_version=item.version,
                                     note="导入", origin="import")
    return saved.item, "updated"


def reuse_material_ids(data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    ids_by_name: dict[str, list[str]] = {}
    for material in current.get("materials", []):
        ids_by_name.setdefault(material["name"], []).append(material["id"])
    materials = []
    for material in data.get("materials", []):
        free = ids_by_name.get(material["name"])
        if "id" not in material and free:
            material = {"id": free.pop(0), **material}
        materials.append(material)
    return {**data, "materials": materials} if "materials" in data else dict(data)


def live_guide(item: Item) -> dict[str, Any]:
    """The delivered form of a live guide: rendered text, materials with their slot ids, file keys."""
    assert item.live is not None
    return {**item.live, "id": item.id, "revision_id": item.live_revision, "revision": item.live_number,
            "published_at": item.published_at.isoformat() if item.published_at else None}


async def get_live_guide(deps: Deps, guide_id: str) -> dict[str, Any]:
    """The live version of a guide (materials by slot id, fees, time limits, department); 404 otherwise."""
    try:
        item = await delivery.live_item(deps, SPEC.kind, guide_id)
    except NotLive:
        raise GuideNotLive() from None
    return live_guide(item)


async def live_guides_changed_since(deps: Deps, seq: int) -> tuple[int, list[dict[str, Any]]]:
    """(new cursor, changes) for a poller: each change is ``{"id", "live_seq", "live": bool, "guide"}``
    with ``guide`` the live form, or None when the guide went offline. Start with seq 0 to enumerate all
    live guides; changes may repeat, apply them idempotently."""
    cursor, items = await delivery.changed_since(deps, SPEC.kind, seq)
    return cursor, [{"id": item.id, "live_seq": item.live_seq, "live": item.is_live and item.live is not None,
                     "guide": live_guide(item) if item.is_live and item.live is not None else None}
                    for item in items]
