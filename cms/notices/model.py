"""The notice (通知公告) as data. Its publish window is the engine's schedule (publish_at/unpublish_at)."""

from __future__ import annotations

from typing import Any

from cms.content.files import FILE_REF
from server.http.api import Schema, array, boolean, obj, string

NOTICE_CATEGORIES: dict[str, str] = {"notice": "通知", "announcement": "公告", "policy": "政策解读",
                                     "news": "工作动态", "reminder": "办事提醒"}

NOTICE_FIELDS: dict[str, Schema] = {
    "title": string(minLength=1, maxLength=200),
    "summary": string(maxLength=500),
    "body": string(maxLength=100000, description="Markdown (HTML allowed); delivered rendered and sanitised"),
    "category": string(enum=list(NOTICE_CATEGORIES)),
    "department_id": string(minLength=1, maxLength=40, description="Issuing department, optional"),
    "pinned": boolean(description="Shown first in lists"),
    "cover_image": FILE_REF,
    "attachments": array(FILE_REF, maxItems=20),
}

NOTICE_REQUIRED: tuple[str, ...] = ("title", "category")
NOTICE_SCHEMA: Schema = obj(NOTICE_FIELDS, required=list(NOTICE_REQUIRED))
PUBLISH_REQUIRED: tuple[str, ...] = ("title", "category", "body")


def empty_notice() -> dict[str, Any]:
    return {"summary": "", "body": "", "pinned": False, "attachments": []}
