"""The simulated identity checks answer like WeChat's getinfo and Alipay's certify methods."""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from typing import Any

import pytest

from server.payments.signing.alipay import sign_alipay_request, verify_alipay_response
from server.payments.signing.rsa_keys import load_rsa_private_key, load_rsa_public_key
from server.sandbox.credentials import sandbox_alipay_app_id
from server.sandbox.keys import sandbox_key_store
from server.sandbox.wechat import WechatSimulator
from tests.server.sandbox.test_wechat import token
from tests.support.server import TestServer

VALID_ID = "11010519491231002x"


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


async def getinfo(server: TestServer, body: dict[str, Any], access_token: str | None = None) -> dict[str, Any]:
    access_token = access_token or str((await token(server))["access_token"])
    response = await server.post(f"/_sandbox/wechat/cityservice/face/identify/getinfo?access_token={access_token}",
                                 json=body)
    assert response.status == 200  # WeChat answers errors with HTTP 200 too
    return dict(response.json)


async def gateway(server: TestServer, method: str, biz: dict[str, Any]) -> dict[str, Any]:
    keys = await sandbox_key_store(server.settings.var_dir).alipay()
    params = {"app_id": sandbox_alipay_app_id(server.settings), "method": method, "format": "JSON",
              "charset": "utf-8", "sign_type": "RSA2", "timestamp": "2026-11-24 09:00:00", "version": "1.0",
              "biz_content": json.dumps(biz, ensure_ascii=False)}
    params["sign"] = sign_alipay_request(params, load_rsa_private_key(keys.app_private_pem))
    response = await server.post("/_sandbox/alipay/gateway.do", body=urllib.parse.urlencode(params).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})
    assert response.status == 200
    node = verify_alipay_response(response.body.decode(), method, load_rsa_public_key(keys.gateway_public_pem))
    return dict(json.loads(node))


def initialize_biz(outer_order_no: str = "a" * 32, **overrides: Any) -> dict[str, Any]:
    return {"outer_order_no": outer_order_no, "biz_code": "FACE",
            "identity_param": {"identity_type": "CERT_INFO", "cert_type": "IDENTITY_CARD", "cert_name": "张三丰",
                               "cert_no": VALID_ID},
            "merchant_config": {"return_url": "alipays://platformapi/startapp?appId=1"}, **overrides}


@pytest.mark.asyncio
async def test_a_minted_face_check_is_told_by_getinfo(server: TestServer) -> None:
    minted = await server.post("/_sandbox/wechat/face-checks",
                               json={"user": "alice", "name": "张三丰", "id_number": VALID_ID})
    assert minted.status == 201
    assert minted.json["openid"] == WechatSimulator(server.settings).openid_of("alice")
    info = await getinfo(server, {"verify_result": minted.json["verify_result"]})
    assert info["errcode"] == 0
    assert info["identify_ret"] == 0
    assert info["openid"] == minted.json["openid"]
    assert info["id_card_number_md5"] == md5(VALID_ID.upper())
    assert info["name_utf8_md5"] == md5("张三丰")
    assert info["finish_time"] >= info["identify_time"]
    assert {"validate_data", "user_id_key"} <= set(info)

    failed = await server.post("/_sandbox/wechat/face-checks",
                               json={"openid": "o-someone", "name": "张三丰", "id_number": VALID_ID, "passed": False})
    failed_info = await getinfo(server, {"verify_result": failed.json["verify_result"]})
    assert failed_info["errcode"] == 0
    assert failed_info["identify_ret"] != 0
    assert failed_info["openid"] == "o-someone"


@pytest.mark.asyncio
async def test_getinfo_refuses_like_wechat(server: TestServer) -> None:
    assert (await getinfo(server, {"verify_result": "unknown"}))["errcode"] == 40097
    assert (await getinfo(server, {}))["errcode"] == 40097
    assert (await getinfo(server, {"verify_result": "x"}, access_token="1.forged"))["errcode"] == 40001
    both = await server.post("/_sandbox/wechat/face-checks",
                             json={"user": "alice", "openid": "o", "name": "张三丰", "id_number": VALID_ID})
    assert (both.status, both.error_code) == (422, "validation_failed")
    neither = await server.post("/_sandbox/wechat/face-checks", json={"name": "张三丰", "id_number": VALID_ID})
    assert neither.status == 422


@pytest.mark.asyncio
async def test_a_certification_passes_only_once_the_control_says_so(server: TestServer) -> None:
    method = "alipay.user.certify.open.initialize"
    created = await gateway(server, method, initialize_biz())
    assert created["code"] == "10000"
    certify_id = created["certify_id"]
    assert (await gateway(server, method, initialize_biz()))["certify_id"] == certify_id  # same order, same id
    query = "alipay.user.certify.open.query"
    assert (await gateway(server, query, {"certify_id": certify_id}))["passed"] == "F"

    path = f"/_sandbox/alipay/certifications/{certify_id}"
    assert (await server.post(path, json={"passed": False})).status == 204
    assert (await gateway(server, query, {"certify_id": certify_id}))["passed"] == "F"
    assert (await server.post(path, json={"passed": True})).status == 204
    passed = await gateway(server, query, {"certify_id": certify_id})
    assert passed["passed"] == "T"
    assert "identity_info" in passed

    unknown = await server.post("/_sandbox/alipay/certifications/nope", json={"passed": True})
    assert (unknown.status, unknown.error_code) == (404, "certification_not_found")
    missing = await gateway(server, query, {"certify_id": "nope"})
    assert missing["code"] == "40004"


@pytest.mark.asyncio
@pytest.mark.parametrize("overrides", [
    {"outer_order_no": "not/alnum"},
    {"biz_code": "SMS"},
    {"identity_param": {"identity_type": "CERT_INFO", "cert_type": "IDENTITY_CARD", "cert_name": "张三丰"}},
    {"merchant_config": {}},
])
async def test_initialize_refuses_incomplete_requests(server: TestServer, overrides: dict[str, Any]) -> None:
    node = await gateway(server, "alipay.user.certify.open.initialize", initialize_biz(**overrides))
    assert node["code"] in ("40001", "40002")
    assert "certify_id" not in node
