"""/mp/v1/cases forms that JSON allows but MongoDB cannot store as they are: 422, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.cases.repository import get_case
from server.storable import MAX_DEPTH
from tests.miniprogram_api.case_factories import citizen, draft, live_guide
from tests.support.server import Response, TestServer


def nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


BAD_FORMS = {
    "nul_in_key": ({"a\x00b": 1}, "/form/a\x00b"),
    "operator_key": ({"$where": "1"}, "/form/$where"),
    "nested_operator": ({"x": {"$gt": 1}}, "/form/x/$gt"),
    "dotted_key": ({"a.b": 1}, "/form/a.b"),
    "integer_past_int64": ({"children": [1, 2**63]}, "/form/children/1"),
    "too_deep": (nested(MAX_DEPTH + 1), "/form" + "/a" * MAX_DEPTH),  # the form itself is the first level
    "deeper_than_orjson_encodes": (nested(300), "/form" + "/a" * MAX_DEPTH),
}


async def send(server: TestServer, method: str, path: str, body: dict[str, Any], token: str) -> Response:
    # The standard encoder, since orjson (the test client's) cannot write some of these bodies.
    return await server.request(method, path, body=json.dumps(body).encode(), token=token,
                                headers={"Content-Type": "application/json"})


def assert_refused(response: Response, path: str) -> None:
    assert (response.status, response.error_code) == (422, "validation_failed"), response.body
    assert response.json["error"]["fields"][0]["path"] == path


@pytest.mark.asyncio
@pytest.mark.parametrize("shape", list(BAD_FORMS))
async def test_a_form_mongodb_cannot_store_is_refused_and_nothing_changes(server: TestServer, shape: str) -> None:
    form, path = BAD_FORMS[shape]
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    case = await draft(server, token, guide_id, form={"name": "张三丰"})

    updated = await send(server, "PUT", f"/mp/v1/cases/{case['id']}/form", {"form": form}, token)
    assert_refused(updated, path)
    stored = await get_case(server.deps.db, case["id"])
    assert stored is not None
    assert (stored["form"], stored["version"]) == ({"name": "张三丰"}, case["version"])

    created = await send(server, "POST", "/mp/v1/cases", {"guide_id": guide_id, "form": form}, token)
    assert_refused(created, path)
    assert (await server.get("/mp/v1/cases", token=token)).json["total"] == 1
    # Nor was a case number used up: the next draft takes the one after the first.
    following = await draft(server, token, guide_id)
    assert int(following["number"][-5:]) == int(case["number"][-5:]) + 1


@pytest.mark.asyncio
async def test_a_form_within_the_limits_is_stored_as_sent(server: TestServer) -> None:
    guide_id = await live_guide(server.deps)
    token = await citizen(server)
    form = {"deep": nested(MAX_DEPTH - 1), "big": 2**63 - 1, "note": "a.b $5 \x00", "items": [{"qty": -(2**63)}]}
    created = await send(server, "POST", "/mp/v1/cases", {"guide_id": guide_id, "form": form}, token)
    assert created.status == 201, created.body
    stored = await get_case(server.deps.db, created.json["id"])
    assert stored is not None
    assert stored["form"] == form
