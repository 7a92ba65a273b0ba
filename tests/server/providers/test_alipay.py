"""The Alipay client believes only answers signed with Alipay's key (one server plays the gateway for another)."""

from __future__ import annotations

import pytest

from server.identity import repository
from server.payments.signing.rsa_keys import generate_rsa_keypair
from server.providers.alipay import AlipayLogin
from server.sandbox.keys import sandbox_key_store
from tests.conftest import StartServer
from tests.miniprogram_api.factories import sandbox_code
from tests.support.server import TestServer


async def nothing_written(server: TestServer) -> bool:
    db = server.deps.db
    return (await db[repository.CITIZENS].count_documents({}) == 0
            and await db[repository.IDENTITIES].count_documents({}) == 0
            and await db[repository.SESSIONS].count_documents({}) == 0)


async def alipay_login(server: TestServer) -> tuple[int, str | None]:
    response = await server.post("/mp/v1/auth/alipay/login", json={"code": sandbox_code("alice")})
    return response.status, response.error_code


@pytest.mark.asyncio
async def test_an_answer_signed_with_another_key_is_refused(start_server: StartServer) -> None:
    gateway = await start_server()
    keys = await sandbox_key_store(gateway.settings.var_dir).alipay()
    _, not_alipays_key = generate_rsa_keypair()
    app = await start_server(sandbox_base_url=gateway.url + "/_sandbox",
                             alipay_app_private_key=keys.app_private_pem, alipay_public_key=not_alipays_key)
    assert await alipay_login(app) == (502, "alipay_response_signature_invalid")
    assert await nothing_written(app)

    trusting = await start_server(sandbox_base_url=gateway.url + "/_sandbox",
                                  alipay_app_private_key=keys.app_private_pem,
                                  alipay_public_key=keys.gateway_public_pem)
    assert (await alipay_login(trusting))[0] == 200


@pytest.mark.asyncio
async def test_a_gateway_refusing_our_signature_is_an_upstream_error(start_server: StartServer) -> None:
    gateway = await start_server()
    keys = await sandbox_key_store(gateway.settings.var_dir).alipay()
    not_the_registered_key, _ = generate_rsa_keypair()
    app = await start_server(sandbox_base_url=gateway.url + "/_sandbox",
                             alipay_app_private_key=not_the_registered_key,
                             alipay_public_key=keys.gateway_public_pem)
    response = await app.post("/mp/v1/auth/alipay/login", json={"code": sandbox_code("alice")})
    assert (response.status, response.error_code) == (502, "alipay_upstream_error")
    assert response.json["error"]["alipay_sub_code"] == "isv.invalid-signature"
    assert await nothing_written(app)


@pytest.mark.asyncio
async def test_an_unreachable_gateway_is_a_502(start_server: StartServer) -> None:
    app = await start_server(sandbox_base_url="http://127.0.0.1:1/_sandbox")
    assert await alipay_login(app) == (502, "alipay_unavailable")
    assert await nothing_written(app)


@pytest.mark.asyncio
async def test_the_client_exchanges_a_code_for_the_users_ids(server: TestServer) -> None:
    login = await server.deps.alipay.exchange_auth_code(sandbox_code("alice"))
    assert isinstance(login, AlipayLogin)
    assert login.app_id == server.deps.alipay.app_id
    assert login.user_id is not None
    assert login.user_id.startswith("2088")
    assert login.subject == login.user_id
    assert AlipayLogin(app_id="x", user_id=None, open_id="0abc").subject == "open:0abc"
