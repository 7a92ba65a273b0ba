"""HTTP face of the simulators, under ``/_sandbox`` and only in sandbox mode.

The WeChat and Alipay endpoints speak those providers' formats, not ours: they take any extra
parameters, answer errors the providers' way, and are left out of the OpenAPI document. The code-minting
endpoints are the sandbox's own test controls (those of the identity checks: ``identity_handlers``).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from server import jsonutil
from server.http.api import Route, endpoint, obj, string
from server.http.base import BaseHandler
from server.sandbox import login_codes
from server.sandbox.alipay import AlipayGatewaySimulator
from server.sandbox.identity_handlers import identity_check_routes
from server.sandbox.keys import sandbox_key_store
from server.sandbox.payment_handlers import payment_routes
from server.sandbox.wechat import WechatSimulator
from server.sandbox.wechatpay import WechatpaySimulator
from server.settings import Settings

PREFIX = "/_sandbox"

_MINT_REQUEST = obj({"user": string(pattern=login_codes.USER_PATTERN,
                                    description="Stable sandbox user: the same user is the same account.")},
                    required=["user"])
_MINT_RESPONSE = obj({"code": string()}, required=["code"])


class _ProviderHandler(BaseHandler):
    def query_args(self) -> dict[str, str]:
        return {name: values[0].decode("utf-8", "replace") for name, values in self.request.query_arguments.items()}

    def write_provider_json(self, payload: dict[str, Any]) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(jsonutil.dumps(payload))


class WechatTokenHandler(_ProviderHandler):
    def initialize(self, wechat: WechatSimulator) -> None:
        self.wechat = wechat

    async def get(self) -> None:
        self.write_provider_json(self.wechat.access_token(self.deps.clock, self.query_args()))


class WechatCodeToSessionHandler(_ProviderHandler):
    def initialize(self, wechat: WechatSimulator) -> None:
        self.wechat = wechat

    async def get(self) -> None:
        self.write_provider_json(await self.wechat.code_to_session(self.deps.db, self.deps.clock, self.query_args()))


class AlipayGatewayHandler(_ProviderHandler):
    def initialize(self, alipay: AlipayGatewaySimulator) -> None:
        self.alipay = alipay

    async def post(self) -> None:
        params = self.query_args()
        params.update(urllib.parse.parse_qsl(self.raw_body.decode("utf-8", "replace"), keep_blank_values=True))
        answer = await self.alipay.handle(self.deps.db, self.deps.clock, params)
        self.set_header("Content-Type", "text/html;charset=utf-8")  # what the real gateway sends
        self.finish(answer.encode())


class MintCodeHandler(BaseHandler):
    @endpoint("Mint a one-time sandbox login code for a sandbox user", tags=["sandbox"], request=_MINT_REQUEST,
              responses={201: _MINT_RESPONSE})
    async def post(self) -> None:
        self.write_json({"code": login_codes.mint_code(self.body["user"])}, 201)


def routes(settings: Settings) -> list[Route]:
    if settings.mode != "sandbox":
        return []
    wechat_simulator = WechatSimulator(settings)
    wechat = {"wechat": wechat_simulator}
    key_store = sandbox_key_store(settings.var_dir)
    alipay_simulator = AlipayGatewaySimulator(settings, key_store)
    alipay = {"alipay": alipay_simulator}
    return [
        *payment_routes(PREFIX, WechatpaySimulator(settings, key_store), alipay_simulator),
        *identity_check_routes(PREFIX, wechat_simulator),
        Route(f"{PREFIX}/wechat/cgi-bin/token", WechatTokenHandler, wechat, documented=False),
        Route(f"{PREFIX}/wechat/sns/jscode2session", WechatCodeToSessionHandler, wechat, documented=False),
        Route(f"{PREFIX}/wechat/codes", MintCodeHandler, documented=False),
        Route(f"{PREFIX}/alipay/gateway.do", AlipayGatewayHandler, alipay, documented=False),
        Route(f"{PREFIX}/alipay/codes", MintCodeHandler, documented=False),
    ]
