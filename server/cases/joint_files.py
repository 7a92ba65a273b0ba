"""Files a joint step's department issues with its result (the licence it granted, an inspection report):
added and removed while its step runs, then read by the later steps and the window, so nobody asks the
citizen or the department for them again.

Objects: ``cases/<case_id>/joint/<step_id>/<file_id>.<ext>``, typed by their bytes like content files
(PDF, Word, Excel, JPEG, PNG). The file journal covers them from before they are stored until they are
recorded in the step (file_journal.py), so a crash in between leaves nothing the sweep does not find.
A step's files are part of the case document, changed under its version like material pages.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cms.content.files import read_chunks, sniff_file
from server.cases import repository
from server.cases.file_journal import discard_file, file_settled, note_file
from server.cases.joint import JointStepNotFound, own_running_step
from server.cases.joint_model import find_step, joint_of
from server.cases.staff_access import case_of_officer, officer_actor
from server.cases.workflow import CaseChanged
from server.errors import Conflict, NotFound
from server.staff.principal import StaffPrincipal

if TYPE_CHECKING:
    from server.deps import Deps

T = TypeVar("T")

MAX_STEP_FILES = 20
_ATTEMPTS = 3


class TooManyStepFiles(Conflict):
    code = "too_many_step_files"
    default_message = f"每个环节最多上传 {MAX_STEP_FILES} 个文件"


class StepFileNotFound(NotFound):
    code = "step_file_not_found"
    default_message = "环节文件不存在"


def step_files(step: dict[str, Any]) -> list[dict[str, Any]]:
    return list(step.get("files") or [])


async def add_step_file(deps: Deps, officer: StaffPrincipal, case_id: str, step_id: str, path: Path,
                        file_name: str) -> dict[str, Any]:
    """Store an uploaded file and record it in the officer's department's running step; the updated case."""
    _, _, step = await own_running_step(deps, officer, case_id, step_id)
    if len(step_files(step)) >= MAX_STEP_FILES:
        raise TooManyStepFiles(step_id=step_id)
    file_type = await asyncio.to_thread(sniff_file, path)
    file_id = uuid.uuid4().hex
    key = f"cases/{case_id}/joint/{step_id}/{file_id}.{file_type.extension}"
    place = {"step_id": step_id}
    await note_file(deps, file_id, case_id, place, [key])
    try:
        info = await deps.store.put(key, read_chunks(path), max_bytes=deps.settings.max_upload_bytes,
                                    content_type=file_type.content_type)
        record = {"id": file_id, "key": key, "name": file_name.strip() or f"file.{file_type.extension}",
                  "content_type": file_type.content_type, "size": info.size, "sha256": info.sha256,
                  "by": officer_actor(officer).to_doc(), "at": deps.clock.now()}
        updated, _ = await _change_running_step(deps, officer, case_id, step_id, lambda step: _add(step, record))
    except BaseException:
        await discard_file(deps, file_id, case_id, place, [key])
        raise
    await file_settled(deps, file_id)
    return updated


def _add(step: dict[str, Any], record: dict[str, Any]) -> None:
    if len(step_files(step)) >= MAX_STEP_FILES:
        raise TooManyStepFiles(step_id=step["id"])
    step["files"] = [*step_files(step), record]


async def remove_step_file(deps: Deps, officer: StaffPrincipal, case_id: str, step_id: str,
                           file_id: str) -> dict[str, Any]:
    """Take a file out of the officer's department's running step; its object goes with it."""
    updated, removed = await _change_running_step(deps, officer, case_id, step_id,
                                                  lambda step: _remove(step, file_id))
    await discard_file(deps, file_id, case_id, {"step_id": step_id}, [removed["key"]])
    return updated


def _remove(step: dict[str, Any], file_id: str) -> dict[str, Any]:
    files = step_files(step)
    removed = next((file for file in files if file["id"] == file_id), None)
    if removed is None:
        raise StepFileNotFound(step_id=step["id"], file_id=file_id)
    step["files"] = [file for file in files if file["id"] != file_id]
    return removed


async def _change_running_step(deps: Deps, officer: StaffPrincipal, case_id: str, step_id: str,
                               edit: Callable[[dict[str, Any]], T]) -> tuple[dict[str, Any], T]:
    """Apply ``edit`` to the running step (checked again on the fresh case when a concurrent write won) and
    store the case under its version."""
    for _ in range(_ATTEMPTS):
        case, joint, step = await own_running_step(deps, officer, case_id, step_id)
        result = edit(step)
        updated = {**case, "joint": joint, "version": case["version"] + 1, "updated_at": deps.clock.now()}
        if await repository.replace_case(deps.db, updated, expected_version=case["version"]):
            return updated, result
    raise CaseChanged()


async def step_file_link(deps: Deps, officer: StaffPrincipal, case_id: str, step_id: str,
                         file_id: str) -> dict[str, Any]:
    """A short-lived download link for any officer who sees the case (the later steps, the window)."""
    case = await case_of_officer(deps, officer, case_id)
    joint = joint_of(case)
    step = find_step(joint, step_id) if joint is not None else None
    if step is None:
        raise JointStepNotFound(step_id=step_id)
    record = next((file for file in step_files(step) if file["id"] == file_id), None)
    if record is None:
        raise StepFileNotFound(step_id=step_id, file_id=file_id)
    ttl = deps.settings.signed_url_ttl_seconds
    url = await deps.store.signed_url(record["key"], expires_in=ttl, filename=record["name"])
    return {"name": record["name"], "content_type": record["content_type"], "size": record["size"], "url": url,
            "expires_in": ttl}
