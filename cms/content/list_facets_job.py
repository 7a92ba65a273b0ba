"""The worker job that gives items saved before list filters existed their ``list_facets``.

Saving a draft writes the facets; items of older data have none and would be missed by every list
filter. Idempotent: an item is only filled while it still has no facets and the same draft, so a save
in between wins, and a second run finds nothing left.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from cms.content import repository as repo
from cms.content.spec import content_types, list_facets
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.cms.list_facets")

JOB_NAME = "fill_list_facets"
_BATCH = 500


@job(JOB_NAME, every_seconds=300, timeout_seconds=120)
async def fill_missing_list_facets(deps: Deps) -> dict[str, Any]:
    """Give content saved before list filters existed the values the staff lists filter on."""
    types = content_types()
    filled = 0
    for item in await repo.items_without_list_facets(deps.db, _BATCH):
        spec = types.get(item.kind)
        draft = await repo.find_revision(deps.db, item.id, item.draft_revision)
        if spec is None or draft is None:
            log.warning("cannot fill list facets of %s %s: unknown kind or draft", item.kind, item.id)
            continue
        filled += await repo.fill_list_facets(deps.db, item.id, item.draft_revision, list_facets(spec, draft.content))
    return {"filled": filled}
