from __future__ import annotations

import urllib.parse

import pytest

from server.sandbox.credentials import sandbox_wechat_credentials
from server.sandbox.wechat import WechatSimulator
from tests.miniprogram_api.factories import sandbox_code
from tests.support.server import TestServer


def query(**params: str) -> str:
    return urllib.parse.urlencode(params)


async def token(server: TestServer, **overrides: str) -> dict[str, object]:
    credentials = sandbox_wechat_credentials(server.settings)
    params = {"grant_type": "client_credential", "appid": credentials.app_id, "secret": credentials.app_secret,
              **overrides}
    response = await server.get("/_sandbox/wechat/cgi-bin/token?" + query(**params))
    assert response.status == 200  # WeChat answers errors with HTTP 200 too
    return response.json


async def code_to_session(server: TestServer, code: str, **overrides: str) -> dict[str, object]:
    credentials = sandbox_wechat_credentials(server.settings)
    params = {"appid": credentials.app_id, "secret": credentials.app_secret, "js_code": code,
              "grant_type": "authorization_code", "access_token": "ignored", **overrides}
    response = await server.get("/_sandbox/wechat/sns/jscode2session?" + query(**params))
    assert response.status == 200
    return response.json


@pytest.mark.asyncio
async def test_access_token_answers_like_wechat(server: TestServer) -> None:
    issued = await token(server)
    assert issued["expires_in"] == 7200
    assert WechatSimulator(server.settings).access_token_valid(server.deps.clock, str(issued["access_token"]))
    assert not WechatSimulator(server.settings).access_token_valid(server.deps.clock, "1.forged")
    assert (await token(server, secret="wrong"))["errcode"] == 40001
    assert (await token(server, appid="wx0000000000000000"))["errcode"] == 40013
    assert (await token(server, grant_type="password"))["errcode"] == 40002


@pytest.mark.asyncio
async def test_jscode2session_gives_stable_ids_per_user_and_uses_codes_once(server: TestServer) -> None:
    code = sandbox_code("alice")
    first = await code_to_session(server, code)
    assert set(first) == {"openid", "session_key", "unionid"}
    openid = str(first["openid"])
    assert len(openid) == 28
    assert openid.startswith("o")
    again = await code_to_session(server, sandbox_code("alice"))
    assert (again["openid"], again["unionid"]) == (first["openid"], first["unionid"])
    assert again["session_key"] != first["session_key"]
    assert (await code_to_session(server, sandbox_code("bob")))["openid"] != openid

    used = await code_to_session(server, code)
    assert used["errcode"] == 40163
    assert str(used["errmsg"]).startswith("code been used")
    assert (await code_to_session(server, "071abcNotSandbox"))["errcode"] == 40029
    assert (await code_to_session(server, sandbox_code("carol"), secret="wrong"))["errcode"] == 40125
    assert (await code_to_session(server, ""))["errcode"] == 41008


@pytest.mark.asyncio
async def test_minted_codes_log_in_the_named_user(server: TestServer) -> None:
    minted = await server.post("/_sandbox/wechat/codes", json={"user": "alice"})
    assert minted.status == 201
    session = await code_to_session(server, minted.json["code"])
    assert session["openid"] == WechatSimulator(server.settings).openid_of("alice")
    refused = await server.post("/_sandbox/wechat/codes", json={"user": "no spaces"})
    assert (refused.status, refused.error_code) == (422, "validation_failed")
