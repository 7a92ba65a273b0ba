"""A case's materials as the applicant assembles them: pages per slot of the guide, and when they may change.

``case["materials"][slot_id]`` is ``{"source": "upload"|"reuse"|None, "files": [page, ...], "verdict":
None|"ok"|"problem", "verdict_reason": ...}``. A page (uploaded or reused) is::

    {"id", "source": "upload"|"reuse", "kind": "image"|"pdf", "key", "thumbnail_key", "content_type",
     "size" (stored bytes), "upload_size" (bytes received; 0 for a reused page), "sha256" (of the upload:
     the de-duplication hash), "stored_sha256", "width", "height", "pages", "problems", "file_name",
     "added_at", "material_id" (the 我的材料 record a reused page came from, else None)}

Pages change only while the applicant may still change them: in a draft, and after a supplement
notice in the slots it lists. Every change is written under the case's version (a concurrent
transition or upload makes it retry on the fresh case) and clears the slot's verdict, which judged
pages that are no longer the same.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from server.cases import repository
from server.cases.citizen_access import case_of_citizen
from server.cases.states import STATE_LABELS, State
from server.cases.workflow import CaseChanged
from server.errors import Conflict, NotFound, Unprocessable

if TYPE_CHECKING:
    from server.deps import Deps

T = TypeVar("T")
# Concurrent uploads to one case (a mini-program sends pages in parallel) each retry on the fresh case.
_ATTEMPTS = 10


# Sources that stand for a material without uploaded pages (set at the window, not by the applicant).
SOURCES_WITHOUT_PAGES = frozenset({"e_licence", "paper"})


class MaterialSlotNotFound(NotFound):
    code = "material_slot_not_found"
    default_message = "该事项没有这项材料"


class MaterialsLocked(Conflict):
    code = "materials_locked"


class MaterialPageNotFound(NotFound):
    code = "material_page_not_found"
    default_message = "该页材料不存在"


class MaterialsMissing(Unprocessable):
    code = "materials_missing"
    default_message = "还有必要材料未提交"


def slot_pages(entry: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((entry or {}).get("files") or [])


def slot_present(entry: dict[str, Any] | None) -> bool:
    return bool(slot_pages(entry)) or (entry or {}).get("source") in SOURCES_WITHOUT_PAGES


def guide_slot(case: dict[str, Any], slot_id: str) -> dict[str, Any]:
    """The guide's material (as snapshotted in the case) that ``slot_id`` names."""
    for material in case["guide"]["materials"]:
        if material["id"] == slot_id:
            return dict(material)
    raise MaterialSlotNotFound(slot_id=slot_id)


def supplement_slot_ids(case: dict[str, Any]) -> set[str]:
    return {item["slot_id"] for item in (case.get("supplement") or {}).get("items", [])}


def may_change_slot(case: dict[str, Any], slot_id: str) -> bool:
    state = State(case["state"])
    return state is State.DRAFT or (state is State.SUPPLEMENT_REQUESTED and slot_id in supplement_slot_ids(case))


def require_slot_open(case: dict[str, Any], slot_id: str) -> dict[str, Any]:
    """The slot, if its pages may change now; 404 for an unknown slot, 409 materials_locked otherwise."""
    slot = guide_slot(case, slot_id)
    if not may_change_slot(case, slot_id):
        state = State(case["state"])
        message = ("补正期间只能修改补正通知中列出的材料" if state is State.SUPPLEMENT_REQUESTED
                   else f"办件当前状态为「{STATE_LABELS[state]}」，材料不能再修改")
        raise MaterialsLocked(message, state=state.value, slot_id=slot_id)
    return slot


def uploaded_bytes(materials: dict[str, Any]) -> int:
    """What the case's uploaded pages took to receive: what the per-case total limits."""
    return sum(int(page.get("upload_size", 0)) for entry in materials.values() for page in slot_pages(entry))


def missing_required_slots(case: dict[str, Any]) -> list[str]:
    return [material["id"] for material in case["guide"]["materials"]
            if material.get("requirement") == "required" and not slot_present(case["materials"].get(material["id"]))]


def require_complete(case: dict[str, Any]) -> None:
    missing = missing_required_slots(case)
    if missing:
        names = "、".join(guide_slot(case, slot_id)["name"] for slot_id in missing)
        raise MaterialsMissing(f"以下必要材料尚未提交：{names}", slots=missing)


def find_page(entry: dict[str, Any] | None, page_id: str) -> dict[str, Any] | None:
    return next((page for page in slot_pages(entry) if page["id"] == page_id), None)


def refresh_entry(entry: dict[str, Any]) -> None:
    """After its pages changed: where the slot's pages come from, and no verdict on pages it never saw."""
    pages = slot_pages(entry)
    entry["files"] = pages
    entry["source"] = ("upload" if any(page["source"] == "upload" for page in pages)
                       else "reuse" if pages else None)
    entry["verdict"] = None
    entry["verdict_reason"] = None


async def change_slot(deps: Deps, citizen_id: str, case_id: str, slot_id: str,
                      edit: Callable[[dict[str, Any], dict[str, Any]], tuple[bool, T]]) -> tuple[dict[str, Any], T]:
    """Apply ``edit(case, entry)`` to a copy of the slot and store it under the case's version.

    ``edit`` returns (whether it changed the entry, its result); it runs again on the fresh case when a
    concurrent write wins, and may raise to refuse. Returns the stored (or unchanged) case and the result.
    """
    for _ in range(_ATTEMPTS):
        case = await case_of_citizen(deps, citizen_id, case_id)
        require_slot_open(case, slot_id)
        entry = copy.deepcopy(case["materials"].get(slot_id) or {"files": []})
        changed, result = edit(case, entry)
        if not changed:
            return case, result
        refresh_entry(entry)
        materials = {**case["materials"], slot_id: entry}
        updated = {**case, "materials": materials, "uploaded_bytes": uploaded_bytes(materials),
                   "version": case["version"] + 1, "updated_at": deps.clock.now()}
        if await repository.replace_case(deps.db, updated, expected_version=case["version"]):
            return updated, result
    raise CaseChanged()
