"""WeChat Pay API v2 ``sign``: MD5 or HMAC-SHA256 over the sorted non-empty fields plus ``&key=API_KEY``.

Only ``sign`` itself and empty fields are left out (``sign_type`` is signed). Fields we do not know are
signed like any other, because WeChat adds fields to callbacks without notice.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Literal

from server.payments.signing.errors import WechatpayV2BadSignature

WechatpayV2SignType = Literal["MD5", "HMAC-SHA256"]


def wechatpay_v2_sign_content(fields: Mapping[str, str | None]) -> str:
    """``stringA`` of the v2 rules: ``k1=v1&k2=v2`` sorted by name (ASCII, case-sensitive), raw values."""
    return "&".join(f"{name}={value}" for name, value in sorted(fields.items()) if name != "sign" and value)


def sign_wechatpay_v2(
    fields: Mapping[str, str | None], api_key: str, sign_type: WechatpayV2SignType = "MD5"
) -> str:
    message = f"{wechatpay_v2_sign_content(fields)}&key={api_key}".encode()
    if sign_type == "MD5":
        return hashlib.md5(message).hexdigest().upper()  # noqa: S324 - the v2 protocol mandates MD5
    if sign_type == "HMAC-SHA256":
        # The whole string, "&key=…" included, is the HMAC message.
        return hmac.new(api_key.encode(), message, hashlib.sha256).hexdigest().upper()
    raise ValueError(f"unsupported WeChat Pay v2 sign_type {sign_type!r}")


def verify_wechatpay_v2_sign(
    fields: Mapping[str, str | None], api_key: str, sign_type: WechatpayV2SignType
) -> None:
    """Check a v2 callback or response; ``sign_type`` is the one we asked for when placing the order."""
    received = (fields.get("sign") or "").strip().upper()
    if sign_type not in ("MD5", "HMAC-SHA256"):
        raise WechatpayV2BadSignature("不支持的微信支付签名类型")
    expected = sign_wechatpay_v2(fields, api_key, sign_type)
    if not received or not hmac.compare_digest(received.encode(), expected.encode()):
        raise WechatpayV2BadSignature()
