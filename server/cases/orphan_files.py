"""The worker job that deletes stored objects no case refers to: uploads cut short between storing and
recording (a crash, a lost database connection) and deletions that failed.

It reads only the file journal (file_journal_repo.py), never a listing of the whole store. An entry is
settled once it is older than any upload can take: if its file is in its case after all, the entry is
dropped; otherwise the file's objects are deleted, then the entry. A delete that fails leaves the entry
for the next run, so running twice, or on two workers at once, is harmless.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from server.cases import file_journal_repo as journal
from server.cases import repository as cases_repo
from server.cases.joint_model import find_step, joint_of
from server.cases.materials import find_page
from server.worker.registry import job

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.cases.files")

JOB_NAME = "sweep_orphaned_files"
# Far longer than an upload can take from its first stored byte to its record (the intake's timeout is
# seconds): a younger entry may be an upload still on its way.
ORPHAN_GRACE = timedelta(hours=1)
_BATCH = 500


@job(JOB_NAME, every_seconds=600, timeout_seconds=300)
async def sweep_orphaned_files(deps: Deps) -> dict[str, Any]:
    """Delete the stored objects of case files that never reached their case, and retry failed deletions."""
    deleted = recorded = failed = 0
    for entry in await journal.files_noted_before(deps.db, deps.clock.now() - ORPHAN_GRACE, _BATCH):
        case = await cases_repo.get_case(deps.db, entry["case_id"])
        if case is not None and is_recorded(case, entry["place"], entry["_id"]):
            recorded += 1
        else:
            try:
                for key in entry["keys"]:
                    await deps.store.delete(key)
            except Exception:
                log.warning("could not delete the objects of orphaned file %s", entry["_id"], exc_info=True)
                failed += 1
                continue
            deleted += len(entry["keys"])
        await journal.forget_file_objects(deps.db, entry["_id"])
    return {"deleted_objects": deleted, "recorded_files": recorded, "failed_files": failed}


def is_recorded(case: dict[str, Any], place: dict[str, str], file_id: str) -> bool:
    if "slot_id" in place:
        return find_page(case["materials"].get(place["slot_id"]), file_id) is not None
    if "archive" in place:
        return (case.get("archive") or {}).get("id") == file_id
    joint = joint_of(case)
    step = find_step(joint, place["step_id"]) if joint is not None else None
    return step is not None and any(file["id"] == file_id for file in step.get("files") or [])
