"""WeChat Pay API v3: request signatures, callback and response verification, resource encryption.

Every signed v3 message is lines joined by and ending with "\\n", signed with SHA256withRSA:
requests ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n`` (merchant key), callbacks and responses
``TIMESTAMP\\nNONCE\\nBODY\\n`` (platform key, named by ``Wechatpay-Serial``). The body is used as the exact
bytes received. Callback resources are AEAD_AES_256_GCM encrypted with the merchant's APIv3 key.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from server.payments.signing.errors import (
    WechatpayBadSignature,
    WechatpayDecryptFailed,
    WechatpaySignatureMissing,
    WechatpayTimestampOutOfWindow,
    WechatpayUnknownSerial,
)
from server.payments.signing.rsa_keys import sha256_rsa_sign, sha256_rsa_verify

AUTHORIZATION_SCHEME = "WECHATPAY2-SHA256-RSA2048"
DEFAULT_WINDOW_SECONDS = 300

_SIGNATURE_HEADERS = ("wechatpay-timestamp", "wechatpay-nonce", "wechatpay-serial", "wechatpay-signature")
_AUTHORIZATION_FIELD = re.compile(r'\s*([a-z_]+)="([^"]*)"\s*(?:,|$)')


@dataclass(frozen=True, slots=True)
class WechatpayAuthorization:
    mchid: str
    serial_no: str
    nonce: str
    timestamp: int
    signature: str


def signed_message(*lines: str | bytes) -> bytes:
    """The v3 message format: every line, the body included, followed by a newline."""
    return b"".join((line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines)


def sign_wechatpay_message(private_key: RSAPrivateKey, message: str | bytes) -> str:
    """Base64 SHA256withRSA of an already assembled message."""
    return sha256_rsa_sign(private_key, message if isinstance(message, bytes) else message.encode())


def build_wechatpay_authorization(
    mchid: str,
    serial_no: str,
    private_key: RSAPrivateKey,
    method: str,
    url_path_with_query: str,
    body: str | bytes,
    timestamp: int,
    nonce: str,
) -> str:
    """The ``Authorization`` header of a v3 API request; ``body`` must be the exact bytes sent ("" for GET)."""
    message = signed_message(method.upper(), url_path_with_query, str(timestamp), nonce, body)
    signature = sign_wechatpay_message(private_key, message)
    return (
        f'{AUTHORIZATION_SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def verify_wechatpay_authorization(
    authorization: str,
    method: str,
    url_path_with_query: str,
    body: str | bytes,
    merchant_public_keys: Mapping[str, RSAPublicKey],
    now: Callable[[], float],
    window_seconds: int = DEFAULT_WINDOW_SECONDS,
) -> WechatpayAuthorization:
    """The provider's side of ``build_wechatpay_authorization`` (used by the sandbox)."""
    parsed = parse_wechatpay_authorization(authorization)
    _check_window(parsed.timestamp, now, window_seconds)
    public_key = _find_key(merchant_public_keys, parsed.serial_no)
    message = signed_message(method.upper(), url_path_with_query, str(parsed.timestamp), parsed.nonce, body)
    if not sha256_rsa_verify(public_key, message, parsed.signature):
        raise WechatpayBadSignature()
    return parsed


def parse_wechatpay_authorization(authorization: str) -> WechatpayAuthorization:
    scheme, _, parameters = authorization.strip().partition(" ")
    if scheme != AUTHORIZATION_SCHEME:
        raise WechatpaySignatureMissing("不支持的微信支付认证类型")
    fields: dict[str, str] = {}
    position = 0
    while position < len(parameters):
        match = _AUTHORIZATION_FIELD.match(parameters, position)
        if not match or match.group(1) in fields:
            raise WechatpaySignatureMissing("微信支付认证信息格式错误")
        fields[match.group(1)] = match.group(2)
        position = match.end()
    try:
        return WechatpayAuthorization(
            mchid=fields["mchid"],
            serial_no=fields["serial_no"],
            nonce=fields["nonce_str"],
            timestamp=_parse_timestamp(fields["timestamp"]),
            signature=fields["signature"],
        )
    except KeyError:
        raise WechatpaySignatureMissing("微信支付认证信息不完整") from None


def jsapi_pay_params(
    appid: str, prepay_id: str, private_key: RSAPrivateKey, timestamp: int, nonce: str
) -> dict[str, str]:
    """The arguments of the mini-program's ``wx.requestPayment`` for a JSAPI prepay order."""
    package = f"prepay_id={prepay_id}"
    pay_sign = sign_wechatpay_message(private_key, signed_message(appid, str(timestamp), nonce, package))
    return {"timeStamp": str(timestamp), "nonceStr": nonce, "package": package, "signType": "RSA", "paySign": pay_sign}


def build_wechatpay_signature_headers(
    private_key: RSAPrivateKey, serial_no: str, body: str | bytes, timestamp: int, nonce: str
) -> dict[str, str]:
    """The ``Wechatpay-*`` headers the platform puts on callbacks and responses (used by the sandbox)."""
    signature = sign_wechatpay_message(private_key, signed_message(str(timestamp), nonce, body))
    return {
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Serial": serial_no,
        "Wechatpay-Signature": signature,
        "Wechatpay-Signature-Type": AUTHORIZATION_SCHEME,
    }


def verify_wechatpay_callback(
    headers: Mapping[str, str],
    body: bytes,
    platform_public_keys: Mapping[str, RSAPublicKey],
    now: Callable[[], float],
    window_seconds: int = DEFAULT_WINDOW_SECONDS,
) -> None:
    """Check the platform signature of a callback (or an API response) over the exact body bytes.

    ``platform_public_keys`` maps the serial WeChat puts in ``Wechatpay-Serial`` (a platform certificate
    serial or a ``PUB_KEY_ID_…`` platform public key id) to its key. An unknown serial usually means the
    platform rotated its certificate: the caller may refresh its keys and try again. The SDKs accept old
    timestamps, so replay protection is this window (plus idempotent handling of the notice id).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp, nonce, serial, signature = (lowered.get(name, "").strip() for name in _SIGNATURE_HEADERS)
    if not (timestamp and nonce and serial and signature):
        raise WechatpaySignatureMissing()
    signature_type = lowered.get("wechatpay-signature-type", AUTHORIZATION_SCHEME).strip()
    if signature_type != AUTHORIZATION_SCHEME:
        raise WechatpayBadSignature("不支持的微信支付签名类型")
    _check_window(_parse_timestamp(timestamp), now, window_seconds)
    public_key = _find_key(platform_public_keys, serial)
    # WeChat also sends probes signed "WECHATPAY/SIGNTEST/…" to see that merchants really verify: they land here.
    if not sha256_rsa_verify(public_key, signed_message(timestamp, nonce, body), signature):
        raise WechatpayBadSignature()


def decrypt_wechatpay_resource(api_v3_key: bytes, nonce: str, associated_data: str, ciphertext_b64: str) -> bytes:
    """Open a callback's ``resource``. The key is used at the length given (the real APIv3 key is 32 bytes)."""
    try:
        data = base64.b64decode(ciphertext_b64, validate=True)
        return AESGCM(api_v3_key).decrypt(nonce.encode(), data, associated_data.encode())
    except (InvalidTag, binascii.Error, ValueError, TypeError):
        raise WechatpayDecryptFailed() from None


def encrypt_wechatpay_resource(api_v3_key: bytes, nonce: str, associated_data: str, plaintext: bytes) -> str:
    """The inverse of ``decrypt_wechatpay_resource`` (used by the sandbox): base64 of ciphertext + 16-byte tag."""
    return base64.b64encode(AESGCM(api_v3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())).decode()


def _parse_timestamp(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise WechatpayTimestampOutOfWindow("微信支付消息时间戳无效")
    return int(value)


def _check_window(timestamp: int, now: Callable[[], float], window_seconds: int) -> None:
    if abs(now() - timestamp) > window_seconds:
        raise WechatpayTimestampOutOfWindow()


def _find_key(keys: Mapping[str, RSAPublicKey], serial: str) -> RSAPublicKey:
    wanted = serial.strip().upper()
    for known, key in keys.items():
        if known.strip().upper() == wanted:
            return key
    raise WechatpayUnknownSerial()
