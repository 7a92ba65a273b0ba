"""The worker job that puts cases stored before joint approval into the staff queues.

The queue matches an officer's departments and domains against a case's ``queue_keys``, which every
transition writes; older cases have none and would be in nobody's queue. Idempotent: a case is only
filled while the field is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.cases import repository
from server.cases.joint_model import queue_keys
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

JOB_NAME = "fill_case_queue_keys"
_BATCH = 500


@job(JOB_NAME, every_seconds=300, timeout_seconds=120)
async def fill_missing_queue_keys(deps: Deps) -> dict[str, Any]:
    """Give cases stored before the joint-approval queues their queue keys."""
    filled = 0
    for case in await repository.cases_without_queue_keys(deps.db, _BATCH):
        filled += await repository.fill_queue_keys(deps.db, case["_id"], queue_keys(case))
    return {"filled": filled}
