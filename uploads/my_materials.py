"""My materials (我的材料): materials of the citizen's earlier cases, once judged ok at pre-review, can be
attached to a new application without uploading again.

A record is written per accepted slot when a case passes pre-review (``remember_accepted_materials``,
called by the staff side right after the transition; idempotent). Attaching copies the record's page
references (object keys) into the new case, never the bytes; the objects stay those of the case the
material was accepted in. A material fits a slot only if the slot accepts reuse and both name the same
material: compared by normalised name (width, case, spaces and punctuation ignored).

Records are never deleted, so the objects a record lists must outlive the pages of the case they were uploaded
in: removing such a page from that case (a supplement after a returned step) leaves its objects in place
(``remembered_objects``, uploads/materials.py ``remove_page``).
"""

from __future__ import annotations

import functools
import unicodedata
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from server.cases.materials import change_slot, guide_slot, slot_pages
from server.errors import NotFound, Unprocessable
from uploads import my_materials_repo as repo

if TYPE_CHECKING:
    from server.deps import Deps


class MaterialNotFound(NotFound):
    code = "material_not_found"
    default_message = "该材料不存在"


class ReuseNotAllowed(Unprocessable):
    code = "reuse_not_allowed"
    default_message = "该材料不能使用我的材料，请上传"


class MaterialKindMismatch(Unprocessable):
    code = "material_kind_mismatch"
    default_message = "所选材料与该项材料不是同一种材料"


def material_key(name: str) -> str:
    """The name two slots of the same material share: 「居民身份证 」 and 「居民身份证」 alike."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def material_id(case_id: str, slot_id: str) -> str:
    return f"{case_id}-{slot_id}"


async def remember_accepted_materials(deps: Deps, case: dict[str, Any]) -> None:
    """Make every slot of ``case`` with verdict ok reusable by its applicant. Safe to call again."""
    now = deps.clock.now()
    for slot in case["guide"]["materials"]:
        entry = case["materials"].get(slot["id"])
        pages = slot_pages(entry)
        if (entry or {}).get("verdict") != "ok" or all(page["source"] != "upload" for page in pages):
            continue  # not accepted, or only pages that are reused already (their material is remembered)
        await repo.insert_material_unless_present(deps.db, {
            "_id": material_id(case["_id"], slot["id"]), "citizen_id": case["applicant"]["citizen_id"],
            "name": slot["name"], "name_key": material_key(slot["name"]),
            "guide": {"id": case["guide"]["id"], "name": case["guide"]["name"]},
            "case_id": case["_id"], "case_number": case["number"], "slot_id": slot["id"],
            "files": pages, "accepted_at": now,
        })


async def remembered_objects(deps: Deps, case_id: str, slot_id: str) -> frozenset[str]:
    """Keys of the objects the my-material of a case's slot lists; none if that slot was never accepted.

    An uploaded page of that slot can be in no other record: records of later cases get it only by reuse
    of this one, and only once it is here.
    """
    record = await repo.get_material(deps.db, material_id(case_id, slot_id))
    if record is None:
        return frozenset()
    return frozenset(key for page in record["files"] for key in (page["key"], page.get("thumbnail_key"))
                     if key is not None)


async def my_materials(deps: Deps, citizen_id: str, *, offset: int,
                       limit: int) -> tuple[list[dict[str, Any]], int]:
    return await repo.materials_of_citizen(deps.db, citizen_id, offset=offset, limit=limit)


async def reuse_material(deps: Deps, citizen_id: str, case_id: str, slot_id: str,
                         reused_id: str) -> tuple[dict[str, Any], int]:
    """Attach the pages of one of the caller's materials to a slot; (the case, pages added)."""
    material = await repo.get_material(deps.db, reused_id)
    if material is None or material["citizen_id"] != citizen_id:
        raise MaterialNotFound()
    return await change_slot(deps, citizen_id, case_id, slot_id,
                             functools.partial(_attach, material, slot_id, deps.clock.now()))


def _attach(material: dict[str, Any], slot_id: str, now: datetime, case: dict[str, Any],
            entry: dict[str, Any]) -> tuple[bool, int]:
    slot = guide_slot(case, slot_id)
    if not slot.get("accepts_reuse"):
        raise ReuseNotAllowed(slot_id=slot_id)
    if material_key(slot["name"]) != material["name_key"]:
        raise MaterialKindMismatch(slot_id=slot_id, material=material["name"])
    present = {page["sha256"] for page in slot_pages(entry)}
    added = [{**page, "id": uuid.uuid4().hex, "source": "reuse", "upload_size": 0, "added_at": now,
              "material_id": material["_id"]}
             for page in material["files"] if page["sha256"] not in present]
    entry["files"] = [*slot_pages(entry), *added]
    return bool(added), len(added)
