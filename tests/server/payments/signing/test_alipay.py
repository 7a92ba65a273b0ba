"""Alipay RSA2 against the vectors md §3 (official Node SDK test file) plus round trips."""

from __future__ import annotations

import json

import pytest
import rsa
from alipay.aop.api.util.SignatureUtils import sign_with_rsa, sign_with_rsa2, verify_with_rsa
from cryptography.hazmat.primitives import serialization

from server.payments.signing.alipay import (
    alipay_response_node_name,
    alipay_response_sign_content,
    alipay_sign_content,
    build_alipay_response,
    sign_alipay_notify,
    sign_alipay_request,
    verify_alipay_notify,
    verify_alipay_response,
)
from server.payments.signing.errors import AlipayBadSignature, AlipayUnsupportedSignType, PaymentSignatureError
from server.payments.signing.rsa_keys import load_rsa_public_key, sha256_rsa_verify
from tests.server.payments.signing.factories import rsa_keypair
from tests.server.payments.signing.vectors import (
    ALIPAY_FILE_UPLOAD_METHOD,
    ALIPAY_FILE_UPLOAD_NODE,
    ALIPAY_FILE_UPLOAD_RESPONSE,
    ALIPAY_FOREIGN_TRADE_NOTIFY,
    ALIPAY_GATEWAY_PUBLIC_KEY_PEM,
    ALIPAY_IMAGE_SIGN,
    ALIPAY_IMAGE_UPLOAD_METHOD,
    ALIPAY_NODE_EXTRACTION_CASES,
    ALIPAY_NOTIFY_PUBLIC_KEY_V1,
    ALIPAY_NOTIFY_PUBLIC_KEY_V2_PEM,
    ALIPAY_SERVICE_MARKET_NOTIFY,
    ALIPAY_SERVICE_MARKET_NOTIFY_SIGN_CONTENT,
    ALIPAY_TRADE_NOTIFY,
    ALIPAY_TRADE_NOTIFY_SIGN_CONTENT,
)


def key_v1():
    return load_rsa_public_key(ALIPAY_NOTIFY_PUBLIC_KEY_V1)


def key_v2():
    return load_rsa_public_key(ALIPAY_NOTIFY_PUBLIC_KEY_V2_PEM)


def pkcs1_bare(name: str) -> str:
    private_key, _ = rsa_keypair(name)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def public_pem(name: str) -> str:
    _, public_key = rsa_keypair(name)
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


# --- signing strings ---


def test_signing_strings_of_both_published_notifications():
    assert alipay_sign_content(ALIPAY_TRADE_NOTIFY, drop_sign_type=True) == ALIPAY_TRADE_NOTIFY_SIGN_CONTENT
    assert (
        alipay_sign_content(ALIPAY_SERVICE_MARKET_NOTIFY, drop_sign_type=False)
        == ALIPAY_SERVICE_MARKET_NOTIFY_SIGN_CONTENT
    )


def test_request_signing_string_of_the_doc_example_keeps_sign_type_and_drops_empty_values():
    params = {
        "version": "1.0",
        "timestamp": "2014-07-24 03:07:50",
        "sign_type": "RSA2",
        "method": "alipay.mobile.public.menu.add",
        "charset": "GBK",
        "biz_content": '{"button":[…]}',
        "app_id": "2014072300007148",
        "sign": "not part of it",
        "notify_url": "",
    }
    assert alipay_sign_content(params, drop_sign_type=False) == (
        'app_id=2014072300007148&biz_content={"button":[…]}&charset=GBK&method=alipay.mobile.public.menu.add'
        "&sign_type=RSA2&timestamp=2014-07-24 03:07:50&version=1.0"
    )


# --- (A) and (B) ---


def test_trade_notify_signed_without_sign_type_verifies_with_or_without_sign_type_posted():
    verify_alipay_notify(ALIPAY_TRADE_NOTIFY, key_v1())
    verify_alipay_notify({k: v for k, v in ALIPAY_TRADE_NOTIFY.items() if k != "sign_type"}, key_v1())


def test_service_market_notify_signed_with_sign_type_verifies():
    verify_alipay_notify(ALIPAY_SERVICE_MARKET_NOTIFY, key_v2())


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({**ALIPAY_SERVICE_MARKET_NOTIFY, "service_code": "58621634111"}, key_v2),
        ({**ALIPAY_TRADE_NOTIFY, "total_amount": "100.10"}, key_v1),
        ({**ALIPAY_TRADE_NOTIFY, "extra": "injected"}, key_v1),
        (ALIPAY_FOREIGN_TRADE_NOTIFY, key_v1),
        (ALIPAY_TRADE_NOTIFY, key_v2),
        ({**ALIPAY_TRADE_NOTIFY, "sign": "not base64!"}, key_v1),
        ({**ALIPAY_TRADE_NOTIFY, "sign": ""}, key_v1),
        ({k: v for k, v in ALIPAY_TRADE_NOTIFY.items() if k != "sign"}, key_v1),
    ],
    ids=["service-code-tampered", "amount-tampered", "field-added", "verify-fail", "wrong-key", "garbage-sign",
         "empty-sign", "no-sign"],
)
def test_tampered_foreign_and_unsigned_notifications_are_refused(params, key):
    with pytest.raises(AlipayBadSignature) as caught:
        verify_alipay_notify(params, key())
    assert caught.value.code == "alipay_bad_signature"
    assert caught.value.status == 400
    assert isinstance(caught.value, PaymentSignatureError)


def test_the_tampered_service_market_notify_fails_both_ways():
    tampered = {**ALIPAY_SERVICE_MARKET_NOTIFY, "service_code": "58621634111"}
    for drop_sign_type in (True, False):
        content = alipay_sign_content(tampered, drop_sign_type=drop_sign_type).encode()
        assert not sha256_rsa_verify(key_v2(), content, tampered["sign"])


@pytest.mark.parametrize("sign_type", ["RSA", "rsa2", "SHA256", "SM2"])
def test_sign_types_other_than_rsa2_are_refused(sign_type: str):
    with pytest.raises(AlipayUnsupportedSignType) as caught:
        verify_alipay_notify({**ALIPAY_TRADE_NOTIFY, "sign_type": sign_type}, key_v1())
    assert caught.value.code == "alipay_unsupported_sign_type"
    assert isinstance(caught.value, AlipayBadSignature)


def test_a_sha1_signature_that_the_official_sdk_accepts_is_refused():
    params = {"app_id": "2021000000000000", "out_trade_no": "YW202611230001", "total_amount": "80.00"}
    sha1_sign = sign_with_rsa(pkcs1_bare("alipay"), alipay_sign_content(params, drop_sign_type=True), "utf-8")
    # The SDK verifies whatever hash the signature names, so SHA-1 passes where RSA2 was configured.
    assert verify_with_rsa(public_pem("alipay"), alipay_sign_content(params, drop_sign_type=True).encode(), sha1_sign)
    _, alipay_public = rsa_keypair("alipay")
    with pytest.raises(AlipayUnsupportedSignType):
        verify_alipay_notify({**params, "sign": sha1_sign, "sign_type": "RSA"}, alipay_public)
    with pytest.raises(AlipayBadSignature):
        verify_alipay_notify({**params, "sign": sha1_sign, "sign_type": "RSA2"}, alipay_public)
    with pytest.raises(rsa.VerificationError):  # and it raises rather than returning False
        verify_with_rsa(public_pem("alipay"), b"tampered", sha1_sign)


# --- round trips ---


def test_notify_round_trip_with_generated_keys():
    alipay_private, alipay_public = rsa_keypair("alipay")
    params = {
        "notify_type": "trade_status_sync",
        "out_trade_no": "YW202611230001",
        "total_amount": "80.00",
        "subject": "不动产登记费 & 工本费",
        "sign_type": "RSA2",
        "charset": "utf-8",
    }
    signed = {**params, "sign": sign_alipay_notify(params, alipay_private)}
    verify_alipay_notify(signed, alipay_public)
    with pytest.raises(AlipayBadSignature):
        verify_alipay_notify({**signed, "total_amount": "0.01"}, alipay_public)


def test_request_signature_includes_sign_type_and_matches_the_official_sdk():
    app_private, app_public = rsa_keypair("app")
    params = {
        "app_id": "2021000000000000",
        "method": "alipay.trade.create",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": "2026-11-23 09:00:00",
        "version": "1.0",
        "biz_content": '{"out_trade_no":"YW202611230001","total_amount":"80.00","subject":"不动产登记费"}',
    }
    sign = sign_alipay_request(params, app_private)
    content = alipay_sign_content(params, drop_sign_type=False)
    assert "sign_type=RSA2" in content
    assert sha256_rsa_verify(app_public, content.encode(), sign)
    assert sign == sign_with_rsa2(pkcs1_bare("app"), content, "utf-8")


@pytest.mark.parametrize("sign_type", [None, "RSA"])
def test_requests_must_be_rsa2(sign_type):
    app_private, _ = rsa_keypair("app")
    params = {"app_id": "2021000000000000", "method": "alipay.trade.create"}
    if sign_type:
        params["sign_type"] = sign_type
    with pytest.raises(ValueError, match="RSA2"):
        sign_alipay_request(params, app_private)


# --- gateway responses ---


def test_real_gateway_response_verifies_and_returns_the_exact_node_text():
    gateway_key = load_rsa_public_key(ALIPAY_GATEWAY_PUBLIC_KEY_PEM)
    content = verify_alipay_response(ALIPAY_FILE_UPLOAD_RESPONSE, ALIPAY_FILE_UPLOAD_METHOD, gateway_key)
    assert content == ALIPAY_FILE_UPLOAD_NODE
    assert json.loads(content)["file_id"] == "CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"


def test_node_text_is_taken_raw_whatever_the_whitespace_or_a_sign_inside_the_data():
    for response_text, node in ALIPAY_NODE_EXTRACTION_CASES:
        assert alipay_response_sign_content(response_text, ALIPAY_IMAGE_UPLOAD_METHOD) == (node, ALIPAY_IMAGE_SIGN)


@pytest.mark.parametrize(
    ("response_text", "key_pem"),
    [
        (ALIPAY_FILE_UPLOAD_RESPONSE.replace('"msg":"Success"', '"msg": "Success"'), ALIPAY_GATEWAY_PUBLIC_KEY_PEM),
        (ALIPAY_FILE_UPLOAD_RESPONSE.replace("CAxATo", "CAxATp"), ALIPAY_GATEWAY_PUBLIC_KEY_PEM),
        (ALIPAY_FILE_UPLOAD_RESPONSE, ALIPAY_NOTIFY_PUBLIC_KEY_V2_PEM),
    ],
    ids=["respaced-inside-the-node", "tampered", "wrong-key"],
)
def test_changed_responses_are_refused(response_text, key_pem):
    with pytest.raises(AlipayBadSignature):
        verify_alipay_response(response_text, ALIPAY_FILE_UPLOAD_METHOD, load_rsa_public_key(key_pem))


def test_response_whitespace_outside_the_node_does_not_matter():
    spaced = ALIPAY_FILE_UPLOAD_RESPONSE.replace(
        '{"alipay_open_file_upload_response":', '\n{ "alipay_open_file_upload_response" :\n'
    )
    spaced = spaced.replace(',"sign":', ' ,\r\n\t"sign" : ') + "\n"
    gateway_key = load_rsa_public_key(ALIPAY_GATEWAY_PUBLIC_KEY_PEM)
    assert verify_alipay_response(spaced, ALIPAY_FILE_UPLOAD_METHOD, gateway_key) == ALIPAY_FILE_UPLOAD_NODE


def test_response_round_trip_with_generated_keys_and_error_response_fallback():
    alipay_private, alipay_public = rsa_keypair("alipay")
    node = (
        '{"code":"10000","msg":"Success","user_id":"2088102104794936","access_token":"authusrB",'
        '"url":"http:\\/\\/x"}'
    )
    text = build_alipay_response("alipay.system.oauth.token", node, alipay_private)
    assert text.startswith('{"alipay_system_oauth_token_response":')
    assert verify_alipay_response(text, "alipay.system.oauth.token", alipay_public) == node
    error_node = '{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid","sub_msg":"授权码code无效"}'
    error_text = f'{{"error_response":{error_node},"sign":"{build_sign(error_node)}"}}'
    assert verify_alipay_response(error_text, "alipay.system.oauth.token", alipay_public) == error_node


def build_sign(node: str) -> str:
    alipay_private, _ = rsa_keypair("alipay")
    text = build_alipay_response("any", node, alipay_private)
    return json.loads(text)["sign"]


@pytest.mark.parametrize(
    "response_text",
    [
        "",
        "not json",
        "[]",
        '{"alipay_system_oauth_token_response":{"code":"10000"}}',
        '{"error_response":{"code":"20000","msg":"Service Currently Unavailable"}}',
        '{"alipay_system_oauth_token_response":{"code":"10000"},"sign":""}',
        '{"alipay_system_oauth_token_response":{"code":"10000"},"sign":123}',
        '{"other_response":{"code":"10000"},"sign":"QUJD"}',
        '{"alipay_system_oauth_token_response":{"code":"10000"},"sign":"QUJD"} trailing',
        '{"alipay_system_oauth_token_response":{"code":"10000"},"alipay_system_oauth_token_response":{},"sign":"QUJD"}',
        '{"alipay_system_oauth_token_response":{"code":"10000"} "sign":"QUJD"}',
        '{"alipay_system_oauth_token_response" {"code":"10000"},"sign":"QUJD"}',
        '{"alipay_system_oauth_token_response":{"code":"10000"},"sign":"QUJD"',
        '{alipay_system_oauth_token_response:{"code":"10000"},"sign":"QUJD"}',
    ],
)
def test_malformed_or_unsigned_responses_are_refused(response_text: str):
    _, alipay_public = rsa_keypair("alipay")
    with pytest.raises(AlipayBadSignature):
        verify_alipay_response(response_text, "alipay.system.oauth.token", alipay_public)


def test_response_node_name():
    assert alipay_response_node_name("alipay.system.oauth.token") == "alipay_system_oauth_token_response"
