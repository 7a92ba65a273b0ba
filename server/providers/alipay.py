"""Alipay open platform gateway: request models of the official SDK, our RSA2 signing, Tornado's client.

The SDK's request classes (``AlipaySystemOauthTokenRequest`` and friends) build the method parameters;
``sign_alipay_request`` signs them; ``AsyncHTTPClient`` posts them (the SDK's own client blocks and cannot
reach a URL with a port); ``verify_alipay_response`` checks the gateway's signature over the exact text
of the response node before anything in it is believed. Live and sandbox differ only in the gateway URL
and where the keys come from.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Any, Protocol

import tornado.httpclient
from alipay.aop.api.request.AlipaySystemOauthTokenRequest import AlipaySystemOauthTokenRequest
from alipay.aop.api.request.AlipayUserCertifyOpenInitializeRequest import AlipayUserCertifyOpenInitializeRequest
from alipay.aop.api.request.AlipayUserCertifyOpenQueryRequest import AlipayUserCertifyOpenQueryRequest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from server.clock import Clock
from server.errors import UpstreamError
from server.identity.errors import LoginCodeInvalid
from server.payments.signing.alipay import RSA2, sign_alipay_request, verify_alipay_response
from server.payments.signing.errors import AlipayBadSignature
from server.payments.signing.rsa_keys import load_rsa_private_key, load_rsa_public_key
from server.sandbox.credentials import sandbox_alipay_app_id
from server.sandbox.keys import SandboxKeyStore
from server.settings import Settings

log = logging.getLogger("yiwang.providers.alipay")

CHINA_TZ = timezone(timedelta(hours=8))
SUCCESS_CODE = "10000"
# The auth code is unknown, expired or used: the user must log in again (401), nothing is misconfigured.
_CODE_SUB_CODES = {"isv.code-invalid", "isv.invalid-auth-code", "isv.auth-code-expired"}
_TIMEOUT_SECONDS = 10


class AlipayUpstreamError(UpstreamError):
    code = "alipay_upstream_error"
    default_message = "支付宝服务返回错误，请稍后再试"


class AlipayUnavailable(UpstreamError):
    code = "alipay_unavailable"
    default_message = "暂时无法连接支付宝服务，请稍后再试"


class AlipayResponseForged(UpstreamError):
    """The gateway's answer does not carry a valid signature of Alipay's key: nothing in it is used."""

    code = "alipay_response_signature_invalid"
    default_message = "支付宝响应签名验证失败"


@dataclass(frozen=True)
class AlipayKeys:
    app_private_key: RSAPrivateKey
    alipay_public_key: RSAPublicKey


KeySource = Callable[[], Awaitable[AlipayKeys]]


class AlipayRequestModel(Protocol):
    """What the SDK's ``Alipay*Request`` classes have in common."""

    def get_params(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class AlipayLogin:
    app_id: str
    user_id: str | None
    open_id: str | None

    @property
    def subject(self) -> str:
        # Older apps get a user_id (2088…), apps created since Alipay's open_id migration only an open_id.
        return self.user_id or f"open:{self.open_id}"


class AlipayApi(Protocol):
    app_id: str

    async def execute(self, request: AlipayRequestModel) -> dict[str, Any]: ...

    async def exchange_auth_code(self, code: str) -> AlipayLogin: ...

    async def start_certify(self, outer_order_no: str, *, name: str, id_number: str) -> str: ...

    async def certify_passed(self, certify_id: str) -> bool: ...

    async def gateway_public_key(self) -> RSAPublicKey: ...


class AlipayOpenApi:
    """The one implementation; ``live_alipay`` and ``sandbox_alipay`` differ in gateway and key source."""

    def __init__(self, app_id: str, gateway: str, keys: KeySource, clock: Clock) -> None:
        self.app_id = app_id
        self.gateway = gateway
        self._keys = keys
        self._clock = clock

    async def gateway_public_key(self) -> RSAPublicKey:
        """Alipay's key: it also signs the async trade notices (server.payments)."""
        return (await self._keys()).alipay_public_key

    async def exchange_auth_code(self, code: str) -> AlipayLogin:
        request = AlipaySystemOauthTokenRequest()
        request.grant_type = "authorization_code"
        request.code = code
        node = await self.execute(request)
        user_id, open_id = node.get("user_id"), node.get("open_id")
        if not (isinstance(user_id, str) and user_id) and not (isinstance(open_id, str) and open_id):
            raise AlipayUpstreamError("支付宝授权返回内容缺少用户标识")
        return AlipayLogin(app_id=self.app_id, user_id=user_id or None, open_id=open_id or None)

    async def start_certify(self, outer_order_no: str, *, name: str, id_number: str) -> str:
        """A certify_id for a face check (支付宝身份验证) of this person, for my.startAPVerify."""
        request = AlipayUserCertifyOpenInitializeRequest()
        request.biz_content = {
            "outer_order_no": outer_order_no, "biz_code": "FACE",
            "identity_param": {"identity_type": "CERT_INFO", "cert_type": "IDENTITY_CARD", "cert_name": name,
                               "cert_no": id_number},
            # The check runs inside the Alipay client; afterwards the citizen is back in this mini-program.
            "merchant_config": {"return_url": f"alipays://platformapi/startapp?appId={self.app_id}"}}
        node = await self.execute(request)
        certify_id = node.get("certify_id")
        if not isinstance(certify_id, str) or not certify_id:
            raise AlipayUpstreamError("支付宝身份验证初始化返回内容缺少 certify_id")
        return certify_id

    async def certify_passed(self, certify_id: str) -> bool:
        """Whether the person of ``certify_id`` passed the check ("T"); not done (yet) or failed is False."""
        request = AlipayUserCertifyOpenQueryRequest()
        request.biz_content = {"certify_id": certify_id}
        node = await self.execute(request)
        return node.get("passed") == "T"

    async def execute(self, request: AlipayRequestModel) -> dict[str, Any]:
        """Send one gateway request and return its verified response node; errors raise AppErrors."""
        keys = await self._keys()
        params = {name: str(value) for name, value in request.get_params().items() if value is not None}
        method = params["method"]
        params.update(app_id=self.app_id, format="JSON", charset="utf-8", sign_type=RSA2,
                      timestamp=self._clock.now().astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"))
        params["sign"] = sign_alipay_request(params, keys.app_private_key)
        text = await self._post(urllib.parse.urlencode(params))
        try:
            content = verify_alipay_response(text, method, keys.alipay_public_key)
        except AlipayBadSignature:
            log.warning("Alipay %s: response signature does not verify", method)
            raise AlipayResponseForged() from None
        node = json.loads(content)
        if not isinstance(node, dict):
            raise AlipayUpstreamError()
        code, sub_code = node.get("code"), node.get("sub_code")
        if sub_code in _CODE_SUB_CODES:
            raise LoginCodeInvalid(alipay_sub_code=sub_code)
        if sub_code or code not in (None, SUCCESS_CODE):
            log.warning("Alipay %s: error %s %s", method, code, sub_code)
            raise AlipayUpstreamError(alipay_code=str(code), alipay_sub_code=str(sub_code or ""))
        return node

    async def _post(self, body: str) -> str:
        request = tornado.httpclient.HTTPRequest(
            self.gateway, method="POST", body=body, request_timeout=_TIMEOUT_SECONDS,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})
        try:
            response = await tornado.httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as exc:
            log.warning("Alipay gateway unreachable: %s", type(exc).__name__)
            raise AlipayUnavailable() from None
        if response.code == 599:
            log.warning("Alipay gateway unreachable: %s", type(response.error).__name__)
            raise AlipayUnavailable()
        if response.code != 200:
            log.warning("Alipay gateway answered HTTP %s", response.code)
            raise AlipayUpstreamError()
        return (response.body or b"").decode("utf-8", "replace")


def live_alipay(settings: Settings, clock: Clock) -> AlipayOpenApi:
    keys = AlipayKeys(load_rsa_private_key(settings.alipay_app_private_key),
                      load_rsa_public_key(settings.alipay_public_key))

    async def fixed_keys() -> AlipayKeys:
        return keys

    return AlipayOpenApi(settings.alipay_app_id, settings.alipay_gateway, fixed_keys, clock)


def sandbox_alipay(settings: Settings, clock: Clock, key_store: SandboxKeyStore) -> AlipayOpenApi:
    """Keys set in the settings win; the rest come from the sandbox key store."""
    loaded: list[AlipayKeys] = []

    async def sandbox_keys() -> AlipayKeys:
        if not loaded:
            stored = await key_store.alipay()
            loaded.append(AlipayKeys(
                load_rsa_private_key(settings.alipay_app_private_key or stored.app_private_pem),
                load_rsa_public_key(settings.alipay_public_key or stored.gateway_public_pem)))
        return loaded[0]

    return AlipayOpenApi(sandbox_alipay_app_id(settings), f"{settings.sandbox_url}/alipay/gateway.do",
                         sandbox_keys, clock)


def make_alipay(settings: Settings, clock: Clock, key_store: SandboxKeyStore) -> AlipayOpenApi:
    return live_alipay(settings, clock) if settings.is_live else sandbox_alipay(settings, clock, key_store)
