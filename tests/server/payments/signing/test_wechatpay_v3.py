"""WeChat Pay v3 against the vectors md §2a–§2d (wechatpay-go test files) plus round trips."""

from __future__ import annotations

import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from wechatpayv3.utils import rsa_sign

from server.errors import BadRequest
from server.payments.signing.errors import (
    PaymentSignatureError,
    WechatpayBadSignature,
    WechatpayDecryptFailed,
    WechatpaySignatureMissing,
    WechatpayTimestampOutOfWindow,
    WechatpayUnknownSerial,
)
from server.payments.signing.rsa_keys import load_certificate_key, load_rsa_private_key, sha256_rsa_verify
from server.payments.signing.wechatpay_v3 import (
    build_wechatpay_authorization,
    build_wechatpay_signature_headers,
    decrypt_wechatpay_resource,
    encrypt_wechatpay_resource,
    jsapi_pay_params,
    parse_wechatpay_authorization,
    sign_wechatpay_message,
    verify_wechatpay_authorization,
    verify_wechatpay_callback,
)
from tests.server.payments.signing.factories import rsa_keypair
from tests.server.payments.signing.vectors import (
    AES_ASSOCIATED_DATA,
    AES_CIPHERTEXT,
    AES_KEY,
    AES_NONCE,
    AES_PLAINTEXT,
    NOTIFY_API_V3_KEY,
    NOTIFY_BODY,
    NOTIFY_CIPHERTEXT,
    NOTIFY_HEADERS,
    NOTIFY_PLAINTEXT,
    NOTIFY_RESOURCE_ASSOCIATED_DATA,
    NOTIFY_RESOURCE_NONCE,
    NOTIFY_TIME,
    WECHATPAY_GO_PLATFORM_CERTIFICATE_PEM,
    WECHATPAY_GO_PLATFORM_SERIAL,
    WECHATPAY_GO_SOURCE_MESSAGE,
    WECHATPAY_GO_SOURCE_SIGNATURE,
    WECHATPAY_GO_TEST_PRIVATE_KEY_PEM,
)


def go_test_key():
    return load_rsa_private_key(WECHATPAY_GO_TEST_PRIVATE_KEY_PEM)


def platform_keys() -> dict[str, RSAPublicKey]:
    certificate = load_certificate_key(WECHATPAY_GO_PLATFORM_CERTIFICATE_PEM)
    return {certificate.serial_no: certificate.public_key}


def frozen(moment: float):
    return lambda: moment


def verify_vector(headers=None, body=NOTIFY_BODY, keys=None, now=NOTIFY_TIME, window_seconds=300) -> None:
    verify_wechatpay_callback(
        NOTIFY_HEADERS if headers is None else headers,
        body,
        platform_keys() if keys is None else keys,
        frozen(now),
        window_seconds=window_seconds,
    )


# --- §2b ---


def test_sha256_with_rsa_matches_the_published_signature():
    assert sign_wechatpay_message(go_test_key(), WECHATPAY_GO_SOURCE_MESSAGE) == WECHATPAY_GO_SOURCE_SIGNATURE
    assert sign_wechatpay_message(go_test_key(), b"source") == WECHATPAY_GO_SOURCE_SIGNATURE
    assert rsa_sign(go_test_key(), "source") == WECHATPAY_GO_SOURCE_SIGNATURE  # wechatpayv3 agrees


# --- §2c ---


def test_published_callback_verifies_at_its_time_and_decrypts_to_the_exact_plaintext():
    verify_vector()
    resource = json.loads(NOTIFY_BODY)["resource"]
    assert resource["ciphertext"] == NOTIFY_CIPHERTEXT
    plaintext = decrypt_wechatpay_resource(
        NOTIFY_API_V3_KEY, resource["nonce"], resource["associated_data"], resource["ciphertext"]
    )
    assert plaintext == NOTIFY_PLAINTEXT


def test_the_platform_side_reproduces_the_published_callback_signature_and_ciphertext():
    headers = build_wechatpay_signature_headers(
        go_test_key(), WECHATPAY_GO_PLATFORM_SERIAL, NOTIFY_BODY, NOTIFY_TIME, NOTIFY_HEADERS["Wechatpay-Nonce"]
    )
    assert headers["Wechatpay-Signature"] == NOTIFY_HEADERS["Wechatpay-Signature"]
    assert headers["Wechatpay-Serial"] == NOTIFY_HEADERS["Wechatpay-Serial"]
    ciphertext = encrypt_wechatpay_resource(
        NOTIFY_API_V3_KEY, NOTIFY_RESOURCE_NONCE, NOTIFY_RESOURCE_ASSOCIATED_DATA, NOTIFY_PLAINTEXT
    )
    assert ciphertext == NOTIFY_CIPHERTEXT


def test_header_names_and_serial_case_do_not_matter():
    lowered = {name.lower(): value for name, value in NOTIFY_HEADERS.items()}
    verify_vector(headers=lowered)
    verify_vector(keys={serial.lower(): key for serial, key in platform_keys().items()})


def test_published_callback_is_refused_by_the_real_clock():
    with pytest.raises(WechatpayTimestampOutOfWindow) as caught:
        verify_wechatpay_callback(NOTIFY_HEADERS, NOTIFY_BODY, platform_keys(), time.time)
    assert caught.value.code == "wechatpay_timestamp_out_of_window"
    assert caught.value.status == 400


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_window_edges_are_inside(offset: int):
    verify_vector(now=NOTIFY_TIME + offset)


@pytest.mark.parametrize("offset", [-301, 301, 86400])
def test_outside_the_window_is_refused(offset: int):
    with pytest.raises(WechatpayTimestampOutOfWindow):
        verify_vector(now=NOTIFY_TIME + offset)


def test_window_is_configurable():
    verify_vector(now=NOTIFY_TIME + 900, window_seconds=900)
    with pytest.raises(WechatpayTimestampOutOfWindow):
        verify_vector(now=NOTIFY_TIME + 61, window_seconds=60)


def test_unknown_serial_is_refused():
    with pytest.raises(WechatpayUnknownSerial) as caught:
        verify_vector(headers={**NOTIFY_HEADERS, "Wechatpay-Serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"})
    assert caught.value.code == "wechatpay_unknown_serial"
    with pytest.raises(WechatpayUnknownSerial):
        verify_vector(keys={})


@pytest.mark.parametrize(
    "missing", ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial", "Wechatpay-Signature"]
)
def test_each_missing_or_empty_header_is_refused(missing: str):
    without = {name: value for name, value in NOTIFY_HEADERS.items() if name != missing}
    with pytest.raises(WechatpaySignatureMissing) as caught:
        verify_vector(headers=without)
    assert caught.value.code == "wechatpay_signature_missing"
    with pytest.raises(WechatpaySignatureMissing):
        verify_vector(headers={**NOTIFY_HEADERS, missing: " "})


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (NOTIFY_HEADERS, NOTIFY_BODY.replace(b"payscore", b"payscorf", 1)),
        (NOTIFY_HEADERS, NOTIFY_BODY + b"\n"),
        (NOTIFY_HEADERS, json.dumps(json.loads(NOTIFY_BODY), ensure_ascii=False).encode()),  # re-serialised
        ({**NOTIFY_HEADERS, "Wechatpay-Nonce": "EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBZ"}, NOTIFY_BODY),
        ({**NOTIFY_HEADERS, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/" + "A" * 300}, NOTIFY_BODY),
        ({**NOTIFY_HEADERS, "Wechatpay-Signature": NOTIFY_HEADERS["Wechatpay-Signature"][:-4] + "AAA="}, NOTIFY_BODY),
        ({**NOTIFY_HEADERS, "Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3"}, NOTIFY_BODY),
    ],
    ids=["tampered-body", "extra-newline", "reserialised", "nonce", "signtest-probe", "signature", "sm2-type"],
)
def test_anything_changed_is_a_bad_signature(headers, body):
    with pytest.raises(WechatpayBadSignature) as caught:
        verify_vector(headers=headers, body=body)
    assert caught.value.code == "wechatpay_bad_signature"
    assert isinstance(caught.value, PaymentSignatureError)
    assert isinstance(caught.value, BadRequest)


def test_the_timestamp_is_part_of_the_signature():
    # Moving both the header and the clock keeps the window happy, so only the signature can catch it.
    with pytest.raises(WechatpayBadSignature):
        verify_vector(headers={**NOTIFY_HEADERS, "Wechatpay-Timestamp": str(NOTIFY_TIME + 1)}, now=NOTIFY_TIME + 1)


@pytest.mark.parametrize("timestamp", ["1624523846.0", "-1624523846", "abc", "１６２４５２３８４６"])
def test_malformed_timestamps_are_refused(timestamp: str):
    with pytest.raises(WechatpayTimestampOutOfWindow):
        verify_vector(headers={**NOTIFY_HEADERS, "Wechatpay-Timestamp": timestamp})


def test_round_trip_with_the_real_clock_and_a_generated_platform_key():
    platform_private, platform_public = rsa_keypair("wechat-platform")
    body = '{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS","summary":"支付成功"}'.encode()
    now = int(time.time())
    headers = build_wechatpay_signature_headers(platform_private, "PUB_KEY_ID_0114232135", body, now, "nonce-1")
    verify_wechatpay_callback(headers, body, {"PUB_KEY_ID_0114232135": platform_public}, time.time)
    stale = build_wechatpay_signature_headers(platform_private, "PUB_KEY_ID_0114232135", body, now - 600, "nonce-1")
    with pytest.raises(WechatpayTimestampOutOfWindow):
        verify_wechatpay_callback(stale, body, {"PUB_KEY_ID_0114232135": platform_public}, time.time)
    _, other_public = rsa_keypair("other")
    with pytest.raises(WechatpayBadSignature):
        verify_wechatpay_callback(headers, body, {"PUB_KEY_ID_0114232135": other_public}, time.time)


# --- §2d ---


def test_aes_gcm_vector_decrypts_and_encrypts():
    assert decrypt_wechatpay_resource(AES_KEY, AES_NONCE, AES_ASSOCIATED_DATA, AES_CIPHERTEXT) == AES_PLAINTEXT
    assert encrypt_wechatpay_resource(AES_KEY, AES_NONCE, AES_ASSOCIATED_DATA, AES_PLAINTEXT) == AES_CIPHERTEXT


@pytest.mark.parametrize(
    ("key", "nonce", "associated_data", "ciphertext"),
    [
        (AES_KEY, AES_NONCE, AES_ASSOCIATED_DATA, "invalid cipher"),
        (AES_KEY, AES_NONCE, AES_ASSOCIATED_DATA, "SGVsbG8gV29ybGQK"),
        (b"not a aes key", AES_NONCE, AES_ASSOCIATED_DATA, AES_CIPHERTEXT),
        (b"testAPIv3Key1111", AES_NONCE, AES_ASSOCIATED_DATA, AES_CIPHERTEXT),
        (AES_KEY, AES_NONCE, AES_ASSOCIATED_DATA + "x", AES_CIPHERTEXT),
        (AES_KEY, "wCq51qZv4Yfh", AES_ASSOCIATED_DATA, AES_CIPHERTEXT),
        (AES_KEY, "", AES_ASSOCIATED_DATA, AES_CIPHERTEXT),
        (AES_KEY, AES_NONCE, AES_ASSOCIATED_DATA, ""),
    ],
    ids=["bad-base64", "auth-fails", "not-an-aes-key", "wrong-key", "wrong-aad", "wrong-nonce", "empty-nonce", "empty"],
)
def test_every_decryption_failure_is_one_error(key, nonce, associated_data, ciphertext):
    with pytest.raises(WechatpayDecryptFailed) as caught:
        decrypt_wechatpay_resource(key, nonce, associated_data, ciphertext)
    assert caught.value.code == "wechatpay_decrypt_failed"
    assert caught.value.__cause__ is None


def test_real_length_key_round_trip():
    key = b"0123456789abcdef0123456789abcdef"
    ciphertext = encrypt_wechatpay_resource(key, "fdasflkja484", "transaction", "支付成功".encode())
    assert decrypt_wechatpay_resource(key, "fdasflkja484", "transaction", ciphertext) == "支付成功".encode()


# --- §2a requests, and the sandbox's side of them ---


def test_authorization_header_signs_the_documented_five_line_message():
    key = go_test_key()
    header = build_wechatpay_authorization(
        "1900009191", "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB", key, "get", "/v3/certificates", "",
        1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    expected_signature = sign_wechatpay_message(
        key, "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
    )
    assert header == (
        'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",'
        f'signature="{expected_signature}",timestamp="1554208460",'
        'serial_no="408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB"'
    )
    assert sha256_rsa_verify(
        key.public_key(), b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n", expected_signature
    )


def test_authorization_round_trip_through_the_sandbox_side():
    merchant_private, merchant_public = rsa_keypair("merchant")
    body = '{"appid":"wxd678efh567hg6787","description":"不动产登记费","amount":{"total":8000}}'
    now = int(time.time())
    header = build_wechatpay_authorization(
        "1230000109", "MERCHANT-SERIAL", merchant_private, "POST", "/v3/pay/transactions/jsapi", body, now, "n0nce"
    )
    keys = {"MERCHANT-SERIAL": merchant_public}
    parsed = verify_wechatpay_authorization(
        header, "POST", "/v3/pay/transactions/jsapi", body.encode(), keys, time.time
    )
    assert (parsed.mchid, parsed.serial_no, parsed.nonce, parsed.timestamp) == (
        "1230000109", "MERCHANT-SERIAL", "n0nce", now
    )
    for method, path, sent in [
        ("GET", "/v3/pay/transactions/jsapi", body),
        ("POST", "/v3/pay/transactions/jsapi?x=1", body),
        ("POST", "/v3/pay/transactions/jsapi", body.replace("8000", "1")),
    ]:
        with pytest.raises(WechatpayBadSignature):
            verify_wechatpay_authorization(header, method, path, sent, keys, time.time)
    with pytest.raises(WechatpayTimestampOutOfWindow):
        verify_wechatpay_authorization(header, "POST", "/v3/pay/transactions/jsapi", body, keys, lambda: now + 301)
    with pytest.raises(WechatpayUnknownSerial):
        verify_wechatpay_authorization(header, "POST", "/v3/pay/transactions/jsapi", body, {}, time.time)


@pytest.mark.parametrize(
    "header",
    [
        "",
        'Bearer mchid="1"',
        'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s"',
        'WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",signature="x",timestamp="1",serial_no="s"',
        'WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n",signature="x",timestamp="1",serial_no="s"',
    ],
)
def test_malformed_authorization_headers_are_refused(header: str):
    with pytest.raises(PaymentSignatureError):
        parse_wechatpay_authorization(header)


def test_jsapi_pay_params_for_wx_request_payment():
    key = go_test_key()
    params = jsapi_pay_params(
        "wx8888888888888888", "wx201410272009395522657a690389285100", key, 1414561699,
        "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    )
    assert set(params) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert params["timeStamp"] == "1414561699"
    assert params["nonceStr"] == "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
    assert params["package"] == "prepay_id=wx201410272009395522657a690389285100"
    assert params["signType"] == "RSA"
    message = (
        b"wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n"
        b"prepay_id=wx201410272009395522657a690389285100\n"
    )
    assert sha256_rsa_verify(key.public_key(), message, params["paySign"])
    assert params["paySign"] == rsa_sign(key, message.decode())
