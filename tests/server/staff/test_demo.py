from __future__ import annotations

import pytest

from server.staff.demo import DemoRefusedInLiveMode, ensure_demo_staff
from tests.support.server import TestServer
from tests.support.staff import login


@pytest.mark.asyncio
async def test_demo_staff_are_created_once_and_can_log_in(server: TestServer) -> None:
    first = await ensure_demo_staff(server.deps)
    assert {roles[0] for _name, _password, roles in first} == {"admin", "editor", "reviewer", "officer",
                                                                "supervisor", "window"}
    assert await ensure_demo_staff(server.deps) == first
    assert await server.deps.db["staff_users"].count_documents({}) == len(first)
    for username, password, roles in first:
        response = await login(server, username, password)
        assert response.status == 200, username
        assert response.json["user"]["roles"] == roles
        if roles == ["officer"]:
            assert response.json["user"]["departments"]
        if roles == ["window"]:
            assert response.json["user"]["domains"] == ["business_registration", "investment_construction",
                                                        "industrial_products", "livelihood"]


@pytest.mark.asyncio
async def test_demo_staff_are_refused_in_live_mode(server: TestServer) -> None:
    server.deps.settings = server.settings.replace(mode="live")
    with pytest.raises(DemoRefusedInLiveMode):
        await ensure_demo_staff(server.deps)
    assert await server.deps.db["staff_users"].count_documents({}) == 0
