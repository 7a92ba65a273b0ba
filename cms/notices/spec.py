"""The notice as a content type of the engine."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from cms.catalog_lists.service import DEPARTMENT_ID_PATTERN, unknown_departments
from cms.content.errors import KeyFixed, KeyTaken
from cms.content.files import walk_refs
from cms.content.spec import ListFilter, Prepared
from cms.content.text import render_markdown
from cms.content.validation import Problem, missing_fields
from cms.notices.model import NOTICE_CATEGORIES, NOTICE_SCHEMA, PUBLISH_REQUIRED, empty_notice
from server.http.api import Schema, string

if TYPE_CHECKING:
    from server.deps import Deps

_FILE_PATHS: tuple[tuple[str, ...], ...] = (("cover_image",), ("attachments", "*"))


class NoticeType:
    kind = "notice"
    label = "Notice"
    schema: Schema = NOTICE_SCHEMA
    # Pinned first, then the newest.
    delivery_order: tuple[tuple[str, int], ...] = (("facets.pinned", -1), ("published_at", -1))
    list_filters: tuple[ListFilter, ...] = (
        ListFilter("category", string(enum=list(NOTICE_CATEGORIES)), lambda content: content["category"]),
        ListFilter("department", string(pattern=DEPARTMENT_ID_PATTERN, description="发布部门 id"),
                   lambda content: content.get("department_id")),
    )

    @property
    def enum_labels(self) -> dict[str, dict[str, str]]:
        return {"category": NOTICE_CATEGORIES}

    def title(self, content: dict[str, Any]) -> str:
        return str(content["title"])

    def key(self, content: dict[str, Any], item_id: str) -> str:
        return item_id  # notices have no natural key

    def key_taken(self, key: str) -> Exception:
        return KeyTaken(key=key)

    def key_fixed(self, key: str) -> Exception:
        return KeyFixed(key=key)  # never raised: a notice's key is its id

    def file_refs(self, content: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        for path in _FILE_PATHS:
            yield from walk_refs(content, "", path)

    async def prepare(self, deps: Deps, content: dict[str, Any], type_state: dict[str, Any]) -> Prepared:
        notice = dict(content)
        for field, default in empty_notice().items():
            notice.setdefault(field, default)
        problems = []
        if "department_id" in notice and await unknown_departments(deps, [notice["department_id"]]):
            problems.append(Problem("/department_id", "unknown_department",
                                    f"部门 {notice['department_id']} 不在部门列表中"))
        return Prepared(notice, type_state, problems)

    def missing_for_publish(self, content: dict[str, Any]) -> list[str]:
        return missing_fields(content, PUBLISH_REQUIRED)

    def render(self, content: dict[str, Any]) -> dict[str, Any]:
        notice = copy.deepcopy(content)
        notice["body"] = render_markdown(notice.get("body", ""))
        return notice

    def summary(self, content: dict[str, Any]) -> dict[str, Any]:
        return {field: content[field] for field in ("title", "summary", "category", "pinned", "department_id")
                if field in content}

    def facets(self, content: dict[str, Any]) -> dict[str, Any]:
        return {"category": content["category"], "pinned": 1 if content.get("pinned") else 0,
                "department": content.get("department_id")}


SPEC = NoticeType()
