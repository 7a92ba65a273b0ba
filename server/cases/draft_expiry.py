"""The worker job that ends abandoned drafts: a draft nobody changed (form, pages) for DRAFT_KEPT_DAYS is
withdrawn by the system (``Action.EXPIRE_DRAFT``, through the workflow like every state change) and its
uploaded pages are deleted exactly as when the citizen withdraws a draft (``applications.end_draft``).

Without it a draft, and up to MAX_CASE_UPLOAD_BYTES of pages with it, would be kept for ever. An expired
draft is no longer a draft, so a second run, or a second worker, finds nothing more to do with it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from server.actor import Actor
from server.cases import repository
from server.cases.applications import end_draft
from server.cases.states import Action
from server.cases.workflow import CaseChanged, Move
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

JOB_NAME = "expire_drafts"
ACTOR = Actor.system(JOB_NAME)
# Each draft is one write and a few object deletes: a batch well inside the timeout; the rest waits an hour.
_BATCH = 200


@job(JOB_NAME, every_seconds=3600, timeout_seconds=300)
async def expire_drafts(deps: Deps) -> dict[str, Any]:
    """Withdraw drafts unchanged for DRAFT_KEPT_DAYS and delete their uploaded pages."""
    days = deps.settings.draft_kept_days
    move = Move(Action.EXPIRE_DRAFT, ACTOR, "system", f"草稿{days}天未更新，系统已自动撤回")
    expired = changed = 0
    for case in await repository.drafts_not_updated_since(deps.db, deps.clock.now() - timedelta(days=days), _BATCH):
        try:
            await end_draft(deps, case, move)
        except CaseChanged:
            # The citizen touched it after we read it (no longer abandoned), or another worker ended it.
            changed += 1
            continue
        expired += 1
    return {"expired_drafts": expired, "changed_drafts": changed}
