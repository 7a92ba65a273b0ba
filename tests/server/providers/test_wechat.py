from __future__ import annotations

import pytest

from server.identity import repository
from server.identity.errors import LoginCodeInvalid
from server.providers.wechat import WechatLogin
from server.sandbox.wechat import WechatSimulator
from tests.conftest import StartServer
from tests.miniprogram_api.factories import sandbox_code
from tests.support.server import TestServer


@pytest.mark.asyncio
async def test_code_to_session_goes_through_wechatpy_to_the_sandbox(server: TestServer) -> None:
    login = await server.deps.wechat.code_to_session(sandbox_code("alice"))
    assert isinstance(login, WechatLogin)
    assert login.openid == WechatSimulator(server.settings).openid_of("alice")
    assert login.session_key
    assert login.session_key not in repr(login)
    with pytest.raises(LoginCodeInvalid):
        await server.deps.wechat.code_to_session("not-a-code")


@pytest.mark.asyncio
async def test_a_wrong_app_secret_is_an_upstream_error(start_server: StartServer) -> None:
    wechat = await start_server()
    app = await start_server(sandbox_base_url=wechat.url + "/_sandbox", wechat_app_secret="not-the-secret")
    response = await app.post("/mp/v1/auth/wechat/login", json={"code": sandbox_code("alice")})
    assert (response.status, response.error_code) == (502, "wechat_upstream_error")
    assert response.json["error"]["wechat_errcode"] == 40001
    assert await app.deps.db[repository.IDENTITIES].count_documents({}) == 0


@pytest.mark.asyncio
async def test_an_unreachable_wechat_is_a_502(start_server: StartServer) -> None:
    app = await start_server(sandbox_base_url="http://127.0.0.1:1/_sandbox")
    response = await app.post("/mp/v1/auth/wechat/login", json={"code": sandbox_code("alice")})
    assert (response.status, response.error_code) == (502, "wechat_unavailable")
