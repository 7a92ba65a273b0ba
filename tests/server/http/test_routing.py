from __future__ import annotations

import re

import tornado.httputil
import tornado.web

from server.app import collect_routes
from server.http.routing import IndexedApplication, carries_body, literal_segments
from server.settings import Settings


class _A(tornado.web.RequestHandler):
    """A route's target; only which class is found matters."""


class _B(tornado.web.RequestHandler):
    """Another route's target."""


def _request(path: str) -> tornado.httputil.HTTPServerRequest:
    return tornado.httputil.HTTPServerRequest(
        start_line=tornado.httputil.RequestStartLine("GET", path, "HTTP/1.1"),
        headers=tornado.httputil.HTTPHeaders({"Host": "test"}),
    )


def _handler_of(app: tornado.web.Application, path: str) -> type:
    delegate = app.find_handler(_request(path))
    return delegate.handler_class


def test_literal_segments_stop_at_what_varies() -> None:
    assert literal_segments("/mp/v1/search$") == ("mp", "v1", "search")
    assert literal_segments("/staff/v1/cases/(?P<case_id>[^/]+)/claim$") == ("staff", "v1", "cases")
    assert literal_segments("/staff/v1/(?P<x>[^/]+)$") == ("staff", "v1")
    assert literal_segments("/objects/(?P<key>.+)$") == ("objects",)
    assert literal_segments("/openapi.json$") == ()  # a dot is a regex character: not indexed, still tried
    assert literal_segments("/console/$") == ("console",)
    assert literal_segments("/readyz$") == ("readyz",)


def test_declaration_order_still_decides_between_overlapping_routes() -> None:
    first = IndexedApplication([(r"/a/(?P<x>[^/]+)$", _A), (r"/a/b/c$", _B)])
    assert _handler_of(first, "/a/b") is _A
    second = IndexedApplication([(r"/a/b/c$", _B), (r"/a/(?P<x>.+)$", _A)])
    assert _handler_of(second, "/a/b/c") is _B
    assert _handler_of(second, "/a/b/d") is _A


def test_unknown_paths_reach_the_default_handler() -> None:
    app = IndexedApplication([(r"/a/b$", _A)], default_handler_class=_B)
    assert _handler_of(app, "/nope") is _B
    assert _handler_of(app, "/a/b/c") is _B


def test_every_product_route_is_found_as_a_linear_scan_finds_it() -> None:
    routes = collect_routes(Settings.from_env({}))
    handlers = [tornado.web.url(route.regex, route.handler, dict(route.kwargs) or None) for route in routes]
    indexed = IndexedApplication(handlers)
    linear = tornado.web.Application(handlers)
    for _ in range(2):  # the second time from the index's memory of the paths it has seen
        for route in routes:
            path = re.sub(r"\{[^}]+\}", "x1", route.template)
            assert _handler_of(indexed, path) is route.handler is _handler_of(linear, path), route.template


def test_many_distinct_paths_do_not_change_what_is_found() -> None:
    app = IndexedApplication([(r"/a/(?P<x>[^/]+)/c$", _A), (r"/a/(?P<x>[^/]+)/d$", _B)])
    for number in range(5000):
        assert _handler_of(app, f"/a/{number}/c") is _A
    assert _handler_of(app, "/a/1/d") is _B


def test_only_requests_that_declare_a_body_are_streamed() -> None:
    def headers(**values: str) -> tornado.httputil.HTTPHeaders:
        return tornado.httputil.HTTPHeaders({name.replace("_", "-"): value for name, value in values.items()})

    assert not carries_body(headers())
    assert not carries_body(headers(Content_Length="0"))
    assert carries_body(headers(Content_Length="12"))
    assert carries_body(headers(Transfer_Encoding="chunked"))


@tornado.web.stream_request_body
class _Streaming(tornado.web.RequestHandler):
    """A streaming handler, as every product handler is."""


def test_a_request_without_a_body_runs_its_streaming_handler_the_plain_way() -> None:
    app = IndexedApplication([(r"/s$", _Streaming)])
    bodiless = app.find_handler(_request("/s"))
    assert not bodiless.stream_request_body
    with_body = _request("/s")
    with_body.headers["Content-Length"] = "5"
    assert app.find_handler(with_body).stream_request_body
