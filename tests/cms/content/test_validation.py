"""Content is checked against its type's schema; an integer is a JSON integer, never a float that equals one."""

from __future__ import annotations

from typing import Any

import pytest

from cms.content.validation import schema_problems
from cms.importing.validation import schema_problems as import_problems
from server.http.api import integer, obj
from tests.cms.factories import create_catalog, guide_content
from tests.support.server import TestServer
from tests.support.staff import signed_in_staff

COUNT = obj({"count": integer(minimum=0)}, required=["count"])


def test_an_integer_field_takes_json_integers_only() -> None:
    assert schema_problems(COUNT, {"count": 500}) == []
    for value in (500.0, True, "500"):
        [problem] = schema_problems(COUNT, {"count": value})
        assert (problem.path, problem.code) == ("/count", "schema")


@pytest.mark.asyncio
async def test_a_fee_of_500_point_0_fen_is_refused_when_an_editor_saves_a_guide(server: TestServer) -> None:
    await create_catalog(server.deps)
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    item: dict[str, Any] = {"name": "工本费", "amount_fen": 500.0}
    fees = {"charged": True, "items": [item], "basis": "收费依据"}
    refused = await editor.post("/staff/v1/guides", json={"content": guide_content(fees=fees), "note": "新建"})
    # The request body's own check refuses it first; the content check below it holds the same rule.
    assert (refused.status, refused.error_code) == (422, "validation_failed")
    assert "amount_fen" in refused.body.decode()
    item["amount_fen"] = 500
    saved = await editor.post("/staff/v1/guides", json={"content": guide_content(fees=fees), "note": "新建"})
    assert saved.status == 201, saved.body
    assert saved.json["draft"]["content"]["fees"]["items"][0]["amount_fen"] == 500


def test_an_imported_guide_is_held_to_the_same_rule() -> None:
    guide = guide_content(fees={"charged": True, "items": [{"name": "工本费", "amount_fen": 500.0}]})
    assert [path for path, _ in import_problems(guide)] == ["fees/items/0/amount_fen"]
