"""The public department and theme lists (active entries only), with ETags from the catalog counter."""

from __future__ import annotations

from cms.catalog_lists.service import ListKind, list_entries
from cms.content.delivery import Cached, catalog_version, etag_matches, weak_etag
from server.deps import Deps
from server.http.api import Schema, array, obj, string

PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {"department": ("id", "name"), "theme": ("id", "name", "description")}


def public_list_schema(kind: ListKind) -> Schema:
    entry = obj({name: string() for name in PUBLIC_FIELDS[kind.name]}, required=list(PUBLIC_FIELDS[kind.name]))
    return obj({"items": array(entry)}, required=["items"])


async def public_list(deps: Deps, kind: ListKind, *, if_none_match: str | None) -> Cached:
    etag = weak_etag(kind.name, await catalog_version(deps))
    if etag_matches(if_none_match, etag):
        return Cached(etag, None)
    wanted = PUBLIC_FIELDS[kind.name]
    entries = await list_entries(deps, kind, active_only=True)
    return Cached(etag, {"items": [{k: entry.get(k) or "" for k in wanted} for entry in entries]})
