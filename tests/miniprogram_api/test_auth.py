from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.clock import FrozenClock
from server.identity import repository
from server.sandbox.wechat import WechatSimulator
from tests.conftest import StartServer
from tests.miniprogram_api.factories import alipay_login, login, sandbox_code, wechat_login
from tests.support.server import TestServer


@pytest.mark.asyncio
async def test_wechat_login_returns_a_token_that_opens_the_profile(server: TestServer) -> None:
    answer = await login(server, "wechat", "alice")
    assert answer["token_type"] == "Bearer"
    assert answer["citizen"]["real_name"] is None
    assert [i["channel"] for i in answer["citizen"]["identities"]] == ["wechat"]

    me = await server.get("/mp/v1/me", token=answer["token"])
    assert me.status == 200
    assert me.json["id"] == answer["citizen"]["id"]


@pytest.mark.asyncio
async def test_the_same_wechat_user_is_the_same_citizen_and_identity(server: TestServer) -> None:
    first = await login(server, "wechat", "bob")
    second = await login(server, "wechat", "bob")
    other = await login(server, "wechat", "carol")
    assert first["citizen"]["id"] == second["citizen"]["id"] != other["citizen"]["id"]
    identity = await repository.find_identity(server.deps.db, repository.Channel.WECHAT,
                                              server.deps.wechat.app_id,
                                              WechatSimulator(server.settings).openid_of("bob"))
    assert identity is not None
    assert identity.citizen_id == first["citizen"]["id"]
    assert identity.union_id == WechatSimulator(server.settings).unionid_of("bob")


@pytest.mark.asyncio
async def test_alipay_login_returns_a_working_token(server: TestServer) -> None:
    answer = await login(server, "alipay", "alice")
    assert [i["channel"] for i in answer["citizen"]["identities"]] == ["alipay"]
    again = await login(server, "alipay", "alice")
    assert again["citizen"]["id"] == answer["citizen"]["id"]
    me = await server.get("/mp/v1/me", token=again["token"])
    assert me.status == 200
    assert me.json["id"] == answer["citizen"]["id"]


@pytest.mark.asyncio
@pytest.mark.parametrize("channel", ["wechat", "alipay"])
async def test_a_login_code_works_once(server: TestServer, channel: str) -> None:
    code = sandbox_code("dave")
    assert (await server.post(f"/mp/v1/auth/{channel}/login", json={"code": code})).status == 200
    replay = await server.post(f"/mp/v1/auth/{channel}/login", json={"code": code})
    assert replay.status == 401
    assert replay.error_code == "login_code_invalid"


@pytest.mark.asyncio
@pytest.mark.parametrize("channel", ["wechat", "alipay"])
async def test_an_unknown_login_code_is_refused(server: TestServer, channel: str) -> None:
    response = await server.post(f"/mp/v1/auth/{channel}/login", json={"code": "0a3xyz-not-from-the-sandbox"})
    assert response.status == 401
    assert response.error_code == "login_code_invalid"


@pytest.mark.asyncio
async def test_login_bodies_are_checked(server: TestServer) -> None:
    path = "/mp/v1/auth/wechat/login"
    malformed = await server.post(path, body=b'{"code": ', headers={"Content-Type": "application/json"})
    assert (malformed.status, malformed.error_code) == (400, "malformed_json")
    wrong_type = await server.post(path, body=b"code=x", headers={"Content-Type": "text/plain"})
    assert (wrong_type.status, wrong_type.error_code) == (415, "json_required")
    missing = await server.post(path, json={})
    assert (missing.status, missing.error_code) == (422, "validation_failed")


@pytest.mark.asyncio
async def test_an_oversized_login_body_is_refused(start_server: StartServer) -> None:
    server = await start_server(max_json_body_bytes=64)
    response = await server.post("/mp/v1/auth/wechat/login", json={"code": sandbox_code("x" * 64)})
    assert (response.status, response.error_code) == (413, "body_too_large")


@pytest.mark.asyncio
async def test_missing_forged_and_garbled_tokens_are_refused(server: TestServer) -> None:
    token = await wechat_login(server, "erin")
    missing = await server.get("/mp/v1/me")
    assert (missing.status, missing.error_code) == (401, "token_missing")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    prefix, session_id, expiry, signature = token.split(".")
    forged_expiry = f"{prefix}.{session_id}.{int(expiry) + 3600}.{signature}"
    forged_signature = f"{prefix}.{session_id}.{expiry}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for bad in (forged_expiry, forged_signature, "garbage", token + "x", "c1...."):
        response = await server.get("/mp/v1/me", token=bad)
        assert (response.status, response.error_code) == (401, "token_invalid"), bad
    basic = await server.get("/mp/v1/me", headers={"Authorization": "Basic " + token})
    assert (basic.status, basic.error_code) == (401, "token_invalid")


@pytest.mark.asyncio
async def test_a_token_from_another_installation_is_invalid(start_server: StartServer) -> None:
    first = await start_server()
    second = await start_server(secret_key="another-installation-secret-key-0123456789")
    token = await wechat_login(first, "frank")
    response = await second.get("/mp/v1/me", token=token)
    assert (response.status, response.error_code) == (401, "token_invalid")


@pytest.mark.asyncio
async def test_logout_revokes_the_token_and_only_that_token(server: TestServer) -> None:
    token = await wechat_login(server, "grace")
    other = await wechat_login(server, "grace")
    assert (await server.post("/mp/v1/auth/logout", token=token)).status == 204
    revoked = await server.get("/mp/v1/me", token=token)
    assert (revoked.status, revoked.error_code) == (401, "token_revoked")
    again = await server.post("/mp/v1/auth/logout", token=token)
    assert (again.status, again.error_code) == (401, "token_revoked")
    assert (await server.get("/mp/v1/me", token=other)).status == 200


@pytest.mark.asyncio
async def test_a_token_expires_after_its_lifetime(start_server: StartServer) -> None:
    clock = FrozenClock(datetime.now(UTC))
    server = await start_server(clock=clock, citizen_token_ttl_seconds=3600)
    answer = await login(server, "wechat", "heidi")
    assert (await server.get("/mp/v1/me", token=answer["token"])).status == 200
    clock.advance(seconds=3599)
    assert (await server.get("/mp/v1/me", token=answer["token"])).status == 200
    clock.advance(seconds=1)
    expired = await server.get("/mp/v1/me", token=answer["token"])
    assert (expired.status, expired.error_code) == (401, "token_expired")
    assert (await server.post("/mp/v1/auth/logout", token=answer["token"])).error_code == "token_expired"
    assert (await alipay_login(server, "heidi")) != answer["token"]
