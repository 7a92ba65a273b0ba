from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from server.payments.signing.alipay import sign_alipay_request, verify_alipay_response
from server.payments.signing.rsa_keys import generate_rsa_keypair, load_rsa_private_key, load_rsa_public_key
from server.sandbox.credentials import sandbox_alipay_app_id
from server.sandbox.keys import SandboxAlipayKeys, sandbox_key_store
from tests.miniprogram_api.factories import sandbox_code
from tests.support.server import TestServer

METHOD = "alipay.system.oauth.token"


async def keys_of(server: TestServer) -> SandboxAlipayKeys:
    return await sandbox_key_store(server.settings.var_dir).alipay()


def oauth_params(server: TestServer, login_code: str, **overrides: str) -> dict[str, str]:
    return {"app_id": sandbox_alipay_app_id(server.settings), "method": METHOD, "format": "JSON",
            "charset": "utf-8", "sign_type": "RSA2", "timestamp": "2026-11-24 09:00:00", "version": "1.0",
            "grant_type": "authorization_code", "code": login_code, **overrides}


async def call_gateway(server: TestServer, params: dict[str, str], *, private_pem: str | None = None,
                       tamper: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    """(raw answer, node) after checking the answer's signature with the simulated gateway's key."""
    keys = await keys_of(server)
    signed = dict(params)
    signed["sign"] = sign_alipay_request(params, load_rsa_private_key(private_pem or keys.app_private_pem))
    signed.update(tamper or {})
    response = await server.post("/_sandbox/alipay/gateway.do", body=urllib.parse.urlencode(signed).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})
    assert response.status == 200
    text = response.body.decode()
    node = verify_alipay_response(text, METHOD, load_rsa_public_key(keys.gateway_public_pem))
    return text, json.loads(node)


@pytest.mark.asyncio
async def test_oauth_token_answers_a_signed_node_with_stable_user_ids(server: TestServer) -> None:
    text, node = await call_gateway(server, oauth_params(server, sandbox_code("alice")))
    assert text.startswith('{"alipay_system_oauth_token_response":{')
    assert {"user_id", "open_id", "access_token", "expires_in", "refresh_token", "re_expires_in"} <= set(node)
    assert node["user_id"].startswith("2088")
    assert len(node["user_id"]) == 16
    assert node["expires_in"] == "3600"
    _, again = await call_gateway(server, oauth_params(server, sandbox_code("alice")))
    _, other = await call_gateway(server, oauth_params(server, sandbox_code("bob")))
    assert again["user_id"] == node["user_id"] != other["user_id"]
    assert again["open_id"] == node["open_id"] != other["open_id"]


@pytest.mark.asyncio
async def test_a_request_signed_with_another_key_is_refused_like_alipay(server: TestServer) -> None:
    other_private, _ = generate_rsa_keypair()
    text, node = await call_gateway(server, oauth_params(server, sandbox_code("alice")), private_pem=other_private)
    assert text.startswith('{"error_response":{')
    assert (node["code"], node["msg"], node["sub_code"]) == ("40002", "Invalid Arguments", "isv.invalid-signature")
    _, tampered = await call_gateway(server, oauth_params(server, sandbox_code("alice")),
                                     tamper={"code": sandbox_code("mallory")})
    assert tampered["sub_code"] == "isv.invalid-signature"


@pytest.mark.asyncio
@pytest.mark.parametrize(("overrides", "code", "sub_code"), [
    ({"app_id": "2021000000000000"}, "40002", "isv.invalid-app-id"),
    ({"sign_type": "RSA"}, "40002", "isv.invalid-signature-type"),
    ({"method": "alipay.no.such.method"}, "40002", "isv.invalid-method"),
    ({"grant_type": "refresh_token"}, "40002", "isv.grant-type-invalid"),
    ({"code": "not-a-sandbox-code"}, "40002", "isv.code-invalid"),
    ({"timestamp": ""}, "40001", "isv.missing-timestamp"),
])
async def test_gateway_errors_use_alipay_codes(server: TestServer, overrides: dict[str, str], code: str,
                                               sub_code: str) -> None:
    params = oauth_params(server, sandbox_code("alice"), **overrides)
    if overrides.get("sign_type") == "RSA":  # our signer refuses RSA (SHA-1): sign as RSA2, then relabel
        _, node = await call_gateway(server, oauth_params(server, sandbox_code("alice")), tamper=overrides)
    else:
        _, node = await call_gateway(server, params)
    assert (node["code"], node["sub_code"]) == (code, sub_code)


@pytest.mark.asyncio
async def test_an_auth_code_works_once(server: TestServer) -> None:
    code = sandbox_code("alice")
    _, first = await call_gateway(server, oauth_params(server, code))
    assert "user_id" in first
    _, second = await call_gateway(server, oauth_params(server, code))
    assert second["sub_code"] == "isv.code-invalid"
