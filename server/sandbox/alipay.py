"""Simulated Alipay open-platform gateway (``gateway.do``): checks RSA2 request signatures, signs answers.

Common-parameter and signature problems answer ``error_response`` with Alipay's codes and sub-codes;
every answer is signed with the simulated gateway's key over the exact text of its node, as Alipay does.
Methods are looked up in ``METHODS``; later features add theirs (payments) next to ``oauth_token``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from pymongo.asynchronous.database import AsyncDatabase

from server.clock import Clock
from server.payments.signing.alipay import (
    ERROR_RESPONSE_NODE,
    RSA2,
    alipay_response_node_name,
    alipay_sign_content,
)
from server.payments.signing.rsa_keys import (
    load_rsa_private_key,
    load_rsa_public_key,
    sha256_rsa_sign,
    sha256_rsa_verify,
)
from server.sandbox import login_codes
from server.sandbox.credentials import sandbox_alipay_app_id, sandbox_secret
from server.sandbox.keys import SandboxKeyStore
from server.settings import Settings

CHINA_TZ = timezone(timedelta(hours=8))
ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600


_ERROR_MESSAGES = {"40001": "Missing Required Arguments", "40002": "Invalid Arguments", "40004": "Business Failed"}


class GatewayRefusal(Exception):
    """An Alipay error answer: ``code``/``msg`` classify it, ``sub_code``/``sub_msg`` say what exactly."""

    def __init__(self, code: str, sub_code: str, sub_msg: str) -> None:
        super().__init__(sub_code)
        self.node = {"code": code, "msg": _ERROR_MESSAGES.get(code, "Invalid Arguments"), "sub_code": sub_code,
                     "sub_msg": sub_msg}


@dataclass
class GatewayContext:
    settings: Settings
    db: AsyncDatabase[dict[str, Any]]
    clock: Clock
    app_id: str


Method = Callable[[GatewayContext, Mapping[str, str]], Awaitable[dict[str, Any]]]


async def oauth_token(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    if params.get("grant_type") != "authorization_code":
        raise GatewayRefusal("40002", "isv.grant-type-invalid", "grant_type参数不正确")
    code = params.get("code", "")
    if not code:
        raise GatewayRefusal("40001", "isv.missing-code", "缺少授权码code")
    user = await login_codes.redeem(context.db, "alipay", context.app_id, code, context.clock.now())
    if user is None:
        raise GatewayRefusal("40002", "isv.code-invalid", "授权码code无效")
    ids = sandbox_secret(context.settings, "alipay ids")
    user_number = int.from_bytes(login_codes.stable_id(ids, "user_id", user)[:8], "big") % 10**12
    token = login_codes.stable_id(ids, "access_token", code).hex()[:32]
    return {
        "user_id": f"2088{user_number:012d}",
        "open_id": "0" + login_codes.stable_id(ids, "open_id", context.app_id, user).hex()[:44],
        "access_token": f"authusrB{token}",
        "expires_in": str(ACCESS_TOKEN_SECONDS),
        "refresh_token": f"authusrB{login_codes.stable_id(ids, 'refresh_token', code).hex()[:32]}",
        "re_expires_in": str(REFRESH_TOKEN_SECONDS),
        "auth_start": context.clock.now().astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"),
    }


METHODS: dict[str, Method] = {"alipay.system.oauth.token": oauth_token}


class AlipayGatewaySimulator:
    """One per application: it caches the parsed keys. The database and clock come with each request."""

    def __init__(self, settings: Settings, key_store: SandboxKeyStore) -> None:
        self._settings = settings
        self._app_id = sandbox_alipay_app_id(settings)
        self._key_store = key_store
        self._keys: tuple[RSAPublicKey, RSAPrivateKey] | None = None

    async def _load_keys(self) -> tuple[RSAPublicKey, RSAPrivateKey]:
        if self._keys is None:
            stored = await self._key_store.alipay()
            settings = self._settings
            # An app key set in the settings is the one the app signs with: check against its public half.
            app_public = (load_rsa_private_key(settings.alipay_app_private_key).public_key()
                          if settings.alipay_app_private_key else load_rsa_public_key(stored.app_public_pem))
            self._keys = app_public, load_rsa_private_key(stored.gateway_private_pem)
        return self._keys

    async def handle(self, db: AsyncDatabase[dict[str, Any]], clock: Clock, params: Mapping[str, str]) -> str:
        """The gateway's answer (signed JSON text) to one request's form parameters."""
        app_public, gateway_private = await self._load_keys()
        context = GatewayContext(self._settings, db, clock, self._app_id)
        method = params.get("method", "")
        try:
            self._check_common(params, app_public)
            implementation = METHODS.get(method)
            if implementation is None:
                raise GatewayRefusal("40002", "isv.invalid-method", "不存在的方法名")
            node_name, node = alipay_response_node_name(method), await implementation(context, params)
        except GatewayRefusal as refusal:
            node_name, node = ERROR_RESPONSE_NODE, refusal.node
        node_json = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
        sign = sha256_rsa_sign(gateway_private, node_json.encode())
        return f'{{"{node_name}":{node_json},"sign":{json.dumps(sign)}}}'

    def _check_common(self, params: Mapping[str, str], app_public: RSAPublicKey) -> None:
        for name in ("app_id", "method", "sign_type", "sign", "timestamp", "version"):
            if not params.get(name):
                raise GatewayRefusal("40001", f"isv.missing-{name.replace('_', '-')}", f"缺少{name}参数")
        if params["app_id"] != self._app_id:
            raise GatewayRefusal("40002", "isv.invalid-app-id", "无效的AppID参数")
        if params.get("charset", "utf-8").lower() != "utf-8":
            raise GatewayRefusal("40002", "isv.invalid-charset", "字符集错误")
        if params["sign_type"] != RSA2:
            raise GatewayRefusal("40002", "isv.invalid-signature-type", "无效的签名类型")
        content = alipay_sign_content(params, drop_sign_type=False)
        if not sha256_rsa_verify(app_public, content.encode(), params["sign"]):
            raise GatewayRefusal("40002", "isv.invalid-signature",
                                 "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配")
