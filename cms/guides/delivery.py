"""Live guides for the mini-program (and later /open/v1): filtered lists and details, with ETags."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from cms.catalog_lists.service import DEPARTMENTS, THEMES, names
from cms.content import delivery
from cms.content.delivery import Cached, etag_matches, weak_etag
from cms.content.files import delivered_schema
from cms.guides.errors import GuideNotLive
from cms.guides.model import GUIDE_FIELDS, ITEM_TYPES, LEVELS, SERVICE_OBJECTS
from cms.guides.spec import SPEC, SUMMARY_FIELDS
from server.deps import Deps
from server.http.api import DATETIME, Schema, array, boolean, integer, nullable, obj, string

NAMED_REF: Schema = obj({"id": string(), "name": string()}, required=["id", "name"])

_SUMMARY_OUT = {name: GUIDE_FIELDS[name] for name in SUMMARY_FIELDS if name not in ("department_id", "themes")}
GUIDE_SUMMARY: Schema = obj({"id": string(), "published_at": nullable(DATETIME), **_SUMMARY_OUT,
                             "department": NAMED_REF, "themes": array(NAMED_REF)},
                            required=["id", "name", "item_type", "department", "themes"])

_DETAIL_FIELDS = {name: schema for name, schema in delivered_schema(GUIDE_FIELDS).items()
                  if name not in ("department_id", "themes")}
GUIDE_DETAIL: Schema = obj({"id": string(), "revision": integer(minimum=1), "published_at": DATETIME,
                            **_DETAIL_FIELDS, "department": NAMED_REF, "themes": array(NAMED_REF)},
                           required=["id", "revision", "published_at", "name", "implementation_code", "item_type",
                                     "department", "themes", "materials"])

FILTER_QUERY: dict[str, Schema] = {
    "department": string(pattern=r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$", description="Department id"),
    "theme": string(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", description="Theme id"),
    "level": string(enum=list(LEVELS)),
    "item_type": string(enum=list(ITEM_TYPES)),
    "service_object": string(enum=list(SERVICE_OBJECTS)),
    "online_depth": integer(minimum=1, maximum=4),
    "visits": integer(minimum=0, maximum=10, description="At most this many visits (0: 零跑腿, 1: 最多跑一次)"),
    "payment_online": boolean(),
}


@dataclass(frozen=True)
class GuideFilters:
    department: str | None = None
    theme: str | None = None
    level: str | None = None
    item_type: str | None = None
    service_object: str | None = None
    online_depth: int | None = None
    visits: int | None = None
    payment_online: bool | None = None

    @classmethod
    def from_query(cls, query: dict[str, Any]) -> GuideFilters:
        return cls(**{f.name: query.get(f.name) for f in fields(cls)})

    def conditions(self) -> dict[str, Any]:
        wanted: dict[str, Any] = {"department": self.department, "themes": self.theme, "level": self.level,
                                  "item_type": self.item_type, "service_objects": self.service_object,
                                  "online_depth": self.online_depth, "payment_online": self.payment_online}
        found = {name: value for name, value in wanted.items() if value is not None}
        if self.visits is not None:
            found["visits"] = {"$lte": self.visits}
        return found

    def cache_key(self) -> str:
        return repr(sorted((f.name, getattr(self, f.name)) for f in fields(self)))


async def guide_list(deps: Deps, filters: GuideFilters, *, offset: int, limit: int,
                     if_none_match: str | None) -> Cached:
    live_seq, catalog_seq = await delivery.versions(deps, SPEC.kind)
    etag = weak_etag("guides", live_seq, catalog_seq, filters.cache_key(), offset, limit)
    if etag_matches(if_none_match, etag):
        return Cached(etag, None)
    summaries, total = await delivery.live_summaries(deps, SPEC.kind, filters.conditions(), SPEC.delivery_order,
                                                     offset, limit)
    department_names = await names(deps, DEPARTMENTS, [s["department_id"] for s in summaries])
    theme_names = await names(deps, THEMES, [t for s in summaries for t in s.get("themes", [])])
    items = [_with_names(_summary_json(summary), summary, department_names, theme_names) for summary in summaries]
    return Cached(etag, {"items": items, "total": total, "offset": offset, "limit": limit})


async def guide_detail(deps: Deps, guide_id: str, *, if_none_match: str | None) -> Cached:
    detail = await delivery.live_detail(deps, SPEC, guide_id, not_live=GuideNotLive, if_none_match=if_none_match)
    if detail.content is None:
        return Cached(detail.etag, None)
    guide, item, etag = detail.content, detail.item, detail.etag
    department_names = await names(deps, DEPARTMENTS, [guide["department_id"]])
    theme_names = await names(deps, THEMES, guide.get("themes", []))
    body = {"id": item.id, "revision": item.live_number,
            "published_at": item.published_at.isoformat() if item.published_at else None}
    body.update({k: v for k, v in guide.items() if k not in ("department_id", "themes")})
    return Cached(etag, _with_names(body, guide, department_names, theme_names))


def _summary_json(summary: dict[str, Any]) -> dict[str, Any]:
    published = summary.get("published_at")
    return {"id": summary["id"], "published_at": published.isoformat() if published else None,
            **{k: v for k, v in summary.items() if k in _SUMMARY_OUT}}


def _with_names(body: dict[str, Any], source: dict[str, Any], department_names: dict[str, str],
                theme_names: dict[str, str]) -> dict[str, Any]:
    department = source["department_id"]
    body["department"] = {"id": department, "name": department_names.get(department, "")}
    body["themes"] = [{"id": theme, "name": theme_names.get(theme, "")} for theme in source.get("themes", [])]
    return body
