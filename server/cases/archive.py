"""Archiving a finished case (电子档案): its materials, decisions and audit trail, fixed and checksummed.

Archiving writes one manifest object, ``archives/<case_id>/<archive_id>.json``: the case as decided (guide,
applicant as masked, form, acceptance, steps, decision, delivery, joint steps), its whole recorded history,
and every file of the case (material pages, joint step files) with its key, size and SHA-256 computed from
the stored bytes at that moment. A file whose bytes no longer match the hash it was recorded with stops the
archiving (409 archive_file_changed, or archive_file_missing): an archive must not fix a damaged record.
The case keeps the manifest's key and SHA-256, written by the same transition that archives it.

``verify`` recomputes everything later: the manifest against the hash in the case, every file against the
manifest, and reports what is missing or changed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from server import jsonutil
from server.cases.file_journal import discard_file, file_settled, note_file
from server.cases.joint_model import joint_of
from server.cases.materials import slot_pages
from server.cases.staff_access import Part, case_of_officer, officer_actor
from server.cases.states import TRANSITIONS, Action, State
from server.cases.workflow import IllegalTransition, transition
from server.errors import Conflict, NotFound
from server.objects.base import ObjectNotFound
from server.staff.principal import StaffPrincipal

if TYPE_CHECKING:
    from server.deps import Deps

FORMAT = "yiwang-case-archive/1"
# The guide as applied for, and the case as decided; the clocks are in the history.
_CASE_FIELDS = ("_id", "number", "guide", "department_id", "channel", "form", "created_at", "supplement",
                "originals_check", "acceptance", "steps", "special_procedures", "decision", "delivery")


class ArchiveFileChanged(Conflict):
    code = "archive_file_changed"
    default_message = "办件材料与登记时的校验值不一致，不能归档"


class ArchiveFileMissing(Conflict):
    code = "archive_file_missing"
    default_message = "办件材料文件缺失，不能归档"


class NotArchived(NotFound):
    code = "case_not_archived"
    default_message = "办件尚未归档"


def case_files(case: dict[str, Any]) -> list[dict[str, Any]]:
    """Every stored file of the case: material pages (as stored, not their thumbnails), then joint step files."""
    files = []
    for material in case["guide"]["materials"]:
        for page in slot_pages(case["materials"].get(material["id"])):
            files.append({"kind": "material_page", "slot_id": material["id"], "material": material["name"],
                          "id": page["id"], "name": page.get("file_name"), "key": page["key"],
                          "content_type": page["content_type"], "recorded_sha256": page.get("stored_sha256")})
    joint = joint_of(case)
    for step in (joint or {}).get("steps", []):
        for file in step.get("files") or []:
            files.append({"kind": "step_file", "step_id": step["id"], "step": step["name"], "id": file["id"],
                          "name": file["name"], "key": file["key"], "content_type": file["content_type"],
                          "recorded_sha256": file.get("sha256")})
    return files


async def archive(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    """Write the case's manifest and archive it in one transition; the archived case."""
    case = await case_of_officer(deps, officer, case_id, Part.COORDINATE)
    if State(case["state"]) not in TRANSITIONS[Action.ARCHIVE].sources:
        # Checked here too, so a case that cannot be archived costs no hashing.
        raise IllegalTransition("办件尚未办结，不能归档", state=case["state"], action=Action.ARCHIVE.value)
    actor, now = officer_actor(officer), deps.clock.now()
    files = []
    for file in case_files(case):
        sha256, size = await _digest(deps, file["key"])
        recorded = file.pop("recorded_sha256")
        if recorded is not None and recorded != sha256:
            raise ArchiveFileChanged(key=file["key"])
        files.append({**file, "size": size, "sha256": sha256})
    archive_id = uuid.uuid4().hex
    manifest = {
        "format": FORMAT, "archive_id": archive_id, "archived_at": now, "archived_by": actor.to_doc(),
        "case": _case_record(case), "history": case["history"], "files": files,
    }
    body = jsonutil.dumps(manifest)
    key = f"archives/{case_id}/{archive_id}.json"
    place = {"archive": archive_id}
    await note_file(deps, archive_id, case_id, place, [key])
    try:
        await deps.store.put(key, _one(body), max_bytes=len(body), content_type="application/json")
        record = {"id": archive_id, "key": key, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body),
                  "files": len(files), "at": now, "by": actor.to_doc()}
        archived = await transition(deps, case, Action.ARCHIVE, actor, as_role="officer", changes={"archive": record},
                                    record={"archive_sha256": record["sha256"], "files": len(files)})
    except BaseException:
        await discard_file(deps, archive_id, case_id, place, [key])
        raise
    await file_settled(deps, archive_id)
    return archived


async def verify(deps: Deps, officer: StaffPrincipal, case_id: str) -> dict[str, Any]:
    """The archive as recorded, and whether the manifest and every file still match their hashes."""
    case = await case_of_officer(deps, officer, case_id)
    record = case.get("archive")
    if not record:
        raise NotArchived(state=case["state"])
    problems: list[dict[str, str]] = []
    files: list[dict[str, Any]] = []
    try:
        body = b"".join([chunk async for chunk in _chunks(deps, record["key"])])
    except ObjectNotFound:
        problems.append({"key": record["key"], "problem": "missing"})
    else:
        if hashlib.sha256(body).hexdigest() != record["sha256"]:
            problems.append({"key": record["key"], "problem": "changed"})
        else:
            files = jsonutil.loads(body)["files"]
    for file in files:
        try:
            sha256, _ = await _digest(deps, file["key"])
        except ObjectNotFound:
            problems.append({"key": file["key"], "problem": "missing"})
            continue
        if sha256 != file["sha256"]:
            problems.append({"key": file["key"], "problem": "changed"})
    return {**{k: record[k] for k in ("key", "sha256", "size", "files", "at", "by")},
            "intact": not problems, "problems": problems, "checked_at": deps.clock.now()}


def _case_record(case: dict[str, Any]) -> dict[str, Any]:
    kept = {("id" if name == "_id" else name): case.get(name) for name in _CASE_FIELDS}
    kept["applicant"] = {name: (case.get("applicant") or {}).get(name) for name in ("name", "id_masked", "kind")}
    joint = joint_of(case)
    kept["joint"] = None if joint is None else {
        "domain": joint["domain"], "lead_department_id": joint["lead_department_id"],
        "steps": [{name: step.get(name) for name in ("id", "name", "department_id", "state", "started_at",
                                                      "ended_at", "decision")} for step in joint["steps"]]}
    return kept


async def _digest(deps: Deps, key: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    async for chunk in _chunks(deps, key):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


async def _chunks(deps: Deps, key: str) -> AsyncIterator[bytes]:
    async with aclosing(deps.store.get(key)) as chunks:
        async for chunk in chunks:
            yield chunk


async def _one(body: bytes) -> AsyncIterator[bytes]:
    yield body
