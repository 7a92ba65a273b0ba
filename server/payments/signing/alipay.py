"""Alipay open platform RSA2 (SHA256withRSA) signatures: requests, async notifications, gateway responses.

The signed string is the parameters sorted by name, ``sign`` and empty values left out, joined as
``k=v&k=v`` with raw (not URL-encoded) values, as UTF-8: we always send ``charset=utf-8``. Requests sign
``sign_type`` too; most notifications leave it out, some (service-market orders) keep it. A gateway
response is signed over the exact text of its ``<method>_response`` JSON value.

The official Python SDK (``alipay.aop.api.util.SignatureUtils``) is not used to verify: its
``verify_with_rsa`` accepts whatever hash the signature names, so an RSA (SHA-1) signature passes where
RSA2 is required; it raises instead of returning False; it only reads PKCS#1 private keys without PEM
markers; and its client finds the response node by searching for the last ``"sign"`` in the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from server.payments.signing.errors import AlipayBadSignature, AlipayUnsupportedSignType
from server.payments.signing.rsa_keys import sha256_rsa_sign, sha256_rsa_verify

RSA2 = "RSA2"
ERROR_RESPONSE_NODE = "error_response"

_JSON = json.JSONDecoder()
_JSON_WHITESPACE = " \t\n\r"


def alipay_sign_content(params: Mapping[str, str | None], *, drop_sign_type: bool) -> str:
    left_out = {"sign", "sign_type"} if drop_sign_type else {"sign"}
    return "&".join(f"{name}={value}" for name, value in sorted(params.items()) if name not in left_out and value)


def sign_alipay_request(params: Mapping[str, str | None], app_private_key: RSAPrivateKey) -> str:
    """The ``sign`` of an API request; ``params`` are all request parameters, ``sign_type=RSA2`` included."""
    if params.get("sign_type") != RSA2:
        raise ValueError("Alipay requests must carry sign_type=RSA2")
    return sha256_rsa_sign(app_private_key, alipay_sign_content(params, drop_sign_type=False).encode())


def sign_alipay_notify(params: Mapping[str, str | None], alipay_private_key: RSAPrivateKey) -> str:
    """The ``sign`` Alipay puts on a trade notification (used by the sandbox)."""
    return sha256_rsa_sign(alipay_private_key, alipay_sign_content(params, drop_sign_type=True).encode())


def verify_alipay_notify(params: Mapping[str, str | None], alipay_public_key: RSAPublicKey) -> None:
    """Check an async notification whose values are already form-decoded once (as a web framework does).

    The string is tried without ``sign_type`` and then with it, as the official Node SDK does, because
    notification types differ. Only SHA-256 is ever checked, and any declared sign_type but RSA2 is refused.
    """
    sign = params.get("sign") or ""
    if not sign:
        raise AlipayBadSignature("缺少支付宝签名")
    if params.get("sign_type") not in (None, "", RSA2):
        raise AlipayUnsupportedSignType()
    for drop_sign_type in (True, False):
        content = alipay_sign_content(params, drop_sign_type=drop_sign_type)
        if sha256_rsa_verify(alipay_public_key, content.encode(), sign):
            return
    raise AlipayBadSignature()


def alipay_response_node_name(method: str) -> str:
    """``alipay.system.oauth.token`` -> ``alipay_system_oauth_token_response``."""
    return method.replace(".", "_") + "_response"


def alipay_response_sign_content(response_text: str, method: str) -> tuple[str, str]:
    """(the exact text of the response node, its ``sign``). ``error_response`` stands in for a missing node.

    The node is located by parsing the top-level object, not by searching: a ``"sign"`` inside the data
    or whitespace between tokens must not move the boundaries of the signed text.
    """
    try:
        members = _top_level_members(response_text)
    except ValueError:
        raise AlipayBadSignature("支付宝响应格式错误") from None
    node = members.get(alipay_response_node_name(method)) or members.get(ERROR_RESPONSE_NODE)
    if node is None:
        raise AlipayBadSignature("支付宝响应缺少业务数据")
    sign = members.get("sign")
    if sign is None or not isinstance(sign[1], str) or not sign[1]:
        raise AlipayBadSignature("支付宝响应未签名")
    return node[0], sign[1]


def verify_alipay_response(response_text: str, method: str, alipay_public_key: RSAPublicKey) -> str:
    """Check a gateway response (e.g. of ``alipay.system.oauth.token``) and return the node's JSON text.

    Unsigned responses are refused, error responses included: the caller treats them all as upstream errors.
    """
    content, sign = alipay_response_sign_content(response_text, method)
    if not sha256_rsa_verify(alipay_public_key, content.encode(), sign):
        raise AlipayBadSignature()
    return content


def build_alipay_response(method: str, node_json: str, alipay_private_key: RSAPrivateKey) -> str:
    """A signed gateway response around ``node_json`` (used by the sandbox)."""
    sign = sha256_rsa_sign(alipay_private_key, node_json.encode())
    return f'{{"{alipay_response_node_name(method)}":{node_json},"sign":{json.dumps(sign)}}}'


def _top_level_members(text: str) -> dict[str, tuple[str, object]]:
    """Each member of a JSON object text: name -> (exact value text, decoded value). Duplicates are refused."""
    members: dict[str, tuple[str, object]] = {}
    position = _skip_whitespace(text, 0)
    if text[position:position + 1] != "{":
        raise ValueError("not a JSON object")
    position = _skip_whitespace(text, position + 1)
    closed = text[position:position + 1] == "}"
    while not closed:
        if text[position:position + 1] != '"':
            raise ValueError("expected a member name")
        name, position = _JSON.raw_decode(text, position)
        position = _skip_whitespace(text, position)
        if text[position:position + 1] != ":":
            raise ValueError("expected ':'")
        start = _skip_whitespace(text, position + 1)
        value, end = _JSON.raw_decode(text, start)
        if name in members:
            raise ValueError("duplicate member")
        members[name] = (text[start:end], value)
        position = _skip_whitespace(text, end)
        separator = text[position:position + 1]
        if separator not in (",", "}"):
            raise ValueError("expected ',' or '}'")
        closed = separator == "}"
        if not closed:
            position = _skip_whitespace(text, position + 1)
    if _skip_whitespace(text, position + 1) != len(text):
        raise ValueError("text after the object")
    return members


def _skip_whitespace(text: str, position: int) -> int:
    while position < len(text) and text[position] in _JSON_WHITESPACE:
        position += 1
    return position
