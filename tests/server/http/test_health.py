from __future__ import annotations

import pytest

from tests.support.server import TestServer


@pytest.mark.asyncio
async def test_healthz_and_readyz_answer_when_dependencies_are_up(server: TestServer) -> None:
    alive = await server.get("/healthz")
    assert alive.status == 200
    assert alive.json == {"status": "alive"}
    ready = await server.get("/readyz")
    assert ready.status == 200
    assert ready.json["checks"]["mongodb"]["ok"] is True
    assert ready.json["checks"]["objects"]["ok"] is True
    assert ready.headers["X-Request-Id"]


@pytest.mark.asyncio
async def test_unknown_route_is_a_json_404(server: TestServer) -> None:
    response = await server.get("/no/such/thing")
    assert response.status == 404
    assert response.error_code == "route_not_found"


@pytest.mark.asyncio
async def test_request_id_is_echoed_when_sane_and_replaced_when_not(server: TestServer) -> None:
    echoed = await server.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert echoed.headers["X-Request-Id"] == "abc-123"
    replaced = await server.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert replaced.headers["X-Request-Id"] != "bad id with spaces"
    assert len(replaced.headers["X-Request-Id"]) == 16
