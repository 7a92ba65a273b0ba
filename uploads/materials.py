"""Pages of a case's materials: from a spooled upload to checked, normalised objects in the store,
recorded in the case; and taking a page out again.

Objects: ``cases/<case_id>/<slot_id>/<page_id>.<ext>`` (the normalised photo, or the PDF as uploaded)
and ``.../<page_id>.thumb.jpg``. An upload is stored only once it passed every check, and recorded in
the case only once stored; if recording fails (the case moved on, the per-case total was reached by a
concurrent upload, the same file arrived twice at once) its objects are deleted again. Nothing of a
refused upload stays anywhere: the spool file and every intermediate file are deleted in all cases.

The file journal lists a page's objects from before they are stored until the page is recorded or its
objects are gone; what a crash or a failed delete leaves there, the sweep deletes later
(server/cases/file_journal.py, orphan_files.py). Removing a page deletes its objects unless a my-material
(我的材料, uploads/my_materials.py) lists them: then they stay for it and the cases that reused it.
"""

from __future__ import annotations

import functools
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cms.content.files import read_chunks
from server.cases.citizen_access import case_of_citizen
from server.cases.file_journal import discard_file, file_settled, note_file
from server.cases.materials import (
    MaterialPageNotFound,
    change_slot,
    find_page,
    require_slot_open,
    slot_pages,
    uploaded_bytes,
)
from server.settings import Settings
from uploads.intake.errors import CaseQuotaExceeded
from uploads.intake.params import IntakeParams
from uploads.intake.pipeline import IntakeResult, process_upload
from uploads.intake.quality import QualityThresholds
from uploads.intake.spool import SpooledFile
from uploads.my_materials import remembered_objects

if TYPE_CHECKING:
    from server.deps import Deps

log = logging.getLogger("yiwang.uploads")

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def intake_params(settings: Settings) -> IntakeParams:
    return IntakeParams(
        max_file_bytes=settings.max_upload_bytes, max_pixels=settings.upload_max_pixels,
        max_side=settings.upload_max_side, max_pdf_pages=settings.upload_max_pdf_pages,
        timeout_seconds=settings.upload_timeout_seconds,
        quality=QualityThresholds(
            blur_min_variance=settings.quality_blur_min_variance, dark_max_mean=settings.quality_dark_max_mean,
            bright_max_clipped_share=settings.quality_bright_max_share,
            min_short_side=settings.quality_min_short_side))


def spool_dir(settings: Settings) -> Path:
    return settings.var_dir / "spool"


async def upload_allowance(deps: Deps, citizen_id: str, case_id: str, slot_id: str) -> int:
    """Bytes the case may still receive, if the slot takes pages now (404 / 409 materials_locked otherwise)."""
    case = await case_of_citizen(deps, citizen_id, case_id)
    require_slot_open(case, slot_id)
    return max(0, deps.settings.max_case_upload_bytes - uploaded_bytes(case["materials"]))


@dataclass(frozen=True)
class PageOutcome:
    page: dict[str, Any]
    created: bool  # False: the same file was already in the slot, and this is that page


def same_file(entry: dict[str, Any] | None, *hashes: str) -> dict[str, Any] | None:
    return next((page for page in slot_pages(entry)
                 if page["sha256"] in hashes or page.get("stored_sha256") in hashes), None)


async def add_uploaded_page(deps: Deps, citizen_id: str, case_id: str, slot_id: str, upload: SpooledFile,
                            file_name: str | None) -> PageOutcome:
    """Check, normalise, store and record one uploaded page; the spooled upload is deleted in any case."""
    try:
        case = await case_of_citizen(deps, citizen_id, case_id)
        require_slot_open(case, slot_id)
        known = same_file(case["materials"].get(slot_id), upload.sha256)
        if known is not None:
            return PageOutcome(known, created=False)
        result = await process_upload(upload.path, intake_params(deps.settings), sha256_original=upload.sha256,
                                      executor=deps.intake_executor)
        try:
            page = _new_page(case_id, slot_id, result, file_name, deps.clock.now())
            await note_file(deps, page["id"], case_id, {"slot_id": slot_id}, page_keys(page))
            try:
                await _store(deps, page, result)
            except BaseException:
                await delete_objects(deps, case_id, slot_id, page)
                raise
        finally:
            result.cleanup(upload.path)
        try:
            _, (recorded, created) = await change_slot(
                deps, citizen_id, case_id, slot_id,
                functools.partial(_add_page, page, deps.settings.max_case_upload_bytes))
        except BaseException:
            await delete_objects(deps, case_id, slot_id, page)
            raise
        if not created:
            await delete_objects(deps, case_id, slot_id, page)
        else:
            await file_settled(deps, page["id"])
        return PageOutcome(recorded, created)
    finally:
        upload.discard()


def _add_page(page: dict[str, Any], max_total: int, case: dict[str, Any],
              entry: dict[str, Any]) -> tuple[bool, tuple[dict[str, Any], bool]]:
    known = same_file(entry, page["sha256"], page["stored_sha256"])
    if known is not None:
        return False, (known, False)
    held = uploaded_bytes(case["materials"])
    if held + page["upload_size"] > max_total:
        raise CaseQuotaExceeded(remaining_bytes=max(0, max_total - held))
    entry["files"] = [*slot_pages(entry), page]
    return True, (page, True)


def _new_page(case_id: str, slot_id: str, result: IntakeResult, file_name: str | None,
              now: datetime) -> dict[str, Any]:
    page_id = uuid.uuid4().hex
    base = f"cases/{case_id}/{slot_id}/{page_id}"
    return {
        "id": page_id, "source": "upload", "kind": result.kind,
        "key": f"{base}.{EXTENSIONS.get(result.stored_mime, 'bin')}",
        "thumbnail_key": f"{base}.thumb.jpg" if result.thumbnail is not None else None,
        "content_type": result.stored_mime, "size": result.stored_size, "upload_size": result.size,
        "sha256": result.sha256_original, "stored_sha256": result.sha256_normalised,
        "width": result.width, "height": result.height, "pages": result.pages,
        "problems": [problem.to_dict() for problem in result.problems], "file_name": file_name,
        "added_at": now, "material_id": None,
    }


def page_keys(page: dict[str, Any]) -> list[str]:
    return [key for key in (page["key"], page.get("thumbnail_key")) if key is not None]


async def _store(deps: Deps, page: dict[str, Any], result: IntakeResult) -> None:
    await deps.store.put(page["key"], read_chunks(result.stored_path), max_bytes=result.stored_size,
                         content_type=result.stored_mime)
    if result.thumbnail is not None and page["thumbnail_key"] is not None:
        await deps.store.put(page["thumbnail_key"], read_chunks(result.thumbnail.path),
                             max_bytes=result.thumbnail.size, content_type=result.thumbnail.mime)


async def delete_objects(deps: Deps, case_id: str, slot_id: str, page: dict[str, Any]) -> None:
    await discard_file(deps, page["id"], case_id, {"slot_id": slot_id}, page_keys(page))


async def remove_page(deps: Deps, citizen_id: str, case_id: str, slot_id: str, page_id: str) -> None:
    """Take a page out of a slot that may still change; an uploaded page's objects go with it, unless the
    slot's my-material lists them."""
    # Read before the page leaves the case: a failure after that would strand objects nothing points at.
    remembered = await remembered_objects(deps, case_id, slot_id)
    _, removed = await change_slot(deps, citizen_id, case_id, slot_id, functools.partial(_remove_page, page_id))
    # A reused page points at the objects of the case it was accepted in: those stay.
    if removed["source"] != "upload":
        return
    if remembered.intersection(page_keys(removed)):
        # The page was accepted at pre-review: its my-material, and pages of later cases that reused it, still
        # point at these objects. A journal entry left from the upload (clearing it failed then) would now
        # let the sweep delete them.
        await file_settled(deps, removed["id"])
        return
    await delete_objects(deps, case_id, slot_id, removed)


async def releasable_pages(deps: Deps, case: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(slot id, page) of every uploaded page of ``case`` whose objects may go when the case lets go of it:
    by the rule of ``remove_page``, not reused pages (their objects are another case's) and not pages a
    my-material lists (that record and the cases that reused it still point at them)."""
    released: list[tuple[str, dict[str, Any]]] = []
    for slot_id, entry in case["materials"].items():
        uploaded = [page for page in slot_pages(entry) if page["source"] == "upload"]
        if not uploaded:
            continue
        remembered = await remembered_objects(deps, case["_id"], slot_id)
        released += [(slot_id, page) for page in uploaded if not remembered.intersection(page_keys(page))]
    return released


def _remove_page(page_id: str, case: dict[str, Any], entry: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    page = find_page(entry, page_id)
    if page is None:
        raise MaterialPageNotFound(page_id=page_id)
    entry["files"] = [kept for kept in slot_pages(entry) if kept["id"] != page_id]
    return True, page
