"""Jobs that keep the database tidy."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from server.worker import repository
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

JOB_RUN_RETENTION = timedelta(days=30)


@job("purge_old_job_runs", every_seconds=3600, timeout_seconds=60)
async def purge_old_job_runs(deps: Deps) -> dict[str, Any]:
    """Forget job runs older than 30 days."""
    deleted = await repository.delete_runs_before(deps.db, deps.clock.now() - JOB_RUN_RETENTION)
    return {"deleted": deleted}
