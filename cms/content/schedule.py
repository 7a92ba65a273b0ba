"""The worker job that publishes and unpublishes on schedule, with or without any request coming in.

Idempotent: each due item is changed with a write conditioned on its version that also clears the
schedule, so a second run (or a second worker) finds nothing due; a lost race is simply skipped and
whatever is still due is picked up by the next run.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cms.content import counters_repo
from cms.content import repository as repo
from cms.content.actions import EditorialAction, ScheduledPublish, ScheduledUnpublish
from cms.content.caller import Caller
from cms.content.models import Item
from cms.content.spec import content_types
from server.errors import AppError
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.cms.schedule")

JOB_NAME = "cms_scheduled_publishing"
_BATCH = 200
# A publish whose sequence number is still unassigned after this long lost its writer; assign one.
_PENDING_GRACE = timedelta(minutes=1)


@job(JOB_NAME, every_seconds=15, timeout_seconds=120)
async def run_scheduled_publishing(deps: Deps) -> dict[str, Any]:
    """Publish and unpublish content whose scheduled time has come."""
    caller = Caller.system(JOB_NAME)
    now = deps.clock.now()
    published = await _apply(deps, caller, ScheduledPublish, await repo.items_due_for_publish(deps.db, now, _BATCH))
    unpublished = await _apply(deps, caller, ScheduledUnpublish,
                               await repo.items_due_for_unpublish(deps.db, now, _BATCH))
    repaired = 0
    for item in await repo.items_with_pending_seq(deps.db, now - _PENDING_GRACE, _BATCH):
        if item.live_change is not None:
            seq = await counters_repo.increment(deps.db, counters_repo.live_counter(item.kind))
            await repo.assign_live_seq(deps.db, item.id, item.live_change, seq)
            repaired += 1
    return {"published": published, "unpublished": unpublished, "sequence_repaired": repaired}


async def _apply(deps: Deps, caller: Caller, action: type[ScheduledPublish] | type[ScheduledUnpublish],
                 items: list[Item]) -> int:
    types = content_types()
    done = 0
    for item in items:
        spec = types.get(item.kind)
        if spec is None:
            log.error("scheduled %s: unknown content kind %s (item %s)", action.action.value, item.kind, item.id)
            continue
        step: EditorialAction = action(deps, spec, caller, item)
        try:
            await step.execute()
        except AppError as exc:
            # Changed meanwhile (the next run re-reads it) or no longer due: nothing to do now.
            log.info("scheduled %s of %s %s skipped: %s", action.action.value, item.kind, item.id, exc.code)
            continue
        done += 1
    return done
