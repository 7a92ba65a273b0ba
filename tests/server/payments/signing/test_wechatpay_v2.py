"""WeChat Pay v2 ``sign`` against the vectors md §1."""

from __future__ import annotations

import pytest

from server.payments.signing.errors import WechatpayV2BadSignature
from server.payments.signing.wechatpay_v2 import (
    sign_wechatpay_v2,
    verify_wechatpay_v2_sign,
    wechatpay_v2_sign_content,
)
from tests.server.payments.signing.vectors import (
    V2_API_KEY,
    V2_FIELDS,
    V2_HMAC_SHA256_SIGN,
    V2_MD5_SIGN,
    V2_REQUEST_XML,
    V2_STRING_A,
)


def test_string_a_of_the_doc_example():
    assert wechatpay_v2_sign_content(V2_FIELDS) == V2_STRING_A


def test_md5_and_hmac_sha256_signs_of_the_doc_example():
    assert sign_wechatpay_v2(V2_FIELDS, V2_API_KEY) == V2_MD5_SIGN
    assert sign_wechatpay_v2(V2_FIELDS, V2_API_KEY, "MD5") == V2_MD5_SIGN
    assert sign_wechatpay_v2(V2_FIELDS, V2_API_KEY, "HMAC-SHA256") == V2_HMAC_SHA256_SIGN
    assert f"<sign>{V2_MD5_SIGN}</sign>" in V2_REQUEST_XML


@pytest.mark.parametrize(("sign_type", "sign"), [("MD5", V2_MD5_SIGN), ("HMAC-SHA256", V2_HMAC_SHA256_SIGN)])
def test_signed_fields_verify(sign_type, sign):
    verify_wechatpay_v2_sign({**V2_FIELDS, "sign": sign}, V2_API_KEY, sign_type)
    verify_wechatpay_v2_sign({**V2_FIELDS, "sign": sign.lower()}, V2_API_KEY, sign_type)


def test_empty_values_are_left_out():
    padded = {**V2_FIELDS, "attach": "", "detail": None}
    assert wechatpay_v2_sign_content(padded) == V2_STRING_A
    verify_wechatpay_v2_sign({**padded, "sign": V2_MD5_SIGN}, V2_API_KEY, "MD5")


def test_unknown_fields_are_signed_like_any_other():
    extended = {**V2_FIELDS, "new_field_2030": "yes"}
    signed = {**extended, "sign": sign_wechatpay_v2(extended, V2_API_KEY, "HMAC-SHA256")}
    verify_wechatpay_v2_sign(signed, V2_API_KEY, "HMAC-SHA256")
    with pytest.raises(WechatpayV2BadSignature):
        verify_wechatpay_v2_sign({**extended, "sign": V2_HMAC_SHA256_SIGN}, V2_API_KEY, "HMAC-SHA256")


def test_names_sort_by_ascii_and_sign_type_is_signed():
    assert wechatpay_v2_sign_content({"a": "1", "B": "2", "sign": "X", "sign_type": "MD5"}) == "B=2&a=1&sign_type=MD5"


@pytest.mark.parametrize(
    ("fields", "api_key", "sign_type"),
    [
        ({**V2_FIELDS, "sign": V2_MD5_SIGN}, "192006250b4c09247ec02edce69f6a2e", "MD5"),
        ({**V2_FIELDS, "sign": V2_MD5_SIGN}, V2_API_KEY, "HMAC-SHA256"),
        ({**V2_FIELDS, "sign": V2_HMAC_SHA256_SIGN}, V2_API_KEY, "MD5"),
        ({**V2_FIELDS, "body": "test2", "sign": V2_MD5_SIGN}, V2_API_KEY, "MD5"),
        ({**V2_FIELDS, "sign_type": "MD5", "sign": V2_MD5_SIGN}, V2_API_KEY, "MD5"),
        (V2_FIELDS, V2_API_KEY, "MD5"),
        ({**V2_FIELDS, "sign": ""}, V2_API_KEY, "MD5"),
        ({**V2_FIELDS, "sign": "签名"}, V2_API_KEY, "MD5"),
        ({**V2_FIELDS, "sign": V2_MD5_SIGN}, V2_API_KEY, "SHA1"),
    ],
    ids=["wrong-key", "md5-sign-as-hmac", "hmac-sign-as-md5", "tampered", "added-field", "no-sign", "empty-sign",
         "non-ascii-sign", "unknown-sign-type"],
)
def test_refusals(fields, api_key, sign_type):
    with pytest.raises(WechatpayV2BadSignature) as caught:
        verify_wechatpay_v2_sign(fields, api_key, sign_type)
    assert caught.value.code == "wechatpay_v2_bad_signature"
    assert caught.value.status == 400


def test_signing_with_an_unknown_sign_type_is_a_programming_error():
    with pytest.raises(ValueError, match="sign_type"):
        sign_wechatpay_v2(V2_FIELDS, V2_API_KEY, "SHA1")  # type: ignore[arg-type]
