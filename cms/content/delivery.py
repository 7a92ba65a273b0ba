"""Reading live content for delivery: validators for conditional requests and the signing window.

ETags come from data, never from the clock alone: a list's from the type's live sequence counter (every
publish and unpublish increments it) and the catalog counter (department and theme names appear in the
answers); an item's from its live-change token. Content with files also includes the signing window:
signed links are valid for ``SIGNED_URL_TTL_SECONDS`` and the window is half of that, so a response
revalidated with 304 within its window still holds links valid for at least half the TTL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cms.content import counters_repo
from cms.content import repository as repo
from cms.content.errors import NotLive
from cms.content.files import sign_file_refs
from cms.content.models import Item
from cms.content.spec import ContentType
from server.deps import Deps
from server.errors import AppError


@dataclass(frozen=True)
class Cached:
    """A delivery answer: ``body`` None means the client's copy (``If-None-Match``) is current."""

    etag: str
    body: dict[str, Any] | None


def weak_etag(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2), as If-None-Match requires."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def signing_window(deps: Deps) -> int:
    half_ttl = max(1, deps.settings.signed_url_ttl_seconds // 2)
    return int(deps.clock.timestamp()) // half_ttl


async def versions(deps: Deps, kind: str) -> tuple[int, int]:
    """(live sequence of ``kind``, catalog sequence)."""
    names = [counters_repo.live_counter(kind), counters_repo.CATALOG_COUNTER]
    values = await counters_repo.read(deps.db, names)
    return values[names[0]], values[names[1]]


async def catalog_version(deps: Deps) -> int:
    return (await counters_repo.read(deps.db, [counters_repo.CATALOG_COUNTER]))[counters_repo.CATALOG_COUNTER]


async def live_item(deps: Deps, kind: str, item_id: str) -> Item:
    item = await repo.find_live_item(deps.db, kind, item_id)
    if item is None or item.live is None:
        raise NotLive()
    return item


async def changed_since(deps: Deps, kind: str, seq: int) -> tuple[int, list[Item]]:
    """(cursor for the next call, items whose live state changed after ``seq``), see repository.py."""
    cursor = (await counters_repo.read(deps.db, [counters_repo.live_counter(kind)]))[counters_repo.live_counter(kind)]
    return cursor, await repo.items_changed_since(deps.db, kind, seq)


async def live_summaries(deps: Deps, kind: str, conditions: dict[str, Any], order: tuple[tuple[str, int], ...],
                         offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    return await repo.list_live_summaries(deps.db, kind, conditions, order, offset, limit)


@dataclass(frozen=True)
class LiveDetail:
    etag: str
    item: Item
    content: dict[str, Any] | None  # None when the client's copy (If-None-Match) is current


async def live_detail(deps: Deps, spec: ContentType, item_id: str, *, not_live: type[AppError],
                      if_none_match: str | None) -> LiveDetail:
    """The live content of one item with its files signed, or only its ETag when the client has it."""
    try:
        item = await live_item(deps, spec.kind, item_id)
    except NotLive:
        raise not_live() from None
    assert item.live is not None
    # Signed links expire, so an item with files changes its ETag once per signing window.
    window = signing_window(deps) if any(True for _ in spec.file_refs(item.live)) else 0
    etag = weak_etag(spec.kind, item.id, item.version, await catalog_version(deps), window)
    if etag_matches(if_none_match, etag):
        return LiveDetail(etag, item, None)
    return LiveDetail(etag, item, await sign_file_refs(deps, spec, item.live))
