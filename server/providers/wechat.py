"""WeChat mini-program server API: login (``jscode2session``), the access token through wechatpy, and the
result of a 人脸核身 face check (``cityservice/face/identify/getinfo``).

wechatpy is synchronous, so every call runs in a worker thread. Its base URLs are class attributes and
the access-token URL is hard-coded in ``fetch_access_token``; ``_PointedClient`` overrides both per
instance, so the live and the sandbox wiring are the same code with a different base URL.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from wechatpy.client import WeChatClient
from wechatpy.exceptions import WeChatClientException

from server.errors import UpstreamError
from server.identity.errors import LoginCodeInvalid
from server.sandbox.credentials import sandbox_wechat_credentials
from server.settings import Settings

log = logging.getLogger("yiwang.providers.wechat")

# 40029 invalid code, 40163 code been used, 40226 risky user blocked by WeChat: the user, not the
# configuration, must act (log in again), so these answer 401 rather than 502.
_CODE_ERRORS = {40029, 40163, 40226}
_TIMEOUT_SECONDS = 10
# Errors of our side or of WeChat's (credentials, access token, quota, busy), not of the verify_result: they
# answer 502 and leave the verification usable. Any other errcode of getinfo means "this result proves nothing".
_SERVICE_ERRORS = {-1, 40001, 40002, 40013, 40014, 41001, 42001, 45009, 48001, 50001, 61024}
# What wechatpy's HTTP layer raises when WeChat cannot be reached or answers garbage: requests' errors are
# OSErrors, and an unparsable body is a ValueError.
_UNREACHABLE = (OSError, ValueError)


class WechatUpstreamError(UpstreamError):
    code = "wechat_upstream_error"
    default_message = "微信服务返回错误，请稍后再试"


class WechatUnavailable(UpstreamError):
    code = "wechat_unavailable"
    default_message = "暂时无法连接微信服务，请稍后再试"


@dataclass(frozen=True)
class WechatLogin:
    """What ``jscode2session`` says about a ``wx.login`` code. ``session_key`` is never stored or logged."""

    app_id: str
    openid: str
    unionid: str | None
    session_key: str = field(repr=False)


@dataclass(frozen=True)
class FaceIdentification:
    """What ``getinfo`` says about a ``verifyResult``. ``errcode`` is WeChat's (0: the fields are filled in);
    ``identify_ret`` 0 means the face matched the person named; the digests are hex MD5s, compared lowercase."""

    errcode: int
    identify_ret: int | None = None
    openid: str | None = None
    id_card_number_md5: str | None = None
    name_utf8_md5: str | None = None
    finish_time: int | None = None  # Unix seconds


class WechatApi(Protocol):
    app_id: str

    async def face_identification(self, verify_result: str) -> FaceIdentification: ...

    async def code_to_session(self, js_code: str) -> WechatLogin: ...

    async def send_subscribe_message(self, openid: str, template_id: str, data: dict[str, Any],
                                     page: str | None) -> int: ...


class _PointedClient(WeChatClient):
    """wechatpy's client with every URL under ``api_base`` (the real API or the sandbox)."""

    def __init__(self, app_id: str, secret: str, api_base: str) -> None:
        super().__init__(app_id, secret, timeout=_TIMEOUT_SECONDS, auto_retry=True)
        base = api_base.rstrip("/")
        self.API_BASE_URL = f"{base}/cgi-bin/"
        self.wxa.API_BASE_URL = f"{base}/"
        self._token_url = f"{base}/cgi-bin/token"

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=self._token_url,
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})


class WechatMiniProgram:
    """The one implementation; ``live_wechat`` and ``sandbox_wechat`` differ only in where it points."""

    def __init__(self, app_id: str, app_secret: str, api_base: str) -> None:
        self.app_id = app_id
        self.api_base = api_base
        # One client per process keeps wechatpy's cached access token between calls.
        self._client = _PointedClient(app_id, app_secret, api_base)
        self._face_info_url = f"{api_base.rstrip('/')}/cityservice/face/identify/getinfo"

    async def code_to_session(self, js_code: str) -> WechatLogin:
        result = await self._call(self._client.wxa.code_to_session, js_code)
        openid = result.get("openid") if isinstance(result, dict) else None
        if not isinstance(openid, str) or not openid:
            raise WechatUpstreamError("微信登录返回内容缺少 openid")
        unionid = result.get("unionid")
        return WechatLogin(app_id=self.app_id, openid=openid,
                           unionid=unionid if isinstance(unionid, str) and unionid else None,
                           session_key=str(result.get("session_key", "")))

    async def face_identification(self, verify_result: str) -> FaceIdentification:
        """The outcome of the face check that produced ``verify_result`` (wx.startFacialRecognitionVerify)."""
        try:
            result = await asyncio.to_thread(self._client.post, self._face_info_url,
                                             data={"verify_result": verify_result})
        except WeChatClientException as exc:
            errcode = _as_int(exc.errcode)
            if errcode is None or errcode in _SERVICE_ERRORS:
                log.warning("WeChat face getinfo error: errcode %s", errcode)
                raise WechatUpstreamError(wechat_errcode=errcode) from None
            return FaceIdentification(errcode=errcode)
        except _UNREACHABLE as exc:
            log.warning("WeChat API unreachable: %s", type(exc).__name__)
            raise WechatUnavailable() from None
        if not isinstance(result, dict):
            raise WechatUpstreamError()
        return FaceIdentification(
            errcode=_as_int(result.get("errcode", 0)) or 0, identify_ret=_as_int(result.get("identify_ret")),
            openid=_text(result.get("openid")), id_card_number_md5=_lower(result.get("id_card_number_md5")),
            name_utf8_md5=_lower(result.get("name_utf8_md5")), finish_time=_as_int(result.get("finish_time")))

    async def send_subscribe_message(self, openid: str, template_id: str, data: dict[str, Any],
                                     page: str | None) -> int:
        """WeChat's errcode for one subscribe message (0: accepted); unreachable raises WechatUnavailable.

        The caller decides what each errcode means for the message, so they are returned, not raised.
        """
        try:
            await asyncio.to_thread(self._client.wxa.send_subscribe_message, openid, template_id, data, page)
        except WeChatClientException as exc:
            return _as_int(exc.errcode) or -1
        except _UNREACHABLE as exc:
            log.warning("WeChat API unreachable: %s", type(exc).__name__)
            raise WechatUnavailable() from None
        return 0

    async def _call(self, function: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args)
        except WeChatClientException as exc:
            errcode = _as_int(exc.errcode)
            if errcode in _CODE_ERRORS:
                raise LoginCodeInvalid(wechat_errcode=errcode) from None
            # errmsg may echo request details; the errcode says what went wrong.
            log.warning("WeChat API error: errcode %s", errcode)
            raise WechatUpstreamError(wechat_errcode=errcode) from None
        except _UNREACHABLE as exc:
            log.warning("WeChat API unreachable: %s", type(exc).__name__)
            raise WechatUnavailable() from None


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _lower(value: object) -> str | None:
    text = _text(value)
    return text.lower() if text else None


def live_wechat(settings: Settings) -> WechatMiniProgram:
    return WechatMiniProgram(settings.wechat_app_id, settings.wechat_app_secret, settings.wechat_api_base)


def sandbox_wechat(settings: Settings) -> WechatMiniProgram:
    credentials = sandbox_wechat_credentials(settings)
    return WechatMiniProgram(credentials.app_id, credentials.app_secret, f"{settings.sandbox_url}/wechat")


def make_wechat(settings: Settings) -> WechatMiniProgram:
    return live_wechat(settings) if settings.is_live else sandbox_wechat(settings)
