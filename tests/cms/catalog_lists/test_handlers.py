"""Managing departments and themes over HTTP."""

import pytest

from tests.support.staff import signed_in_staff


@pytest.mark.asyncio
async def test_editors_and_admins_manage_the_lists(server) -> None:
    admin = await signed_in_staff(server, "admin1", roles=("admin",))
    editor = await signed_in_staff(server, "editor1", roles=("editor",))
    reviewer = await signed_in_staff(server, "reviewer1", roles=("reviewer",))
    created = await admin.post("/staff/v1/departments", json={"id": "68236467-9", "name": "区行政审批局",
                                                               "region_code": "511602"})
    assert created.status == 201
    assert created.json == {"id": "68236467-9", "name": "区行政审批局", "credit_code": None,
                            "region_code": "511602", "sort": 1000, "active": True}
    duplicate = await editor.post("/staff/v1/departments", json={"id": "68236467-9", "name": "重复"})
    assert duplicate.status == 409
    assert duplicate.error_code == "department_exists"
    bad = await editor.post("/staff/v1/departments", json={"id": "x", "name": "坏代码", "credit_code": "123"})
    assert bad.status == 422
    assert (await reviewer.post("/staff/v1/departments", json={"id": "d2", "name": "无权"})).status == 403

    renamed = await editor.patch("/staff/v1/departments/68236467-9", json={"name": "区政务服务局", "sort": 1})
    assert renamed.status == 200
    assert renamed.json["name"] == "区政务服务局"
    assert renamed.json["sort"] == 1
    missing = await editor.patch("/staff/v1/departments/nope", json={"name": "x"})
    assert missing.status == 404
    assert missing.error_code == "department_not_found"

    theme = await editor.post("/staff/v1/themes", json={"id": "housing", "name": "住房保障", "description": "公租房"})
    assert theme.status == 201
    assert theme.json["description"] == "公租房"
    assert (await editor.post("/staff/v1/themes", json={"id": "Bad Id", "name": "x"})).status == 422
    await editor.patch("/staff/v1/themes/housing", json={"active": False})
    listed = await reviewer.get("/staff/v1/themes")
    assert listed.status == 200
    assert listed.json["items"][0]["active"] is False
    assert (await server.get("/mp/v1/themes")).json["items"] == []

    audit = await admin.get("/staff/v1/audit?object=68236467-9")
    assert [e["action"] for e in audit.json["items"]] == ["department.update", "department.create"]
