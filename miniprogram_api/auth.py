"""Login from the WeChat and Alipay mini-programs, and logout."""

from __future__ import annotations

from miniprogram_api.me import PROFILE, profile_json
from server.http.api import DATETIME, Route, endpoint, obj, string
from server.http.base import BaseHandler
from server.identity.login import LoginResult, login_with_alipay, login_with_wechat
from server.identity.sessions import close_session
from server.jsonutil import iso
from server.settings import Settings

TAGS = ["auth"]

_LOGIN_RESPONSE = obj({
    "token": string(description="Send as Authorization: Bearer <token>"),
    "token_type": string(enum=["Bearer"]),
    "expires_at": DATETIME,
    "citizen": PROFILE,
}, required=["token", "token_type", "expires_at", "citizen"])

_LOGIN_ERRORS = (502,)
_LOGIN_DESCRIPTION = ("401 login_code_invalid: the code is unknown, expired or used (get a new one); "
                      "502 when the provider fails or its answer does not verify.")


def _login_request(description: str) -> dict[str, object]:
    return obj({"code": string(minLength=1, maxLength=256, description=description)}, required=["code"])


def _login_json(result: LoginResult) -> dict[str, object]:
    return {"token": result.token.token, "token_type": "Bearer", "expires_at": iso(result.token.expires_at),
            "citizen": profile_json(result.profile)}


class WechatLoginHandler(BaseHandler):
    @endpoint("Log in with a wx.login code", tags=TAGS, request=_login_request("The code from wx.login()"),
              responses={200: _LOGIN_RESPONSE}, errors=(401, *_LOGIN_ERRORS), description=_LOGIN_DESCRIPTION)
    async def post(self) -> None:
        self.write_json(_login_json(await login_with_wechat(self.deps, self.body["code"])))


class AlipayLoginHandler(BaseHandler):
    @endpoint("Log in with an Alipay auth code", tags=TAGS,
              request=_login_request("The authCode from my.getAuthCode()"),
              responses={200: _LOGIN_RESPONSE}, errors=(401, *_LOGIN_ERRORS), description=_LOGIN_DESCRIPTION)
    async def post(self) -> None:
        self.write_json(_login_json(await login_with_alipay(self.deps, self.body["code"])))


class LogoutHandler(BaseHandler):
    @endpoint("Log out: the token stops working at once", tags=TAGS, auth="citizen", responses={204: None})
    async def post(self) -> None:
        await close_session(self.deps, self.principal)
        self.set_status(204)
        self.finish()


def routes(settings: Settings) -> list[Route]:
    return [
        Route("/mp/v1/auth/wechat/login", WechatLoginHandler),
        Route("/mp/v1/auth/alipay/login", AlipayLoginHandler),
        Route("/mp/v1/auth/logout", LogoutHandler),
    ]
