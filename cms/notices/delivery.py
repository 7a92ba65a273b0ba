"""Live notices for the mini-program: pinned first, newest first, with ETags."""

from __future__ import annotations

from typing import Any

from cms.catalog_lists.service import DEPARTMENTS, names
from cms.content import delivery
from cms.content.delivery import Cached, etag_matches, weak_etag
from cms.content.files import delivered_schema
from cms.notices.errors import NoticeNotLive
from cms.notices.model import NOTICE_CATEGORIES, NOTICE_FIELDS
from cms.notices.spec import SPEC
from server.deps import Deps
from server.http.api import DATETIME, Schema, boolean, nullable, obj, string

_DEPARTMENT: Schema = nullable(obj({"id": string(), "name": string()}, required=["id", "name"]))

NOTICE_SUMMARY: Schema = obj({
    "id": string(), "title": string(), "summary": string(), "category": string(enum=list(NOTICE_CATEGORIES)),
    "pinned": boolean(), "published_at": nullable(DATETIME), "department": _DEPARTMENT,
}, required=["id", "title", "summary", "category", "pinned", "published_at", "department"])

_DETAIL_FIELDS = {k: v for k, v in delivered_schema(NOTICE_FIELDS).items() if k != "department_id"}
NOTICE_DETAIL: Schema = obj({"id": string(), "published_at": DATETIME,
                             "expires_at": nullable(DATETIME), **_DETAIL_FIELDS, "department": _DEPARTMENT},
                            required=["id", "published_at", "expires_at", "title", "category", "body", "pinned",
                                      "attachments", "department"])

FILTER_QUERY: dict[str, Schema] = {"category": string(enum=list(NOTICE_CATEGORIES))}


async def notice_list(deps: Deps, *, category: str | None, offset: int, limit: int,
                      if_none_match: str | None) -> Cached:
    live_seq, catalog_seq = await delivery.versions(deps, SPEC.kind)
    etag = weak_etag("notices", live_seq, catalog_seq, category, offset, limit)
    if etag_matches(if_none_match, etag):
        return Cached(etag, None)
    conditions = {"category": category} if category else {}
    summaries, total = await delivery.live_summaries(deps, SPEC.kind, conditions, SPEC.delivery_order, offset,
                                                     limit)
    department_names = await names(deps, DEPARTMENTS, [s["department_id"] for s in summaries
                                                       if s.get("department_id")])
    items = [{"id": s["id"], "title": s["title"], "summary": s.get("summary", ""), "category": s["category"],
              "pinned": bool(s.get("pinned")),
              "published_at": s["published_at"].isoformat() if s.get("published_at") else None,
              "department": _department(s.get("department_id"), department_names)} for s in summaries]
    return Cached(etag, {"items": items, "total": total, "offset": offset, "limit": limit})


async def notice_detail(deps: Deps, notice_id: str, *, if_none_match: str | None) -> Cached:
    detail = await delivery.live_detail(deps, SPEC, notice_id, not_live=NoticeNotLive, if_none_match=if_none_match)
    if detail.content is None:
        return Cached(detail.etag, None)
    notice, item, etag = detail.content, detail.item, detail.etag
    department_id = notice.pop("department_id", None)
    department_names = await names(deps, DEPARTMENTS, [department_id] if department_id else [])
    body: dict[str, Any] = {
        "id": item.id, "published_at": item.published_at.isoformat() if item.published_at else None,
        "expires_at": item.unpublish_at.isoformat() if item.unpublish_at else None, **notice,
        "pinned": bool(notice.get("pinned")), "department": _department(department_id, department_names)}
    return Cached(etag, body)


def _department(department_id: str | None, department_names: dict[str, str]) -> dict[str, str] | None:
    if not department_id:
        return None
    return {"id": department_id, "name": department_names.get(department_id, "")}
