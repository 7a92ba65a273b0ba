"""Conditional answers for public content: ETag, Cache-Control and 304 Not Modified.

Caches may keep a copy but must revalidate it after ``DELIVERY_MAX_AGE_SECONDS`` (default 0, i.e. on
every use), so a publish is seen on the next request; revalidation costs a counter read and a 304.
"""

from __future__ import annotations

from cms.content.delivery import Cached
from server.http.base import BaseHandler


def if_none_match(handler: BaseHandler) -> str | None:
    return handler.request.headers.get("If-None-Match")


def write_cached(handler: BaseHandler, cached: Cached) -> None:
    handler.set_header("ETag", cached.etag)
    handler.set_header("Cache-Control",
                       f"public, max-age={handler.deps.settings.delivery_max_age_seconds}, must-revalidate")
    handler.set_header("Vary", "Accept-Encoding")
    if cached.body is None:
        handler.set_status(304)
        handler.finish()
    else:
        handler.write_json(cached.body)
