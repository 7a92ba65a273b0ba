"""Finding a request's handler by its path's first segments instead of trying every route in turn;
streaming only the requests that carry a body.

Tornado matches routes one by one, in order: with a hundred and more routes, a request for one near the
end ran a hundred regular expressions (a fifth of a millisecond) before its handler started. Routes are
indexed here by the literal segments their templates start with; a request is tried only against the
routes filed under its own first segments, still in declaration order, so what matches is unchanged.

Every handler streams its body (server/http/base.py), which costs Tornado two extra turns of the event
loop per request: one to hand ``prepare`` its turn before the body, one to resume after it. A request
without ``Content-Length`` or ``Transfer-Encoding`` has no body (RFC 9112 §6.3), so most GETs are run
the plain way, their (empty) body already complete.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from typing import Any

import tornado.httputil
import tornado.routing
import tornado.web

_INDEXED_SEGMENTS = 3
_SEEN_PATHS = 4096


def literal_segments(pattern: str) -> tuple[str, ...]:
    """The path segments a route's regex starts with before anything that varies (at most three)."""
    body = pattern.removeprefix("^").removesuffix("$")
    literal: list[str] = []
    for segment in body.split("/")[1:]:
        if len(literal) == _INDEXED_SEGMENTS or not segment or any(ch in segment for ch in "(.[\\?*+{|$^"):
            break
        literal.append(segment)
    return tuple(literal)


class RouteIndex:
    def __init__(self, rules: Iterable[tornado.routing.Rule]) -> None:
        self._by_prefix: dict[tuple[str, ...], list[tuple[int, tornado.routing.Rule]]] = {}
        # The candidates of the paths' first segments seen lately (most requests go to a few endpoints).
        self._seen: dict[tuple[str, ...], list[tornado.routing.Rule]] = {}
        for position, rule in enumerate(rules):
            matcher = rule.matcher
            pattern = matcher.regex.pattern if isinstance(matcher, tornado.routing.PathMatches) else "^/"
            self._by_prefix.setdefault(literal_segments(pattern), []).append((position, rule))

    def candidates(self, path: str) -> Sequence[tornado.routing.Rule]:
        key = tuple(path.split("/", _INDEXED_SEGMENTS + 1)[1 : _INDEXED_SEGMENTS + 1])
        known = self._seen.get(key)
        if known is None:
            known = self._collect(key)
            if len(self._seen) >= _SEEN_PATHS:
                self._seen.clear()  # ids in paths make endless keys: start over rather than grow
            self._seen[key] = known
        return known

    def _collect(self, segments: tuple[str, ...]) -> list[tornado.routing.Rule]:
        found: list[tuple[int, tornado.routing.Rule]] = []
        for depth in range(len(segments) + 1):
            found += self._by_prefix.get(segments[:depth], ())
        found.sort(key=lambda pair: pair[0])
        return [rule for _, rule in found]


class IndexedApplication(tornado.web.Application):
    """A Tornado application whose routes are looked up through a ``RouteIndex``."""

    def __init__(self, handlers: list[Any], **settings: Any) -> None:
        super().__init__(handlers, **settings)
        self._route_index = RouteIndex(self.wildcard_router.rules)

    def find_handler(
        self, request: tornado.httputil.HTTPServerRequest, **kwargs: Any
    ) -> tornado.web._HandlerDelegate:
        for rule in self._route_index.candidates(request.path):
            params = rule.matcher.match(request)
            if params is not None:
                return self.get_handler_delegate(request, rule.target, rule.target_kwargs, **params)
        return super().find_handler(request, **kwargs)

    def get_handler_delegate(
        self,
        request: tornado.httputil.HTTPServerRequest,
        target_class: type[tornado.web.RequestHandler],
        target_kwargs: dict[str, Any] | None = None,
        path_args: list[bytes] | None = None,
        path_kwargs: dict[str, bytes] | None = None,
    ) -> tornado.web._HandlerDelegate:
        delegate = super().get_handler_delegate(request, target_class, target_kwargs, path_args, path_kwargs)
        if delegate.stream_request_body and not carries_body(request.headers):
            delegate.stream_request_body = False
            request._body_future = _ARRIVED  # type: ignore[assignment]
        return delegate


class _Arrived:
    """What a streaming handler awaits before its method runs, for a body that is complete already:
    awaiting it does not suspend."""

    def done(self) -> bool:
        return True

    def __await__(self) -> Generator[None, None, None]:
        return
        yield


_ARRIVED = _Arrived()


def carries_body(headers: tornado.httputil.HTTPHeaders) -> bool:
    length = headers.get("Content-Length")
    return (length is not None and length.strip() != "0") or "Transfer-Encoding" in headers
