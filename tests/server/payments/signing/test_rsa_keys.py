from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from alipay.aop.api.util.SignatureUtils import sign_with_rsa2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from wechatpayv3.utils import rsa_sign

from server.payments.signing.rsa_keys import (
    load_certificate_key,
    load_rsa_private_key,
    load_rsa_public_key,
    sha256_rsa_sign,
    sha256_rsa_verify,
)
from tests.server.payments.signing.factories import rsa_keypair, rsa_keypair_pem
from tests.server.payments.signing.vectors import (
    ALIPAY_NOTIFY_PUBLIC_KEY_V1,
    WECHATPAY_GO_PLATFORM_CERTIFICATE_PEM,
    WECHATPAY_GO_PLATFORM_SERIAL,
    WECHATPAY_GO_TEST_PRIVATE_KEY_PEM,
)


def pem_body(pem: bytes) -> str:
    return "".join(line for line in pem.decode().splitlines() if not line.startswith("-----"))


def private_key_texts(name: str) -> dict[str, str]:
    key, _ = rsa_keypair(name)
    pkcs1 = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    pkcs8 = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        "pkcs1_pem": pkcs1.decode(),
        "pkcs8_pem": pkcs8.decode(),
        "pkcs1_bare": pem_body(pkcs1),
        "pkcs8_bare": pem_body(pkcs8),
        "pkcs8_bare_wrapped": "\n".join(pkcs8.decode().splitlines()[1:-1]) + "\n",
    }


@pytest.mark.parametrize("form", ["pkcs1_pem", "pkcs8_pem", "pkcs1_bare", "pkcs8_bare", "pkcs8_bare_wrapped"])
def test_private_keys_load_in_every_form_merchants_paste(form: str):
    expected, _ = rsa_keypair("forms")
    loaded = load_rsa_private_key(private_key_texts("forms")[form])
    assert loaded.private_numbers() == expected.private_numbers()
    assert load_rsa_private_key(private_key_texts("forms")[form].encode()).private_numbers() == loaded.private_numbers()


def test_public_keys_load_as_spki_pem_bare_base64_pkcs1_pem_and_certificate():
    _, expected = rsa_keypair("forms")
    spki_pem = rsa_keypair_pem("forms")[1]
    pkcs1_pem = expected.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    for text in (spki_pem, pem_body(spki_pem.encode()), pkcs1_pem):
        assert load_rsa_public_key(text).public_numbers() == expected.public_numbers()
    wechat_key = load_rsa_private_key(WECHATPAY_GO_TEST_PRIVATE_KEY_PEM)
    from_certificate = load_rsa_public_key(WECHATPAY_GO_PLATFORM_CERTIFICATE_PEM)
    assert from_certificate.public_numbers() == wechat_key.public_key().public_numbers()
    assert load_rsa_public_key(ALIPAY_NOTIFY_PUBLIC_KEY_V1).key_size == 2048


def test_certificate_key_carries_the_serial_wechat_puts_in_headers():
    certificate = load_certificate_key(WECHATPAY_GO_PLATFORM_CERTIFICATE_PEM)
    assert certificate.serial_no == WECHATPAY_GO_PLATFORM_SERIAL
    assert certificate.not_valid_after == datetime(2031, 4, 25, 8, 55, 23, tzinfo=UTC)
    wechat_key = load_rsa_private_key(WECHATPAY_GO_TEST_PRIVATE_KEY_PEM)
    assert certificate.public_key.public_numbers() == wechat_key.public_key().public_numbers()


@pytest.mark.parametrize(
    "text", ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "QUJD"]
)
def test_garbage_is_refused_with_value_error(text: str):
    with pytest.raises(ValueError, match="not"):
        load_rsa_private_key(text)
    with pytest.raises(ValueError, match="not"):
        load_rsa_public_key(text)
    with pytest.raises(ValueError, match="not"):
        load_certificate_key(text)


def test_non_rsa_keys_are_refused():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_private = ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    ec_public = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError, match="not an RSA private key"):
        load_rsa_private_key(ec_private)
    with pytest.raises(ValueError, match="not an RSA public key"):
        load_rsa_public_key(ec_public)


def test_sign_and_verify_round_trip_and_refusals():
    private_key, public_key = rsa_keypair("round-trip")
    _, other_public_key = rsa_keypair("other")
    signature = sha256_rsa_sign(private_key, "签名".encode())
    assert sha256_rsa_verify(public_key, "签名".encode(), signature)
    assert not sha256_rsa_verify(public_key, "签名!".encode(), signature)
    assert not sha256_rsa_verify(other_public_key, "签名".encode(), signature)
    assert not sha256_rsa_verify(public_key, "签名".encode(), "not base64!")
    assert not sha256_rsa_verify(public_key, "签名".encode(), base64.b64encode(b"short").decode())
    assert not sha256_rsa_verify(public_key, "签名".encode(), "签名")


def test_signatures_match_both_official_sdks_byte_for_byte():
    private_key, _ = rsa_keypair("round-trip")
    content = "app_id=2021000000000000&charset=utf-8&sign_type=RSA2&subject=一网通办"
    pkcs1_bare = private_key_texts("round-trip")["pkcs1_bare"]
    assert sha256_rsa_sign(private_key, content.encode()) == sign_with_rsa2(pkcs1_bare, content, "utf-8")
    assert sha256_rsa_sign(private_key, content.encode()) == rsa_sign(private_key, content)
