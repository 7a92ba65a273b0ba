"""The HTTP skeleton: body limits and parsing, query checking, error shapes, request ids."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from io import StringIO

import pytest
import pytest_asyncio

from server.errors import Conflict
from server.http.api import Route, endpoint, integer, obj, string
from server.http.base import BaseHandler, _RequestIds
from server.logs import configure_logging
from tests.conftest import StartServer
from tests.support.server import TestServer

_ECHO = obj({"name": string(minLength=1, maxLength=20), "count": integer(minimum=0)}, required=["name"])


class EchoHandler(BaseHandler):
    @endpoint("Echo a small body", request=_ECHO, query={"mode": string(enum=["plain", "loud"]),
                                                        "times": integer(minimum=1, maximum=3)},
              responses={200: obj({"name": string(), "mode": string(), "times": integer()},
                                  required=["name"])}, errors=(409,))
    async def post(self) -> None:
        if self.body["name"] == "conflict":
            raise Conflict("已存在", code="echo_conflict", current="x")
        self.write_json({"name": self.body["name"], "mode": self.query.get("mode", "plain"),
                         "times": self.query.get("times", 1)})


class BoomHandler(BaseHandler):
    @endpoint("Fail unexpectedly", responses={200: None}, errors=(500,))
    async def get(self) -> None:
        raise RuntimeError("boom 11010519491231002X")


EXTRA = [Route("/test/echo", EchoHandler), Route("/test/boom", BoomHandler)]


@pytest_asyncio.fixture
async def echo_server(start_server: StartServer) -> TestServer:
    return await start_server(extra_routes=EXTRA, max_json_body_bytes=1000)


@pytest.mark.asyncio
async def test_valid_body_and_query_reach_the_handler(echo_server: TestServer) -> None:
    response = await echo_server.post("/test/echo?mode=loud&times=2", json={"name": "张三", "count": 1})
    assert response.status == 200
    assert response.json == {"name": "张三", "mode": "loud", "times": 2}


@pytest.mark.asyncio
@pytest.mark.parametrize(("body", "content_type", "status", "code"), [
    (b"{not json", "application/json", 400, "malformed_json"),
    (b"", "application/json", 400, "malformed_json"),
    (b'{"name": "a"}', "text/plain", 415, "json_required"),
    (b'{"name": ""}', "application/json", 422, "validation_failed"),
    (b'{"count": 1}', "application/json", 422, "validation_failed"),
    (b'{"name": "a", "extra": 1}', "application/json", 422, "validation_failed"),
    (b'["name"]', "application/json", 422, "validation_failed"),
    (b"\xff\xfe\x00", "application/json", 400, "malformed_json"),
])
async def test_bad_bodies_get_stable_codes(echo_server: TestServer, body: bytes, content_type: str,
                                           status: int, code: str) -> None:
    response = await echo_server.post("/test/echo", body=body, headers={"Content-Type": content_type})
    assert (response.status, response.error_code) == (status, code)


@pytest.mark.asyncio
async def test_validation_errors_name_the_field(echo_server: TestServer) -> None:
    response = await echo_server.post("/test/echo", json={"name": "a", "count": -1})
    assert response.status == 422
    assert response.json["error"]["fields"][0]["path"] == "/count"


@pytest.mark.asyncio
async def test_oversized_body_is_413_and_the_connection_still_answers(echo_server: TestServer) -> None:
    big = b'{"name": "' + b"x" * 5000 + b'"}'
    response = await echo_server.post("/test/echo", body=big, headers={"Content-Type": "application/json"})
    assert (response.status, response.error_code) == (413, "body_too_large")
    assert response.json["error"]["limit"] == 1000


@pytest.mark.asyncio
async def test_oversized_chunked_body_is_413(echo_server: TestServer) -> None:
    import tornado.httpclient

    async def producer(write: Callable[[bytes], Awaitable[None]]) -> None:
        for _ in range(20):
            await write(b"x" * 200)

    request = tornado.httpclient.HTTPRequest(echo_server.url + "/test/echo", method="POST",
                                             body_producer=producer,  # type: ignore[arg-type]
                                             headers={"Content-Type": "application/json"})
    raw = await tornado.httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
    assert raw.code == 413


@pytest.mark.asyncio
@pytest.mark.parametrize(("query", "code", "parameter"), [
    ("?colour=red", "unknown_parameter", "colour"),
    ("?times=9", "invalid_parameter", "times"),
    ("?times=abc", "invalid_parameter", "times"),
    ("?mode=quiet", "invalid_parameter", "mode"),
    ("?mode=loud&mode=plain", "invalid_parameter", "mode"),
])
async def test_bad_query_parameters_are_named(echo_server: TestServer, query: str, code: str,
                                              parameter: str) -> None:
    response = await echo_server.post("/test/echo" + query, json={"name": "a"})
    assert (response.status, response.error_code) == (400, code)
    assert response.json["error"]["parameter"] == parameter


@pytest.mark.asyncio
async def test_domain_errors_carry_their_details(echo_server: TestServer) -> None:
    response = await echo_server.post("/test/echo", json={"name": "conflict"})
    assert response.status == 409
    assert response.json == {"error": {"code": "echo_conflict", "message": "已存在", "current": "x"}}


@pytest.mark.asyncio
async def test_unsupported_method_is_a_json_405(echo_server: TestServer) -> None:
    response = await echo_server.request("DELETE", "/test/echo")
    assert (response.status, response.error_code) == (405, "method_not_allowed")


@pytest.mark.asyncio
async def test_unexpected_errors_are_a_logged_500_without_details(echo_server: TestServer) -> None:
    stream = StringIO()
    configure_logging("INFO", stream=stream)
    try:
        response = await echo_server.get("/test/boom", headers={"X-Request-Id": "req-boom-1"})
    finally:
        logging.getLogger().handlers.clear()
    assert response.status == 500
    assert response.json == {"error": {"code": "internal_error", "message": "服务器内部错误"}}
    logged = stream.getvalue()
    assert "[req-boom-1]" in logged
    assert "RuntimeError" in logged
    # The ID number in the exception text is masked on its way into the log.
    assert "11010519491231002X" not in logged
    assert "1101**********002X" in logged


def test_request_ids_are_unique_and_a_forked_process_draws_its_own_prefix() -> None:
    ids = _RequestIds()
    first, second = ids.next(), ids.next()
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert first[:8] == second[:8]
    ids._renew()  # what the fork hook runs in the child
    assert ids.next()[:8] != first[:8]
