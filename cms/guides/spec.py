"""The service guide as a content type of the engine: material slot ids, references, delivery form.

Material slots are what applications and uploads refer to, so their ids are the server's: a new slot
(no ``id``) gets the next ``m<n>``; an existing id is kept; an id this guide never issued is refused;
the issued ids and the counter live on the item (``type_state``) and only grow, so a removed slot's id
is never given to another material.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import DEPARTMENT_ID_PATTERN, THEME_ID_PATTERN, unknown_departments, unknown_themes
from cms.content.errors import ContentInvalid
from cms.content.files import walk_refs
from cms.content.spec import ListFilter, Prepared
from cms.content.text import render_markdown
from cms.content.validation import Problem, missing_fields, pointer
from cms.guides.errors import ImplementationCodeTaken
from cms.guides.joint import joint_process_problems
from cms.guides.model import (
    GUIDE_SCHEMA,
    HANDLING_FORMS,
    HANDLING_MODES,
    HANDLING_TYPES,
    ITEM_TYPES,
    LEVELS,
    MATERIAL_MEDIA,
    MATERIAL_REQUIREMENTS,
    ONLINE_DEPTHS,
    PUBLISH_REQUIRED,
    SERVICE_OBJECTS,
    TIME_UNITS,
    empty_guide,
)
from server.http.api import Schema, string

if TYPE_CHECKING:
    from server.deps import Deps

_FILE_PATHS: tuple[tuple[str, ...], ...] = (("materials", "*", "blank_form"), ("materials", "*", "sample"),
                                             ("result", "sample"))
_MATERIAL_DEFAULTS: dict[str, Any] = {"requirement": "required", "accepts_e_licence": False, "accepts_reuse": False}
SUMMARY_FIELDS: tuple[str, ...] = ("name", "summary", "department_id", "level", "item_type", "service_objects",
                                   "themes", "online_depth", "visits_required", "payment_online", "handling_mode")
# Labels of coded values, by dotted field path: what the console shows instead of the codes.
ENUM_LABELS: dict[str, dict[str, str]] = {
    "item_type": ITEM_TYPES, "level": LEVELS, "service_objects": SERVICE_OBJECTS,
    "handling_type": HANDLING_TYPES, "handling_mode": HANDLING_MODES, "handling_forms": HANDLING_FORMS,
    "online_depth": {str(depth): label for depth, label in ONLINE_DEPTHS.items()},
    "legal_time_limit.unit": TIME_UNITS, "promised_time_limit.unit": TIME_UNITS,
    "materials.medium": MATERIAL_MEDIA, "materials.requirement": MATERIAL_REQUIREMENTS,
}


class GuideType:
    kind = "guide"
    label = "Guide"
    schema: Schema = GUIDE_SCHEMA
    delivery_order: tuple[tuple[str, int], ...] = (("facets.name", 1),)
    list_filters: tuple[ListFilter, ...] = (
        ListFilter("department", string(pattern=DEPARTMENT_ID_PATTERN, description="实施部门 id"),
                   lambda content: content["department_id"]),
        ListFilter("theme", string(pattern=THEME_ID_PATTERN, description="One of the themes (theme id)"),
                   lambda content: list(content.get("themes", []))),
    )

    @property
    def enum_labels(self) -> dict[str, dict[str, str]]:
        return ENUM_LABELS

    def title(self, content: dict[str, Any]) -> str:
        return str(content["name"])

    def key(self, content: dict[str, Any], item_id: str) -> str:
        return str(content["implementation_code"])

    def key_taken(self, key: str) -> Exception:
        return ImplementationCodeTaken(implementation_code=key)

    def key_fixed(self, key: str) -> Exception:
        # A field problem, so the console shows it at the code's input like any other refusal.
        return ContentInvalid([Problem("/implementation_code", "implementation_code_fixed",
                                       f"办事指南已发布或已定时发布，实施编码不能再修改（应为 {key}）；"
                                       "如需更换编码，请新建指南并下线本指南").to_dict()])

    def file_refs(self, content: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        for path in _FILE_PATHS:
            yield from walk_refs(content, "", path)

    async def prepare(self, deps: Deps, content: dict[str, Any], type_state: dict[str, Any]) -> Prepared:
        guide = dict(content)
        for field, default in empty_guide().items():
            guide.setdefault(field, default)
        problems: list[Problem] = []
        state = assign_material_ids(guide, type_state, problems)
        for department in await unknown_departments(deps, [guide["department_id"]]):
            problems.append(Problem("/department_id", "unknown_department", f"部门 {department} 不在部门列表中"))
        unknown = await unknown_themes(deps, guide["themes"])
        for index, theme in enumerate(guide["themes"]):
            if theme in unknown:
                problems.append(Problem(pointer("themes", index), "unknown_theme", f"主题 {theme} 不在主题列表中"))
        problems += await joint_process_problems(deps, guide["joint_process"])
        return Prepared(guide, state, problems)

    def missing_for_publish(self, content: dict[str, Any]) -> list[str]:
        return missing_fields(content, PUBLISH_REQUIRED)

    def render(self, content: dict[str, Any]) -> dict[str, Any]:
        guide = copy.deepcopy(content)
        for field in ("conditions", "legal_basis"):
            if field in guide:
                guide[field] = render_markdown(guide[field])
        for step in guide.get("process_steps", []):
            if "description" in step:
                step["description"] = render_markdown(step["description"])
        for entry in guide.get("faq", []):
            if "answer" in entry:
                entry["answer"] = render_markdown(entry["answer"])
        return guide

    def summary(self, content: dict[str, Any]) -> dict[str, Any]:
        return {field: content[field] for field in SUMMARY_FIELDS if field in content}

    def facets(self, content: dict[str, Any]) -> dict[str, Any]:
        return {"name": content["name"], "department": content["department_id"],
                "themes": list(content.get("themes", [])), "level": content.get("level"),
                "item_type": content["item_type"], "service_objects": list(content.get("service_objects", [])),
                "online_depth": content.get("online_depth"), "visits": content.get("visits_required"),
                "payment_online": bool(content.get("payment_online"))}


def assign_material_ids(guide: dict[str, Any], type_state: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """Give new slots ids, check the given ones; returns the new type state (issued ids, counter)."""
    issued: list[str] = list(type_state.get("material_ids", []))
    known = set(issued)
    next_number = int(type_state.get("next_material", 1))
    seen: set[str] = set()
    materials = []
    for index, given in enumerate(guide["materials"]):
        material = dict(given)
        for field, default in _MATERIAL_DEFAULTS.items():
            material.setdefault(field, default)
        slot = material.get("id")
        if slot is None:
            while f"m{next_number}" in known:
                next_number += 1
            slot = f"m{next_number}"
            next_number += 1
            issued.append(slot)
            known.add(slot)
            material = {"id": slot, **material}
        elif slot not in known:
            problems.append(Problem(pointer("materials", index, "id"), "unknown_material_id",
                                    f"材料编号 {slot} 不属于本指南；新增材料请不要填写编号"))
        if slot in seen:
            problems.append(Problem(pointer("materials", index, "id"), "duplicate_material_id",
                                    f"材料编号 {slot} 重复"))
        seen.add(slot)
        materials.append(material)
    guide["materials"] = materials
    return {"material_ids": issued, "next_material": next_number}


SPEC = GuideType()
