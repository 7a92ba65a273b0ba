"""Simulated message APIs: WeChat ``subscribeMessage.send`` and Alipay ``templatemessage.send``.

Both record every message they are given (``accepted`` says whether the provider took it), so a test sees
what a phone would see, duplicates included. A test can make the next N messages of a channel fail with
a temporary or permanent error, and slow every message down, through ``/_sandbox/messages/behaviour``.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from server.clock import Clock
from server.sandbox import messages_repo
from server.sandbox.alipay import METHODS, GatewayContext, GatewayRefusal
from server.settings import Settings

MODES = ("temporary", "refused", "invalid_template", "rejected")

WECHAT_ERRORS: dict[str, tuple[int, str]] = {
    "temporary": (-1, "system error"),
    "refused": (43101, "user refuse to accept the msg"),
    "invalid_template": (40037, "invalid template_id"),
    "rejected": (40003, "invalid openid"),
}
ALIPAY_ERRORS: dict[str, tuple[str, str, str]] = {
    "temporary": ("20000", "isp.unknow-error", "服务暂不可用"),
    "refused": ("40004", "USER_UNSUBSCRIBED", "用户未订阅该消息"),
    "invalid_template": ("40004", "USER_TEMPLATE_ILLEGAL", "模板不合法"),
    "rejected": ("40004", "DATA_ILLEGAL", "模板数据不合法"),
}


# WeChat checks each value by its field's kind (the letters of the key, "phrase3" -> phrase) and refuses the
# whole message with 47003 naming the field: 订阅消息参数值内容限制说明 in subscribeMessage.send's reference.
_HAN = "\u4e00-\u9fff"
_CLOCK = r"\d{1,2}:\d{2}(:\d{2})?"
_DAY = r"(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2})"
_MOMENT = rf"({_DAY} ?{_CLOCK}|{_DAY}|{_CLOCK})"
WECHAT_VALUE_RULES: dict[str, re.Pattern[str]] = {
    "thing": re.compile(r"[^\r\n]{1,20}"),
    "number": re.compile(r"(?=.{1,32}$)\d+(\.\d+)?"),
    "letter": re.compile(r"[A-Za-z]{1,32}"),
    "symbol": re.compile(r"[!-/:-@\[-`{-~]{1,5}"),
    "character_string": re.compile(r"[!-~]{1,32}"),
    "time": re.compile(rf"{_MOMENT}(~{_MOMENT})?"),
    "date": re.compile(rf"{_MOMENT}(~{_MOMENT})?"),
    "amount": re.compile(r"[¥$￥]?\d{1,10}(\.\d{1,2})?元?"),
    "phone_number": re.compile(r"[0-9+\-() ]{1,17}"),
    "car_number": re.compile(rf"[{_HAN}A-Za-z0-9]{{1,8}}"),
    "name": re.compile(rf"[{_HAN}·]{{1,10}}|[A-Za-z ]{{1,20}}"),
    "phrase": re.compile(rf"[{_HAN}]{{1,5}}"),
}


def wechat_data_problem(data: Any) -> str | None:
    """The first field WeChat would refuse (its key), or None when every value fits its kind."""
    if not isinstance(data, Mapping) or not data:
        return "data"
    for key, field in data.items():
        kind = str(key).rstrip("0123456789")
        rule = WECHAT_VALUE_RULES.get(kind)
        value = field.get("value") if isinstance(field, Mapping) else None
        if rule is None or not isinstance(value, str) or not rule.fullmatch(value):
            return str(key)
    return None


async def _behave(db: AsyncDatabase[dict[str, Any]], channel: str) -> str | None:
    settings = await messages_repo.behaviour(db, channel)
    if not settings:
        return None
    if settings.get("delay_ms"):
        await asyncio.sleep(int(settings["delay_ms"]) / 1000)
    # Counting a failure down must be atomic (several workers send at once); most messages skip it.
    return await messages_repo.take_failure(db, channel) if int(settings.get("remaining", 0)) > 0 else None


async def _record(db: AsyncDatabase[dict[str, Any]], clock: Clock, channel: str, recipient: str, template_id: str,
                  data: Any, page: Any, accepted: bool) -> None:
    await messages_repo.record_received(db, {
        "channel": channel, "recipient": recipient, "template_id": template_id, "data": data, "page": page,
        "accepted": "yes" if accepted else "no", "received_at": clock.now()})


async def wechat_subscribe_send(settings: Settings, db: AsyncDatabase[dict[str, Any]], clock: Clock,
                                body: Mapping[str, Any]) -> dict[str, Any]:
    recipient, template_id = str(body.get("touser") or ""), str(body.get("template_id") or "")
    if not recipient:
        return {"errcode": 40003, "errmsg": "invalid openid"}
    failure = await _behave(db, "wechat")
    if failure is None and template_id != settings.wechat_progress_template_id:
        failure = "invalid_template"
    refused_field = wechat_data_problem(body.get("data")) if failure is None else None
    await _record(db, clock, "wechat", recipient, template_id, body.get("data"), body.get("page"),
                  failure is None and refused_field is None)
    if refused_field is not None:
        return {"errcode": 47003, "errmsg": f"argument invalid! data.{refused_field}.value invalid"}
    if failure is not None:
        errcode, errmsg = WECHAT_ERRORS[failure]
        return {"errcode": errcode, "errmsg": errmsg}
    return {"errcode": 0, "errmsg": "ok", "msgid": secrets.randbits(62)}


async def alipay_template_send(context: GatewayContext, params: Mapping[str, str]) -> dict[str, Any]:
    try:
        content = json.loads(params.get("biz_content") or "{}")
    except json.JSONDecodeError:
        raise GatewayRefusal("40002", "isv.invalid-biz-content", "biz_content格式错误") from None
    recipient = str(content.get("to_user_id") or (f"open:{content['to_open_id']}" if content.get("to_open_id")
                                                  else ""))
    if not recipient:
        raise GatewayRefusal("40001", "isv.missing-to-user-id", "缺少接收用户")
    template_id = str(content.get("user_template_id") or "")
    failure = await _behave(context.db, "alipay")
    if failure is None and template_id != context.settings.alipay_progress_template_id:
        failure = "invalid_template"
    data = json.loads(content["data"]) if isinstance(content.get("data"), str) else content.get("data")
    await _record(context.db, context.clock, "alipay", recipient, template_id, data, content.get("page"),
                  failure is None)
    if failure is not None:
        raise GatewayRefusal(*ALIPAY_ERRORS[failure])
    return {"code": "10000", "msg": "Success"}


# The gateway simulator looks methods up in its table; this module adds the message method to it.
METHODS["alipay.open.app.mini.templatemessage.send"] = alipay_template_send
