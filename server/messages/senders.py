"""Sending one progress message through a channel, with the provider's answer classified.

Neither WeChat's ``subscribeMessage.send`` nor Alipay's ``alipay.open.app.mini.templatemessage.send``
takes an idempotency key, so delivery is at-least-once (see ``delivery``). Temporary outcomes are
retried with back-off; every other failure is final.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from alipay.aop.api.request.AlipayOpenAppMiniTemplatemessageSendRequest import (
    AlipayOpenAppMiniTemplatemessageSendRequest,
)

from server.errors import AppError
from server.providers.alipay import AlipayResponseForged, AlipayUnavailable, AlipayUpstreamError
from server.providers.wechat import WechatUnavailable

if TYPE_CHECKING:
    from server.deps import Deps


class Outcome(StrEnum):
    SENT = "sent"
    TEMPORARY = "temporary"
    REFUSED = "refused"  # the provider says the user has not consented (or revoked it)
    INVALID_TEMPLATE = "invalid_template"
    REJECTED = "rejected"  # any other permanent refusal


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    detail: str = ""


# WeChat subscribeMessage.send errcodes.
_WECHAT_TEMPORARY = {-1, 45009, 40001, 42001}  # busy, daily quota, access token (wechatpy refreshes once)
_WECHAT_REFUSED = {43101}  # user refuse to accept the msg
_WECHAT_INVALID_TEMPLATE = {40037, 47003}  # template id invalid, template data invalid

# Alipay: code 20000 is "service unavailable"; these sub-codes are the message API's own refusals.
_ALIPAY_TEMPORARY_CODES = {"20000", "20001"}
_ALIPAY_REFUSED = {"USER_UNSUBSCRIBED", "USER_NOT_EXIST"}
_ALIPAY_INVALID_TEMPLATE = {"USER_TEMPLATE_ILLEGAL", "TEMPLATE_NOT_EXIST"}


class Sender(Protocol):
    async def send(self, recipient: str, template_id: str, fields: dict[str, str], page: str) -> SendResult: ...


class WechatSender:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def send(self, recipient: str, template_id: str, fields: dict[str, str], page: str) -> SendResult:
        data = {name: {"value": value} for name, value in fields.items()}
        try:
            errcode = await self._deps.wechat.send_subscribe_message(recipient, template_id, data, page)
        except WechatUnavailable:
            return SendResult(Outcome.TEMPORARY, "wechat_unavailable")
        if errcode == 0:
            return SendResult(Outcome.SENT)
        detail = f"wechat errcode {errcode}"
        if errcode in _WECHAT_TEMPORARY:
            return SendResult(Outcome.TEMPORARY, detail)
        if errcode in _WECHAT_REFUSED:
            return SendResult(Outcome.REFUSED, detail)
        if errcode in _WECHAT_INVALID_TEMPLATE:
            return SendResult(Outcome.INVALID_TEMPLATE, detail)
        return SendResult(Outcome.REJECTED, detail)


class AlipaySender:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def send(self, recipient: str, template_id: str, fields: dict[str, str], page: str) -> SendResult:
        content: dict[str, str] = {"user_template_id": template_id, "page": page,
                                   "data": json.dumps({name: {"value": value} for name, value in fields.items()},
                                                      ensure_ascii=False)}
        # Alipay subjects are user ids (2088…) or, for newer apps, "open:<open_id>" (see AlipayLogin).
        if recipient.startswith("open:"):
            content["to_open_id"] = recipient.removeprefix("open:")
        else:
            content["to_user_id"] = recipient
        request = AlipayOpenAppMiniTemplatemessageSendRequest()
        request.biz_content = content
        try:
            await self._deps.alipay.execute(request)
        except (AlipayUnavailable, AlipayResponseForged):
            return SendResult(Outcome.TEMPORARY, "alipay_unavailable")
        except AlipayUpstreamError as error:
            return _classify_alipay(error)
        return SendResult(Outcome.SENT)


def _classify_alipay(error: AppError) -> SendResult:
    code, sub_code = str(error.details.get("alipay_code", "")), str(error.details.get("alipay_sub_code", ""))
    detail = f"alipay {code} {sub_code}".strip()
    if code in _ALIPAY_TEMPORARY_CODES or not code:
        return SendResult(Outcome.TEMPORARY, detail)
    if sub_code in _ALIPAY_REFUSED:
        return SendResult(Outcome.REFUSED, detail)
    if sub_code in _ALIPAY_INVALID_TEMPLATE:
        return SendResult(Outcome.INVALID_TEMPLATE, detail)
    return SendResult(Outcome.REJECTED, detail)


def sender_for(deps: Deps, channel: str) -> Sender:
    return WechatSender(deps) if channel == "wechat" else AlipaySender(deps)
